// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: parse.c (sizes, offsets, rates, indices, timeouts, DEV[:OFFSET]). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

static void size_good(void **state)
{
	static const struct {
		const char *s;
		uint64_t bytes;
	} cases[] = {
		{ "0", 0 }, { "512", 512 * 512 }, { "512B", 512 }, { "4K", 4096 }, { "4k", 4096 }, { "4KiB", 4096 },
		{ "1M", 1 << 20 }, { "1MiB", 1 << 20 }, { "2G", 2ULL << 30 }, { "1T", 1ULL << 40 },
		{ "2048s", 2048 * 512 }, { "1S", 512 }, { "100B", 100 }, { "15E", 15ULL << 60 },
		{ "18446744073709551615B", UINT64_MAX }, { "2048", 2048 * 512 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 1234;
		const char *why = NULL;

		assert_int_equal(parse_size_bytes(cases[i].s, &v, &why), 0);
		assert_true(v == cases[i].bytes);
	}
}

static void size_bad(void **state)
{
	static const char *const bad[] = {
		"", "K", "-1", "+5", " 5", "5 ", "1.5M", "4Q", "4KB5", "4Kx", "0x10", "4ss",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v;
		const char *why = NULL;

		assert_int_equal(parse_size_bytes(bad[i], &v, &why), -EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(parse_size_bytes(NULL, &(uint64_t){ 0 }, NULL), -EINVAL);
}

static void size_overflow(void **state)
{
	uint64_t v;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_size_bytes("18446744073709551616", &v, &why), -ERANGE);
	assert_int_equal(parse_size_bytes("16E", &v, &why), -ERANGE);
	assert_int_equal(parse_size_bytes("36028797018963968s", &v, &why), -ERANGE);
	assert_int_equal(parse_size_bytes("17179869184G", &v, &why), -ERANGE);
	assert_non_null(why);
}

static void sectors(void **state)
{
	uint64_t v = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_size_sectors("512", &v, NULL), 0);
	assert_true(v == 512);
	assert_int_equal(parse_size_sectors("512B", &v, NULL), 0);
	assert_true(v == 1);
	assert_int_equal(parse_size_sectors("1M", &v, NULL), 0);
	assert_true(v == 2048);
	assert_int_equal(parse_size_sectors("2048s", &v, NULL), 0);
	assert_true(v == 2048);
	assert_int_equal(parse_size_sectors("1000B", &v, &why), -EINVAL);
	assert_non_null(strstr(why, "512"));
}

static void region(void **state)
{
	uint64_t v = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_region_size("1M", &v, NULL), 0);
	assert_true(v == 2048);
	assert_int_equal(parse_region_size("4K", &v, NULL), 0);
	assert_true(v == 8);
	assert_int_equal(parse_region_size("8s", &v, NULL), 0);
	assert_int_equal(parse_region_size("2K", &v, &why), -EINVAL);
	assert_non_null(strstr(why, "4 KiB"));
	assert_int_equal(parse_region_size("12K", &v, &why), -EINVAL);
	assert_non_null(strstr(why, "power of two"));
	assert_int_equal(parse_region_size("4T", &v, &why), -ERANGE);
	/* the target's largest (1 GiB); beyond it the kernel refuses the table */
	assert_int_equal(parse_region_size("1G", &v, NULL), 0);
	assert_true(v == 2097152);
	v = 0;
	assert_int_equal(parse_region_size("2G", &v, &why), -ERANGE);
	assert_non_null(strstr(why, "1 GiB"));
	assert_true(v == 0);
}

