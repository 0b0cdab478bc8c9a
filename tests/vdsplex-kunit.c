// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for dm-vdsplex: the table parser, region math, source and read
 * choice, takeover decisions and status formatting.  The internals are
 * reached through EXPORT_SYMBOL_IF_KUNIT; devices are faked with dm_dev
 * structs that carry only a name, since nothing here does I/O.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/crc32c.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"
#include "vdsplex-metadata.h"

/* ------------------------------------------------------------------ parser */

struct parse_case {
	const char *desc;
	const char *line;
	const char *error;	/* substring of the expected error, NULL = ok */
};

static const struct parse_case parse_cases[] = {
	{ "two plexes", "- 8 2 /dev/a 0 /dev/b 0", NULL },
	{ "all options",
	  "- 2048 3 a 0 b 100 c 0 9 rebuild 2 write_mostly 1 read_policy round_robin resync_rate 0 nosync",
	  NULL },
	{ "metadata named", "/dev/meta 8 1 a 0", NULL },
	{ "too few", "- 8 1 a", "Not enough arguments" },
	{ "region not power of two", "- 12 1 a 0", "Invalid region_size '12'" },
	{ "region too small", "- 4 1 a 0", "Invalid region_size '4'" },
	{ "region too large", "- 4194304 1 a 0",
	  "Invalid region_size '4194304'" },
	{ "region not a number", "- 1k 1 a 0", "Invalid region_size '1k'" },
	{ "region negative", "- -8 1 a 0", "Invalid region_size '-8'" },
	{ "zero plexes", "- 8 0 a 0", "Invalid #plexes '0'" },
	{ "33 plexes", "- 8 33 a 0", "Invalid #plexes '33'" },
	{ "plexes overflow", "- 8 4294967297 a 0",
	  "Invalid #plexes '4294967297'" },
	{ "missing offset", "- 8 2 a 0 b", "Not enough <dev> <offset> pairs" },
	{ "bad offset", "- 8 1 a x", "plex 0: invalid offset 'x'" },
	{ "offset trailing junk", "- 8 2 a 0 b 5s",
	  "plex 1: invalid offset '5s'" },
	{ "offset overflow", "- 8 1 a 99999999999999999999999",
	  "plex 0: invalid offset" },
	{ "opt count too high", "- 8 1 a 0 2 nosync", "Invalid #opt_args '2'" },
	{ "opt count junk", "- 8 1 a 0 x nosync", "Invalid #opt_args 'x'" },
	{ "unknown option", "- 8 1 a 0 1 fast",
	  "Unknown optional argument 'fast'" },
	{ "rebuild without index", "- 8 2 a 0 b 0 1 rebuild",
	  "rebuild needs a plex index" },
	{ "rebuild out of range", "- 8 2 a 0 b 0 2 rebuild 2",
	  "rebuild: plex index '2' is not between 0 and 1" },
	{ "rebuild twice", "- 8 3 a 0 b 0 c 0 4 rebuild 1 rebuild 1",
	  "rebuild 1 is given twice" },
	{ "rebuild every plex", "- 8 2 a 0 b 0 4 rebuild 0 rebuild 1",
	  "every plex is marked for rebuild" },
	{ "write_mostly out of range", "- 8 2 a 0 b 0 2 write_mostly -1",
	  "write_mostly: plex index '-1'" },
	{ "write_mostly twice", "- 8 2 a 0 b 0 4 write_mostly 0 write_mostly 0",
	  "write_mostly 0 is given twice" },
	{ "unknown read policy", "- 8 1 a 0 2 read_policy fastest",
	  "read_policy: unknown policy 'fastest'" },
	{ "read policy twice",
	  "- 8 1 a 0 4 read_policy primary read_policy primary",
	  "read_policy is given twice" },
	{ "bad resync rate", "- 8 1 a 0 2 resync_rate 1M",
	  "resync_rate: invalid rate '1M'" },
	{ "nosync twice", "- 8 1 a 0 2 nosync nosync", "nosync is given twice" },
};

KUNIT_ARRAY_PARAM_DESC(parse, parse_cases, desc);

/* Split @line at spaces into a kunit-managed argv. */
static char **split_line(struct kunit *test, const char *line,
			 unsigned int *argc)
{
	char *copy = kunit_kzalloc(test, strlen(line) + 1, GFP_KERNEL);
	char **argv = kunit_kcalloc(test, 128, sizeof(char *), GFP_KERNEL);
	char *tok, *cur;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_NOT_NULL(test, argv);
	strscpy(copy, line, strlen(line) + 1);
	cur = copy;
	*argc = 0;
	while ((tok = strsep(&cur, " ")) != NULL) {
		if (*tok && *argc < 128)
			argv[(*argc)++] = tok;
	}
	return argv;
}

static void vdsplex_test_parse(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	struct vdsplex_args *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	char *error = NULL;
	unsigned int argc;
	char **argv = split_line(test, c->line, &argc);
	int r;

	KUNIT_ASSERT_NOT_NULL(test, a);
	r = vdsplex_parse_args(a, argc, argv, &error);
	if (!c->error) {
		KUNIT_EXPECT_EQ_MSG(test, r, 0, "error: %s", error ? error : "");
		return;
	}
	KUNIT_EXPECT_EQ(test, r, -EINVAL);
	KUNIT_ASSERT_NOT_NULL(test, error);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(error, c->error),
				  "got '%s', want '%s'", error, c->error);
}

static void vdsplex_test_parse_fields(struct kunit *test)
{
	struct vdsplex_args *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	unsigned int argc;
	char **argv = split_line(test,
		"- 2048 3 /dev/a 0 /dev/b 100 7:3 64 9 rebuild 2 write_mostly 1 read_policy round_robin resync_rate 512 nosync",
		&argc);
	char *error = NULL;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, vdsplex_parse_args(a, argc, argv, &error), 0);
	KUNIT_EXPECT_NULL(test, a->metadata);
	KUNIT_EXPECT_EQ(test, a->region_size, 2048U);
	KUNIT_EXPECT_EQ(test, a->nr_plexes, 3U);
	KUNIT_EXPECT_STREQ(test, a->dev[1], "/dev/b");
	KUNIT_EXPECT_STREQ(test, a->dev[2], "7:3");
	KUNIT_EXPECT_EQ(test, a->offset[1], (sector_t)100);
	KUNIT_EXPECT_EQ(test, a->offset[2], (sector_t)64);
	KUNIT_EXPECT_EQ(test, a->rebuild, (u32)BIT(2));
	KUNIT_EXPECT_EQ(test, a->write_mostly, (u32)BIT(1));
	KUNIT_EXPECT_EQ(test, a->read_policy, VDSPLEX_READ_ROUND_ROBIN);
	KUNIT_EXPECT_TRUE(test, a->rate_set);
	KUNIT_EXPECT_EQ(test, a->resync_rate, 512U);
	KUNIT_EXPECT_TRUE(test, a->nosync);

	argv = split_line(test, "/dev/meta 8 1 a 0", &argc);
	KUNIT_ASSERT_EQ(test, vdsplex_parse_args(a, argc, argv, &error), 0);
	KUNIT_EXPECT_STREQ(test, a->metadata, "/dev/meta");
	KUNIT_EXPECT_EQ(test, a->read_policy, VDSPLEX_READ_LEAST_PENDING);
	KUNIT_EXPECT_FALSE(test, a->rate_set);
	KUNIT_EXPECT_FALSE(test, a->nosync);
}

/* ------------------------------------------------------------- region math */

static void vdsplex_test_nr_regions(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(0, 8), 0ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(1, 8), 1ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(1000, 8), 125ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(1001, 8), 126ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(2048, 2048), 1ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(2049, 2048), 2ULL);
	/* 16 TiB in 1 MiB regions */
	KUNIT_EXPECT_EQ(test, vdsplex_nr_regions(1ULL << 35, 2048), 1ULL << 24);
}

struct overlap_case {
	const char *desc;
	unsigned int nr;
	dev_t devt[3];
	sector_t offset[3];
	sector_t len;
	int r;
	unsigned int first, second;
};

static const struct overlap_case overlap_cases[] = {
	{ "distinct devices", 2, { 1, 2 }, { 0, 0 }, 100, 0 },
	{ "same device, disjoint", 2, { 1, 1 }, { 0, 100 }, 100, 0 },
	{ "same device, one sector shared", 2, { 1, 1 }, { 0, 99 }, 100,
	  -EINVAL, 0, 1 },
	{ "same device, same offset", 3, { 1, 2, 2 }, { 0, 8, 8 }, 8,
	  -EINVAL, 1, 2 },
	{ "later plex first on disk", 2, { 5, 5 }, { 200, 150 }, 100,
	  -EINVAL, 0, 1 },
};

KUNIT_ARRAY_PARAM_DESC(overlap, overlap_cases, desc);

static void vdsplex_test_overlap(struct kunit *test)
{
	const struct overlap_case *c = test->param_value;
	unsigned int first = 99, second = 99;

	KUNIT_EXPECT_EQ(test, vdsplex_check_overlap(c->devt, c->offset, c->nr,
						    c->len, &first, &second),
			c->r);
	if (c->r) {
		KUNIT_EXPECT_EQ(test, first, c->first);
		KUNIT_EXPECT_EQ(test, second, c->second);
	}
}

/* ---------------------------------------------------------------- fixtures */

#define FIX_LEN		1000	/* sectors: 125 regions of 8, the last full */
#define FIX_REGION	8

struct fixture {
	struct vdsplex_volume *vol;
	struct vdsplex_ctx *ctx;
	struct dm_target *ti;
	struct dm_dev devs[VDSPLEX_MAX_PLEXES];
};

static struct target_type fake_type = {
	.name = "vdsplex",
	.version = { 0, 1, 0 },
};

/* A volume with @nr plexes on fake devices "7:<i>", all in state @state. */
static struct fixture *fixture_make(struct kunit *test, unsigned int nr,
				    enum vdsplex_plex_state state)
{
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->ctx = kunit_kzalloc(test, sizeof(*f->ctx), GFP_KERNEL);
	f->ti = kunit_kzalloc(test, sizeof(*f->ti), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->ctx);
	KUNIT_ASSERT_NOT_NULL(test, f->ti);
	f->vol = vdsplex_volume_alloc(FIX_LEN, FIX_REGION);
	KUNIT_ASSERT_NOT_NULL(test, f->vol);
	f->ti->type = &fake_type;
	f->ti->len = FIX_LEN;
	f->ti->private = f->ctx;
	f->ctx->ti = f->ti;
	f->ctx->vol = f->vol;
	INIT_LIST_HEAD(&f->ctx->node);
	f->ctx->read_policy = VDSPLEX_READ_ROUND_ROBIN;
	f->ctx->nr_legs = nr;
	for (i = 0; i < nr; i++) {
		struct vdsplex_plex *p = vdsplex_plex_alloc(f->vol, MKDEV(7, i),
							    i * 8);

		KUNIT_ASSERT_NOT_NULL(test, p);
		p->state = state;
		snprintf(f->devs[i].name, sizeof(f->devs[i].name), "7:%u", i);
		f->ctx->legs[i].dev = &f->devs[i];
		f->ctx->legs[i].plex = p;
	}
	test->priv = f;
	return f;
}

static void fixture_exit(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->ctx->nr_legs; i++)
		vdsplex_plex_put(f->ctx->legs[i].plex);
	vdsplex_volume_free(f->vol);
}

static void set_state(struct fixture *f, unsigned int i,
		      enum vdsplex_plex_state s)
{
	f->ctx->legs[i].plex->state = s;
}

/* --------------------------------------------------------- source and read */

static void vdsplex_test_source(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);

	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 0);
	f->ctx->legs[0].write_mostly = true;
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 1);
	set_state(f, 1, VDSPLEX_PLEX_DEAD);
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 2);
	set_state(f, 2, VDSPLEX_PLEX_STALE);
	/* only the write_mostly plex is left in sync */
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 0);
	set_state(f, 0, VDSPLEX_PLEX_RECOVERING);
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), -1);
}

static void vdsplex_test_read_round_robin(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	unsigned int rr, hits[3] = { 0 };

	for (rr = 0; rr < 30; rr++) {
		int i = vdsplex_choose_read_leg(f->ctx, 5, rr);

		KUNIT_ASSERT_GE(test, i, 0);
		KUNIT_EXPECT_EQ(test, i, (int)(rr % 3));
		hits[i]++;
	}
	KUNIT_EXPECT_EQ(test, hits[0], 10U);
	KUNIT_EXPECT_EQ(test, hits[1], 10U);
	KUNIT_EXPECT_EQ(test, hits[2], 10U);

	/* the rotation is fair over the plexes that can serve */
	set_state(f, 0, VDSPLEX_PLEX_STALE);
	hits[1] = 0;
	hits[2] = 0;
	for (rr = 0; rr < 30; rr++) {
		int i = vdsplex_choose_read_leg(f->ctx, 5, rr);

		KUNIT_ASSERT_GE(test, i, 1);
		hits[i]++;
	}
	KUNIT_EXPECT_EQ(test, hits[1], 15U);
	KUNIT_EXPECT_EQ(test, hits[2], 15U);
}

static void vdsplex_test_read_never_unsynced(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	unsigned int rr;

	set_state(f, 1, VDSPLEX_PLEX_STALE);
	set_state(f, 2, VDSPLEX_PLEX_RECOVERING);
	set_bit(7, f->ctx->legs[2].plex->in_sync);
	for (rr = 0; rr < 12; rr++) {
		/* region 5: only plex 0 has it */
		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 5, rr), 0);
		/* region 7 was copied to plex 2 already */
		KUNIT_EXPECT_NE(test, vdsplex_choose_read_leg(f->ctx, 7, rr), 1);
	}
	/* region 7: plexes 0 and 2 take turns */
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 7, 0), 0);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 7, 1), 2);
	/* out-of-range regions are never served by a partial plex */
	KUNIT_EXPECT_FALSE(test, vdsplex_leg_can_read(f->ctx, 2, 125));

	set_state(f, 0, VDSPLEX_PLEX_DEAD);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 5, 0), -1);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 7, 0), 2);
}

static void vdsplex_test_read_write_mostly(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	unsigned int rr;

	f->ctx->legs[0].write_mostly = true;
	for (rr = 0; rr < 12; rr++)
		KUNIT_EXPECT_NE(test, vdsplex_choose_read_leg(f->ctx, 0, rr), 0);
	set_state(f, 1, VDSPLEX_PLEX_DEAD);
	set_state(f, 2, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 0, 1), 0);
}

static void vdsplex_test_read_least_pending(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	unsigned int rr, hits[3] = { 0 };

	f->ctx->read_policy = VDSPLEX_READ_LEAST_PENDING;
	atomic_set(&f->ctx->legs[0].plex->pending, 5);
	atomic_set(&f->ctx->legs[1].plex->pending, 1);
	atomic_set(&f->ctx->legs[2].plex->pending, 3);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 0, 0), 1);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 0, 2), 1);
	/* ties rotate */
	atomic_set(&f->ctx->legs[0].plex->pending, 1);
	atomic_set(&f->ctx->legs[2].plex->pending, 1);
	for (rr = 0; rr < 9; rr++)
		hits[vdsplex_choose_read_leg(f->ctx, 0, rr)]++;
	KUNIT_EXPECT_EQ(test, hits[0], 3U);
	KUNIT_EXPECT_EQ(test, hits[1], 3U);
	KUNIT_EXPECT_EQ(test, hits[2], 3U);
	/* a busy plex that cannot read is not chosen for being idle */
	atomic_set(&f->ctx->legs[0].plex->pending, 0);
	set_state(f, 0, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_NE(test, vdsplex_choose_read_leg(f->ctx, 0, 0), 0);
}

static void vdsplex_test_read_primary(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	unsigned int rr;

	f->ctx->read_policy = VDSPLEX_READ_PRIMARY;
	for (rr = 0; rr < 6; rr++)
		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 3, rr), 0);
	set_state(f, 0, VDSPLEX_PLEX_DEAD);
	for (rr = 0; rr < 6; rr++)
		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 3, rr), 1);
}

/* ---------------------------------------------------------------- takeover */

struct takeover_case {
	const char *desc;
	bool nosync;
	u32 rebuild, write_mostly;
	const char *health;	/* expected after the first activation */
};

static const struct takeover_case takeover_cases[] = {
	{ "default: resync all but the source", false, 0, 0, "ASS" },
	{ "nosync", true, 0, 0, "AAA" },
	{ "nosync with rebuild 1", true, BIT(1), 0, "ASA" },
	{ "rebuild 0 moves the source", false, BIT(0), 0, "SAS" },
	{ "write_mostly 0 is not the source", false, 0, BIT(0), "SAS" },
	{ "all write_mostly: the first", false, 0, 7, "ASS" },
};

KUNIT_ARRAY_PARAM_DESC(takeover, takeover_cases, desc);

static void health_of(struct fixture *f, char *buf)
{
	unsigned int i;

	for (i = 0; i < f->ctx->nr_legs; i++)
		buf[i] = vdsplex_health_char(f->ctx->legs[i].plex->state);
	buf[i] = '\0';
}

static void vdsplex_test_first_activation(struct kunit *test)
{
	const struct takeover_case *c = test->param_value;
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_NEW);
	char health[VDSPLEX_MAX_PLEXES + 1];
	unsigned int i;

	f->ctx->nosync = c->nosync;
	for (i = 0; i < 3; i++) {
		f->ctx->legs[i].rebuild = c->rebuild & BIT(i);
		f->ctx->legs[i].write_mostly = c->write_mostly & BIT(i);
	}
	vdsplex_takeover(f->ctx);
	health_of(f, health);
	KUNIT_EXPECT_STREQ(test, health, c->health);
	KUNIT_EXPECT_PTR_EQ(test, f->vol->active, f->ctx);
	KUNIT_EXPECT_TRUE(test, f->vol->ever_resumed);
}

