// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: monitor.c (vdsplex monitor: events between two looks at a volume). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"

/*
 * A look at a volume: @line its status; @devs its plexes as "ram0 ram2 ..."
 * (ramN is 1:N at offset 0, shown as /dev/ramN), NULL when the table was
 * not read (plexes matched by position).
 */
static struct mon_snap snap(const char *line, const char *devs)
{
	struct mon_snap s;
	const char *why = NULL;
	unsigned int i = 0;
	int n;

	memset(&s, 0, sizeof(s));
	if (status_parse(line, &s.st, &why))
		fail_msg("bad status line in the test: '%s': %s", line, why);
	snprintf(s.line, sizeof(s.line), "%s", line);
	if (!devs)
		return s;
	while (sscanf(devs, " ram%d%n", (int *)&s.plex[i].minor, &n) == 1) {
		s.plex[i].major = 1;
		snprintf(s.plex[i].device, sizeof(s.plex[i].device), "/dev/ram%u", s.plex[i].minor);
		devs += n;
		i++;
	}
	if (i != s.st.nr_plexes)
		fail_msg("test: %u devices for %u plexes", i, s.st.nr_plexes);
	s.have_plexes = true;
	return s;
}

/* Events as "Name[:plex[:device]]" words, or "Mismatches=N". */
static const char *render(const struct mon_event *ev, unsigned int n)
{
	static char buf[2048];
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct mon_event *e = &ev[i];

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
					mon_event_name(e->type));
		if (e->type == MON_MISMATCHES)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "=%llu",
						(unsigned long long)e->count);
		if (e->plex >= 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, ":%d", e->plex);
		if (e->device[0])
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, ":%s", e->device);
	}
	return buf;
}

struct step {
	const char *line;
	const char *devs;
	const char *want;	/* the events, rendered */
};

/* Step 0 is the first look (mon_first_sight), each next one compared with the one before. */
static void run_steps(const struct step *steps, size_t n)
{
	struct mon_event ev[MON_MAX_EVENTS];
	struct mon_snap prev, cur;
	unsigned int k;
	size_t i;

	for (i = 0; i < n; i++) {
		cur = snap(steps[i].line, steps[i].devs);
		if (i)
			k = mon_classify(&prev, &cur, ev, MON_MAX_EVENTS);
		else
			k = mon_first_sight(&cur, ev, MON_MAX_EVENTS);
		if (strcmp(render(ev, k), steps[i].want))
			fail_msg("step %zu ('%s'): events '%s', want '%s'", i, steps[i].line,
				 render(ev, k), steps[i].want);
		prev = cur;
	}
}

#define RUN(...)                                                             \
	do {                                                                  \
		static const struct step s_[] = { __VA_ARGS__ };              \
		run_steps(s_, sizeof(s_) / sizeof(s_[0]));                    \
	} while (0)

static void names(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < MON_NR_EVENTS; i++) {
		assert_string_not_equal(mon_event_name((enum mon_event_type)i), "Unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(mon_event_name((enum mon_event_type)i),
						mon_event_name((enum mon_event_type)j));
	}
	assert_string_equal(mon_event_name(MON_NR_EVENTS), "Unknown");
	assert_string_equal(mon_event_name((enum mon_event_type)-1), "Unknown");
	/* Stable: scripts and --program handlers test them. */
	assert_string_equal(mon_event_name(MON_PLEX_FAILED), "PlexFailed");
	assert_string_equal(mon_event_name(MON_REBUILD_STARTED), "RebuildStarted");
	assert_string_equal(mon_event_name(MON_REBUILD_FINISHED), "RebuildFinished");
	assert_string_equal(mon_event_name(MON_REBUILD_CANCELED), "RebuildCanceled");
	assert_string_equal(mon_event_name(MON_REPAIR_FAILED), "RepairFailed");
	assert_string_equal(mon_event_name(MON_CHECK_STARTED), "CheckStarted");
	assert_string_equal(mon_event_name(MON_RESYNC_CANCELED), "ResyncCanceled");
	assert_string_equal(mon_event_name(MON_DEGRADED_VOLUME), "DegradedVolume");
	assert_string_equal(mon_event_name(MON_MISMATCHES), "Mismatches");
}

