// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: output.c, report.c, progress.c, mountinfo.c — column
 * alignment, the JSON documents' shape (parsed back with json-c), the
 * progress line and mountinfo parsing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "mountinfo.h"
#include "output.h"
#include "progress.h"
#include "report.h"

/* Run @print into a string; free() it. */
#define CAPTURE(buf, call) do {						\
		size_t len_ = 0;					\
		FILE *f = open_memstream(&(buf), &len_);		\
		assert_non_null(f);					\
		call;							\
		fclose(f);						\
	} while (0)

static void columns_aligned(void **state)
{
	static const struct column cols[] = { { "NAME", false }, { "SIZE", true }, { "NOTE", false } };
	struct table *t = table_new(cols, 3);
	char *out = NULL;

	(void)state;
	assert_int_equal(table_cell(t, "a"), 0);
	assert_int_equal(table_cellf(t, "%d", 5), 0);
	assert_int_equal(table_cell(t, "x"), 0);
	assert_int_equal(table_cell(t, "longer-name"), 0);
	assert_int_equal(table_cellf(t, "%d", 12345), 0);
	assert_int_equal(table_cell(t, NULL), 0);
	assert_int_equal(table_rows(t), 2);
	CAPTURE(out, table_print(t, f));
	assert_string_equal(out,
			    "NAME          SIZE  NOTE\n"
			    "a                5  x\n"
			    "longer-name  12345  -\n");
	free(out);
	table_free(t);
}

static struct plex_row make_row(uint32_t index, char health, uint32_t state, uint64_t synced)
{
	struct plex_row r;

	memset(&r, 0, sizeof(r));
	r.info.index = index;
	r.info.id = 100 + index;
	r.info.health = (uint32_t)health;
	r.info.state = state;
	r.info.major = 8;
	r.info.minor = 16 * (index + 1);
	r.info.offset = 2048;
	r.info.synced_regions = synced;
	r.info.total_regions = 1000;
	r.info.read_errors = index;
	r.info.write_errors = 2 * index;
	r.info.flags = index ? VDSPLEX_PLEX_ADDED : VDSPLEX_PLEX_SOURCE;
	if (index == 0)
		strcpy((char *)r.info.identity, "wwn-0x5000c500a1b2c3d4");
	snprintf(r.device, sizeof(r.device), "/dev/sd%c", 'b' + index);
	return r;
}

static void plexes_table_shape(void **state)
{
	struct plex_row rows[2] = {
		make_row(0, 'A', VDSPLEX_STATE_ALIVE, 1000),
		make_row(1, 'a', VDSPLEX_STATE_RECOVERING, 425),
	};
	struct table *t = plexes_table(rows, 2);
	char *out = NULL, *second;

	(void)state;
	assert_non_null(t);
	CAPTURE(out, table_print(t, f));
	assert_true(!strncmp(out, "INDEX   ID  HEALTH  STATE       DEVICE    OFFSET  SYNCED  READ_ERR  WRITE_ERR  IDENTITY\n", 88));
	second = strchr(out, '\n') + 1;
	assert_string_equal(second,
			    "    0  100  A       alive       /dev/sdb    2048  100.0%         0          0  wwn-0x5000c500a1b2c3d4\n"
			    "    1  101  a       recovering  /dev/sdc    2048   42.5%         1          2  -\n");
	free(out);
	table_free(t);
}