static void vdsplex_test_reload_keeps_state(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_NEW);
	char health[VDSPLEX_MAX_PLEXES + 1];

	vdsplex_takeover(f->ctx);
	health_of(f, health);
	KUNIT_ASSERT_STREQ(test, health, "ASS");
	set_bit(3, f->ctx->legs[1].plex->in_sync);
	set_state(f, 1, VDSPLEX_PLEX_RECOVERING);
	set_state(f, 2, VDSPLEX_PLEX_DEAD);

	/* A reload naming the same plexes (nosync is ignored on a reload). */
	f->ctx->nosync = true;
	f->ctx->legs[1].rebuild = true;
	vdsplex_takeover(f->ctx);
	health_of(f, health);
	KUNIT_EXPECT_STREQ(test, health, "AaD");
	KUNIT_EXPECT_TRUE(test, test_bit(3, f->ctx->legs[1].plex->in_sync));

	/* rebuild on the only in-sync plex is not honoured */
	f->ctx->legs[0].rebuild = true;
	vdsplex_takeover(f->ctx);
	health_of(f, health);
	KUNIT_EXPECT_STREQ(test, health, "AaD");

	/* a plex new to a live volume is stale */
	set_state(f, 2, VDSPLEX_PLEX_NEW);
	vdsplex_takeover(f->ctx);
	health_of(f, health);
	KUNIT_EXPECT_STREQ(test, health, "AaS");
}

/* ------------------------------------------------------------------ status */

static const char *status_of(struct kunit *test, struct fixture *f,
			     status_type_t type)
{
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	vdsplex_status(f->ti, type, 0, buf, 1024);
	return buf;
}

static void vdsplex_test_status_info(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);

	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_INFO),
			   "3 AAA 125/125 idle 0 core 0 0");
	set_state(f, 1, VDSPLEX_PLEX_STALE);
	set_state(f, 2, VDSPLEX_PLEX_DEAD);
	f->ctx->rate_set = true;
	f->ctx->resync_rate = 4096;
	atomic64_set(&f->vol->regions_resynced, 17);
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_INFO),
			   "3 ASD 125/125 idle 0 core 4096 17");
	f->vol->action = VDSPLEX_ACTION_RECOVER;
	f->vol->synced_regions = 40;
	set_state(f, 1, VDSPLEX_PLEX_RECOVERING);
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_INFO),
			   "3 AaD 40/125 recover 0 core 4096 17");
}

static void vdsplex_test_status_table(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);

	f->ctx->read_policy = VDSPLEX_READ_LEAST_PENDING;
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_TABLE),
			   "- 8 3 7:0 0 7:1 8 7:2 16");
	f->ctx->nosync = true;	/* never printed */
	set_state(f, 1, VDSPLEX_PLEX_STALE);
	set_state(f, 2, VDSPLEX_PLEX_DEAD);	/* D stays D without options */
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_TABLE),
			   "- 8 3 7:0 0 7:1 8 7:2 16 2 rebuild 1");
	set_state(f, 2, VDSPLEX_PLEX_RECOVERING);
	f->ctx->legs[0].write_mostly = true;
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_TABLE),
			   "- 8 3 7:0 0 7:1 8 7:2 16 6 rebuild 1 rebuild 2 write_mostly 0");
	set_state(f, 1, VDSPLEX_PLEX_ALIVE);
	set_state(f, 2, VDSPLEX_PLEX_ALIVE);
	f->ctx->legs[0].write_mostly = false;
	f->ctx->read_policy = VDSPLEX_READ_ROUND_ROBIN;
	f->ctx->rate_set = true;
	f->ctx->resync_rate = 0;
	KUNIT_EXPECT_STREQ(test, status_of(test, f, STATUSTYPE_TABLE),
			   "- 8 3 7:0 0 7:1 8 7:2 16 4 read_policy round_robin resync_rate 0");
}

static void vdsplex_test_status_ima(struct kunit *test)
{
	static const char * const want[] = {
		"target_name=vdsplex,target_version=0.1.0,",
		"metadata_mode=core,region_size=8,nr_plexes=2,",
		"plex_0_device=7:0,plex_0_offset=0,plex_0_health=A,",
		"plex_1_device=7:1,plex_1_offset=8,plex_1_health=S,",
		"plex_1_write_mostly=y,",
		"sync_action=idle,read_policy=round_robin,resync_rate=0;",
	};
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	const char *s;
	unsigned int i;

	set_state(f, 1, VDSPLEX_PLEX_STALE);
	f->ctx->legs[1].write_mostly = true;
	s = status_of(test, f, STATUSTYPE_IMA);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_ASSERT_EQ_MSG(test, strncmp(s, want[i], strlen(want[i])), 0,
				    "at '%s', want '%s'", s, want[i]);
		s += strlen(want[i]);
	}
	KUNIT_EXPECT_STREQ(test, s, "");
}

static void vdsplex_test_status_truncates(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	vdsplex_status(f->ti, STATUSTYPE_TABLE, 0, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, strnlen(buf, sizeof(buf)), sizeof(buf) - 1);
}

/*
 * The plexes' copies of a write keep the flags that decide how the block
 * layer treats it: without REQ_IDLE, writeback throttling took O_DIRECT
 * writes for background writeback and cut random write IOPS by a third.
 */
static void vdsplex_test_write_opf(struct kunit *test)
{
	struct bio bio = { };

	bio.bi_opf = REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
	KUNIT_EXPECT_EQ(test, (__force u32)vdsplex_write_opf(&bio),
			(__force u32)(REQ_OP_WRITE | REQ_SYNC | REQ_IDLE));
	bio.bi_opf = REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA | REQ_META;
	KUNIT_EXPECT_EQ(test, (__force u32)vdsplex_write_opf(&bio),
			(__force u32)bio.bi_opf);
	bio.bi_opf = REQ_OP_WRITE_ZEROES | REQ_NOUNMAP;
	KUNIT_EXPECT_EQ(test, (__force u32)vdsplex_write_opf(&bio),
			(__force u32)(REQ_OP_WRITE_ZEROES | REQ_NOUNMAP));
	/* not passed: the plexes' bios are the target's own, not polled */
	bio.bi_opf = REQ_OP_WRITE | REQ_POLLED | REQ_NOWAIT;
	KUNIT_EXPECT_EQ(test, (__force u32)vdsplex_write_opf(&bio),
			(__force u32)REQ_OP_WRITE);
}

static struct kunit_case vdsplex_parse_test_cases[] = {
	KUNIT_CASE_PARAM(vdsplex_test_parse, parse_gen_params),
	KUNIT_CASE(vdsplex_test_parse_fields),
	KUNIT_CASE(vdsplex_test_nr_regions),
	KUNIT_CASE_PARAM(vdsplex_test_overlap, overlap_gen_params),
	KUNIT_CASE(vdsplex_test_write_opf),
	{}
};

static struct kunit_suite vdsplex_parse_suite = {
	.name = "vdsplex-table",
	.test_cases = vdsplex_parse_test_cases,
};

static struct kunit_case vdsplex_volume_test_cases[] = {
	KUNIT_CASE(vdsplex_test_source),
	KUNIT_CASE(vdsplex_test_read_round_robin),
	KUNIT_CASE(vdsplex_test_read_never_unsynced),
	KUNIT_CASE(vdsplex_test_read_write_mostly),
	KUNIT_CASE(vdsplex_test_read_least_pending),
	KUNIT_CASE(vdsplex_test_read_primary),
	KUNIT_CASE_PARAM(vdsplex_test_first_activation, takeover_gen_params),
	KUNIT_CASE(vdsplex_test_reload_keeps_state),
	KUNIT_CASE(vdsplex_test_status_info),
	KUNIT_CASE(vdsplex_test_status_table),
	KUNIT_CASE(vdsplex_test_status_ima),
	KUNIT_CASE(vdsplex_test_status_truncates),
	{}
};

static struct kunit_suite vdsplex_volume_suite = {
	.name = "vdsplex-volume",
	.exit = fixture_exit,
	.test_cases = vdsplex_volume_test_cases,
};

/* ------------------------------------------------------------------ resync */

static void vdsplex_test_region_lock(struct kunit *test)
{
	struct vdsplex_volume *vol = vdsplex_volume_alloc(FIX_LEN, FIX_REGION);
	struct bio *w3 = kunit_kzalloc(test, sizeof(*w3), GFP_KERNEL);
	struct bio *w3b = kunit_kzalloc(test, sizeof(*w3b), GFP_KERNEL);
	struct bio *w4 = kunit_kzalloc(test, sizeof(*w4), GFP_KERNEL);
	struct bio *ws = kunit_kzalloc(test, sizeof(*ws), GFP_KERNEL);
	struct bio_list parked = BIO_EMPTY_LIST;
	unsigned int bits = ilog2(VDSPLEX_INFLIGHT_BUCKETS);
	u8 e3, e4, es, es2;
	unsigned long flags;
	u64 other, same;

	KUNIT_ASSERT_NOT_NULL(test, vol);
	KUNIT_ASSERT_NOT_NULL(test, w3);
	KUNIT_ASSERT_NOT_NULL(test, w3b);
	KUNIT_ASSERT_NOT_NULL(test, w4);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	/* a region in another bucket than 3, and one in the same bucket */
	for (other = 4; hash_64(other, bits) == hash_64(3, bits); other++)
		;
	for (same = 4; hash_64(same, bits) != hash_64(3, bits); same++)
		;

	spin_lock_irqsave(&vol->state_lock, flags);
	/* writes in flight to region 3 and to its bucket before the copy */
	KUNIT_EXPECT_TRUE(test, vdsplex_write_admit(vol, 3, w3, &e3));
	KUNIT_EXPECT_TRUE(test, vdsplex_write_admit(vol, same, ws, &es));
	vdsplex_region_lock(vol, 3);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, vdsplex_region_drained(vol, 3));

	spin_lock_irqsave(&vol->state_lock, flags);
	/* a new writer of region 3 waits ... */
	KUNIT_EXPECT_FALSE(test, vdsplex_write_admit(vol, 3, w3b, &e3));
	/* ... writers of other regions do not, even in the same bucket */
	KUNIT_EXPECT_TRUE(test, vdsplex_write_admit(vol, other, w4, &e4));
	KUNIT_EXPECT_TRUE(test, vdsplex_write_admit(vol, same, ws, &es2));
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_NE(test, es, es2);

	/* the writes admitted before the lock end: region 3 has drained,
	 * although a write admitted after the lock is still in flight
	 */
	vdsplex_write_finish(vol, 3, e3);
	KUNIT_EXPECT_FALSE(test, vdsplex_region_drained(vol, 3));
	vdsplex_write_finish(vol, same, es);
	KUNIT_EXPECT_TRUE(test, vdsplex_region_drained(vol, 3));

	spin_lock_irqsave(&vol->state_lock, flags);
	vdsplex_region_unlock(vol, &parked);
	KUNIT_EXPECT_EQ(test, vol->locked_region, VDSPLEX_NO_REGION);
	KUNIT_EXPECT_TRUE(test, bio_list_empty(&vol->deferred));
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&parked), w3b);
	KUNIT_EXPECT_NULL(test, bio_list_pop(&parked));

	/* the next lock in that bucket waits for the write of the new epoch */
	spin_lock_irqsave(&vol->state_lock, flags);
	vdsplex_region_lock(vol, same);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, vdsplex_region_drained(vol, same));
	vdsplex_write_finish(vol, same, es2);
	KUNIT_EXPECT_TRUE(test, vdsplex_region_drained(vol, same));
	spin_lock_irqsave(&vol->state_lock, flags);
	vdsplex_region_unlock(vol, &parked);
	spin_unlock_irqrestore(&vol->state_lock, flags);

	vdsplex_write_finish(vol, other, e4);
	KUNIT_EXPECT_EQ(test, atomic_read(&vol->inflight[e4][hash_64(other, bits)]), 0);
	vdsplex_volume_free(vol);
}

static void vdsplex_test_percent(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vdsplex_percent(0, 100, false), 0U);
	KUNIT_EXPECT_EQ(test, vdsplex_percent(50, 100, false), 50U);
	KUNIT_EXPECT_EQ(test, vdsplex_percent(999, 1000, false), 99U);
	/* never 100 while running */
	KUNIT_EXPECT_EQ(test, vdsplex_percent(100, 100, false), 99U);
	KUNIT_EXPECT_EQ(test, vdsplex_percent(0, 0, false), 0U);
	KUNIT_EXPECT_EQ(test, vdsplex_percent(3, 100, true), 100U);
	/* no overflow on huge volumes */
	KUNIT_EXPECT_EQ(test, vdsplex_percent(1ULL << 56, 1ULL << 57, false),
			50U);
}

static void vdsplex_test_throttle(struct kunit *test)
{
	const u64 mib = 1 << 20, sec = NSEC_PER_SEC;

	/* a cap of 1024 KiB/s: 1 MiB takes one second */
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 1024, false, mib, 0),
			sec);
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 1024, true, mib,
						  sec / 2), sec / 2);
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 1024, false, mib,
						  2 * sec), 0ULL);
	/* a cap ignores foreground activity; 0 means unlimited */
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 2048, true, 4 * mib,
						  0), 2 * sec);
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 0, true, mib, 0), 0ULL);
	/* adaptive: full speed when idle, the floor under foreground I/O */
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(true, 0, false, 64 * mib, 0),
			0ULL);
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(true, 0, true, mib, sec / 4),
			3 * sec / 4);
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(true, 9999, true, mib, 0),
			sec);
	/* no overflow: 1 TiB at 1 KiB/s */
	KUNIT_EXPECT_EQ(test, vdsplex_throttle_ns(false, 1, false,
						  1ULL << 40, 0),
			(1ULL << 30) * sec);
}

/*
 * The resync cannot read its source: another in-sync plex takes over, even
 * when a write error failed the source first (the race the fault
 * comparison found); with none left the targets become stale.
 */
static void vdsplex_test_source_read_error(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_plex *src = f->ctx->legs[0].plex;
	struct vdsplex_plex *tgt = f->ctx->legs[2].plex;
	struct vdsplex_volume *vol = f->vol;
	unsigned long flags;
	bool stalled;

	set_state(f, 2, VDSPLEX_PLEX_RECOVERING);
	spin_lock_irqsave(&vol->state_lock, flags);
	/*
	 * plex 1 is in sync: plex 0 goes stale in region 4 only (the resync
	 * rewrites it there), plex 2 goes on recovering
	 */
	stalled = __vdsplex_source_read_error(f->ctx, src, &tgt, 1, 4);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, stalled);
	KUNIT_EXPECT_EQ(test, src->state, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_FALSE(test, test_bit(4, src->in_sync));
	KUNIT_EXPECT_TRUE(test, test_bit(5, src->in_sync));
	KUNIT_EXPECT_EQ(test, atomic_read(&src->read_errors), 1);
	KUNIT_EXPECT_EQ(test, tgt->state, VDSPLEX_PLEX_RECOVERING);
	KUNIT_EXPECT_FALSE(test, vol->stalled);

	/*
	 * past VDSPLEX_MAX_READ_ERRORS an in-sync source fails, as for
	 * foreground reads
	 */
	spin_lock_irqsave(&vol->state_lock, flags);
	src->state = VDSPLEX_PLEX_ALIVE;
	bitmap_fill(src->in_sync, vol->nr_regions);
	src->synced = vol->nr_regions;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	atomic_set(&src->read_errors, VDSPLEX_MAX_READ_ERRORS);
	spin_lock_irqsave(&vol->state_lock, flags);
	stalled = __vdsplex_source_read_error(f->ctx, src, &tgt, 1, 5);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, stalled);
	KUNIT_EXPECT_EQ(test, src->state, VDSPLEX_PLEX_DEAD);
	KUNIT_EXPECT_EQ(test, tgt->state, VDSPLEX_PLEX_RECOVERING);
	KUNIT_EXPECT_FALSE(test, vol->stalled);

	/* the source already failed by a write: still handed over */
	spin_lock_irqsave(&vol->state_lock, flags);
	stalled = __vdsplex_source_read_error(f->ctx, src, &tgt, 1, 5);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, stalled);
	KUNIT_EXPECT_EQ(test, tgt->state, VDSPLEX_PLEX_RECOVERING);

	/* plex 1 was the last in-sync plex: it stays, the target is stale */
	spin_lock_irqsave(&vol->state_lock, flags);
	stalled = __vdsplex_source_read_error(f->ctx, f->ctx->legs[1].plex,
					      &tgt, 1, 5);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_TRUE(test, stalled);
	KUNIT_EXPECT_EQ(test, f->ctx->legs[1].plex->state, VDSPLEX_PLEX_ALIVE);
	KUNIT_EXPECT_EQ(test, tgt->state, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_TRUE(test, vol->stalled);
}

static struct kunit_case vdsplex_resync_test_cases[] = {
	KUNIT_CASE(vdsplex_test_source_read_error),
	KUNIT_CASE(vdsplex_test_region_lock),
	KUNIT_CASE(vdsplex_test_percent),
	KUNIT_CASE(vdsplex_test_throttle),
	{}
};

static struct kunit_suite vdsplex_resync_suite = {
	.name = "vdsplex-resync",
	.exit = fixture_exit,
	.test_cases = vdsplex_resync_test_cases,
};

/* ------------------------------------------------------------ async handle */