static void rate(void **state)
{
	struct rate r;
	const char *why = NULL;
	char buf[32];

	(void)state;
	assert_int_equal(parse_rate("500", &r, NULL), 0);
	assert_false(r.adaptive);
	assert_true(r.kibs == 500);
	assert_int_equal(parse_rate("500K", &r, NULL), 0);
	assert_true(r.kibs == 500);
	assert_int_equal(parse_rate("20M", &r, NULL), 0);
	assert_true(r.kibs == 20 * 1024);
	assert_int_equal(parse_rate("20MiB/s", &r, NULL), 0);
	assert_true(r.kibs == 20 * 1024);
	assert_int_equal(parse_rate("1G/s", &r, NULL), 0);
	assert_true(r.kibs == 1024 * 1024);
	assert_int_equal(parse_rate("unlimited", &r, NULL), 0);
	assert_true(r.kibs == 0 && !r.adaptive);
	assert_int_equal(parse_rate("adaptive", &r, NULL), 0);
	assert_true(r.adaptive);
	assert_int_equal(rate_message(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "adaptive");
	assert_int_equal(parse_rate("7M", &r, NULL), 0);
	assert_int_equal(rate_message(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7168");

	assert_int_equal(parse_rate("", &r, &why), -EINVAL);
	assert_int_equal(parse_rate("fast", &r, &why), -EINVAL);
	assert_int_equal(parse_rate("10T", &r, &why), -EINVAL);
	assert_int_equal(parse_rate("10M/h", &r, &why), -EINVAL);
	assert_int_equal(parse_rate("-1", &r, &why), -EINVAL);
	assert_int_equal(parse_rate("4294967296", &r, &why), -ERANGE);
	assert_int_equal(parse_rate("4194304M", &r, &why), -ERANGE);
	assert_int_equal(parse_rate("99999999999999999999999", &r, &why), -ERANGE);
	assert_int_equal(parse_rate("4294967295", &r, NULL), 0);
}

static void index_and_timeout(void **state)
{
	uint32_t idx = 99;
	uint64_t ms = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_index("0", &idx, NULL), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(parse_index("31", &idx, NULL), 0);
	assert_int_equal(idx, 31);
	assert_int_equal(parse_index("32", &idx, &why), -ERANGE);
	assert_int_equal(parse_index("x", &idx, &why), -EINVAL);
	assert_int_equal(parse_index("-1", &idx, &why), -EINVAL);
	assert_int_equal(parse_index("1a", &idx, &why), -EINVAL);

	assert_int_equal(parse_timeout("30", &ms, NULL), 0);
	assert_true(ms == 30000);
	assert_int_equal(parse_timeout("0s", &ms, NULL), 0);
	assert_true(ms == 0);
	assert_int_equal(parse_timeout("1m", &ms, &why), -EINVAL);
	assert_int_equal(parse_timeout("18446744073709552", &ms, &why), -ERANGE);
}

static void devno(void **state)
{
	uint32_t ma = 0, mi = 0;

	(void)state;
	assert_int_equal(parse_devno("8:16", &ma, &mi, NULL), 0);
	assert_int_equal(ma, 8);
	assert_int_equal(mi, 16);
	assert_int_equal(parse_devno("253:1048575", &ma, &mi, NULL), 0);
	assert_int_equal(parse_devno("4096:0", &ma, &mi, NULL), -ERANGE);
	assert_int_equal(parse_devno("8:1048576", &ma, &mi, NULL), -ERANGE);
	assert_int_equal(parse_devno("8", &ma, &mi, NULL), -EINVAL);
	assert_int_equal(parse_devno("8:", &ma, &mi, NULL), -EINVAL);
	assert_int_equal(parse_devno("8:16:0", &ma, &mi, NULL), -EINVAL);
}

static bool fake_exists(const char *path)
{
	return !strcmp(path, "/dev/disk/by-path/pci-0000:00:1f.2-ata-1:0");
}

static void dev_offset(void **state)
{
	char dev[64];
	uint64_t off = 99;
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_dev_offset("/dev/sdb", fake_exists, dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "/dev/sdb");
	assert_true(off == 0);
	assert_int_equal(parse_dev_offset("/dev/sdb:2048s", fake_exists, dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "/dev/sdb");
	assert_true(off == 2048);
	assert_int_equal(parse_dev_offset("vg-lv:1M", fake_exists, dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "vg-lv");
	assert_true(off == 2048);
	/* MAJOR:MINOR alone is a device, with a third field an offset. */
	assert_int_equal(parse_dev_offset("8:16", fake_exists, dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "8:16");
	assert_true(off == 0);
	assert_int_equal(parse_dev_offset("8:16:4K", fake_exists, dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "8:16");
	assert_true(off == 8);
	/* An existing path with ':' is taken whole. */
	assert_int_equal(parse_dev_offset("/dev/disk/by-path/pci-0000:00:1f.2-ata-1:0", fake_exists,
					  dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "/dev/disk/by-path/pci-0000:00:1f.2-ata-1:0");
	assert_true(off == 0);
	/* ...and with an offset after it. */
	assert_int_equal(parse_dev_offset("/dev/disk/by-path/pci-0000:00:1f.2-ata-1:0:1M", fake_exists,
					  dev, sizeof(dev), &off, NULL), 0);
	assert_string_equal(dev, "/dev/disk/by-path/pci-0000:00:1f.2-ata-1:0");
	assert_true(off == 2048);
	/* Bad offsets. */
	assert_int_equal(parse_dev_offset("/dev/sdb:12Q", fake_exists, dev, sizeof(dev), &off, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(parse_dev_offset("/dev/sdb:1000B", fake_exists, dev, sizeof(dev), &off, &why), -EINVAL);
	assert_int_equal(parse_dev_offset(":2048s", fake_exists, dev, sizeof(dev), &off, &why), -EINVAL);
	assert_int_equal(parse_dev_offset("", fake_exists, dev, sizeof(dev), &off, &why), -EINVAL);
	assert_int_equal(parse_dev_offset("/dev/sdb:99999999999999999999s", fake_exists, dev, sizeof(dev),
					  &off, &why), -ERANGE);
	/* Too long for the buffer. */
	assert_int_equal(parse_dev_offset("/dev/a-very-long-device-name", NULL, dev, 8, &off, &why), -ERANGE);
}

static void dm_name(void **state)
{
	char name[DM_NAME_MAX + 2];
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_dm_name("snap", &why), 0);
	assert_int_equal(parse_dm_name("vg0-lv.snap_1", &why), 0);
	assert_int_equal(parse_dm_name("...", &why), 0);
	assert_int_equal(parse_dm_name("", &why), -EINVAL);
	assert_string_equal(why, "empty");
	assert_int_equal(parse_dm_name("a/b", &why), -EINVAL);
	assert_non_null(strstr(why, "'/'"));
	assert_int_equal(parse_dm_name(".", &why), -EINVAL);
	assert_int_equal(parse_dm_name("..", &why), -EINVAL);
	assert_int_equal(parse_dm_name("control", &why), -EINVAL);
	/* 127 characters fit DM_NAME_LEN with the NUL, 128 do not. */
	memset(name, 'x', DM_NAME_MAX);
	name[DM_NAME_MAX] = '\0';
	assert_int_equal(parse_dm_name(name, &why), 0);
	name[DM_NAME_MAX] = 'x';
	name[DM_NAME_MAX + 1] = '\0';
	assert_int_equal(parse_dm_name(name, &why), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_good),
		cmocka_unit_test(size_bad),
		cmocka_unit_test(size_overflow),
		cmocka_unit_test(sectors),
		cmocka_unit_test(region),
		cmocka_unit_test(rate),
		cmocka_unit_test(index_and_timeout),
		cmocka_unit_test(devno),
		cmocka_unit_test(dev_offset),
		cmocka_unit_test(dm_name),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