static void first_sight(void **state)
{
	(void)state;
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" });
	RUN({ "2 AD 16/16 idle 0 core 0 0", "ram0 ram1", "DegradedVolume" });
	RUN({ "2 AS 16/16 idle 0 ok 0 0", "ram0 ram1", "DegradedVolume" });
	RUN({ "3 AAa 3/16 recover 0 core 0 3", "ram0 ram1 ram2", "DegradedVolume" });
	RUN({ "2 AA 16/16 idle 0 fail 0 0", "ram0 ram1", "MetadataFailed" });
	RUN({ "2 DA 16/16 idle 0 fail 0 0", NULL, "DegradedVolume MetadataFailed" });
	/* a check running is no trouble */
	RUN({ "2 AA 3/16 check 0 ok 0 0", "ram0 ram1", "" });
}

static void fail_and_readd(void **state)
{
	(void)state;
	/* fail_plex, writes, readd_plex, its rebuild seen running */
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" },
	    { "2 AD 16/16 idle 0 core 0 0", "ram0 ram1", "PlexFailed:1:/dev/ram1" },
	    { "2 Aa 0/16 recover 0 core 0 0", "ram0 ram1", "RebuildStarted" },
	    { "2 Aa 8/16 recover 0 core 0 8", "ram0 ram1", "" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram1", "PlexInSync:1:/dev/ram1 RebuildFinished" });
	/* the plex in sync one look before the volume goes idle */
	RUN({ "2 Aa 8/16 recover 0 core 0 8", "ram0 ram1", "DegradedVolume" },
	    { "2 AA 16/16 recover 0 core 0 16", "ram0 ram1", "PlexInSync:1:/dev/ram1" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram1", "RebuildFinished" });
	/* the whole rebuild between two looks */
	RUN({ "2 AD 16/16 idle 0 core 0 0", "ram0 ram1", "DegradedVolume" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram1", "PlexInSync:1:/dev/ram1 RebuildFinished" });
}

static void add_plex(void **state)
{
	(void)state;
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" },
	    { "3 AAa 0/16 recover 0 core 0 0", "ram0 ram1 ram2", "PlexAdded:2:/dev/ram2 RebuildStarted" },
	    { "3 AAA 16/16 idle 0 core 0 16", "ram0 ram1 ram2",
	      "PlexInSync:2:/dev/ram2 RebuildFinished" });
	/* two plexes in one AddPlex; one in sync earlier */
	RUN({ "1 A 16/16 idle 0 core 0 0", "ram0", "" },
	    { "3 Aaa 0/16 recover 0 core 0 0", "ram0 ram1 ram2",
	      "PlexAdded:1:/dev/ram1 PlexAdded:2:/dev/ram2 RebuildStarted" },
	    { "3 AaA 9/16 recover 0 core 0 20", "ram0 ram1 ram2", "PlexInSync:2:/dev/ram2" },
	    { "3 AAA 16/16 idle 0 core 0 32", "ram0 ram1 ram2",
	      "PlexInSync:1:/dev/ram1 RebuildFinished" });
	/* AddPlex started and ended between two looks */
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" },
	    { "3 AAA 16/16 idle 0 core 0 16", "ram0 ram1 ram2",
	      "PlexAdded:2:/dev/ram2 PlexInSync:2:/dev/ram2 RebuildFinished" });
}

static void cancel(void **state)
{
	(void)state;
	RUN({ "3 AAa 2/16 recover 0 core 0 2", "ram0 ram1 ram3", "DegradedVolume" },
	    { "2 AA 16/16 idle 0 core 0 2", "ram0 ram1", "PlexRemoved:2:/dev/ram3 RebuildCanceled" });
	/* the plex detached a look before the resync thread goes idle */
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" },
	    { "3 AAa 0/16 recover 0 core 0 0", "ram0 ram1 ram3", "PlexAdded:2:/dev/ram3 RebuildStarted" },
	    { "2 AA 5/16 recover 0 core 0 5", "ram0 ram1", "PlexRemoved:2:/dev/ram3" },
	    { "2 AA 16/16 idle 0 core 0 5", "ram0 ram1", "RebuildCanceled" },
	    /* the next rebuild starts afresh */
	    { "3 AAa 0/16 recover 0 core 0 5", "ram0 ram1 ram3", "PlexAdded:2:/dev/ram3 RebuildStarted" },
	    { "3 AAA 16/16 idle 0 core 0 21", "ram0 ram1 ram3",
	      "PlexInSync:2:/dev/ram3 RebuildFinished" });
	/* paused, then canceled */
	RUN({ "3 AAa 2/16 frozen 0 core 0 2", "ram0 ram1 ram3", "DegradedVolume" },
	    { "2 AA 16/16 idle 0 core 0 2", "ram0 ram1", "PlexRemoved:2:/dev/ram3 RebuildCanceled" });
}

static void removal_compacts(void **state)
{
	(void)state;
	/* remove_plex 1: ram2 moves from index 2 to 1; it was and stays in sync */
	RUN({ "3 ADA 16/16 idle 0 core 0 0", "ram0 ram1 ram2", "DegradedVolume" },
	    { "2 AA 16/16 idle 0 core 0 0", "ram0 ram2", "PlexRemoved:1:/dev/ram1" });
	/* a dead plex removed during a rebuild of another: no cancel */
	RUN({ "3 ADa 2/16 recover 0 core 0 2", "ram0 ram1 ram2", "DegradedVolume" },
	    { "2 Aa 9/16 recover 0 core 0 9", "ram0 ram2", "PlexRemoved:1:/dev/ram1" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram2", "PlexInSync:1:/dev/ram2 RebuildFinished" });
	/* without extents: by position */
	RUN({ "2 AA 16/16 idle 0 core 0 0", NULL, "" },
	    { "3 AAa 0/16 recover 0 core 0 0", NULL, "PlexAdded:2 RebuildStarted" },
	    { "2 AA 16/16 idle 0 core 0 0", NULL, "PlexRemoved:2 RebuildCanceled" });
}

static void failures(void **state)
{
	(void)state;
	/* the new plex fails */
	RUN({ "3 AAa 2/16 recover 0 core 0 2", "ram0 ram1 ram2", "DegradedVolume" },
	    { "3 AAD 16/16 idle 0 core 0 2", "ram0 ram1 ram2", "PlexFailed:2:/dev/ram2 RebuildFailed" });
	/* ... a look before the volume goes idle */
	RUN({ "3 AAa 2/16 recover 0 core 0 2", "ram0 ram1 ram2", "DegradedVolume" },
	    { "3 AAD 2/16 recover 0 core 0 2", "ram0 ram1 ram2", "PlexFailed:2:/dev/ram2" },
	    { "3 AAD 16/16 idle 0 core 0 2", "ram0 ram1 ram2", "RebuildFailed" });
	/* the source fails, another one takes over: the rebuild ends well */
	RUN({ "3 AAa 2/16 recover 0 core 0 2", "ram0 ram1 ram2", "DegradedVolume" },
	    { "3 DAa 5/16 recover 0 core 0 5", "ram0 ram1 ram2", "PlexFailed:0:/dev/ram0" },
	    { "3 DAA 16/16 idle 0 core 0 16", "ram0 ram1 ram2", "PlexInSync:2:/dev/ram2 RebuildFinished" });
	/* no source left: the plex stays stale */
	RUN({ "2 Aa 2/16 recover 0 core 0 2", "ram0 ram1", "DegradedVolume" },
	    { "2 DS 16/16 idle 0 core 0 2", "ram0 ram1", "PlexFailed:0:/dev/ram0 RebuildFailed" });
	/* a dm-error plex fails a write while idle */
	RUN({ "4 AAAA 16/16 idle 0 core 0 0", "ram0 ram1 ram2 ram9", "" },
	    { "4 AAAD 16/16 idle 0 core 0 0", "ram0 ram1 ram2 ram9", "PlexFailed:3:/dev/ram9" });
	/* metadata */
	RUN({ "2 AA 16/16 idle 0 ok 0 0", "ram0 ram1", "" },
	    { "2 AA 16/16 idle 0 fail 0 0", "ram0 ram1", "MetadataFailed" },
	    { "2 AA 16/16 idle 0 fail 0 0", "ram0 ram1", "" },
	    { "2 AA 16/16 idle 0 ok 0 0", "ram0 ram1", "MetadataRecovered" });
}

static void scrub(void **state)
{
	(void)state;
	RUN({ "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "" },
	    { "2 AA 0/16 check 0 core 0 0", "ram0 ram1", "CheckStarted" },
	    { "2 AA 8/16 check 2 core 0 0", "ram0 ram1", "" },
	    { "2 AA 16/16 idle 3 core 0 0", "ram0 ram1", "CheckFinished Mismatches=3" },
	    { "2 AA 0/16 repair 0 core 0 0", "ram0 ram1", "RepairStarted" },
	    { "2 AA 16/16 idle 0 core 0 0", "ram0 ram1", "RepairFinished" },
	    /* a whole check between two looks */
	    { "2 AA 16/16 idle 5 core 0 0", "ram0 ram1", "Mismatches=5" });
	/* a plex dies during a check; a dead plex beside a check is no failure */
	RUN({ "3 DAA 0/16 check 0 core 0 0", "ram0 ram1 ram2", "DegradedVolume" },
	    { "3 DAA 16/16 idle 0 core 0 0", "ram0 ram1 ram2", "CheckFinished" });
	RUN({ "3 AAA 0/16 repair 0 core 0 0", "ram0 ram1 ram2", "" },
	    { "3 AAD 16/16 idle 0 core 0 0", "ram0 ram1 ram2", "PlexFailed:2:/dev/ram2 RepairFailed" });
}

static void resync_and_frozen(void **state)
{
	(void)state;
	/* after an unclean shutdown, every plex in sync but the dirty regions */
	RUN({ "2 AA 16/16 idle 0 ok 0 0", "ram0 ram1", "" },
	    { "2 AA 0/16 resync 0 ok 0 0", "ram0 ram1", "ResyncStarted" },
	    { "2 AA 16/16 idle 0 ok 0 3", "ram0 ram1", "ResyncFinished" });
	/* pause_resync, resume_resync */
	RUN({ "2 AD 16/16 idle 0 core 0 0", "ram0 ram1", "DegradedVolume" },
	    { "2 Aa 0/16 recover 0 core 0 0", "ram0 ram1", "RebuildStarted" },
	    { "2 Aa 3/16 frozen 0 core 0 3", "ram0 ram1", "SyncPaused" },
	    { "2 Aa 3/16 recover 0 core 0 3", "ram0 ram1", "SyncResumed" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram1", "PlexInSync:1:/dev/ram1 RebuildFinished" });
	/* readd_plex on a paused volume: frozen first */
	RUN({ "2 AD 16/16 idle 0 core 0 0", "ram0 ram1", "DegradedVolume" },
	    { "2 AS 0/16 frozen 0 core 0 0", "ram0 ram1", "SyncPaused" },
	    { "2 Aa 0/16 recover 0 core 0 0", "ram0 ram1", "SyncResumed" },
	    { "2 AA 16/16 idle 0 core 0 16", "ram0 ram1", "PlexInSync:1:/dev/ram1 RebuildFinished" });
	/* a rebuild followed at once by a check */
	RUN({ "2 Aa 8/16 recover 0 core 0 8", "ram0 ram1", "DegradedVolume" },
	    { "2 AA 1/16 check 0 core 0 16", "ram0 ram1",
	      "PlexInSync:1:/dev/ram1 RebuildFinished CheckStarted" });
}

static void room(void **state)
{
	struct mon_snap a = snap("1 A 16/16 idle 0 ok 0 0", "ram0");
	struct mon_snap b = snap("3 DDD 16/16 idle 0 fail 0 0", "ram1 ram2 ram3");
	struct mon_event ev[MON_MAX_EVENTS];

	(void)state;
	mon_first_sight(&a, ev, MON_MAX_EVENTS);
	/* PlexRemoved, 3 PlexAdded, 3 PlexFailed, MetadataFailed */
	assert_int_equal(mon_classify(&a, &b, ev, MON_MAX_EVENTS), 8);
	assert_int_equal(mon_classify(&a, &b, ev, 2), 2);
	assert_string_equal(render(ev, 2), "PlexRemoved:0:/dev/ram0 PlexAdded:0:/dev/ram1");
	assert_int_equal(mon_classify(&a, &b, ev, 0), 0);
}

static void line_format(void **state)
{
	struct mon_snap s = snap("2 AD 16/16 idle 7 core 0 0", "ram0 ram1");
	struct mon_event e = { .type = MON_PLEX_FAILED, .plex = 1 };
	char buf[256];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(e.device, sizeof(e.device), "/dev/ram1");
	assert_int_equal(mon_format_line(buf, sizeof(buf), 1796218801, "v0", &e, &s), 0);
	assert_string_equal(buf, "2026-12-02T13:40:01 v0: PlexFailed plex 1 (/dev/ram1)");
	e.device[0] = '\0';
	mon_format_line(buf, sizeof(buf), 0, "v0", &e, &s);
	assert_string_equal(buf, "1970-01-01T00:00:00 v0: PlexFailed plex 1");
	e.type = MON_DEGRADED_VOLUME;
	e.plex = -1;
	mon_format_line(buf, sizeof(buf), 0, "v0", &e, &s);
	assert_string_equal(buf, "1970-01-01T00:00:00 v0: DegradedVolume health AD");
	e.type = MON_MISMATCHES;
	e.count = 7;
	mon_format_line(buf, sizeof(buf), 0, "v0", &e, &s);
	assert_string_equal(buf, "1970-01-01T00:00:00 v0: Mismatches 7 regions");
	e.count = 1;
	mon_format_line(buf, sizeof(buf), 0, "v0", &e, &s);
	assert_string_equal(buf, "1970-01-01T00:00:00 v0: Mismatches 1 region");
	e.type = MON_VOLUME_REMOVED;
	mon_format_line(buf, sizeof(buf), 0, "v0", &e, NULL);
	assert_string_equal(buf, "1970-01-01T00:00:00 v0: VolumeRemoved");
	/* too small: a prefix and an error */
	assert_int_equal(mon_format_line(buf, 12, 0, "v0", &e, NULL), -ENAMETOOLONG);
	assert_string_equal(buf, "1970-01-01T");
}

static void json(void **state)
{
	struct mon_snap s = snap("2 AD 16/16 idle 0 core 0 0", "ram0 ram1");
	struct volume_ref v = { "v0", "VDSPLEX-x", 253, 4 };
	struct mon_event e = { .type = MON_PLEX_FAILED, .plex = 1 };
	struct json_object *o, *x;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(e.device, sizeof(e.device), "/dev/ram1");
	o = mon_event_json(0, &v, &e, &s);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "event")), "PlexFailed");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "time")),
			    "1970-01-01T00:00:00");
	assert_int_equal(json_object_get_int(json_object_object_get(o, "plex")), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "device")), "/dev/ram1");
	x = json_object_object_get(o, "volume");
	assert_string_equal(json_object_get_string(json_object_object_get(x, "name")), "v0");
	assert_int_equal(json_object_get_int(json_object_object_get(x, "minor")), 4);
	x = json_object_object_get(o, "status");
	assert_string_equal(json_object_get_string(json_object_object_get(x, "health")), "AD");
	assert_string_equal(json_object_get_string(json_object_object_get(x, "line")),
			    "2 AD 16/16 idle 0 core 0 0");
	assert_false(json_object_object_get_ex(o, "mismatch_cnt", NULL));
	json_object_put(o);

	e.type = MON_VOLUME_REMOVED;
	e.plex = -1;
	e.device[0] = '\0';
	o = mon_event_json(0, &v, &e, NULL);
	assert_true(json_object_object_get_ex(o, "plex", &x) && !x);
	assert_true(json_object_object_get_ex(o, "device", &x) && !x);
	assert_true(json_object_object_get_ex(o, "status", &x) && !x);
	json_object_put(o);

	e.type = MON_MISMATCHES;
	e.count = 9;
	o = mon_event_json(0, &v, &e, &s);
	assert_int_equal(json_object_get_int(json_object_object_get(o, "mismatch_cnt")), 9);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(first_sight),
		cmocka_unit_test(fail_and_readd),
		cmocka_unit_test(add_plex),
		cmocka_unit_test(cancel),
		cmocka_unit_test(removal_compacts),
		cmocka_unit_test(failures),
		cmocka_unit_test(scrub),
		cmocka_unit_test(resync_and_frozen),
		cmocka_unit_test(room),
		cmocka_unit_test(line_format),
		cmocka_unit_test(json),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