static const struct {
	u32 hresult;
	u32 value;	/* the real VDS value (Documentation/ioctl.rst) */
	int err;
	const char *name;
} hresult_cases[] = {
	{ VDS_E_VOLUME_NOT_ONLINE, 0x8004243D, -EAGAIN, "VDS_E_VOLUME_NOT_ONLINE" },
	{ VDS_E_VOLUME_NOT_HEALTHY, 0x8004243E, -EIO, "VDS_E_VOLUME_NOT_HEALTHY" },
	{ VDS_E_VOLUME_SPANS_DISKS, 0x8004243F, -EXDEV, "VDS_E_VOLUME_SPANS_DISKS" },
	{ VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, 0x80042440, -ERANGE,
	  "VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE" },
	{ VDS_E_INVALID_OPERATION, 0x80042415, -EINVAL, "VDS_E_INVALID_OPERATION" },
	{ VDS_E_DISK_IN_USE_BY_VOLUME, 0x8004244C, -EEXIST,
	  "VDS_E_DISK_IN_USE_BY_VOLUME" },
	{ VDS_E_DEVICE_IN_USE, 0x80042413, -EBUSY, "VDS_E_DEVICE_IN_USE" },
	{ VDS_E_ANOTHER_CALL_IN_PROGRESS, 0x80042404, -EALREADY,
	  "VDS_E_ANOTHER_CALL_IN_PROGRESS" },
	{ VDS_E_OBJECT_DELETED, 0x8004240B, -ENODEV, "VDS_E_OBJECT_DELETED" },
	{ VDS_E_PLEX_LAST_ACTIVE, 0x80042548, -EBUSY, "VDS_E_PLEX_LAST_ACTIVE" },
	{ VDS_E_OPERATION_CANCELED, 0x8004240D, -ECANCELED,
	  "VDS_E_OPERATION_CANCELED" },
	{ VDS_E_CANCEL_TOO_LATE, 0x8004240C, -ESRCH, "VDS_E_CANCEL_TOO_LATE" },
	{ VDS_S_GPT_BOOT_MIRRORED_TO_MBR, 0x80042469, 0,
	  "VDS_S_GPT_BOOT_MIRRORED_TO_MBR" },
	{ VDS_S_OK, 0, 0, "VDS_S_OK" },
};

/* Each code has its real value, its documented errno and its name. */
static void vdsplex_test_hresult_errno(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(hresult_cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, hresult_cases[i].hresult,
				    hresult_cases[i].value, "%s",
				    hresult_cases[i].name);
		KUNIT_EXPECT_EQ_MSG(test,
				    vdsplex_hresult_errno(hresult_cases[i].hresult),
				    hresult_cases[i].err, "%s",
				    hresult_cases[i].name);
		KUNIT_EXPECT_STREQ(test,
				   vdsplex_hresult_name(hresult_cases[i].hresult),
				   hresult_cases[i].name);
	}
	/*
	 * errno back to the code: unique but for EBUSY (DEVICE_IN_USE,
	 * PLEX_LAST_ACTIVE: different calls), EIO (NOT_HEALTHY) and 0.
	 */
	for (i = 0; i < ARRAY_SIZE(hresult_cases); i++)
		for (j = i + 1; j < ARRAY_SIZE(hresult_cases); j++)
			if (hresult_cases[i].err == hresult_cases[j].err)
				KUNIT_EXPECT_TRUE_MSG(test,
						      hresult_cases[i].err == -EBUSY ||
						      hresult_cases[i].err == 0,
						      "%s and %s share an errno",
						      hresult_cases[i].name,
						      hresult_cases[j].name);
	KUNIT_EXPECT_EQ(test, vdsplex_hresult_errno(0x80041234), -EIO);
	KUNIT_EXPECT_STREQ(test, vdsplex_hresult_name(0x80041234), "unknown");
	/* the _S_ code has the severity bit: never test by sign */
	KUNIT_EXPECT_TRUE(test, VDS_S_GPT_BOOT_MIRRORED_TO_MBR & 0x80000000U);
}

enum op_event { EV_COMPLETE, EV_CANCEL, EV_RELEASE, EV_REMOVE, EV_NR };

struct op_order {
	char desc[48];
	enum op_event ev[EV_NR];
};

static struct op_order op_orders[24];

static void op_orders_fill(void)
{
	static const char * const names[] = { "complete", "cancel", "release",
					      "remove" };
	unsigned int n = 0, a, b, c, d;

	for (a = 0; a < EV_NR; a++)
		for (b = 0; b < EV_NR; b++)
			for (c = 0; c < EV_NR; c++)
				for (d = 0; d < EV_NR; d++) {
					struct op_order *o = &op_orders[n];

					if (a == b || a == c || a == d ||
					    b == c || b == d || c == d)
						continue;
					o->ev[0] = a;
					o->ev[1] = b;
					o->ev[2] = c;
					o->ev[3] = d;
					snprintf(o->desc, sizeof(o->desc),
						 "%s,%s,%s,%s", names[a],
						 names[b], names[c], names[d]);
					n++;
				}
}

static const void *op_order_gen(const void *prev, char *desc)
{
	const struct op_order *o = prev ? (const struct op_order *)prev + 1 :
					  op_orders;

	if (!prev)
		op_orders_fill();
	if (o >= op_orders + ARRAY_SIZE(op_orders))
		return NULL;
	strscpy(desc, o->desc, KUNIT_PARAM_DESC_SIZE);
	return o;
}

static struct fixture *op_fixture;

/* The volume side of a cancel, as __vdsplex_cancel() does it. */
static u32 op_test_cancel(struct vdsplex_op *op)
{
	struct fixture *f = op_fixture;
	unsigned long flags;
	unsigned int i;
	u32 hr = VDS_E_OPERATION_CANCELED;

	spin_lock_irqsave(&f->vol->state_lock, flags);
	if (f->vol->op != op)
		hr = VDS_E_CANCEL_TOO_LATE;
	for (i = 0; hr == VDS_E_OPERATION_CANCELED && i < f->ctx->nr_legs; i++)
		__vdsplex_op_target_done(f->vol, f->ctx->legs[i].plex,
					 VDS_E_OPERATION_CANCELED);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	return hr;
}

/*
 * An AddPlex of plexes 1 and 2 on a fixture volume, driven through complete
 * (both reach in sync), cancel, release of the handle and volume removal
 * in every order: the first of complete/cancel/remove decides the result,
 * later cancels are too late, release changes nothing, and the references
 * come back to the volume's last_op and the test's own.
 */
static void vdsplex_test_op_orders(struct kunit *test)
{
	const struct op_order *o = test->param_value;
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_async_status st;
	struct vdsplex_op *op;
	unsigned long flags;
	u32 want_hr = 0, want_state = VDSPLEX_ASYNC_RUNNING;
	bool handle = true;
	unsigned int i, k;

	op_fixture = f;
	op = vdsplex_op_create(MKDEV(253, 9), FIX_LEN, op_test_cancel);
	KUNIT_ASSERT_NOT_NULL(test, op);
	vdsplex_op_get(op);		/* the handle */
	spin_lock_irqsave(&f->vol->state_lock, flags);
	for (i = 1; i < 3; i++) {
		f->ctx->legs[i].plex->state = VDSPLEX_PLEX_RECOVERING;
		f->ctx->legs[i].plex->added = true;
		vdsplex_op_add_plex(op, f->ctx->legs[i].plex->id, i);
	}
	vdsplex_op_get(op);		/* the volume's */
	f->vol->op = op;
	f->vol->op_pending = 2;
	spin_unlock_irqrestore(&f->vol->state_lock, flags);

	for (k = 0; k < EV_NR; k++) {
		u32 hr;

		vdsplex_op_status(op, &st);
		KUNIT_EXPECT_EQ(test, st.state, want_state);
		KUNIT_EXPECT_EQ(test, vdsplex_op_running(op),
				want_state == VDSPLEX_ASYNC_RUNNING);
		KUNIT_EXPECT_EQ(test, completion_done(&op->ended),
				want_state != VDSPLEX_ASYNC_RUNNING);
		if (want_state == VDSPLEX_ASYNC_RUNNING)
			KUNIT_EXPECT_LT(test, st.percent, 100);
		switch (o->ev[k]) {
		case EV_COMPLETE:
			spin_lock_irqsave(&f->vol->state_lock, flags);
			for (i = 1; i < 3; i++) {
				struct vdsplex_plex *p = f->ctx->legs[i].plex;

				if (!p->added)
					continue;
				p->state = VDSPLEX_PLEX_ALIVE;
				__vdsplex_op_target_done(f->vol, p, VDS_S_OK);
			}
			spin_unlock_irqrestore(&f->vol->state_lock, flags);
			if (want_state == VDSPLEX_ASYNC_RUNNING)
				want_state = VDSPLEX_ASYNC_SUCCEEDED;
			break;
		case EV_CANCEL:
			hr = vdsplex_op_do_cancel(op);
			if (want_state == VDSPLEX_ASYNC_RUNNING) {
				want_state = VDSPLEX_ASYNC_CANCELED;
				want_hr = VDS_E_OPERATION_CANCELED;
				KUNIT_EXPECT_EQ(test, hr, VDS_E_OPERATION_CANCELED);
			} else {
				KUNIT_EXPECT_EQ(test, hr,
						want_state == VDSPLEX_ASYNC_CANCELED ?
						VDS_E_OPERATION_CANCELED :
						VDS_E_CANCEL_TOO_LATE);
			}
			break;
		case EV_RELEASE:
			vdsplex_op_put(op);
			handle = false;
			break;
		case EV_REMOVE:
			spin_lock_irqsave(&f->vol->state_lock, flags);
			__vdsplex_op_finish(f->ctx, VDS_E_OBJECT_DELETED);
			spin_unlock_irqrestore(&f->vol->state_lock, flags);
			if (want_state == VDSPLEX_ASYNC_RUNNING) {
				want_state = VDSPLEX_ASYNC_FAILED;
				want_hr = VDS_E_OBJECT_DELETED;
			}
			break;
		default:
			break;
		}
	}
	vdsplex_op_status(op, &st);
	KUNIT_EXPECT_EQ(test, st.state, want_state);
	KUNIT_EXPECT_EQ(test, st.hresult, want_hr);
	KUNIT_EXPECT_EQ(test, st.percent, 100);
	KUNIT_EXPECT_TRUE(test, completion_done(&op->ended));
	KUNIT_EXPECT_NULL(test, f->vol->op);
	KUNIT_EXPECT_PTR_EQ(test, f->vol->last_op, op);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE(test, f->ctx->legs[i].plex->added);
	KUNIT_EXPECT_FALSE(test, handle);
	/* the creator's reference and the volume's last_op remain */
	KUNIT_EXPECT_EQ(test, kref_read(&op->kref), 2);
	vdsplex_op_put(op);
}

/* One target dies, the other reaches in sync: the operation succeeds. */
static void vdsplex_test_op_partial(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_async_wait w = { .size = sizeof(w) };
	struct vdsplex_async_status st;
	struct vdsplex_op *op;
	unsigned long flags;
	unsigned int i;

	op = vdsplex_op_create(MKDEV(253, 9), FIX_LEN, NULL);
	KUNIT_ASSERT_NOT_NULL(test, op);
	spin_lock_irqsave(&f->vol->state_lock, flags);
	for (i = 1; i < 3; i++) {
		f->ctx->legs[i].plex->state = VDSPLEX_PLEX_RECOVERING;
		f->ctx->legs[i].plex->added = true;
		vdsplex_op_add_plex(op, f->ctx->legs[i].plex->id, i);
	}
	vdsplex_op_get(op);
	f->vol->op = op;
	f->vol->op_pending = 2;
	/* progress: plex 1 has 50 of 125 regions, plex 2 has 25 */
	f->ctx->legs[1].plex->synced = 50;
	f->ctx->legs[2].plex->synced = 25;
	__vdsplex_op_progress(f->ctx);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	vdsplex_op_status(op, &st);
	KUNIT_EXPECT_EQ(test, st.percent, 30);
	KUNIT_EXPECT_EQ(test, st.done_sectors, 300);
	KUNIT_EXPECT_EQ(test, st.total_sectors, FIX_LEN);
	/* without a cancel function, a cancel is refused as too late */
	KUNIT_EXPECT_EQ(test, vdsplex_op_do_cancel(op), VDS_E_CANCEL_TOO_LATE);

	spin_lock_irqsave(&f->vol->state_lock, flags);
	__vdsplex_plex_fail(f->vol, f->ctx->legs[2].plex);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	KUNIT_EXPECT_TRUE(test, vdsplex_op_running(op));
	spin_lock_irqsave(&f->vol->state_lock, flags);
	f->ctx->legs[1].plex->state = VDSPLEX_PLEX_ALIVE;
	__vdsplex_op_target_done(f->vol, f->ctx->legs[1].plex, VDS_S_OK);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	vdsplex_op_status(op, &st);
	KUNIT_EXPECT_EQ(test, st.state, VDSPLEX_ASYNC_SUCCEEDED);
	KUNIT_EXPECT_EQ(test, st.done_sectors, FIX_LEN);
	KUNIT_EXPECT_EQ(test, op->nr_in_sync, 1);
	KUNIT_EXPECT_EQ(test, op->nr_plexes, 2);
	KUNIT_EXPECT_EQ(test, op->plex_index[1], 2);
	KUNIT_EXPECT_EQ(test, op->plex_id[1], f->ctx->legs[2].plex->id);
	KUNIT_EXPECT_TRUE(test, vdsplex_async_wait_valid(&w));
	vdsplex_op_put(op);
}

/* @op runs on f's plex 1 as its only target (caller holds state_lock). */
static void fixture_op_on_plex1(struct fixture *f, struct vdsplex_op *op)
{
	lockdep_assert_held(&f->vol->state_lock);
	f->ctx->legs[1].plex->state = VDSPLEX_PLEX_RECOVERING;
	f->ctx->legs[1].plex->added = true;
	vdsplex_op_get(op);
	f->vol->op = op;
	f->vol->op_pending = 1;
}

/* Every target fails: the operation fails with ERROR_IO_DEVICE. */
static void vdsplex_test_op_all_failed(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_op *op = vdsplex_op_create(MKDEV(253, 9), FIX_LEN, NULL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, op);
	spin_lock_irqsave(&f->vol->state_lock, flags);
	fixture_op_on_plex1(f, op);
	__vdsplex_plex_fail(f->vol, f->ctx->legs[1].plex);
	/* a second failure of a plex no longer in the operation is ignored */
	__vdsplex_plex_fail(f->vol, f->ctx->legs[1].plex);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	KUNIT_EXPECT_EQ(test, op->state, VDSPLEX_ASYNC_FAILED);
	KUNIT_EXPECT_EQ(test, op->hresult, VDSPLEX_E_IO_DEVICE);
	KUNIT_EXPECT_EQ(test, f->vol->op_pending, 0);
	/* ending twice keeps the first result */
	KUNIT_EXPECT_FALSE(test, vdsplex_op_end(op, VDS_S_OK));
	KUNIT_EXPECT_EQ(test, op->hresult, VDSPLEX_E_IO_DEVICE);
	vdsplex_op_put(op);
}

/*
 * Removing a volume whose AddPlex was resumed from the metadata by a table
 * that never ran: the instance being destroyed may be a constructor that
 * failed half way, with a plex slot still empty.  The operation ends with
 * VDS_E_OBJECT_DELETED and the empty slot is skipped (it was dereferenced
 * once: an Oops under state_lock that hung the guest).
 */
static void vdsplex_test_op_finish_half_built(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_op *op = vdsplex_op_create(MKDEV(253, 9), FIX_LEN, NULL);
	struct vdsplex_ctx *half;
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, op);
	half = kunit_kzalloc(test, sizeof(*half), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, half);
	half->vol = f->vol;
	half->nr_legs = 2;
	half->legs[0].plex = f->ctx->legs[1].plex;	/* legs[1]: never got one */
	spin_lock_irqsave(&f->vol->state_lock, flags);
	fixture_op_on_plex1(f, op);
	__vdsplex_op_finish(half, VDS_E_OBJECT_DELETED);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	KUNIT_EXPECT_EQ(test, op->state, VDSPLEX_ASYNC_FAILED);
	KUNIT_EXPECT_EQ(test, op->hresult, VDS_E_OBJECT_DELETED);
	KUNIT_EXPECT_NULL(test, f->vol->op);
	KUNIT_EXPECT_EQ(test, f->vol->op_pending, 0);
	KUNIT_EXPECT_FALSE(test, f->ctx->legs[1].plex->added);
	/* no operation left: a second removal changes nothing */
	spin_lock_irqsave(&f->vol->state_lock, flags);
	__vdsplex_op_finish(half, VDS_E_OBJECT_DELETED);
	spin_unlock_irqrestore(&f->vol->state_lock, flags);
	KUNIT_EXPECT_EQ(test, op->hresult, VDS_E_OBJECT_DELETED);
	vdsplex_op_put(op);
}

/* A field of an ioctl struct set to a bad value. */
struct bad_field {
	const char *desc;
	size_t off;
	size_t size;
	u64 val;
};

static void set_field(void *s, const struct bad_field *b)
{
	switch (b->size) {
	case 1:
		*(u8 *)(s + b->off) = b->val;
		break;
	case 4:
		*(u32 *)(s + b->off) = b->val;
		break;
	default:
		*(u64 *)(s + b->off) = b->val;
		break;
	}
}

