// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: tableline.c (create's table line, parsing tables, segments). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tableline.h"

static void format_create_line(void **state)
{
	struct vdsplex_params p = {
		.meta = "-",
		.region_sectors = 2048,
		.nr_plexes = 2,
		.plex = { { 8, 16, 0 }, { 8, 32, 2048 } },
	};
	char params[256], line[300];

	(void)state;
	assert_int_equal(vdsplex_params_format(&p, params, sizeof(params)), 0);
	assert_string_equal(params, "- 2048 2 8:16 0 8:32 2048");
	assert_int_equal(table_line_format(0, 1000, "vdsplex", params, line, sizeof(line)), 0);
	assert_string_equal(line, "0 1000 vdsplex - 2048 2 8:16 0 8:32 2048");

	p.nosync = true;
	strcpy(p.meta, "253:4");
	p.region_sectors = 8;
	assert_int_equal(vdsplex_params_format(&p, params, sizeof(params)), 0);
	assert_string_equal(params, "253:4 8 2 8:16 0 8:32 2048 1 nosync");

	/* Errors: no plexes, too many, no room. */
	p.nr_plexes = 0;
	assert_int_equal(vdsplex_params_format(&p, params, sizeof(params)), -EINVAL);
	p.nr_plexes = VDSPLEX_MAX_EXTENTS + 1;
	assert_int_equal(vdsplex_params_format(&p, params, sizeof(params)), -EINVAL);
	p.nr_plexes = 2;
	assert_int_equal(vdsplex_params_format(&p, params, 16), -ENAMETOOLONG);
}

static void round_trip(void **state)
{
	struct vdsplex_params p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(vdsplex_params_parse("- 2048 3 8:16 0 8:32 2048 7:0 8 2 rebuild 2", &p, &why), 0);
	assert_string_equal(p.meta, "-");
	assert_true(p.region_sectors == 2048);
	assert_int_equal(p.nr_plexes, 3);
	assert_int_equal(p.plex[1].major, 8);
	assert_int_equal(p.plex[1].minor, 32);
	assert_true(p.plex[1].offset == 2048);
	assert_int_equal(p.plex[2].major, 7);
	assert_true(p.plex[2].offset == 8);
	assert_string_equal(p.extra, "2 rebuild 2");

	assert_int_equal(vdsplex_params_parse("- 2048 2 8:16 0", &p, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(vdsplex_params_parse("- 2048 0", &p, &why), -EINVAL);
	assert_int_equal(vdsplex_params_parse("- 2048 33", &p, &why), -EINVAL);
	assert_int_equal(vdsplex_params_parse("- x 1 8:16 0", &p, &why), -EINVAL);
	assert_int_equal(vdsplex_params_parse("- 2048 1 /dev/sdb 0", &p, &why), -EINVAL);
	assert_int_equal(vdsplex_params_parse("", &p, &why), -EINVAL);
}

static void linear(void **state)
{
	struct extent e;
	char buf[64];

	(void)state;
	assert_int_equal(linear_params_parse("8:16 2048", &e, NULL), 0);
	assert_int_equal(e.major, 8);
	assert_int_equal(e.minor, 16);
	assert_true(e.offset == 2048);
	assert_int_equal(linear_params_format(&e, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8:16 2048");
	assert_int_equal(linear_params_parse("8:16", &e, NULL), -EINVAL);
	assert_int_equal(linear_params_parse("8:16 1 2", &e, NULL), -EINVAL);
	assert_int_equal(linear_params_parse("sdb 0", &e, NULL), -EINVAL);
}

static void length(void **state)
{
	struct plex_geometry g[3] = {
		{ .dev_sectors = 10000, .offset = 0, .lbs_sectors = 1 },
		{ .dev_sectors = 9000, .offset = 100, .lbs_sectors = 1 },
		{ .dev_sectors = 20000, .offset = 2048, .lbs_sectors = 1 },
	};
	uint64_t len = 0;
	unsigned int bad = 99;

	(void)state;
	assert_int_equal(create_length(g, 3, &len, &bad), 0);
	assert_true(len == 8900);
	/* Rounded down to the largest logical block size (4 KiB = 8 sectors). */
	g[2].lbs_sectors = 8;
	assert_int_equal(create_length(g, 3, &len, &bad), 0);
	assert_true(len == 8896);
	/* A plex whose offset is past its end is named. */
	g[1].offset = 9000;
	assert_int_equal(create_length(g, 3, &len, &bad), -ENOSPC);
	assert_int_equal(bad, 1);
	/* Room smaller than one block. */
	g[1].offset = 8996;
	assert_int_equal(create_length(g, 3, &len, &bad), -ENOSPC);
	assert_int_equal(bad, 1);
	assert_int_equal(create_length(g, 0, &len, &bad), -EINVAL);
}

static struct segment lin(uint64_t start, uint64_t len, uint32_t ma, uint32_t mi, uint64_t off)
{
	struct segment s = { .start = start, .len = len, .linear = true,
			     .ext = { .major = ma, .minor = mi, .offset = off } };
	return s;
}

static void segments(void **state)
{
	struct segment s[3];
	struct extent e;

	(void)state;
	s[0] = lin(0, 100, 8, 16, 2048);
	assert_int_equal(segments_classify(s, 1, &e), SEGS_ONE_EXTENT);
	assert_true(e.offset == 2048 && e.minor == 16);
	/* Two segments that continue each other are one extent. */
	s[1] = lin(100, 50, 8, 16, 2148);
	assert_int_equal(segments_classify(s, 2, &e), SEGS_ONE_EXTENT);
	/* A gap on the same disk. */
	s[1] = lin(100, 50, 8, 16, 5000);
	assert_int_equal(segments_classify(s, 2, &e), SEGS_NOT_CONTIGUOUS);
	/* Another disk. */
	s[1] = lin(100, 50, 8, 32, 2148);
	assert_int_equal(segments_classify(s, 2, &e), SEGS_SPANS_DISKS);
	s[1] = lin(100, 50, 8, 16, 5000);
	s[2] = lin(150, 50, 8, 48, 0);
	assert_int_equal(segments_classify(s, 3, &e), SEGS_SPANS_DISKS);
	s[1].linear = false;
	assert_int_equal(segments_classify(s, 3, &e), SEGS_NOT_LINEAR);
	assert_int_equal(segments_classify(s, 0, &e), SEGS_NOT_LINEAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_create_line),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(linear),
		cmocka_unit_test(length),
		cmocka_unit_test(segments),
	};

	return cmocka_run_group_tests_name("tableline", tests, NULL, NULL);
}
