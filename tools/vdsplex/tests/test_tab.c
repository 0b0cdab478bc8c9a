// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: tab.c (/etc/vdsplextab, read by vdsplex activate). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tab.h"

static void entries(void **state)
{
	static const char text[] =
		"# NAME  METADATA  PLEXES  OPTIONS\n"
		"\n"
		"data   PARTUUID=5d1e0c6a-01   -   rate=50M,read-policy=least_pending\n"
		"  scratch\t-\t/dev/sdb1,/dev/sdc1:2048  nosync,noauto,region-size=4M  # core\n"
		"root UUID=abcd - initramfs,nofail,read-policy=primary\n"
		"plain /dev/vdc1\n";
	char err[256];
	struct tab t;
	const struct tab_entry *e;

	(void)state;
	if (tab_parse(text, &t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(t.n, 4);

	e = tab_find(&t, "data");
	assert_non_null(e);
	assert_int_equal(e->line, 3);
	assert_string_equal(e->meta, "PARTUUID=5d1e0c6a-01");
	assert_int_equal(e->nr_plexes, 0);
	assert_true(e->rate_set && !e->rate.adaptive && e->rate.kibs == 50 * 1024);
	assert_string_equal(e->read_policy, "least_pending");
	assert_false(e->noauto || e->nofail || e->nosync || e->initramfs);
	assert_int_equal(e->region_sectors, DEFAULT_TAB_REGION_SECTORS);

	e = tab_find(&t, "scratch");
	assert_non_null(e);
	assert_string_equal(e->meta, "-");
	assert_int_equal(e->nr_plexes, 2);
	assert_string_equal(e->plexes[0], "/dev/sdb1");
	assert_string_equal(e->plexes[1], "/dev/sdc1:2048");
	assert_true(e->nosync && e->noauto);
	assert_int_equal(e->region_sectors, 8192);
	assert_int_equal(e->write_mostly, 0);

	e = tab_find(&t, "root");
	assert_non_null(e);
	assert_true(e->initramfs && e->nofail);
	assert_int_equal(e->write_mostly, 0);
	assert_string_equal(e->read_policy, "primary");

	e = tab_find(&t, "plain");
	assert_non_null(e);
	assert_string_equal(e->meta, "/dev/vdc1");
	assert_false(e->rate_set);

	assert_null(tab_find(&t, "nothere"));
	tab_free(&t);

	/* an empty file and one of comments only: no volume, no error */
	assert_int_equal(tab_parse("", &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 0);
	tab_free(&t);
	assert_int_equal(tab_parse("# nothing\n   \n\t# x\n", &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 0);
	tab_free(&t);
}

static void errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "onlyname\n", "line 1: 'onlyname': expected NAME METADATA" },
		{ "a - /dev/x - extra\n", "line 1: unexpected field 'extra'" },
		{ "# c\na/b /dev/m\n", "line 2: NAME 'a/b'" },
		{ "a /dev/m /dev/sdb\n", "line 1: PLEXES must be '-' with a metadata device" },
		{ "a -\n", "line 1: a core-mode volume (METADATA '-') needs its PLEXES" },
		{ "a - - \n", "line 1: a core-mode volume" },
		{ "a - ,, \n", "line 1: PLEXES ',,': no device" },
		{ "a /dev/m - nosnyc\n", "line 1: unknown option 'nosnyc'" },
		{ "a /dev/m - rate=fast\n", "line 1: rate 'fast'" },
		{ "a /dev/m - region-size=3K\n", "line 1: region-size '3K'" },
		{ "a /dev/m - read-policy=random\n", "line 1: read-policy 'random'" },
		{ "a - /dev/x write-mostly=40\n", "line 1: write-mostly '40'" },
		{ "a /dev/m - write-mostly=1\n", "line 1: write-mostly is for core-mode lines" },
		{ "a /dev/m - read-policy=primary,read-policy=bogus\n", "line 1: read-policy 'bogus'" },
		{ "a - /dev/x,/dev/y write-mostly=2\n", "line 1: write-mostly names a plex index" },
		{ "a /dev/m\nb /dev/n\na /dev/o\n", "line 3: NAME 'a' again (first on line 1)" },
		{ "a /dev/m - noauto=1\n", "line 1: unknown option 'noauto=1'" },
	};
	char err[256];
	struct tab t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tab_parse(cases[i].text, &t, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
		tab_free(&t);
	}
}

static void too_many(void **state)
{
	static char text[(TAB_MAX_ENTRIES + 1) * 16];
	char err[256];
	struct tab t;
	size_t w = 0;
	int i;

	(void)state;
	for (i = 0; i <= TAB_MAX_ENTRIES; i++)
		w += (size_t)snprintf(text + w, sizeof(text) - w, "v%d /dev/m\n", i);
	assert_int_equal(tab_parse(text, &t, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "more than 256 volumes"));
	tab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries),
		cmocka_unit_test(errors),
		cmocka_unit_test(too_many),
	};

	return cmocka_run_group_tests_name("tab", tests, NULL, NULL);
}