static const struct bad_field bad_add[] = {
	{ "size=0", offsetof(struct vdsplex_ioc_add_plex, size),
	  sizeof_field(struct vdsplex_ioc_add_plex, size), 0 },
	{ "size=56", offsetof(struct vdsplex_ioc_add_plex, size),
	  sizeof_field(struct vdsplex_ioc_add_plex, size), 56 },
	{ "flags=1", offsetof(struct vdsplex_ioc_add_plex, flags),
	  sizeof_field(struct vdsplex_ioc_add_plex, flags), 1 },
	{ "vol_major=4096", offsetof(struct vdsplex_ioc_add_plex, vol_major),
	  sizeof_field(struct vdsplex_ioc_add_plex, vol_major), 4096 },
	{ "vol_minor=1 << 20", offsetof(struct vdsplex_ioc_add_plex, vol_minor),
	  sizeof_field(struct vdsplex_ioc_add_plex, vol_minor), 1 << 20 },
	{ "nr_extents=0", offsetof(struct vdsplex_ioc_add_plex, nr_extents),
	  sizeof_field(struct vdsplex_ioc_add_plex, nr_extents), 0 },
	{ "nr_extents=33", offsetof(struct vdsplex_ioc_add_plex, nr_extents),
	  sizeof_field(struct vdsplex_ioc_add_plex, nr_extents), 33 },
	{ "extent_size=80", offsetof(struct vdsplex_ioc_add_plex, extent_size),
	  sizeof_field(struct vdsplex_ioc_add_plex, extent_size), 80 },
	{ "extents=0", offsetof(struct vdsplex_ioc_add_plex, extents),
	  sizeof_field(struct vdsplex_ioc_add_plex, extents), 0 },
	{ "reserved[0]=1", offsetof(struct vdsplex_ioc_add_plex, reserved[0]),
	  sizeof_field(struct vdsplex_ioc_add_plex, reserved[0]), 1 },
	{ "reserved[1]=1ULL << 63", offsetof(struct vdsplex_ioc_add_plex, reserved[1]),
	  sizeof_field(struct vdsplex_ioc_add_plex, reserved[1]), 1ULL << 63 },
};

static const struct bad_field bad_extent[] = {
	{ "major=4096", offsetof(struct vdsplex_extent, major),
	  sizeof_field(struct vdsplex_extent, major), 4096 },
	{ "minor=1 << 20", offsetof(struct vdsplex_extent, minor),
	  sizeof_field(struct vdsplex_extent, minor), 1 << 20 },
	{ "reserved=1", offsetof(struct vdsplex_extent, reserved),
	  sizeof_field(struct vdsplex_extent, reserved), 1 },
	{ "identity[0]=' '", offsetof(struct vdsplex_extent, identity[0]),
	  sizeof_field(struct vdsplex_extent, identity[0]), ' ' },
	{ "identity[5]='\\t'", offsetof(struct vdsplex_extent, identity[5]),
	  sizeof_field(struct vdsplex_extent, identity[5]), '\t' },
	{ "identity[20]='x'", offsetof(struct vdsplex_extent, identity[20]),
	  sizeof_field(struct vdsplex_extent, identity[20]), 'x' },	/* after the NUL */
	{ "identity[63]='x'", offsetof(struct vdsplex_extent, identity[63]),
	  sizeof_field(struct vdsplex_extent, identity[63]), 'x' },
};

static const struct bad_field bad_query[] = {
	{ "size=72", offsetof(struct vdsplex_ioc_query_plexes, size),
	  sizeof_field(struct vdsplex_ioc_query_plexes, size), 72 },
	{ "flags=4", offsetof(struct vdsplex_ioc_query_plexes, flags),
	  sizeof_field(struct vdsplex_ioc_query_plexes, flags), 4 },
	{ "plex_size=8", offsetof(struct vdsplex_ioc_query_plexes, plex_size),
	  sizeof_field(struct vdsplex_ioc_query_plexes, plex_size), 8 },
	{ "plexes=0", offsetof(struct vdsplex_ioc_query_plexes, plexes),
	  sizeof_field(struct vdsplex_ioc_query_plexes, plexes), 0 },
	{ "reserved[1]=1", offsetof(struct vdsplex_ioc_query_plexes, reserved[1]),
	  sizeof_field(struct vdsplex_ioc_query_plexes, reserved[1]), 1 },
};

static const struct bad_field bad_plex[] = {
	{ "size=1", offsetof(struct vdsplex_ioc_plex, size),
	  sizeof_field(struct vdsplex_ioc_plex, size), 1 },
	{ "flags=1", offsetof(struct vdsplex_ioc_plex, flags),
	  sizeof_field(struct vdsplex_ioc_plex, flags), 1 },
	{ "vol_major=~0U", offsetof(struct vdsplex_ioc_plex, vol_major),
	  sizeof_field(struct vdsplex_ioc_plex, vol_major), ~0U },
	{ "reserved[0]=1", offsetof(struct vdsplex_ioc_plex, reserved[0]),
	  sizeof_field(struct vdsplex_ioc_plex, reserved[0]), 1 },
	{ "identity[0]=0", offsetof(struct vdsplex_ioc_plex, identity[0]),
	  sizeof_field(struct vdsplex_ioc_plex, identity[0]), 0 },	/* empty name */
	{ "identity[3]=' '", offsetof(struct vdsplex_ioc_plex, identity[3]),
	  sizeof_field(struct vdsplex_ioc_plex, identity[3]), ' ' },
};

static const struct bad_field bad_open[] = {
	{ "size=8", offsetof(struct vdsplex_ioc_open_async, size),
	  sizeof_field(struct vdsplex_ioc_open_async, size), 8 },
	{ "flags=1", offsetof(struct vdsplex_ioc_open_async, flags),
	  sizeof_field(struct vdsplex_ioc_open_async, flags), 1 },
	{ "reserved[1]=1", offsetof(struct vdsplex_ioc_open_async, reserved[1]),
	  sizeof_field(struct vdsplex_ioc_open_async, reserved[1]), 1 },
};

static const struct bad_field bad_version[] = {
	{ "size=0", offsetof(struct vdsplex_ioc_version, size),
	  sizeof_field(struct vdsplex_ioc_version, size), 0 },
	{ "flags=1", offsetof(struct vdsplex_ioc_version, flags),
	  sizeof_field(struct vdsplex_ioc_version, flags), 1 },
	{ "reserved[4]=1", offsetof(struct vdsplex_ioc_version, reserved[4]),
	  sizeof_field(struct vdsplex_ioc_version, reserved[4]), 1 },
};

static const struct bad_field bad_wait[] = {
	{ "size=16", offsetof(struct vdsplex_async_wait, size),
	  sizeof_field(struct vdsplex_async_wait, size), 16 },
	{ "flags=1", offsetof(struct vdsplex_async_wait, flags),
	  sizeof_field(struct vdsplex_async_wait, flags), 1 },
	{ "state=1", offsetof(struct vdsplex_async_wait, state),
	  sizeof_field(struct vdsplex_async_wait, state), 1 },
	{ "plex_id[31]=1", offsetof(struct vdsplex_async_wait, plex_id[31]),
	  sizeof_field(struct vdsplex_async_wait, plex_id[31]), 1 },
	{ "plex_index[3]=1", offsetof(struct vdsplex_async_wait, plex_index[3]),
	  sizeof_field(struct vdsplex_async_wait, plex_index[3]), 1 },
	{ "reserved[1]=1", offsetof(struct vdsplex_async_wait, reserved[1]),
	  sizeof_field(struct vdsplex_async_wait, reserved[1]), 1 },
};

typedef bool (*valid_fn)(const void *s);

static bool add_ok(const void *s) { return vdsplex_ioc_add_plex_valid(s); }
static bool ext_ok(const void *s) { return vdsplex_extent_valid(s); }
static bool query_ok(const void *s) { return vdsplex_ioc_query_valid(s); }
static bool ident_ok(const void *s) { return vdsplex_ioc_plex_valid(s, true); }
static bool open_ok(const void *s) { return vdsplex_ioc_open_async_valid(s); }
static bool version_ok(const void *s) { return vdsplex_ioc_version_valid(s); }
static bool wait_ok(const void *s) { return vdsplex_async_wait_valid(s); }

/* The good request passes; each bad field alone makes it fail. */
static void check_bad(struct kunit *test, const char *what, const void *good,
		      size_t size, const struct bad_field *table,
		      unsigned int n, valid_fn valid)
{
	void *s = kunit_kmalloc(test, size, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	memcpy(s, good, size);
	KUNIT_ASSERT_TRUE_MSG(test, valid(s), "good %s", what);
	for (i = 0; i < n; i++) {
		memcpy(s, good, size);
		set_field(s, &table[i]);
		KUNIT_EXPECT_FALSE_MSG(test, valid(s), "%s %s", what,
				       table[i].desc);
	}
}

static void vdsplex_test_ioctl_structs(struct kunit *test)
{
	struct vdsplex_ioc_add_plex add = {
		.size = sizeof(add), .vol_major = 253, .vol_minor = 0,
		.nr_extents = 1, .extent_size = sizeof(struct vdsplex_extent),
		.extents = 0x1000,
	};
	struct vdsplex_extent ext = {
		.major = 1, .minor = 2, .offset = 8, .identity = "wwn-0x5000",
	};
	struct vdsplex_ioc_query_plexes query = {
		.size = sizeof(query), .vol_major = 253, .nr_plexes = 2,
		.plex_size = sizeof(struct vdsplex_plex_info), .plexes = 0x1000,
	};
	struct vdsplex_ioc_plex plex = {
		.size = sizeof(plex), .vol_major = 253, .vol_minor = 1,
		.index = 3, .identity = "name",
	};
	struct vdsplex_ioc_open_async open = {
		.size = sizeof(open), .vol_major = 253, .vol_minor = 1,
	};
	struct vdsplex_ioc_version version = { .size = sizeof(version) };
	struct vdsplex_async_wait wait = { .size = sizeof(wait),
					   .timeout_ms = 5 };
	struct vdsplex_ioc_plex remove = plex;

	check_bad(test, "add", &add, sizeof(add), bad_add,
		  ARRAY_SIZE(bad_add), add_ok);
	check_bad(test, "ext", &ext, sizeof(ext), bad_extent,
		  ARRAY_SIZE(bad_extent), ext_ok);
	check_bad(test, "query", &query, sizeof(query), bad_query,
		  ARRAY_SIZE(bad_query), query_ok);
	check_bad(test, "plex", &plex, sizeof(plex), bad_plex,
		  ARRAY_SIZE(bad_plex), ident_ok);
	check_bad(test, "open", &open, sizeof(open), bad_open,
		  ARRAY_SIZE(bad_open), open_ok);
	check_bad(test, "version", &version, sizeof(version), bad_version,
		  ARRAY_SIZE(bad_version), version_ok);
	check_bad(test, "wait", &wait, sizeof(wait), bad_wait,
		  ARRAY_SIZE(bad_wait), wait_ok);
	/* REMOVE_PLEX takes no identity; an empty query needs no array */
	KUNIT_EXPECT_FALSE(test, vdsplex_ioc_plex_valid(&remove, false));
	memset(remove.identity, 0, sizeof(remove.identity));
	KUNIT_EXPECT_TRUE(test, vdsplex_ioc_plex_valid(&remove, false));
	query.nr_plexes = 0;
	query.plexes = 0;
	KUNIT_EXPECT_TRUE(test, vdsplex_ioc_query_valid(&query));
	/* an extent may have no identity */
	memset(ext.identity, 0, sizeof(ext.identity));
	KUNIT_EXPECT_TRUE(test, vdsplex_extent_valid(&ext));
	KUNIT_EXPECT_FALSE(test, vdsplex_devno_valid(0, 0));
	KUNIT_EXPECT_TRUE(test, vdsplex_devno_valid(4095, (1 << 20) - 1));
}

/* The layout userspace relies on: no implicit padding, 8-byte multiples. */
static void vdsplex_test_ioctl_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_ioc_version), 48);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_extent), 88);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_ioc_add_plex), 64);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_plex_info), 152);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_ioc_query_plexes), 64);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_ioc_plex), 104);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_ioc_open_async), 40);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_async_status), 64);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_async_wait), 432);
	KUNIT_EXPECT_EQ(test, sizeof(struct vdsplex_async_cancel), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct vdsplex_ioc_add_plex, extents), 24);
	KUNIT_EXPECT_EQ(test, offsetof(struct vdsplex_plex_info, identity), 16);
}

static void vdsplex_test_identity(struct kunit *test)
{
	char name[VDSPLEX_IDENTITY_LEN] = "dm-uuid-LVM-abc";

	KUNIT_EXPECT_TRUE(test, vdsplex_identity_valid(name, sizeof(name), false));
	memset(name, 0, sizeof(name));
	KUNIT_EXPECT_TRUE(test, vdsplex_identity_valid(name, sizeof(name), true));
	KUNIT_EXPECT_FALSE(test, vdsplex_identity_valid(name, sizeof(name), false));
	memset(name, 'a', sizeof(name) - 1);
	KUNIT_EXPECT_TRUE(test, vdsplex_identity_valid(name, sizeof(name), false));
	name[sizeof(name) - 1] = 'a';
	KUNIT_EXPECT_FALSE(test, vdsplex_identity_valid(name, sizeof(name), false));
	KUNIT_EXPECT_FALSE(test, vdsplex_identity_valid("a\x7f", 3, false));
	KUNIT_EXPECT_FALSE(test, vdsplex_identity_valid("two words", 10, false));
}

static struct kunit_case vdsplex_async_test_cases[] = {
	KUNIT_CASE(vdsplex_test_hresult_errno),
	KUNIT_CASE_PARAM(vdsplex_test_op_orders, op_order_gen),
	KUNIT_CASE(vdsplex_test_op_partial),
	KUNIT_CASE(vdsplex_test_op_all_failed),
	KUNIT_CASE(vdsplex_test_op_finish_half_built),
	KUNIT_CASE(vdsplex_test_ioctl_structs),
	KUNIT_CASE(vdsplex_test_ioctl_layout),
	KUNIT_CASE(vdsplex_test_identity),
	{}
};

static struct kunit_suite vdsplex_async_suite = {
	.name = "vdsplex-async",
	.exit = fixture_exit,
	.test_cases = vdsplex_async_test_cases,
};

/* ---------------------------------------------------------------- metadata */

/* Write @val (little endian, @size bytes) at @off of @block. */
static void poke(void *block, size_t off, size_t size, u64 val)
{
	__le64 v = cpu_to_le64(val);

	memcpy(block + off, &v, size);
}

/* Recompute a block's checksum after a poke, as a buggy writer would. */
static void reseal(void *block)
{
	struct vdsplex_md_header *h = block;
	u32 magic = le32_to_cpu(h->magic);
	u64 nr = le64_to_cpu(h->blocknr);

	if (magic == VDSPLEX_MD_BITMAP_MAGIC) {
		vdsplex_md_bitmap_seal(block, nr);
		return;
	}
	h->csum = cpu_to_le32(crc32c(~0U, block + 4, VDSPLEX_MD_BLOCK_SIZE - 4) ^
			      VDSPLEX_MD_CSUM_XOR);
}

/* A zeroed metadata block, freed with the test. */
static void *md_block(struct kunit *test)
{
	void *blk = kunit_kzalloc(test, VDSPLEX_MD_BLOCK_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, blk);
	return blk;
}

/* A zeroed array of VDSPLEX_MD_MAX_PLEXES records, freed with the test. */
static struct vdsplex_md_plex *md_records(struct kunit *test)
{
	struct vdsplex_md_plex *p;

