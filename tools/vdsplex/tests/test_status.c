// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: status.c (the dm INFO status line,
 * Documentation/dm-vdsplex.rst, "Status").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"

static void good(void **state)
{
	struct vdsplex_status st;
	const char *why = NULL;

	(void)state;
	assert_int_equal(status_parse("3 AAa 1024/4096 recover 0 core 0 17", &st, &why), 0);
	assert_int_equal(st.nr_plexes, 3);
	assert_string_equal(st.health, "AAa");
	assert_true(st.synced_regions == 1024 && st.total_regions == 4096);
	assert_string_equal(st.sync_action, "recover");
	assert_true(st.mismatch_cnt == 0);
	assert_string_equal(st.metadata_state, "core");
	assert_true(st.resync_rate_kibs == 0);
	assert_true(st.regions_resynced == 17);

	assert_int_equal(status_parse("2 AS 20480/20480 idle 5 ok 10240 99", &st, &why), 0);
	assert_true(st.mismatch_cnt == 5);
	assert_true(st.resync_rate_kibs == 10240);
	assert_string_equal(st.metadata_state, "ok");

	/* Appended fields are ignored. */
	assert_int_equal(status_parse("1 D 0/8 frozen 0 fail 0 0 newfield 7", &st, &why), 0);
	assert_string_equal(st.health, "D");
}

static void malformed(void **state)
{
	static const struct {
		const char *line;
		const char *needle;
	} cases[] = {
		{ "", "plex count" },
		{ "x AA 1/2 idle 0 core 0 0", "plex count" },
		{ "0  1/2 idle 0 core 0 0", "plex count" },
		{ "33 A 1/2 idle 0 core 0 0", "plex count" },
		{ "2 A 1/2 idle 0 core 0 0", "health" },
		{ "2 AX 1/2 idle 0 core 0 0", "health" },
		{ "2 AAA 1/2 idle 0 core 0 0", "health" },
		{ "2 AA 12 idle 0 core 0 0", "/" },
		{ "2 AA 3/2 idle 0 core 0 0", "exceed" },
		{ "2 AA a/2 idle 0 core 0 0", "numbers" },
		{ "2 AA 1/2 IDLE 0 core 0 0", "sync action" },
		{ "2 AA 1/2 idle -1 core 0 0", "mismatch" },
		{ "2 AA 1/2 idle 0 0 0 0", "metadata" },
		{ "2 AA 1/2 idle 0 core x 0", "rate" },
		{ "2 AA 1/2 idle 0 core 0", "resynced" },
		{ "2 AA 1/2 idle 0 core 0 99999999999999999999", "resynced" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vdsplex_status st;
		const char *why = NULL;
		int r = status_parse(cases[i].line, &st, &why);

		if (r != -EINVAL || !why || !strstr(why, cases[i].needle))
			fail_msg("'%s': %d '%s' (wanted -EINVAL and '%s')", cases[i].line, r,
				 why ? why : "(null)", cases[i].needle);
	}
	assert_int_equal(status_parse(NULL, &(struct vdsplex_status){ 0 }, NULL), -EINVAL);
}

static void all_in_sync(void **state)
{
	struct vdsplex_status st;

	(void)state;
	assert_int_equal(status_parse("2 AA 16/16 idle 0 core 0 0", &st, NULL), 0);
	assert_true(status_all_in_sync(&st));
	assert_int_equal(status_parse("2 AD 16/16 idle 0 core 0 0", &st, NULL), 0);
	assert_false(status_all_in_sync(&st));
	assert_int_equal(status_parse("2 AS 16/16 idle 0 ok 0 0", &st, NULL), 0);
	assert_false(status_all_in_sync(&st));
	assert_int_equal(status_parse("2 Aa 4/16 recover 0 core 0 0", &st, NULL), 0);
	assert_false(status_all_in_sync(&st));
	/* Every plex in sync, but a check is running. */
	assert_int_equal(status_parse("2 AA 4/16 check 0 ok 0 0", &st, NULL), 0);
	assert_false(status_all_in_sync(&st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(malformed),
		cmocka_unit_test(all_in_sync),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