static void expect_keys(struct json_object *o, const char *const *keys, size_t n)
{
	size_t i;

	assert_true(json_object_is_type(o, json_type_object));
	for (i = 0; i < n; i++)
		if (!json_object_object_get_ex(o, keys[i], NULL))
			fail_msg("key '%s' missing in %s", keys[i], json_object_to_json_string(o));
	assert_int_equal(json_object_object_length(o), n);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void plexes_json_shape(void **state)
{
	static const char *const vol_keys[] = {
		"name", "uuid", "major", "minor", "device", "length_sectors",
		"region_size_sectors", "nr_plexes",
	};
	static const char *const plex_keys[] = {
		"index", "id", "health", "state", "device", "major", "minor", "offset_sectors",
		"synced_regions", "total_regions", "synced_percent", "read_errors",
		"write_errors", "identity", "flags",
	};
	struct plex_row rows[2] = {
		make_row(0, 'A', VDSPLEX_STATE_ALIVE, 1000),
		make_row(1, 'a', VDSPLEX_STATE_RECOVERING, 425),
	};
	struct volume_ref v = { "vol", "VDSPLEX-1234", 253, 3 };
	struct json_object *doc = plexes_json(&v, 2048000, 2048, rows, 2), *back, *arr, *p;
	char *out = NULL;

	(void)state;
	CAPTURE(out, assert_int_equal(json_print(doc, f), 0));
	json_object_put(doc);
	/* Exactly one document: parse it back. */
	back = json_tokener_parse(out);
	assert_non_null(back);
	assert_int_equal(json_object_object_length(back), 2);
	expect_keys(get(back, "volume"), vol_keys, sizeof(vol_keys) / sizeof(vol_keys[0]));
	assert_string_equal(json_object_get_string(get(get(back, "volume"), "device")), "/dev/mapper/vol");
	assert_int_equal(json_object_get_int64(get(get(back, "volume"), "length_sectors")), 2048000);
	arr = get(back, "plexes");
	assert_int_equal(json_object_array_length(arr), 2);
	p = json_object_array_get_idx(arr, 1);
	expect_keys(p, plex_keys, sizeof(plex_keys) / sizeof(plex_keys[0]));
	assert_string_equal(json_object_get_string(get(p, "state")), "recovering");
	assert_string_equal(json_object_get_string(get(p, "health")), "a");
	assert_int_equal(json_object_get_int64(get(p, "id")), 101);
	assert_true(json_object_get_double(get(p, "synced_percent")) > 42.4 &&
		    json_object_get_double(get(p, "synced_percent")) < 42.6);
	assert_true(json_object_is_type(get(p, "identity"), json_type_null));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(get(p, "flags"), 0)), "added");
	p = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(get(p, "identity")), "wwn-0x5000c500a1b2c3d4");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(get(p, "flags"), 0)), "source");
	json_object_put(back);
	free(out);
}

/* A kernel identity that fills all 64 bytes, with no NUL. */
static void identity_unterminated(void **state)
{
	struct plex_row rows[1] = { make_row(0, 'A', VDSPLEX_STATE_ALIVE, 1000) };
	struct volume_ref v = { "vol", "", 253, 3 };
	struct json_object *doc, *p;
	struct table *t;
	char *out = NULL;

	(void)state;
	memset(rows[0].info.identity, 'i', VDSPLEX_IDENTITY_SIZE);
	/* What follows the array in the struct must not be printed ("AAAA"). */
	rows[0].info.major = 0x41414141;
	doc = plexes_json(&v, 2048, 2048, rows, 1);
	p = json_object_array_get_idx(get(doc, "plexes"), 0);
	assert_int_equal(json_object_get_string_len(get(p, "identity")), VDSPLEX_IDENTITY_SIZE);
	json_object_put(doc);
	t = plexes_table(rows, 1);
	assert_non_null(t);
	CAPTURE(out, table_print(t, f));
	assert_non_null(strstr(out, "  iiii"));
	assert_null(strstr(out, "iA"));
	assert_int_equal(strspn(strstr(out, "  iiii") + 2, "i"), VDSPLEX_IDENTITY_SIZE);
	free(out);
	table_free(t);
}

static void status_shapes(void **state)
{
	static const char *const keys[] = {
		"name", "uuid", "major", "minor", "device", "length_sectors", "nr_plexes",
		"health", "synced_regions", "total_regions", "sync_action", "mismatch_cnt",
		"metadata_state", "resync_rate_kibs", "regions_resynced",
	};
	struct vdsplex_status st;
	struct volume_ref v = { "mirror0", "", 253, 0 };
	struct json_object *o;
	struct table *t;
	char *out = NULL;

	(void)state;
	assert_int_equal(status_parse("2 Aa 250/1000 recover 0 core 1024 250", &st, NULL), 0);
	o = status_json(&v, 8192000, &st);
	expect_keys(o, keys, sizeof(keys) / sizeof(keys[0]));
	assert_true(json_object_is_type(get(o, "uuid"), json_type_null));
	assert_string_equal(json_object_get_string(get(o, "sync_action")), "recover");
	assert_int_equal(json_object_get_int64(get(o, "resync_rate_kibs")), 1024);
	json_object_put(o);

	t = status_table_new();
	assert_int_equal(status_table_add(t, &v, &st), 0);
	CAPTURE(out, table_print(t, f));
	assert_string_equal(out,
			    "NAME     PLEXES  HEALTH  SYNCED  ACTION   MISMATCH  METADATA     RATE  RESYNCED\n"
			    "mirror0       2  Aa       25.0%  recover         0  core      1024K/s       250\n");
	free(out);
	table_free(t);
}