	p = kunit_kcalloc(test, VDSPLEX_MD_MAX_PLEXES, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static void md_super_sample(struct vdsplex_md_super *sb)
{
	static const u8 uuid[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
				     5, 6, 7, 8, 9, 10, 11, 12 };

	memset(sb, 0, sizeof(*sb));
	sb->version = VDSPLEX_MD_VERSION;
	sb->flags = VDSPLEX_MD_CLEAN;
	memcpy(sb->uuid, uuid, sizeof(uuid));
	sb->generation = 77;
	sb->volume_sectors = 1000000;
	sb->region_size = 2048;
	sb->nr_regions = vdsplex_nr_regions(1000000, 2048);
	sb->bitmap_blocks = 1;
	sb->resync_cursor = 100;
	sb->next_plex_id = 9;
	sb->nr_plexes = 2;
}

static void vdsplex_test_md_layout(struct kunit *test)
{
	struct vdsplex_md_layout l;

	vdsplex_md_layout(1, &l);
	KUNIT_EXPECT_EQ(test, l.bitmap_blocks, 1);
	KUNIT_EXPECT_EQ(test, l.write_intent, 2);
	KUNIT_EXPECT_EQ(test, l.discarded, 3);
	KUNIT_EXPECT_EQ(test, l.in_sync, 4);
	KUNIT_EXPECT_EQ(test, l.nr_blocks, 36);
	vdsplex_md_layout(VDSPLEX_MD_BITS_PER_BLOCK, &l);
	KUNIT_EXPECT_EQ(test, l.bitmap_blocks, 1);
	vdsplex_md_layout(VDSPLEX_MD_BITS_PER_BLOCK + 1, &l);
	KUNIT_EXPECT_EQ(test, l.bitmap_blocks, 2);
	KUNIT_EXPECT_EQ(test, vdsplex_md_in_sync_block(&l, 31), 6 + 31 * 2);
	KUNIT_EXPECT_EQ(test, l.nr_blocks, 2 + 34 * 2);
	/* 1 TiB in 4 KiB regions: 2^28 bits, 8225 blocks per bitmap */
	vdsplex_md_layout(1ULL << 28, &l);
	KUNIT_EXPECT_EQ(test, l.bitmap_blocks, 8225);
}

static void vdsplex_test_md_super_roundtrip(struct kunit *test)
{
	void *blk = md_block(test);
	struct vdsplex_md_super in, out;
	char *error = NULL;

	KUNIT_EXPECT_TRUE(test, vdsplex_md_block_is_zero(blk));
	md_super_sample(&in);
	vdsplex_md_super_encode(&in, blk);
	KUNIT_EXPECT_FALSE(test, vdsplex_md_block_is_zero(blk));
	KUNIT_ASSERT_EQ_MSG(test, vdsplex_md_super_decode(blk, &out, &error), 0,
			    "%s", error);
	KUNIT_EXPECT_EQ(test, memcmp(&in, &out, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(((struct vdsplex_md_header *)blk)->magic),
			VDSPLEX_MD_SUPER_MAGIC);
	KUNIT_EXPECT_EQ(test, vdsplex_md_super_check_table(&out, 1000000, 2048,
							   &error), 0);
	KUNIT_EXPECT_EQ(test, vdsplex_md_super_check_table(&out, 999999, 2048,
							   &error), -EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "metadata is for a volume of 1000000 sectors, table: 999999");
	KUNIT_EXPECT_EQ(test, vdsplex_md_super_check_table(&out, 1000000, 1024,
							   &error), -EINVAL);
	KUNIT_EXPECT_STREQ(test, error, "metadata has region_size 2048, the table 1024");
}

struct md_corrupt {
	const char *desc;
	size_t off;
	size_t size;
	u64 val;
	bool reseal;
	int err;
	const char *msg;	/* substring of the error */
};

#define SB_OFF(f) offsetof(struct vdsplex_disk_super, f)
#define SB_SZ(f) sizeof_field(struct vdsplex_disk_super, f)

static const struct md_corrupt super_corrupt[] = {
	{ "torn uuid byte", SB_OFF(uuid), 1, 0x55, false, -EILSEQ,
	  "metadata superblock: checksum mismatch" },
	{ "foreign magic", SB_OFF(hdr.magic), 4, 0xa5a5a5a5, false, -EINVAL,
	  "bad magic a5a5a5a5 (want 50534456): not ours, or corrupt" },
	{ "a plex table block", SB_OFF(hdr.magic), 4, VDSPLEX_MD_PLEXES_MAGIC,
	  true, -EINVAL, "bad magic 58454c50" },
	{ "misplaced block", SB_OFF(hdr.blocknr), 8, 5, true, -EILSEQ,
	  "written for block 5, found at block 0" },
	{ "newer version", SB_OFF(version), 4, 3, true, -EINVAL,
	  "version 3 is not supported (reads 1 to 2)" },
	{ "version 0", SB_OFF(version), 4, 0, true, -EINVAL,
	  "version 0 is not supported" },
	{ "unknown flag", SB_OFF(flags), 4, 0x81, true, -EINVAL,
	  "unknown flags 0x80" },
	{ "region size 12", SB_OFF(region_size), 4, 12, true, -EINVAL,
	  "invalid region size 12" },
	{ "region size 4", SB_OFF(region_size), 4, 4, true, -EINVAL,
	  "invalid region size 4" },
	{ "no sectors", SB_OFF(volume_sectors), 8, 0, true, -EINVAL,
	  "regions do not cover 0 sectors" },
	{ "regions off by one", SB_OFF(nr_regions), 8, 488, true, -EINVAL,
	  "488 regions do not cover 1000000 sectors of 2048" },
	{ "bitmap blocks", SB_OFF(bitmap_blocks), 4, 3, true, -EINVAL,
	  "3 bitmap blocks, 489 regions need 1" },
	{ "checkpoint beyond", SB_OFF(resync_cursor), 8, 490, true, -EINVAL,
	  "resync checkpoint 490 beyond 489 regions" },
	{ "33 plexes", SB_OFF(nr_plexes), 4, 33, true, -EINVAL,
	  "33 plexes, next id 9" },
	{ "next id 0", SB_OFF(next_plex_id), 8, 0, true, -EINVAL,
	  "2 plexes, next id 0" },
	{ "next id near wrap", SB_OFF(next_plex_id), 8, U64_MAX, true, -EINVAL,
	  "2 plexes, next id 18446744073709551615" },
	{ "sectors near wrap", SB_OFF(volume_sectors), 8, U64_MAX - 10, true,
	  -EINVAL, "regions do not cover 18446744073709551605 sectors" },
	{ "reserved field", SB_OFF(reserved), 4, 1, true, -EINVAL,
	  "metadata superblock: reserved bytes are not zero" },
	{ "byte after the superblock", sizeof(struct vdsplex_disk_super) + 100,
	  1, 7, true, -EINVAL, "metadata superblock: reserved bytes are not zero" },
};

KUNIT_ARRAY_PARAM_DESC(super_corrupt, super_corrupt, desc);

/* Each corruption is rejected with its message. */
static void vdsplex_test_md_super_corrupt(struct kunit *test)
{
	const struct md_corrupt *c = test->param_value;
	void *blk = md_block(test);
	struct vdsplex_md_super in, out;
	char *error = NULL;

	md_super_sample(&in);
	vdsplex_md_super_encode(&in, blk);
	poke(blk, c->off, c->size, c->val);
	if (c->reseal)
		reseal(blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_super_decode(blk, &out, &error),
			c->err);
	KUNIT_ASSERT_NOT_NULL(test, error);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(error, c->msg), "error: %s",
				  error);
}

static void md_plexes_sample(struct vdsplex_md_plex *p)
{
	memset(p, 0, VDSPLEX_MD_MAX_PLEXES * sizeof(*p));
	p[0].id = 1;
	strscpy(p[0].identity, "wwn-0x5000c500a1b2c3d4", sizeof(p[0].identity));
	p[0].dev_major = 8;
	p[0].dev_minor = 16;
	p[0].dev_sectors = 2000000;
	p[0].state = VDSPLEX_MD_ALIVE;
	p[5].id = 8;
	p[5].dev_major = 8;
	p[5].dev_minor = 16;
	p[5].offset = 2048;
	p[5].state = VDSPLEX_MD_RECOVER;
	p[5].flags = VDSPLEX_MD_PLEX_ADDED;
	p[5].write_errors = 3;
	p[5].checkpoint = 200;
}

static void vdsplex_test_md_plexes_roundtrip(struct kunit *test)
{
	struct vdsplex_md_plex *in, *out;
	void *blk = md_block(test);
	struct vdsplex_md_super sb;
	char *error = NULL;

	in = md_records(test);
	out = md_records(test);
	md_super_sample(&sb);
	md_plexes_sample(in);
	vdsplex_md_plexes_encode(in, &sb, blk);
	KUNIT_ASSERT_EQ_MSG(test, vdsplex_md_plexes_decode(blk, &sb, out, &error),
			    0, "%s", error);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, VDSPLEX_MD_MAX_PLEXES * sizeof(*in)), 0);
}

#define PL_OFF(slot, f) (VDSPLEX_MD_HEADER_SIZE + \
			 (slot) * sizeof(struct vdsplex_disk_plex) + \
			 offsetof(struct vdsplex_disk_plex, f))
#define PL_TAG (VDSPLEX_MD_HEADER_SIZE + \
		VDSPLEX_MD_MAX_PLEXES * sizeof(struct vdsplex_disk_plex))

static const struct md_corrupt plexes_corrupt[] = {
	{ "torn record", PL_OFF(5, offset), 2, 0x1234, false, -EILSEQ,
	  "metadata plex table: checksum mismatch" },
	{ "superblock magic", 4, 4, VDSPLEX_MD_SUPER_MAGIC, true, -EINVAL,
	  "metadata plex table: bad magic 50534456" },
	{ "misplaced", 8, 8, 0, true, -EILSEQ,
	  "written for block 0, found at block 1" },
	{ "state 9", PL_OFF(5, state), 4, 9, true, -EINVAL,
	  "plex record 5: invalid state 9" },
	{ "state free with an id", PL_OFF(0, state), 4, 0, true, -EINVAL,
	  "plex record 0: invalid state 0" },
	{ "id from the future", PL_OFF(5, id), 8, 9, true, -EINVAL,
	  "plex record 5: id 9 not below the next id 9" },
	{ "same id twice", PL_OFF(5, id), 8, 1, true, -EINVAL,
	  "plex records 0 and 5 share id 1" },
	{ "unknown flag", PL_OFF(5, flags), 4, 0x10, true, -EINVAL,
	  "plex record 5: unknown flags 0x10" },
	{ "checkpoint beyond", PL_OFF(5, checkpoint), 8, 1000, true, -EINVAL,
	  "plex record 5: checkpoint 1000 beyond 489 regions" },
	{ "identity with a space", PL_OFF(0, identity) + 3, 1, ' ', true,
	  -EINVAL, "plex record 0: identity has a character 0x20" },
	{ "garbage after the identity", PL_OFF(0, identity) + 63, 1, 'x', true,
	  -EINVAL, "plex record 0: identity is not NUL-padded" },
	{ "free slot not zeroed", PL_OFF(7, offset), 8, 1, true, -EINVAL,
	  "plex record 7: free but not zeroed" },
	{ "a third record", PL_OFF(9, id), 8, 4, true, -EINVAL,
	  "plex record 9: invalid state 0" },
	{ "minor beyond 20 bits", PL_OFF(0, dev_minor), 4, 1U << 20, true,
	  -EINVAL, "plex record 0: invalid device 8:1048576" },
	{ "major beyond 12 bits", PL_OFF(5, dev_major), 4, 4096, true,
	  -EINVAL, "plex record 5: invalid device 4096:16" },
	{ "read errors past INT_MAX", PL_OFF(5, read_errors), 4, 0x80000000U,
	  true, -EINVAL, "plex record 5: error counts 2147483648/3 out of range" },
	{ "the same plex twice", PL_OFF(5, offset), 8, 0, true, -EINVAL,
	  "records 0 and 5: same plex 8:16" },
	{ "bytes after the tag", PL_TAG + 16 + 10, 1, 9, true, -EINVAL,
	  "metadata plex table: bytes after the commit tag are not zero" },
	{ "tag of an older commit", PL_TAG, 8, 76, true, -EINVAL,
	  "commit 76 (next id 9), superblock: 77 (9)" },
	{ "tag two commits ahead", PL_TAG, 8, 79, true, -EINVAL,
	  "commit 79 (next id 9), superblock: 77 (9)" },
	{ "tag of the same commit, another next id", PL_TAG + 8, 8, 10, true,
	  -EINVAL, "commit 77 (next id 10), superblock: 77 (9)" },
	{ "no tag on a version 2 device", PL_TAG, 8, 0, true, -EINVAL,
	  "commit 0 (next id 9), superblock: 77 (9)" },
};

KUNIT_ARRAY_PARAM_DESC(plexes_corrupt, plexes_corrupt, desc);

static void vdsplex_test_md_plexes_corrupt(struct kunit *test)
{
	const struct md_corrupt *c = test->param_value;
	void *blk = md_block(test);
	struct vdsplex_md_plex *p;
	struct vdsplex_md_super sb;
	char *error = NULL;

	p = md_records(test);
	md_super_sample(&sb);
	md_plexes_sample(p);
	vdsplex_md_plexes_encode(p, &sb, blk);
	poke(blk, c->off, c->size, c->val);
	if (c->reseal)
		reseal(blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, p, &error),
			c->err);
	KUNIT_ASSERT_NOT_NULL(test, error);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(error, c->msg), "error: %s",
				  error);
}

/* For the same commit, a record count that disagrees is rejected. */
static void vdsplex_test_md_plexes_count(struct kunit *test)
{
	void *blk = md_block(test);
	struct vdsplex_md_plex *p;
	struct vdsplex_md_super sb;
	char *error = NULL;

	p = md_records(test);
	md_super_sample(&sb);
	md_plexes_sample(p);
	vdsplex_md_plexes_encode(p, &sb, blk);
	sb.nr_plexes = 3;
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, p, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "metadata plex table: 2 records in use, the superblock says 3");
}

/*
 * A full commit cut short between its two blocks: block 1 (a third plex
 * added, next id 10, commit 78) reached the disk, block 0 (commit 77) did
 * not.  The table wins and the superblock takes what it implies; the same
 * records under the old superblock's commit are refused.
 */
static void vdsplex_test_md_table_newer(struct kunit *test)
{
	void *blk = md_block(test);
	struct vdsplex_md_super sb, next;
	struct vdsplex_md_plex *p, *q;
	char *error = NULL;

	p = md_records(test);
	q = md_records(test);
	md_super_sample(&sb);
	md_plexes_sample(p);
	p[9].id = 9;
	p[9].dev_major = 8;
	p[9].dev_minor = 32;
	p[9].state = VDSPLEX_MD_RECOVER;
	p[9].flags = VDSPLEX_MD_PLEX_ADDED;
	next = sb;
	next.generation = 78;
	next.next_plex_id = 10;
	next.nr_plexes = 3;
	vdsplex_md_plexes_encode(p, &next, blk);

	KUNIT_ASSERT_EQ_MSG(test, vdsplex_md_plexes_decode(blk, &sb, q, &error),
			    0, "%s", error);
	KUNIT_EXPECT_TRUE(test, sb.table_newer);
	KUNIT_EXPECT_EQ(test, sb.generation, 78);
	KUNIT_EXPECT_EQ(test, sb.next_plex_id, 10);
	KUNIT_EXPECT_EQ(test, sb.nr_plexes, 3U);
	/* the cut commit's writes may be in the log: not clean */
	KUNIT_EXPECT_FALSE(test, sb.flags & VDSPLEX_MD_CLEAN);
	KUNIT_EXPECT_EQ(test, memcmp(p, q, VDSPLEX_MD_MAX_PLEXES * sizeof(*p)), 0);
	/* decoded again against the updated superblock: the same commit */
	sb.table_newer = false;
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, q, &error), 0);
	KUNIT_EXPECT_FALSE(test, sb.table_newer);
	KUNIT_EXPECT_EQ(test, sb.generation, 78);

	/* a next id that went backwards is refused */
	md_super_sample(&sb);
	next.next_plex_id = 8;
	p[9] = (struct vdsplex_md_plex){ 0 };
	next.nr_plexes = 2;
	vdsplex_md_plexes_encode(p, &next, blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, q, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "metadata plex table: next id 8, the superblock has 9");
	KUNIT_EXPECT_FALSE(test, sb.table_newer);
	KUNIT_EXPECT_EQ(test, sb.generation, 77);

	/* the same three records tagged with the superblock's own commit */
	p[9].id = 9;
	p[9].dev_major = 8;
	p[9].dev_minor = 32;
	p[9].state = VDSPLEX_MD_RECOVER;
	next = sb;
	next.next_plex_id = 10;
	vdsplex_md_plexes_encode(p, &next, blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, q, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "metadata plex table: commit 77 (next id 10), superblock: 77 (9)");
	/* no wrap: generation 0 is not the one after U64_MAX */
	sb.generation = U64_MAX;
	next.generation = 0;
	vdsplex_md_plexes_encode(p, &next, blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, q, &error),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, sb.table_newer);
}

/*
 * Version 1 (no tag): read with the old rules; tagged by a later commit or
 * by vdsplex activate's new hints, it is read too.
 */
static void vdsplex_test_md_version1(struct kunit *test)
{
	void *blk = md_block(test);
	void *sblk = md_block(test);
	struct vdsplex_md_super sb, v1;
	struct vdsplex_md_plex *p;
	char *error = NULL;

	p = md_records(test);
	md_super_sample(&sb);
	vdsplex_md_super_encode(&sb, sblk);
	poke(sblk, offsetof(struct vdsplex_disk_super, version), 4, 1);
	reseal(sblk);
	KUNIT_ASSERT_EQ_MSG(test, vdsplex_md_super_decode(sblk, &v1, &error), 0,
			    "%s", error);
	KUNIT_EXPECT_EQ(test, v1.version, 1U);
	/* a version 1 table: the tag bytes are zero */
	md_plexes_sample(p);
	vdsplex_md_plexes_encode(p, &sb, blk);
	poke(blk, PL_TAG, 8, 0);
	poke(blk, PL_TAG + 8, 8, 0);
	reseal(blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &v1, p, &error), 0);
	KUNIT_EXPECT_FALSE(test, v1.table_newer);
	/* its count is still checked */
	v1.nr_plexes = 1;
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &v1, p, &error),
			-EINVAL);
	v1.nr_plexes = 2;
	/* no tag means version 1 only */
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &sb, p, &error),
			-EINVAL);
	/* re-encoded for version 1 (vdsplex activate's hints): still no tag */
	vdsplex_md_plexes_encode(p, &v1, blk);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(blk + PL_TAG, 0, 16));
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &v1, p, &error), 0);
	KUNIT_EXPECT_FALSE(test, v1.table_newer);
	/* the first version 2 commit cut short after block 1 */
	sb.generation = v1.generation + 1;
	vdsplex_md_plexes_encode(p, &sb, blk);
	KUNIT_EXPECT_EQ(test, vdsplex_md_plexes_decode(blk, &v1, p, &error), 0);
	KUNIT_EXPECT_TRUE(test, v1.table_newer);
	KUNIT_EXPECT_EQ(test, v1.version, VDSPLEX_MD_VERSION);
}

static void vdsplex_test_md_bitmap(struct kunit *test)
{
	void *blk = kunit_kzalloc(test, VDSPLEX_MD_BLOCK_SIZE, GFP_KERNEL);
	unsigned long *bits;
	char *error = NULL;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	bits = vdsplex_md_bitmap_bits(blk);
	set_bit(0, bits);
	set_bit(VDSPLEX_MD_BITS_PER_BLOCK - 1, bits);
	vdsplex_md_bitmap_seal(blk, 40);
	KUNIT_EXPECT_EQ(test, vdsplex_md_bitmap_check(blk, 40, &error), 0);
	KUNIT_EXPECT_EQ(test, ((u8 *)blk)[VDSPLEX_MD_BLOCK_SIZE - 1], 0x80);
	/* read from the wrong place */
	KUNIT_EXPECT_EQ(test, vdsplex_md_bitmap_check(blk, 41, &error), -EILSEQ);
	KUNIT_EXPECT_NOT_NULL(test, strstr(error, "written for block 40, found at block 41"));
	/* a bit flipped after the write */
	clear_bit(0, bits);
	KUNIT_EXPECT_EQ(test, vdsplex_md_bitmap_check(blk, 40, &error), -EILSEQ);
	KUNIT_EXPECT_NOT_NULL(test, strstr(error, "metadata bitmap block: checksum mismatch"));
	/* a zeroed (never written) block is not a valid bitmap block */
	memset(blk, 0, VDSPLEX_MD_BLOCK_SIZE);
	KUNIT_EXPECT_EQ(test, vdsplex_md_bitmap_check(blk, 40, &error), -EINVAL);
}

