// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex monitor: the events between two looks at a volume; see monitor.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "monitor.h"
#include "output.h"
#include "report.h"

static const char *const event_names[MON_NR_EVENTS] = {
	[MON_NEW_VOLUME]	 = "NewVolume",
	[MON_VOLUME_REMOVED]	 = "VolumeRemoved",
	[MON_DEGRADED_VOLUME]	 = "DegradedVolume",
	[MON_METADATA_FAILED]	 = "MetadataFailed",
	[MON_METADATA_RECOVERED] = "MetadataRecovered",
	[MON_PLEX_REMOVED]	 = "PlexRemoved",
	[MON_PLEX_ADDED]	 = "PlexAdded",
	[MON_PLEX_FAILED]	 = "PlexFailed",
	[MON_PLEX_IN_SYNC]	 = "PlexInSync",
	[MON_RESYNC_STARTED]	 = "ResyncStarted",
	[MON_REBUILD_STARTED]	 = "RebuildStarted",
	[MON_CHECK_STARTED]	 = "CheckStarted",
	[MON_REPAIR_STARTED]	 = "RepairStarted",
	[MON_RESYNC_FINISHED]	 = "ResyncFinished",
	[MON_REBUILD_FINISHED]	 = "RebuildFinished",
	[MON_CHECK_FINISHED]	 = "CheckFinished",
	[MON_REPAIR_FINISHED]	 = "RepairFinished",
	[MON_RESYNC_FAILED]	 = "ResyncFailed",
	[MON_REBUILD_FAILED]	 = "RebuildFailed",
	[MON_CHECK_FAILED]	 = "CheckFailed",
	[MON_REPAIR_FAILED]	 = "RepairFailed",
	[MON_RESYNC_CANCELED]	 = "ResyncCanceled",
	[MON_REBUILD_CANCELED]	 = "RebuildCanceled",
	[MON_CHECK_CANCELED]	 = "CheckCanceled",
	[MON_REPAIR_CANCELED]	 = "RepairCanceled",
	[MON_SYNC_PAUSED]	 = "SyncPaused",
	[MON_SYNC_RESUMED]	 = "SyncResumed",
	[MON_MISMATCHES]	 = "Mismatches",
};

const char *mon_event_name(enum mon_event_type type)
{
	if ((unsigned int)type >= MON_NR_EVENTS || !event_names[type])
		return "Unknown";
	return event_names[type];
}

/*
 * The operations, in the order of the <Kind>Started, <Kind>Finished,
 * <Kind>Failed and <Kind>Canceled events.
 */
enum mon_kind { KIND_NONE = -1, KIND_RESYNC, KIND_RECOVER, KIND_CHECK, KIND_REPAIR };

static const char *const kind_words[] = { "resync", "recover", "check", "repair" };

static enum mon_kind kind_of(const char *action)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_words); i++)
		if (!strcmp(action, kind_words[i]))
			return (enum mon_kind)i;
	return KIND_NONE;
}

static bool is_frozen(const struct vdsplex_status *st)
{
	return !strcmp(st->sync_action, "frozen");
}

static bool is_scrub(enum mon_kind k)
{
	return k == KIND_CHECK || k == KIND_REPAIR;
}

bool mon_degraded(const struct vdsplex_status *st)
{
	return strspn(st->health, "A") != st->nr_plexes;
}

static bool meta_failed(const struct vdsplex_status *st)
{
	return !strcmp(st->metadata_state, "fail");
}

struct evbuf {
	struct mon_event *ev;
	unsigned int n, max;
};