static void hresult_json(void **state)
{
	struct json_object *o = json_object_new_object(), *hr;

	(void)state;
	json_add_hresult(o, "result", VDS_E_CANCEL_TOO_LATE);
	hr = get(o, "result");
	assert_string_equal(json_object_get_string(get(hr, "name")), "VDS_E_CANCEL_TOO_LATE");
	assert_string_equal(json_object_get_string(get(hr, "code")), "0x8004240C");
	assert_int_equal(json_object_get_int64(get(hr, "value")), 0x8004240C);
	json_object_put(o);
}

static void progress_line(void **state)
{
	struct vdsplex_async_status st = {
		.state = VDSPLEX_ASYNC_RUNNING, .percent = 42,
		.done_sectors = 2097152, .total_sectors = 4194304, .rate = 10240,
	};
	char buf[256];

	(void)state;
	assert_int_equal(progress_format(buf, sizeof(buf), "vol", &st), 0);
	/* 1 GiB left at 10 MiB/s: 102 s. */
	assert_string_equal(buf, "vol:  42%  1.0 GiB of 2.0 GiB  10.0 MiB/s  ETA 1:42");
	st.rate = 0;
	assert_int_equal(progress_format(buf, sizeof(buf), "vol", &st), 0);
	assert_non_null(strstr(buf, "ETA --:--"));
	format_eta(buf, sizeof(buf), 3725, true);
	assert_string_equal(buf, "1:02:05");
	format_rate(buf, sizeof(buf), 512);
	assert_string_equal(buf, "512 KiB/s");
	format_rate(buf, sizeof(buf), 0);
	assert_string_equal(buf, "-");
	assert_int_equal(permille(1, 3), 333);
	assert_int_equal(permille(0, 0), 1000);
	assert_int_equal(permille(UINT64_MAX - 1, UINT64_MAX), 999);
}

static void mountinfo(void **state)
{
	static const char text[] =
		"22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw\n"
		"23 22 8:1 / /boot rw,relatime shared:2 - ext4 /dev/sda1 rw\n"
		"40 22 253:3 /sub /srv/bind\\040dir rw - xfs /dev/mapper/vol rw\n"
		"41 22 253:3 / /mnt/my\\040vol rw - xfs /dev/mapper/vol rw\n";
	struct mount_hit hit;
	FILE *f;

	(void)state;
	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(mountinfo_scan(f, 253, 3, &hit), 0);
	fclose(f);
	assert_int_equal(hit.count, 2);
	assert_false(hit.root || hit.boot);
	/* The whole-filesystem mount wins over the bind mount; \040 is a space. */
	assert_string_equal(hit.mountpoint, "/mnt/my vol");

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(mountinfo_scan(f, 253, 0, &hit), 0);
	fclose(f);
	assert_true(hit.root && !hit.boot);

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(mountinfo_scan(f, 8, 1, &hit), 0);
	fclose(f);
	assert_true(hit.boot && !hit.root);

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(mountinfo_scan(f, 9, 9, &hit), 0);
	fclose(f);
	assert_int_equal(hit.count, 0);

	f = fmemopen((void *)"garbage\n", 8, "r");
	assert_int_equal(mountinfo_scan(f, 9, 9, &hit), -EINVAL);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(columns_aligned),
		cmocka_unit_test(plexes_table_shape),
		cmocka_unit_test(plexes_json_shape),
		cmocka_unit_test(identity_unterminated),
		cmocka_unit_test(status_shapes),
		cmocka_unit_test(hresult_json),
		cmocka_unit_test(progress_line),
		cmocka_unit_test(mountinfo),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