static struct kunit_case vdsplex_metadata_test_cases[] = {
	KUNIT_CASE(vdsplex_test_md_layout),
	KUNIT_CASE(vdsplex_test_md_super_roundtrip),
	KUNIT_CASE_PARAM(vdsplex_test_md_super_corrupt, super_corrupt_gen_params),
	KUNIT_CASE(vdsplex_test_md_plexes_roundtrip),
	KUNIT_CASE_PARAM(vdsplex_test_md_plexes_corrupt, plexes_corrupt_gen_params),
	KUNIT_CASE(vdsplex_test_md_plexes_count),
	KUNIT_CASE(vdsplex_test_md_table_newer),
	KUNIT_CASE(vdsplex_test_md_version1),
	KUNIT_CASE(vdsplex_test_md_bitmap),
	{}
};

static struct kunit_suite vdsplex_metadata_suite = {
	.name = "vdsplex-metadata",
	.test_cases = vdsplex_metadata_test_cases,
};

/* ------------------------------------------------------ write-intent log */

/* A fixture whose volume has metadata state without a device. */
static struct vdsplex_md *md_fixture(struct kunit *test, struct fixture *f)
{
	struct vdsplex_md *md = vdsplex_md_alloc(f->vol);

	KUNIT_ASSERT_NOT_NULL(test, md);
	f->vol->meta = md;
	f->vol->active = f->ctx;
	return md;
}

static void md_fixture_exit(struct kunit *test)
{
	struct fixture *f = test->priv;

	if (f)
		vdsplex_resync_free_kunit(f->vol);
	if (f && f->vol->meta) {
		cancel_delayed_work_sync(&f->vol->meta->commit_work);
		vdsplex_md_free(f->vol->meta);
		f->vol->meta = NULL;
		f->vol->active = NULL;
	}
	fixture_exit(test);
}

static struct bio *md_bio(struct kunit *test, u64 region)
{
	struct bio *bio = kunit_kzalloc(test, sizeof(*bio), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bio);
	bio->bi_iter.bi_sector = region * FIX_REGION;
	return bio;
}

/* Many writers share one commit; a region on disk needs no commit. */
static void vdsplex_test_wi_batching(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_md *md = md_fixture(test, f);
	struct vdsplex_volume *vol = f->vol;
	struct bio *a = md_bio(test, 3), *b = md_bio(test, 3);
	struct bio *c = md_bio(test, 9), *d = md_bio(test, 3);
	struct bio *late = md_bio(test, 20);
	struct bio_list ready = BIO_EMPTY_LIST;
	unsigned long flags;
	bool cleared;

	spin_lock_irqsave(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 3, a));
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 3, b));
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 9, c));
	KUNIT_EXPECT_EQ(test, bitmap_weight(md->wi_want, vol->nr_regions), 2);
	/* one commit takes every request made so far */
	KUNIT_EXPECT_TRUE(test, __vdsplex_md_prepare(vol, 0, &cleared));
	KUNIT_EXPECT_TRUE(test, test_bit(3, md->wi_image));
	KUNIT_EXPECT_TRUE(test, test_bit(9, md->wi_image));
	KUNIT_EXPECT_EQ(test, bitmap_weight(md->wi_image, vol->nr_regions), 2);
	/* not on disk yet: a writer arriving now parks too */
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 20, late));
	KUNIT_EXPECT_PTR_EQ(test, __vdsplex_md_done(vol, true, &ready), f->ctx);
	KUNIT_EXPECT_TRUE(test, test_bit(3, md->wi_disk));
	KUNIT_EXPECT_TRUE(test, test_bit(9, md->wi_disk));
	KUNIT_EXPECT_FALSE(test, test_bit(20, md->wi_disk));
	/* region 3 is on disk: no park, no commit */
	KUNIT_EXPECT_TRUE(test, vdsplex_md_write_admit(vol, 3, d));
	spin_unlock_irqrestore(&vol->state_lock, flags);

	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), a);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), b);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), c);
	KUNIT_EXPECT_NULL(test, bio_list_pop(&ready));
	/* the late writer waits for the next commit */
	KUNIT_EXPECT_PTR_EQ(test, md->parked.head, late);
	spin_lock_irqsave(&vol->state_lock, flags);
	KUNIT_EXPECT_TRUE(test, __vdsplex_md_prepare(vol, 0, &cleared));
	__vdsplex_md_done(vol, true, &ready);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), late);
	KUNIT_EXPECT_TRUE(test, bio_list_empty(&md->parked));
}

/* A failed commit sets no bit; once the metadata failed, writes go on. */
static void vdsplex_test_wi_failed_commit(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_md *md = md_fixture(test, f);
	struct vdsplex_volume *vol = f->vol;
	struct bio *a = md_bio(test, 4), *b = md_bio(test, 5);
	struct bio_list ready = BIO_EMPTY_LIST;
	unsigned long flags;
	bool cleared;

	spin_lock_irqsave(&vol->state_lock, flags);
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 4, a));
	KUNIT_EXPECT_TRUE(test, __vdsplex_md_prepare(vol, 0, &cleared));
	KUNIT_EXPECT_FALSE(test, test_bit(4, md->wi_want));
	__vdsplex_md_done(vol, false, &ready);
	KUNIT_EXPECT_FALSE(test, test_bit(4, md->wi_disk));
	KUNIT_EXPECT_TRUE(test, bio_list_empty(&ready));
	/* the write still waits, and the next commit asks for its bit again */
	KUNIT_EXPECT_TRUE(test, test_bit(4, md->wi_want));
	KUNIT_EXPECT_PTR_EQ(test, md->parked.head, a);
	md->failed = true;
	__vdsplex_md_done(vol, false, &ready);
	KUNIT_EXPECT_TRUE(test, vdsplex_md_write_admit(vol, 5, b));
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), a);
	KUNIT_EXPECT_TRUE(test, vdsplex_md_failed(vol));
}

/*
 * The sweep clears a region only when no write was admitted to it since the
 * last sweep and none is in flight; a clean commit clears every bit.
 */
static void vdsplex_test_wi_sweep(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_md *md = md_fixture(test, f);
	struct vdsplex_volume *vol = f->vol;
	struct bio_list ready = BIO_EMPTY_LIST;
	struct bio *w[8];
	unsigned long flags;
	unsigned int i;
	bool cleared;
	u8 epoch;

	/* no allocation under the spinlock */
	for (i = 0; i < ARRAY_SIZE(w); i++)
		w[i] = md_bio(test, 0);
	w[0]->bi_iter.bi_sector = 3 * FIX_REGION;
	w[1]->bi_iter.bi_sector = 7 * FIX_REGION;
	w[2]->bi_iter.bi_sector = 11 * FIX_REGION;
	w[6]->bi_iter.bi_sector = 3 * FIX_REGION;
	spin_lock_irqsave(&vol->state_lock, flags);
	vdsplex_md_write_admit(vol, 3, w[0]);
	vdsplex_md_write_admit(vol, 7, w[1]);
	vdsplex_md_write_admit(vol, 11, w[2]);
	__vdsplex_md_prepare(vol, 0, &cleared);
	__vdsplex_md_done(vol, true, &ready);
	/* 7 is written again, 11 has a write in flight */
	KUNIT_EXPECT_TRUE(test, vdsplex_md_write_admit(vol, 7, w[3]));
	KUNIT_EXPECT_TRUE(test, vdsplex_write_admit(vol, 11, w[4], &epoch));
	/* first sweep: everything was touched since the start */
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	KUNIT_EXPECT_FALSE(test, cleared);
	KUNIT_EXPECT_EQ(test, bitmap_weight(md->wi_image, vol->nr_regions), 3);
	__vdsplex_md_done(vol, true, &ready);
	KUNIT_EXPECT_TRUE(test, vdsplex_md_write_admit(vol, 7, w[5]));
	/* second sweep: 3 is idle and untouched: it goes */
	KUNIT_EXPECT_FALSE(test, __vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP,
						      &cleared));
	KUNIT_EXPECT_TRUE(test, cleared);
	KUNIT_EXPECT_FALSE(test, test_bit(3, md->wi_image));
	KUNIT_EXPECT_FALSE(test, test_bit(3, md->wi_disk));
	KUNIT_EXPECT_TRUE(test, test_bit(7, md->wi_image));
	KUNIT_EXPECT_TRUE(test, test_bit(11, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);
	/* a write to 3 now needs a commit again */
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 3, w[6]));
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_write_finish(vol, 11, epoch);

	spin_lock_irqsave(&vol->state_lock, flags);
	/*
	 * 11 finished and was not written again, but while remove_plex drains
	 * a plex (still in sync in the metadata, it missed the writes since)
	 * no bit goes.
	 */
	f->ctx->legs[1].plex->removing = true;
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	KUNIT_EXPECT_FALSE(test, cleared);
	KUNIT_EXPECT_TRUE(test, test_bit(11, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);
	f->ctx->legs[1].plex->removing = false;
	/*
	 * Nor while a plex state change is not committed: the failed plex may
	 * have missed the writes to 11 (md's MD_SB_CHANGE_PENDING).
	 */
	KUNIT_EXPECT_FALSE(test, __vdsplex_change_pending(vol));
	__vdsplex_change(vol);
	KUNIT_EXPECT_TRUE(test, __vdsplex_change_pending(vol));
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	KUNIT_EXPECT_FALSE(test, cleared);
	KUNIT_EXPECT_TRUE(test, test_bit(11, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);
	vol->committed_seq = vol->change_seq;	/* what the event work does */
	KUNIT_EXPECT_FALSE(test, __vdsplex_change_pending(vol));
	/* third sweep: now 11 goes */
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	KUNIT_EXPECT_TRUE(test, cleared);
	KUNIT_EXPECT_FALSE(test, test_bit(11, md->wi_image));
	KUNIT_EXPECT_TRUE(test, test_bit(3, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);
	/* a clean stop: nothing in flight, every bit goes */
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_CLEAN, &cleared);
	KUNIT_EXPECT_TRUE(test, cleared);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(md->wi_image, vol->nr_regions));
	__vdsplex_md_done(vol, true, &ready);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	while (bio_list_pop(&ready))
		;
}

/*
 * remove_plex and cancel take a plex out of the metadata before it stops
 * receiving writes (vdsplex_leave()): a plex marked leaving gets no record
 * in the next commit, whatever its state, and no longer counts as in sync
 * for a failure decision or as the source.
 */
static void vdsplex_test_leave(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_volume *vol = f->vol;
	struct vdsplex_plex *p0 = f->ctx->legs[0].plex;
	struct vdsplex_plex *p1 = f->ctx->legs[1].plex;
	struct vdsplex_plex *p2 = f->ctx->legs[2].plex;
	unsigned long flags;

	md_fixture(test, f);
	/* the fixture's devices have no block device behind them */
	f->ctx->legs[0].dev = NULL;
	f->ctx->legs[1].dev = NULL;
	f->ctx->legs[2].dev = NULL;
	/* a record with id 0 is a free slot: ids as a takeover gives them */
	p0->id = 1;
	p1->id = 2;
	p2->id = 3;
	KUNIT_EXPECT_EQ(test, vdsplex_md_recorded_slots(vol), 0x7U);
	KUNIT_EXPECT_EQ(test, atomic_read(&p2->pending), 0);

	/* an in-sync plex leaving: its slot is written free */
	p1->leaving = true;
	KUNIT_EXPECT_EQ(test, vdsplex_md_recorded_slots(vol),
			(u32)(BIT(p0->slot) | BIT(p2->slot)));
	spin_lock_irqsave(&vol->state_lock, flags);
	KUNIT_EXPECT_EQ(test, __vdsplex_alive_count(vol), 2U);
	spin_unlock_irqrestore(&vol->state_lock, flags);

	/* a recovering one too (its in-sync bitmap is not pinned) */
	p2->state = VDSPLEX_PLEX_RECOVERING;
	p2->leaving = true;
	KUNIT_EXPECT_EQ(test, vdsplex_md_recorded_slots(vol), (u32)BIT(p0->slot));
	KUNIT_EXPECT_EQ(test, atomic_read(&p2->pending), 0);
	p2->leaving = false;
	KUNIT_EXPECT_EQ(test, vdsplex_md_recorded_slots(vol),
			(u32)(BIT(p0->slot) | BIT(p2->slot)));
	KUNIT_EXPECT_EQ(test, atomic_read(&p2->pending), 0);

	/* the source is never a leaving plex */
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 0);
	p0->leaving = true;
	p1->leaving = false;
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 1);
	spin_lock_irqsave(&vol->state_lock, flags);
	KUNIT_EXPECT_EQ(test, __vdsplex_alive_count(vol), 1U);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	p0->leaving = false;
}

/*
 * A region the disk says is discarded: a write to it waits until the map
 * on disk no longer says so (else a resync could skip its data).
 */
static void vdsplex_test_wi_discard(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_md *md = md_fixture(test, f);
	struct vdsplex_volume *vol = f->vol;
	struct bio *a = md_bio(test, 6), *b = md_bio(test, 6);
	struct bio_list ready = BIO_EMPTY_LIST;
	unsigned long flags;
	bool cleared;

	spin_lock_irqsave(&vol->state_lock, flags);
	/* region 6: dirty and discarded, on disk and in core */
	set_bit(6, md->wi_disk);
	set_bit(6, md->disc_disk);
	set_bit(6, vol->discarded);
	/* another discard of it needs no commit */
	KUNIT_EXPECT_TRUE(test, vdsplex_md_write_admit(vol, 6, a));
	/* a write made it current (the map path clears the bit first) */
	clear_bit(6, vol->discarded);
	KUNIT_EXPECT_FALSE(test, vdsplex_md_write_admit(vol, 6, b));
	KUNIT_EXPECT_TRUE(test, __vdsplex_md_prepare(vol, 0, &cleared));
	KUNIT_EXPECT_TRUE(test, md->disc_write);
	KUNIT_EXPECT_FALSE(test, test_bit(6, md->disc_image));
	/* not written yet: still waiting */
	KUNIT_EXPECT_PTR_EQ(test, md->parked.head, b);
	__vdsplex_md_done(vol, true, &ready);
	KUNIT_EXPECT_FALSE(test, test_bit(6, md->disc_disk));
	KUNIT_EXPECT_FALSE(test, md->disc_write);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	KUNIT_EXPECT_PTR_EQ(test, bio_list_pop(&ready), b);
	KUNIT_EXPECT_NULL(test, bio_list_pop(&ready));
}

/* The bits of one block of a bitmap; bits past the end are zero. */
static void vdsplex_test_md_fill_block(struct kunit *test)
{
	u64 nr = VDSPLEX_MD_BITS_PER_BLOCK + 70;
	unsigned long *bits = kunit_kcalloc(test, BITS_TO_LONGS(nr),
					    sizeof(long), GFP_KERNEL);
	void *blk = kunit_kzalloc(test, VDSPLEX_MD_BLOCK_SIZE, GFP_KERNEL);
	unsigned long *in;

	KUNIT_ASSERT_NOT_NULL(test, bits);
	KUNIT_ASSERT_NOT_NULL(test, blk);
	in = vdsplex_md_bitmap_bits(blk);
	set_bit(0, bits);
	set_bit(VDSPLEX_MD_BITS_PER_BLOCK - 1, bits);
	set_bit(VDSPLEX_MD_BITS_PER_BLOCK + 69, bits);
	KUNIT_EXPECT_TRUE(test, vdsplex_md_fill_block(blk, bits, nr, 0));
	KUNIT_EXPECT_TRUE(test, test_bit(0, in));
	KUNIT_EXPECT_TRUE(test, test_bit(VDSPLEX_MD_BITS_PER_BLOCK - 1, in));
	KUNIT_EXPECT_EQ(test, bitmap_weight(in, VDSPLEX_MD_BITS_PER_BLOCK), 2);
	/* the same bits again: nothing to write */
	KUNIT_EXPECT_FALSE(test, vdsplex_md_fill_block(blk, bits, nr, 0));
	/* the last block holds 70 bits; garbage after them is cleared */
	memset(in, 0xff, VDSPLEX_MD_BITS_PER_BLOCK / 8);
	KUNIT_EXPECT_TRUE(test, vdsplex_md_fill_block(blk, bits, nr, 1));
	KUNIT_EXPECT_EQ(test, bitmap_weight(in, VDSPLEX_MD_BITS_PER_BLOCK), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(69, in));
	KUNIT_EXPECT_FALSE(test, vdsplex_md_fill_block(blk, bits, nr, 1));
	/* the header is not the bitmap's */
	KUNIT_EXPECT_EQ(test, ((u8 *)blk)[0], 0);
}

/*
 * After an unclean shutdown every plex but the source loses the dirty
 * regions, and reads of them go to the source only; an in-sync plex stays
 * in sync (it counts for writes) but for them.
 */