static void push(struct evbuf *b, enum mon_event_type type, int plex, const char *device)
{
	struct mon_event *e;

	if (b->n >= b->max)
		return;
	e = &b->ev[b->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->plex = plex;
	snprintf(e->device, sizeof(e->device), "%s", device ? device : "");
}

static const char *plex_dev(const struct mon_snap *s, unsigned int i)
{
	return s->have_plexes ? s->plex[i].device : "";
}

/*
 * The operation of a frozen volume whose operation was not seen running:
 * a plex to rebuild makes it a rebuild; a frozen check or repair cannot be
 * told apart.
 */
static void guess_running(struct mon_snap *s)
{
	s->running[0] = '\0';
	if (strcspn(s->st.health, "aS") < s->st.nr_plexes)
		snprintf(s->running, sizeof(s->running), "%s", kind_words[KIND_RECOVER]);
}

unsigned int mon_first_sight(struct mon_snap *s, struct mon_event *ev, unsigned int max)
{
	struct evbuf b = { ev, 0, max };

	if (kind_of(s->st.sync_action) != KIND_NONE)
		snprintf(s->running, sizeof(s->running), "%s", s->st.sync_action);
	else if (is_frozen(&s->st))
		guess_running(s);
	else
		s->running[0] = '\0';
	s->op_canceled = false;
	s->op_failed = false;
	if (mon_degraded(&s->st))
		push(&b, MON_DEGRADED_VOLUME, -1, NULL);
	if (meta_failed(&s->st))
		push(&b, MON_METADATA_FAILED, -1, NULL);
	return b.n;
}

static bool same_extent(const struct mon_plex *a, const struct mon_plex *b)
{
	return a->major == b->major && a->minor == b->minor && a->offset == b->offset;
}

/*
 * om[i]: the index in @new of plex i of @old, -1 when it is gone; nm[j]:
 * the index in @old of plex j of @new, -1 when it is new.  By extent when
 * both snapshots have them, else by position.
 */
static void match_plexes(const struct mon_snap *old, const struct mon_snap *new, int *om,
			 int *nm)
{
	unsigned int i, j, no = old->st.nr_plexes, nn = new->st.nr_plexes;

	for (i = 0; i < no; i++)
		om[i] = -1;
	for (j = 0; j < nn; j++)
		nm[j] = -1;
	if (old->have_plexes && new->have_plexes) {
		for (i = 0; i < no; i++)
			for (j = 0; j < nn; j++)
				if (nm[j] < 0 && same_extent(&old->plex[i], &new->plex[j])) {
					om[i] = (int)j;
					nm[j] = (int)i;
					break;
				}
		return;
	}
	for (i = 0; i < no && i < nn; i++) {
		om[i] = (int)i;
		nm[i] = (int)i;
	}
}

/* Does the operation @k work on a plex of health @h (bring it in sync, compare it)? */
static bool op_target(enum mon_kind k, char h)
{
	return is_scrub(k) ? h != 'D' : h == 'a' || h == 'S';
}

static void push_count(struct evbuf *b, enum mon_event_type type, uint64_t count)
{
	push(b, type, -1, NULL);
	if (b->n && b->ev[b->n - 1].type == type)
		b->ev[b->n - 1].count = count;
}

unsigned int mon_classify(const struct mon_snap *old, struct mon_snap *new,
			  struct mon_event *ev, unsigned int max)
{
	struct evbuf b = { ev, 0, max };
	int om[VDSPLEX_MAX_EXTENTS], nm[VDSPLEX_MAX_EXTENTS];
	enum mon_kind ko = kind_of(old->running), nk = kind_of(new->st.sync_action);
	bool old_frozen = is_frozen(&old->st), new_frozen = is_frozen(&new->st);
	bool ended, in_sync = false, canceled = false, failed = false, left = false;
	unsigned int i, j;

	match_plexes(old, new, om, nm);

	/* What runs now, remembered across "frozen". */
	if (nk != KIND_NONE)
		snprintf(new->running, sizeof(new->running), "%s", new->st.sync_action);
	else if (new_frozen && ko != KIND_NONE)
		snprintf(new->running, sizeof(new->running), "%s", old->running);
	else if (new_frozen)
		guess_running(new);
	else
		new->running[0] = '\0';

	/* What happened since @old to the plexes the operation works on. */
	for (i = 0; ko != KIND_NONE && i < old->st.nr_plexes; i++) {
		char h = old->st.health[i], nh;

		if (!op_target(ko, h))
			continue;
		if (om[i] < 0) {
			canceled = true;
			continue;
		}
		nh = new->st.health[om[i]];
		failed |= nh == 'D';
		left |= nh != 'A';
	}

	for (i = 0; i < old->st.nr_plexes; i++)
		if (om[i] < 0)
			push(&b, MON_PLEX_REMOVED, (int)i, plex_dev(old, i));
	for (j = 0; j < new->st.nr_plexes; j++)
		if (nm[j] < 0)
			push(&b, MON_PLEX_ADDED, (int)j, plex_dev(new, j));
	for (j = 0; j < new->st.nr_plexes; j++)
		if (new->st.health[j] == 'D' && (nm[j] < 0 || old->st.health[nm[j]] != 'D'))
			push(&b, MON_PLEX_FAILED, (int)j, plex_dev(new, j));
	if (!meta_failed(&old->st) && meta_failed(&new->st))
		push(&b, MON_METADATA_FAILED, -1, NULL);
	else if (meta_failed(&old->st) && !meta_failed(&new->st))
		push(&b, MON_METADATA_RECOVERED, -1, NULL);
	for (j = 0; j < new->st.nr_plexes; j++)
		if (new->st.health[j] == 'A' && (nm[j] < 0 || old->st.health[nm[j]] != 'A')) {
			push(&b, MON_PLEX_IN_SYNC, (int)j, plex_dev(new, j));
			in_sync = true;
		}

	/* The operation under way ended, or another one replaced it. */
	ended = ko != KIND_NONE && !new_frozen && nk != ko;
	new->op_canceled = false;
	new->op_failed = false;
	if (ended) {
		enum mon_event_type end = MON_RESYNC_FINISHED;

		if (old->op_canceled || canceled)
			end = MON_RESYNC_CANCELED;
		else if (old->op_failed || failed || (left && !is_scrub(ko)))
			end = MON_RESYNC_FAILED;
		push(&b, (enum mon_event_type)(end + ko), -1, NULL);
		if (is_scrub(ko) && nk == KIND_NONE && new->st.mismatch_cnt)
			push_count(&b, MON_MISMATCHES, new->st.mismatch_cnt);
	} else if (ko != KIND_NONE) {
		/* still under way */
		new->op_canceled = old->op_canceled || canceled;
		new->op_failed = old->op_failed || failed;
	} else if (nk == KIND_NONE && !new_frozen && !old_frozen) {
		/* Idle at both looks: a rebuild or a check may have run in between. */
		if (in_sync)
			push(&b, MON_REBUILD_FINISHED, -1, NULL);
		if (new->st.mismatch_cnt && new->st.mismatch_cnt != old->st.mismatch_cnt)
			push_count(&b, MON_MISMATCHES, new->st.mismatch_cnt);
	}

	if (nk != KIND_NONE && nk != ko)
		push(&b, (enum mon_event_type)(MON_RESYNC_STARTED + nk), -1, NULL);
	if (new_frozen && !old_frozen)
		push(&b, MON_SYNC_PAUSED, -1, NULL);
	else if (old_frozen && nk != KIND_NONE && nk == ko)
		push(&b, MON_SYNC_RESUMED, -1, NULL);
	return b.n;
}

void mon_format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

int mon_format_line(char *buf, size_t len, time_t t, const char *volume,
		    const struct mon_event *e, const struct mon_snap *s)
{
	char when[32], plex[MON_DEV_LEN + 32] = "", detail[64] = "";

	mon_format_time(t, when, sizeof(when));
	if (e->plex >= 0 && e->device[0])
		snprintf(plex, sizeof(plex), " plex %d (%s)", e->plex, e->device);
	else if (e->plex >= 0)
		snprintf(plex, sizeof(plex), " plex %d", e->plex);
	if (e->type == MON_DEGRADED_VOLUME && s)
		snprintf(detail, sizeof(detail), " health %s", s->st.health);
	else if (e->type == MON_MISMATCHES)
		snprintf(detail, sizeof(detail), " %llu region%s", (unsigned long long)e->count,
			 e->count == 1 ? "" : "s");
	return vx_snprintf(buf, len, "%s %s: %s%s%s", when, volume, mon_event_name(e->type),
			   plex, detail);
}

static struct json_object *snap_json(const struct mon_snap *s)
{
	struct json_object *o = json_object_new_object();
	const struct vdsplex_status *st = &s->st;

	status_fields_json(o, st);
	json_add_str(o, "line", s->line);
	return o;
}

struct json_object *mon_event_json(time_t t, const struct volume_ref *v,
				   const struct mon_event *e, const struct mon_snap *s)
{
	struct json_object *o = json_object_new_object();
	char when[32];

	mon_format_time(t, when, sizeof(when));
	json_add_str(o, "time", when);
	json_add_str(o, "event", mon_event_name(e->type));
	json_object_object_add(o, "volume", volume_json(v));
	if (e->plex >= 0)
		json_add_int(o, "plex", e->plex);
	else
		json_object_object_add(o, "plex", NULL);
	json_add_str(o, "device", e->device[0] ? e->device : NULL);
	if (e->type == MON_MISMATCHES)
		json_add_u64(o, "mismatch_cnt", e->count);
	json_object_object_add(o, "status", s ? snap_json(s) : NULL);
	return o;
}