static void vdsplex_test_md_mark_dirty(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 4, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_volume *vol = f->vol;
	unsigned long *dirty = kunit_kcalloc(test, BITS_TO_LONGS(vol->nr_regions),
					     sizeof(long), GFP_KERNEL);
	struct vdsplex_plex *rec = f->ctx->legs[2].plex;
	unsigned int rr;

	KUNIT_ASSERT_NOT_NULL(test, dirty);
	set_bit(5, dirty);
	set_bit(vol->nr_regions - 1, dirty);
	spin_lock_irq(&vol->state_lock);
	__vdsplex_plex_fail(vol, f->ctx->legs[3].plex);
	spin_unlock_irq(&vol->state_lock);
	/* plex 2 was recovering: regions 0..9 copied, 5 among them */
	rec->state = VDSPLEX_PLEX_STALE;
	bitmap_set(rec->in_sync, 0, 10);
	vdsplex_md_mark_dirty(f->ctx, dirty, 0);

	KUNIT_EXPECT_EQ(test, f->ctx->legs[0].plex->state, VDSPLEX_PLEX_ALIVE);
	KUNIT_EXPECT_EQ(test, f->ctx->legs[1].plex->state, VDSPLEX_PLEX_ALIVE);
	KUNIT_EXPECT_TRUE(test, vdsplex_plex_counts(f->ctx->legs[1].plex));
	KUNIT_EXPECT_EQ(test, f->ctx->legs[3].plex->state, VDSPLEX_PLEX_DEAD);
	KUNIT_EXPECT_TRUE(test, vol->unclean);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(vol->unsynced, dirty, vol->nr_regions));
	KUNIT_EXPECT_FALSE(test, vdsplex_leg_can_read(f->ctx, 1, 5));
	KUNIT_EXPECT_TRUE(test, vdsplex_leg_can_read(f->ctx, 1, 4));
	KUNIT_EXPECT_EQ(test, f->ctx->legs[1].plex->synced, vol->nr_regions - 2);
	KUNIT_EXPECT_EQ(test, rec->synced, 9);
	KUNIT_EXPECT_FALSE(test, test_bit(5, rec->in_sync));
	/* the dead plex missed them too: readd_plex will copy them */
	KUNIT_EXPECT_EQ(test, f->ctx->legs[3].plex->synced, vol->nr_regions - 2);
	KUNIT_EXPECT_FALSE(test, test_bit(5, f->ctx->legs[3].plex->in_sync));
	for (rr = 0; rr < 8; rr++) {
		u64 last = vol->nr_regions - 1;

		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 5, rr), 0);
		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, last, rr), 0);
	}
	/* a clean region is read from the plexes in sync in it */
	for (rr = 0; rr < 8; rr++)
		if (vdsplex_choose_read_leg(f->ctx, 4, rr) != 0)
			break;
	KUNIT_EXPECT_LT(test, rr, 8);
}

/*
 * The dirty regions of an unclean shutdown stay dirty on disk until every
 * in-sync plex has them: no sweep and no clean stop clears their bits.
 * When the plex they are copied from fails, another in-sync plex holds
 * them (reads are served); a plex that goes stale or dies keeps lacking
 * them.
 */
static void vdsplex_test_unsynced(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 3, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_md *md = md_fixture(test, f);
	struct vdsplex_volume *vol = f->vol;
	struct vdsplex_plex *p1 = f->ctx->legs[1].plex;
	struct vdsplex_plex *p2 = f->ctx->legs[2].plex;
	struct bio_list ready = BIO_EMPTY_LIST;
	unsigned long *dirty = kunit_kcalloc(test, BITS_TO_LONGS(vol->nr_regions),
					     sizeof(long), GFP_KERNEL);
	unsigned long flags;
	unsigned int rr;
	bool cleared;

	KUNIT_ASSERT_NOT_NULL(test, dirty);
	set_bit(5, dirty);
	set_bit(9, dirty);
	bitmap_copy(md->wi_disk, dirty, vol->nr_regions);
	vdsplex_md_mark_dirty(f->ctx, dirty, 0);
	KUNIT_EXPECT_EQ(test, p1->state, VDSPLEX_PLEX_ALIVE);
	KUNIT_EXPECT_EQ(test, p2->state, VDSPLEX_PLEX_ALIVE);

	spin_lock_irqsave(&vol->state_lock, flags);
	/* a sweep clears an idle, untouched region: not these */
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	__vdsplex_md_done(vol, true, &ready);
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_SWEEP, &cleared);
	KUNIT_EXPECT_FALSE(test, cleared);
	KUNIT_EXPECT_TRUE(test, test_bit(5, md->wi_image));
	KUNIT_EXPECT_TRUE(test, test_bit(9, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);
	/* nor does a clean stop */
	__vdsplex_md_prepare(vol, VDSPLEX_COMMIT_FULL | VDSPLEX_COMMIT_CLEAN,
			     &cleared);
	KUNIT_EXPECT_TRUE(test, test_bit(5, md->wi_disk));
	KUNIT_EXPECT_TRUE(test, test_bit(9, md->wi_image));
	__vdsplex_md_done(vol, true, &ready);

	/*
	 * The source goes stale in region 20 (a read error): it still holds
	 * 5 and 9 and stays their holder, for the resync and for primary
	 * reads, though plex 1 is the source now.
	 */
	__vdsplex_region_stale(vol, f->ctx->legs[0].plex, 20);
	KUNIT_EXPECT_EQ(test, f->ctx->legs[0].plex->state, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_EQ(test, vdsplex_source_leg(f->ctx), 1);
	KUNIT_EXPECT_EQ(test, __vdsplex_unsynced_holder(f->ctx, 5), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(5, p1->in_sync));
	f->ctx->read_policy = VDSPLEX_READ_PRIMARY;
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 4, 0), 1);
	f->ctx->read_policy = VDSPLEX_READ_ROUND_ROBIN;

	/* it fails: plex 1, the source, takes region 5 over */
	__vdsplex_plex_fail(vol, f->ctx->legs[0].plex);
	KUNIT_EXPECT_LT(test, vdsplex_choose_read_leg(f->ctx, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, __vdsplex_unsynced_holder(f->ctx, 5), 1);
	for (rr = 0; rr < 8; rr++)
		KUNIT_EXPECT_EQ(test, vdsplex_choose_read_leg(f->ctx, 5, rr), 1);
	/* plex 2 still lacks it: still dirty */
	KUNIT_EXPECT_TRUE(test, test_bit(5, vol->unsynced));
	KUNIT_EXPECT_FALSE(test, vdsplex_leg_can_read(f->ctx, 2, 5));
	/* a read error makes plex 2 stale in region 20; 5 and 9 it lacks */
	__vdsplex_region_stale(vol, p2, 20);
	KUNIT_EXPECT_EQ(test, p2->state, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_FALSE(test, test_bit(5, p2->in_sync));
	KUNIT_EXPECT_FALSE(test, test_bit(9, p2->in_sync));
	KUNIT_EXPECT_FALSE(test, test_bit(20, p2->in_sync));
	KUNIT_EXPECT_TRUE(test, test_bit(21, p2->in_sync));
	KUNIT_EXPECT_EQ(test, p2->synced, vol->nr_regions - 3);
	/* the bits past the last region stay clear */
	if (vol->nr_regions % BITS_PER_LONG)
		KUNIT_EXPECT_EQ(test, p2->in_sync[vol->nr_regions / BITS_PER_LONG] &
				~BITMAP_LAST_WORD_MASK(vol->nr_regions), 0UL);
	spin_unlock_irqrestore(&vol->state_lock, flags);
}

/* A dead plex counts the regions written while it is dead, once each. */
static void vdsplex_test_dead_missed(struct kunit *test)
{
	struct fixture *f = fixture_make(test, 2, VDSPLEX_PLEX_ALIVE);
	struct vdsplex_volume *vol = f->vol;
	struct vdsplex_plex *p = f->ctx->legs[1].plex;

	spin_lock_irq(&vol->state_lock);
	__vdsplex_plex_fail(vol, p);
	KUNIT_EXPECT_EQ(test, p->state, VDSPLEX_PLEX_DEAD);
	KUNIT_EXPECT_EQ(test, p->synced, vol->nr_regions);
	__vdsplex_region_missed(vol, p, 7);
	__vdsplex_region_missed(vol, p, 7);
	__vdsplex_region_missed(vol, p, 100);
	spin_unlock_irq(&vol->state_lock);
	KUNIT_EXPECT_EQ(test, p->synced, vol->nr_regions - 2);
	KUNIT_EXPECT_FALSE(test, test_bit(7, p->in_sync));
	KUNIT_EXPECT_FALSE(test, test_bit(100, p->in_sync));
	KUNIT_EXPECT_TRUE(test, test_bit(8, p->in_sync));
	/* a read error makes an in-sync plex stale in that region only */
	spin_lock_irq(&vol->state_lock);
	__vdsplex_region_stale(vol, f->ctx->legs[0].plex, 9);
	spin_unlock_irq(&vol->state_lock);
	KUNIT_EXPECT_EQ(test, f->ctx->legs[0].plex->state, VDSPLEX_PLEX_STALE);
	KUNIT_EXPECT_EQ(test, f->ctx->legs[0].plex->synced, vol->nr_regions - 1);
	KUNIT_EXPECT_FALSE(test, vdsplex_leg_can_read(f->ctx, 0, 9));
	KUNIT_EXPECT_TRUE(test, vdsplex_leg_can_read(f->ctx, 0, 10));
}

/* ------------------------------------------------------------ crash model */

/*
 * The persisted state over random crash points (Documentation/design.rst,
 * "The invariant").  The model drives the volume's own state machine --
 * write admission and the write-intent log (vdsplex_md_write_admit(),
 * __vdsplex_md_prepare(), __vdsplex_md_done()), the region lock, the
 * resync's choices (__vdsplex_resync_next() through
 * vdsplex_resync_next_kunit()), read errors (__vdsplex_region_stale()), the
 * activation (vdsplex_md_mark_dirty()) and the read path's choice
 * (vdsplex_leg_can_read()) -- and plays the devices.  Each plex holds a
 * version per region twice: what a read returns and what its media hold; a
 * write or a copy lands in the volatile cache, which the device writes back
 * when it likes and a flush empties.  A commit plays vdsplex_md_commit()'s
 * steps one at a time: the plexes' flush (full and clearing commits), the
 * in-sync bitmaps of the plexes recorded not alive and the write-intent
 * block (the bitmaps first when the commit clears bits, any order
 * otherwise), then the plex table and the superblock.  Writes, copies,
 * flushes and read errors run between those steps; commits are serialised,
 * as under md->commit_lock.  A crash (a power cut: the caches are lost) may
 * come between any two steps; the next activation is built from the
 * modelled disk as vdsplex_md_apply() builds it (no write_mostly plex, no
 * discards, no AddPlex), with its full commit at preresume, and runs on,
 * crash after crash.
 *
 * Checked after every crash: the source the activation picks holds every
 * write acknowledged before a flush, and every region in which another plex
 * differs from it is dirty on disk or, for a plex recorded not alive, out of
 * sync in its on-disk bitmap.  Checked at every step: every plex the read
 * path may choose for a region with no write in flight returns the region's
 * last acknowledged write.  Not played: plex failures, remove and readd,
 * AddPlex, scrub, discards, a failed metadata device.
 */
#define CM_PLEXES	3
#define CM_NR		(FIX_LEN / FIX_REGION)
#define CM_HOT		12	/* the regions written: contention on few */
#define CM_WRITES	6	/* writes in flight at most */
#define CM_STEPS	20000
#define CM_CRASH	3	/* per mille of the steps */
/* the blocks of a commit: a bitmap per plex, then these */
#define CM_WI		CM_PLEXES
#define CM_TABLE	(CM_PLEXES + 1)
#define CM_SUPER	(CM_PLEXES + 2)
#define CM_FLUSH	(CM_PLEXES + 3)

enum cm_wstate { CM_FREE, CM_PARKED, CM_FLIGHT };

struct cm_write {
	enum cm_wstate st;
	struct bio *bio;	/* bi_private: this write */
	u64 region;
	u32 ver;
	unsigned long todo;	/* the legs it has yet to land on */
	u8 epoch;
};

enum cm_rstate {
	CM_R_NEXT, CM_R_DRAIN, CM_R_COPY, CM_R_RECORD, CM_R_FLUSH,
	CM_R_CHECKPOINT,
};

/* How often the paths that matter were taken, over every seed. */
struct cm_cover {
	unsigned int bitmaps, nonalive_crashes, lost_caches, flushed_passes;
	unsigned int stale, clean, crashes;
};

struct cm {
	struct kunit *test;
	struct fixture *f;
	struct cm_cover *cov;
	u64 rnd;
	unsigned int crashes, step;
	/* the plexes: what a read returns, what the media hold */
	u32 data[CM_PLEXES][CM_NR];
	u32 media[CM_PLEXES][CM_NR];
	/* acknowledged; acknowledged before a flush */
	u32 acked[CM_NR];
	u32 durable[CM_NR];
	u32 ver;
	struct cm_write w[CM_WRITES];
	/* the metadata device */
	unsigned long d_wi[BITS_TO_LONGS(CM_NR)];
	unsigned long d_in_sync[CM_PLEXES][BITS_TO_LONGS(CM_NR)];
	enum vdsplex_plex_state d_state[CM_PLEXES];
	u64 d_cursor;
	/* the commit in progress: the blocks it has yet to write */
	bool c_on, c_full, c_bits, c_bitmaps_first, c_clean, resuming;
	unsigned long c_blocks;
	enum vdsplex_plex_state c_state[CM_PLEXES];
	unsigned long c_seq;
	u64 c_cursor;
	/* the resync thread */
	enum cm_rstate r;
	bool r_committing;
	u64 r_region;
	unsigned int r_source;
	unsigned long r_todo;
	u32 r_ver;
};

static u32 cm_rand(struct cm *m, u32 n)
{
	m->rnd ^= m->rnd << 13;
	m->rnd ^= m->rnd >> 7;
	m->rnd ^= m->rnd << 17;
	return (u32)(m->rnd >> 16) % n;
}

static struct vdsplex_plex *cm_plex(struct cm *m, unsigned int i)
{
	return m->f->ctx->legs[i].plex;
}

static void cm_flush_plex(struct cm *m, unsigned int i)
{
	memcpy(m->media[i], m->data[i], sizeof(m->media[i]));
}

/* A write goes through ->map's admission, or parks. */
static void cm_send(struct cm *m, struct cm_write *w)
{
	struct vdsplex_volume *vol = m->f->vol;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vol->state_lock, flags);
	if (!vdsplex_md_write_admit(vol, w->region, w->bio) ||
	    !vdsplex_write_admit(vol, w->region, w->bio, &w->epoch)) {
		w->st = CM_PARKED;
		spin_unlock_irqrestore(&vol->state_lock, flags);
		return;
	}
	w->todo = 0;
	for (i = 0; i < CM_PLEXES; i++)
		if (cm_plex(m, i)->state != VDSPLEX_PLEX_DEAD &&
		    !cm_plex(m, i)->removing)
			__set_bit(i, &w->todo);
	w->st = CM_FLIGHT;
	spin_unlock_irqrestore(&vol->state_lock, flags);
}

static void cm_resubmit(struct cm *m, struct bio_list *bios)
{
	struct bio *bio;

	while ((bio = bio_list_pop(bios)))
		cm_send(m, bio->bi_private);
}

static bool cm_busy(struct cm *m, u64 region, bool parked)
{
	unsigned int k;

	for (k = 0; k < CM_WRITES; k++)
		if ((m->w[k].st == CM_FLIGHT ||
		     (parked && m->w[k].st == CM_PARKED)) &&
		    m->w[k].region == region)
			return true;
	return false;
}

static void cm_new_write(struct cm *m)
{
	u64 region = cm_rand(m, CM_HOT);
	struct cm_write *w = &m->w[cm_rand(m, CM_WRITES)];

	/* one write a region at a time: versions stay ordered */
	if (w->st != CM_FREE || cm_busy(m, region, true))
		return;
	memset(w->bio, 0, sizeof(*w->bio));
	w->bio->bi_iter.bi_sector = region * FIX_REGION;
	w->bio->bi_private = w;
	w->region = region;
	w->ver = ++m->ver;
	cm_send(m, w);
}

/* One plex's copy of a write reaches its cache; the last one completes it. */
static void cm_land(struct cm *m)
{
	struct cm_write *w = &m->w[cm_rand(m, CM_WRITES)];
	unsigned int i = cm_rand(m, CM_PLEXES);

	if (w->st != CM_FLIGHT)
		return;
	if (w->todo && !test_bit(i, &w->todo))
		i = __ffs(w->todo);
	if (w->todo) {
		m->data[i][w->region] = w->ver;
		__clear_bit(i, &w->todo);
	}
	if (!w->todo) {
		vdsplex_write_finish(m->f->vol, w->region, w->epoch);
		m->acked[w->region] = w->ver;
		w->st = CM_FREE;
	}
}

/* The volume is flushed (an empty REQ_PREFLUSH): every plex taking writes. */
static void cm_user_flush(struct cm *m)
{
	unsigned int i;

	for (i = 0; i < CM_PLEXES; i++)
		if (cm_plex(m, i)->state != VDSPLEX_PLEX_DEAD)
			cm_flush_plex(m, i);
	memcpy(m->durable, m->acked, sizeof(m->durable));
}

/* A plex writes one region of its cache back by itself. */
static void cm_writeback(struct cm *m)
{
	unsigned int i = cm_rand(m, CM_PLEXES), r = cm_rand(m, CM_HOT);

	m->media[i][r] = m->data[i][r];
}

/* A read error on a plex, as vdsplex_read_failed() handles it. */
static void cm_read_error(struct cm *m)
{
	struct vdsplex_volume *vol = m->f->vol;
	unsigned int i = cm_rand(m, CM_PLEXES), j, alive = 0;
	struct vdsplex_plex *p = cm_plex(m, i);
	u64 r = cm_rand(m, CM_HOT);
	unsigned long flags;
	bool retry = false;

	spin_lock_irqsave(&vol->state_lock, flags);
	if (vdsplex_leg_can_read(m->f->ctx, i, r)) {
		for (j = 0; j < CM_PLEXES; j++) {
			retry |= j != i && vdsplex_leg_can_read(m->f->ctx, j, r);
			alive += vdsplex_plex_counts(cm_plex(m, j));
		}
		if (retry && !(p->state == VDSPLEX_PLEX_ALIVE && alive == 1)) {
			__vdsplex_region_stale(vol, p, r);
			m->cov->stale++;
		}
	}
	/* vdsplex_resync_kick() */
	if (retry) {
		vol->kick = true;
		vol->stalled = false;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
}

static void cm_commit_start(struct cm *m, unsigned int flags)
{
	struct vdsplex_volume *vol = m->f->vol;
	struct bio_list ready = BIO_EMPTY_LIST;
	bool want, cleared;
	unsigned long irqf;
	unsigned int i;

	spin_lock_irqsave(&vol->state_lock, irqf);
	want = __vdsplex_md_prepare(vol, flags, &cleared);
	for (i = 0; i < CM_PLEXES; i++)
		m->c_state[i] = cm_plex(m, i)->state;
	m->c_seq = vol->change_seq;
	m->c_cursor = vol->checkpoint;
	if (!want && !cleared && !(flags & VDSPLEX_COMMIT_FULL)) {
		__vdsplex_md_done(vol, true, &ready);
		spin_unlock_irqrestore(&vol->state_lock, irqf);
		cm_resubmit(m, &ready);
		return;
	}
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	m->c_on = true;
	m->c_full = flags & VDSPLEX_COMMIT_FULL;
	m->c_clean = flags & VDSPLEX_COMMIT_CLEAN;
	m->c_bits = flags != 0;
	m->c_blocks = BIT(CM_WI);
	if (m->c_full)
		m->c_blocks |= BIT(CM_TABLE) | BIT(CM_SUPER);
	if (m->c_full || cleared) {
		m->c_blocks |= BIT(CM_FLUSH);
		for (i = 0; i < CM_PLEXES; i++)
			if (m->c_state[i] != VDSPLEX_PLEX_ALIVE)
				__set_bit(i, &m->c_blocks);
	}
	/* a clearing commit writes and flushes the bitmaps first */
	m->c_bitmaps_first = cleared;
}

/* The commit in progress takes one more step, or ends. */
static void cm_commit_step(struct cm *m)
{
	struct vdsplex_volume *vol = m->f->vol;
	struct bio_list ready = BIO_EMPTY_LIST;
	unsigned long bitmaps = m->c_blocks & GENMASK(CM_PLEXES - 1, 0);
	unsigned long irqf;
	unsigned int i;

	if (m->c_blocks & BIT(CM_FLUSH)) {
		/* the plexes first: what the bits describe is stable */
		for (i = 0; i < CM_PLEXES; i++)
			if (cm_plex(m, i)->state != VDSPLEX_PLEX_DEAD)
				cm_flush_plex(m, i);
		__clear_bit(CM_FLUSH, &m->c_blocks);
		return;
	}
	if (bitmaps || (m->c_blocks & BIT(CM_WI))) {
		i = cm_rand(m, CM_PLEXES + 1);
		if (!test_bit(i, &m->c_blocks) ||
		    (i == CM_WI && m->c_bitmaps_first && bitmaps))
			i = bitmaps ? __ffs(bitmaps) : CM_WI;
		if (i < CM_PLEXES) {
			bitmap_copy(m->d_in_sync[i], cm_plex(m, i)->in_sync,
				    CM_NR);
			m->cov->bitmaps++;
		} else {
			bitmap_copy(m->d_wi, vol->meta->wi_image, CM_NR);
		}
		__clear_bit(i, &m->c_blocks);
		return;
	}
	/* block 1 (the plex table), then block 0 (the superblock) */
	if (m->c_blocks & BIT(CM_TABLE)) {
		memcpy(m->d_state, m->c_state, sizeof(m->d_state));
		__clear_bit(CM_TABLE, &m->c_blocks);
		return;
	}
	if (m->c_blocks & BIT(CM_SUPER)) {
		m->d_cursor = m->c_cursor;
		__clear_bit(CM_SUPER, &m->c_blocks);
		return;
	}
	spin_lock_irqsave(&vol->state_lock, irqf);
	__vdsplex_md_done(vol, true, &ready);
	if (m->c_full && (long)(m->c_seq - vol->committed_seq) > 0)
		vol->committed_seq = m->c_seq;
	if (m->c_clean) {
		/* the resume after the clean stop */
		vol->cursor = vol->checkpoint;
		vol->kick = true;
		m->cov->clean++;
	}
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	m->c_on = false;
	cm_resubmit(m, &ready);
}

/* A clean stop: no I/O left, the resync stopped at its checkpoint. */
static void cm_clean(struct cm *m)
{
	struct vdsplex_volume *vol = m->f->vol;
	unsigned long irqf;
	unsigned int k;

	if (m->c_on || m->r != CM_R_NEXT)
		return;
	for (k = 0; k < CM_WRITES; k++)
		if (m->w[k].st != CM_FREE)
			return;
	spin_lock_irqsave(&vol->state_lock, irqf);
	vol->checkpoint = vol->cursor;
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	cm_commit_start(m, VDSPLEX_COMMIT_FULL | VDSPLEX_COMMIT_CLEAN);
}

/* The resync thread's next move. */
static void cm_resync_step(struct cm *m)
{
	struct vdsplex_volume *vol = m->f->vol;
	struct bio_list deferred = BIO_EMPTY_LIST;
	struct vdsplex_plex *src;
	unsigned long targets, irqf;
	unsigned int i;
	int next;

	switch (m->r) {
	case CM_R_NEXT:
		next = vdsplex_resync_next_kunit(m->f->ctx, &m->r_region, &src,
						 &targets);
		KUNIT_ASSERT_GE(m->test, next, 0);
		if (next == VDSPLEX_NEXT_CHANGED ||
		    (next == VDSPLEX_NEXT_IDLE && !cm_rand(m, 8))) {
			/* vdsplex_checkpoint(): the cursor, a full commit */
			spin_lock_irqsave(&vol->state_lock, irqf);
			vol->checkpoint = vol->cursor;
			spin_unlock_irqrestore(&vol->state_lock, irqf);
			m->r = CM_R_CHECKPOINT;
		} else if (next == VDSPLEX_NEXT_COPY) {
			for (i = 0; i < CM_PLEXES; i++)
				if (cm_plex(m, i) == src)
					m->r_source = i;
			m->r_todo = targets;
			m->r = CM_R_DRAIN;
		} else if (next == VDSPLEX_NEXT_FLUSH) {
			m->r_todo = targets;
			m->r = CM_R_FLUSH;
		}
		break;
	case CM_R_DRAIN:
		/* the writes in flight to the region finish first */
		if (!vdsplex_region_drained(vol, m->r_region))
			break;
		m->r_ver = m->data[m->r_source][m->r_region];
		m->r = CM_R_COPY;
		break;
	case CM_R_COPY:
		i = __ffs(m->r_todo);
		m->data[i][m->r_region] = m->r_ver;
		__clear_bit(i, &m->r_todo);
		if (!m->r_todo)
			m->r = CM_R_RECORD;
		break;
	case CM_R_RECORD:
		/* md->sync_lock: not while a commit writes in-sync bits */
		if (m->c_on && m->c_bits)
			break;
		vdsplex_resync_done_kunit(m->f->ctx, &deferred);
		cm_resubmit(m, &deferred);
		m->r = CM_R_NEXT;
		break;
	case CM_R_FLUSH:
		/* vdsplex_flush_targets(): one target a step */
		if (m->r_todo) {
			i = __ffs(m->r_todo);
			cm_flush_plex(m, i);
			__clear_bit(i, &m->r_todo);
			break;
		}
		vdsplex_resync_flushed_kunit(m->f->ctx);
		m->cov->flushed_passes++;
		m->r = CM_R_NEXT;
		break;
	case CM_R_CHECKPOINT:
		if (m->c_on)
			break;
		if (m->r_committing) {
			m->r_committing = false;
			m->r = CM_R_NEXT;
			break;
		}
		cm_commit_start(m, VDSPLEX_COMMIT_FULL);
		m->r_committing = true;
		break;
	}
}

/* Every plex the read path may choose returns the acknowledged data. */
static bool cm_check_reads(struct cm *m, u64 nr)
{
	struct vdsplex_volume *vol = m->f->vol;
	unsigned long irqf;
	unsigned int i;
	bool can;
	u64 r;

	for (r = 0; r < nr; r++) {
		if (cm_busy(m, r, false))
			continue;
		for (i = 0; i < CM_PLEXES; i++) {
			spin_lock_irqsave(&vol->state_lock, irqf);
			can = vdsplex_leg_can_read(m->f->ctx, i, r);
			spin_unlock_irqrestore(&vol->state_lock, irqf);
			if (!can || m->data[i][r] == m->acked[r])
				continue;
			KUNIT_FAIL(m->test,
				   "step %u after %u crashes: a read of region %llu may go to plex %u, which returns version %u, not the acknowledged %u",
				   m->step, m->crashes, r, i, m->data[i][r],
				   m->acked[r]);
			return false;
		}
	}
	return true;
}

/* Build the volume from the disk, as the next activation does. */
static void cm_activate(struct cm *m)
{
	struct kunit *test = m->test;
	struct vdsplex_volume *vol;
	unsigned int i;
	int src = -1;

	m->f = fixture_make(test, CM_PLEXES, VDSPLEX_PLEX_ALIVE);
	md_fixture(test, m->f);
	vol = m->f->vol;
	for (i = 0; i < CM_PLEXES; i++) {
		struct vdsplex_plex *p = cm_plex(m, i);

		if (m->d_state[i] == VDSPLEX_PLEX_ALIVE) {
			if (src < 0)
				src = i;
			continue;
		}
		p->state = m->d_state[i] == VDSPLEX_PLEX_DEAD ?
			   VDSPLEX_PLEX_DEAD : VDSPLEX_PLEX_STALE;
		bitmap_copy(p->in_sync, m->d_in_sync[i], CM_NR);
		p->synced = bitmap_weight(p->in_sync, CM_NR);
		vol->rescan = true;
	}
	KUNIT_ASSERT_GE_MSG(test, src, 0, "after %u crashes: no plex recorded alive",
			    m->crashes);
	vol->checkpoint = m->d_cursor;
	bitmap_copy(vol->meta->wi_disk, m->d_wi, CM_NR);
	if (!bitmap_empty(m->d_wi, CM_NR))
		vdsplex_md_mark_dirty(m->f->ctx, m->d_wi, src);
	/* the resume starts the resync at the checkpoint */
	vol->cursor = vol->checkpoint;
	vol->kick = true;
	for (i = 0; i < CM_WRITES; i++)
		m->w[i].st = CM_FREE;
	m->r = CM_R_NEXT;
	m->r_committing = false;
	/* preresume's full commit, before any I/O */
	m->c_on = false;
	cm_commit_start(m, VDSPLEX_COMMIT_FULL);
	m->resuming = true;
}

/* A power cut: check what the disk and the media say, then activate again. */
static bool cm_crash(struct cm *m)
{
	struct kunit *test = m->test;
	unsigned int i, src = CM_PLEXES;
	u64 r;

	m->crashes++;
	m->cov->crashes++;
	for (i = 0; i < CM_PLEXES; i++) {
		if (memcmp(m->data[i], m->media[i], sizeof(m->data[i])))
			m->cov->lost_caches++;
		memcpy(m->data[i], m->media[i], sizeof(m->data[i]));
		if (m->d_state[i] == VDSPLEX_PLEX_ALIVE && src == CM_PLEXES)
			src = i;
		else if (m->d_state[i] != VDSPLEX_PLEX_ALIVE)
			m->cov->nonalive_crashes++;
	}
	KUNIT_ASSERT_LT_MSG(test, src, CM_PLEXES, "crash %u: no plex recorded alive",
			    m->crashes);
	for (r = 0; r < CM_NR; r++) {
		if (m->media[src][r] < m->durable[r]) {
			KUNIT_FAIL(test,
				   "crash %u at step %u: the source (plex %u) holds version %u of region %llu, %u was acknowledged and flushed",
				   m->crashes, m->step, src, m->media[src][r], r,
				   m->durable[r]);
			return false;
		}
		for (i = 0; i < CM_PLEXES; i++) {
			bool lacks = m->d_state[i] != VDSPLEX_PLEX_ALIVE &&
				     !test_bit(r, m->d_in_sync[i]);

			if (i == src || m->d_state[i] == VDSPLEX_PLEX_DEAD ||
			    m->media[i][r] == m->media[src][r] ||
			    test_bit(r, m->d_wi) || lacks)
				continue;
			KUNIT_FAIL(test,
				   "crash %u at step %u: plex %u holds version %u of region %llu, the source %u, and the disk calls it in sync (record %d, write-intent 0)",
				   m->crashes, m->step, i, m->media[i][r], r,
				   m->media[src][r], m->d_state[i]);
			return false;
		}
		/* from now on the source's data is the volume's */
		m->acked[r] = m->media[src][r];
		m->durable[r] = m->media[src][r];
	}
	md_fixture_exit(test);
	cm_activate(m);
	return true;
}

static void cm_run(struct kunit *test, u64 seed, struct cm_cover *cov)
{
	static const unsigned int flags[] = {
		0, VDSPLEX_COMMIT_SWEEP, VDSPLEX_COMMIT_FULL,
	};
	struct cm *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned int op, i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	m->cov = cov;
	m->rnd = seed;
	for (i = 0; i < CM_PLEXES; i++)
		m->d_state[i] = VDSPLEX_PLEX_ALIVE;
	for (i = 0; i < CM_WRITES; i++) {
		m->w[i].bio = kunit_kzalloc(test, sizeof(struct bio),
					    GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m->w[i].bio);
	}
	cm_activate(m);
	for (m->step = 0; m->step < CM_STEPS; m->step++) {
		op = cm_rand(m, 1000);
		if (op >= 1000 - CM_CRASH) {
			if (!cm_crash(m))
				break;
		} else if (m->resuming) {
			/* no I/O before the preresume commit is done */
			cm_commit_step(m);
			m->resuming = m->c_on;
		} else if (op < 250) {
			cm_new_write(m);
		} else if (op < 500) {
			cm_land(m);
		} else if (op < 530) {
			cm_user_flush(m);
		} else if (op < 580) {
			cm_writeback(m);
		} else if (op < 585) {
			cm_read_error(m);
		} else if (op < 590) {
			cm_clean(m);
		} else if (op < 720 && m->c_on) {
			cm_commit_step(m);
		} else if (op < 720) {
			cm_commit_start(m, flags[cm_rand(m, ARRAY_SIZE(flags))]);
		} else {
			cm_resync_step(m);
		}
		if (!cm_check_reads(m, CM_HOT))
			break;
	}
	kunit_info(test, "seed %llu: %u steps, %u crashes, %u writes", seed,
		   m->step, m->crashes, m->ver);
	md_fixture_exit(test);
	test->priv = NULL;
}

static void vdsplex_test_crash_model(struct kunit *test)
{
	static const u64 seeds[] = { 1, 0x9e3779b97f4a7c15ULL, 42, 2026, 77777 };
	struct cm_cover cov = {};
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(seeds) && !test->status; k++)
		cm_run(test, seeds[k], &cov);
	if (test->status)
		return;
	kunit_info(test, "%u crashes (plex records not alive at them: %u, caches lost: %u), %u in-sync bitmaps written, %u recoveries flushed, %u read errors, %u clean stops",
		   cov.crashes, cov.nonalive_crashes, cov.lost_caches,
		   cov.bitmaps, cov.flushed_passes, cov.stale, cov.clean);
	/* the paths the model is for were taken */
	KUNIT_EXPECT_GT(test, cov.nonalive_crashes, 0);
	KUNIT_EXPECT_GT(test, cov.lost_caches, 0);
	KUNIT_EXPECT_GT(test, cov.bitmaps, 0);
	KUNIT_EXPECT_GT(test, cov.flushed_passes, 0);
	KUNIT_EXPECT_GT(test, cov.stale, 0);
	KUNIT_EXPECT_GT(test, cov.clean, 0);
}

static struct kunit_case vdsplex_persist_test_cases[] = {
	KUNIT_CASE(vdsplex_test_dead_missed),
	KUNIT_CASE(vdsplex_test_wi_batching),
	KUNIT_CASE(vdsplex_test_wi_failed_commit),
	KUNIT_CASE(vdsplex_test_wi_sweep),
	KUNIT_CASE(vdsplex_test_leave),
	KUNIT_CASE(vdsplex_test_wi_discard),
	KUNIT_CASE(vdsplex_test_md_fill_block),
	KUNIT_CASE(vdsplex_test_md_mark_dirty),
	KUNIT_CASE(vdsplex_test_unsynced),
#ifdef KUNIT_CASE_SLOW
	KUNIT_CASE_SLOW(vdsplex_test_crash_model),
#else
	KUNIT_CASE(vdsplex_test_crash_model),
#endif
	{}
};

static struct kunit_suite vdsplex_persist_suite = {
	.name = "vdsplex-persist",
	.exit = md_fixture_exit,
	.test_cases = vdsplex_persist_test_cases,
};

kunit_test_suites(&vdsplex_parse_suite, &vdsplex_volume_suite,
		  &vdsplex_resync_suite, &vdsplex_async_suite,
		  &vdsplex_metadata_suite, &vdsplex_persist_suite);

MODULE_DESCRIPTION("KUnit tests for dm-vdsplex");
MODULE_LICENSE("GPL");
VDSPLEX_IMPORT_KUNIT_NS();
