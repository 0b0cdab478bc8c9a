/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdsplex monitor: what changed between two looks at a volume, as events
 * named in the manner of mdadm --monitor.  Pure (no device access), so
 * unit-tested: cmd_monitor.c gathers the snapshots and reports.
 *
 * A snapshot is a volume's status line (Documentation/dm-vdsplex.rst,
 * "Status") and, when its table could be read, each plex's device and
 * offset: plexes are matched across two snapshots by their extent, since
 * indices compact on removal.  Without extents they are matched by
 * position.
 *
 * The event names are stable (scripts and --program handlers test them);
 * vdsplex(8) documents each.
 */
#ifndef VDSPLEX_MONITOR_H
#define VDSPLEX_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/dm-vdsplex.h>

#include "report.h"
#include "status.h"

#define MON_DEV_LEN	128
#define MON_LINE_LEN	256

enum mon_event_type {
	MON_NEW_VOLUME,		/* a vdsplex volume appeared */
	MON_VOLUME_REMOVED,	/* a watched volume is gone (or no longer vdsplex) */
	MON_DEGRADED_VOLUME,	/* first seen with a plex not in sync (D, S or a) */
	MON_METADATA_FAILED,	/* metadata_state became "fail" */
	MON_METADATA_RECOVERED,	/* metadata_state left "fail" */
	MON_PLEX_REMOVED,	/* a plex left the table (index: its old one) */
	MON_PLEX_ADDED,		/* a plex joined the table */
	MON_PLEX_FAILED,	/* a plex became D */
	MON_PLEX_IN_SYNC,	/* a plex became A (mdadm's SpareActive) */
	MON_RESYNC_STARTED,	/* sync_action left idle: resync */
	MON_REBUILD_STARTED,	/* ... recover */
	MON_CHECK_STARTED,	/* ... check */
	MON_REPAIR_STARTED,	/* ... repair */
	MON_RESYNC_FINISHED,	/* ended, every plex it rebuilt in sync */
	MON_REBUILD_FINISHED,
	MON_CHECK_FINISHED,
	MON_REPAIR_FINISHED,
	MON_RESYNC_FAILED,	/* ended with a plex it rebuilt D or S, or one failed */
	MON_REBUILD_FAILED,
	MON_CHECK_FAILED,
	MON_REPAIR_FAILED,
	MON_RESYNC_CANCELED,	/* ended with a plex it rebuilt removed */
	MON_REBUILD_CANCELED,
	MON_CHECK_CANCELED,
	MON_REPAIR_CANCELED,
	MON_SYNC_PAUSED,	/* sync_action became frozen */
	MON_SYNC_RESUMED,	/* frozen, then running again */
	MON_MISMATCHES,		/* a check or repair ended with mismatch_cnt > 0 */
	MON_NR_EVENTS,
};

/* A plex of a snapshot. */
struct mon_plex {
	uint32_t major, minor;
	uint64_t offset;
	char device[MON_DEV_LEN];	/* its name to show; "" when unknown */
};

/* One look at a volume. */
struct mon_snap {
	struct vdsplex_status st;
	char line[MON_LINE_LEN];	/* the status line as read */
	bool have_plexes;		/* plex[0..st.nr_plexes) are known */
	struct mon_plex plex[VDSPLEX_MAX_EXTENTS];
	/*
	 * The operation under way ("resync", "recover", "check", "repair";
	 * "" none), remembered across "frozen".  Set by mon_first_sight() and
	 * mon_classify(), not by the caller.
	 */
	char running[STATUS_WORD_LEN];
	/*
	 * What happened to that operation so far, across looks (the kernel
	 * detaches a canceled plex before the resync thread goes idle): a
	 * plex it works on was removed, or failed.  Set by mon_classify().
	 */
	bool op_canceled, op_failed;
};

struct mon_event {
	enum mon_event_type type;
	int plex;			/* plex index, -1 when the event has none */
	char device[MON_DEV_LEN];	/* that plex's device; "" when unknown */
	uint64_t count;			/* MON_MISMATCHES: mismatch_cnt */
};

/* Room for every event one transition can give. */
#define MON_MAX_EVENTS	(4 * VDSPLEX_MAX_EXTENTS + 8)

/* "PlexFailed", ...; "Unknown" out of range. */
const char *mon_event_name(enum mon_event_type type);

/* Is @st degraded: a plex that is not A (D, S, or a, still being rebuilt)? */
bool mon_degraded(const struct vdsplex_status *st);

/*
 * The events of a volume seen for the first time (at start, or when it
 * appears): DegradedVolume, MetadataFailed.  Sets @s->running.
 * Return: the number of events written to @ev[0..max).
 */
unsigned int mon_first_sight(struct mon_snap *s, struct mon_event *ev, unsigned int max);

/*
 * The events between two looks @old and @new at one volume, in this order:
 * PlexRemoved, PlexAdded, PlexFailed, Metadata*, PlexInSync, the end of
 * the operation that was under way (<Kind>Finished/Failed/Canceled, then
 * Mismatches), the start of a new one (<Kind>Started), SyncPaused or
 * SyncResumed.  An operation ends Canceled when a plex it was bringing in
 * sync (a check: any plex) was removed while it ran, Failed when one
 * failed or is left out of sync, else Finished.  A rebuild that started
 * and ended between the two looks gives PlexInSync and RebuildFinished.
 * Sets @new->running, @new->op_canceled and @new->op_failed.
 * Return: the number of events written to @ev[0..max).
 */
unsigned int mon_classify(const struct mon_snap *old, struct mon_snap *new,
			  struct mon_event *ev, unsigned int max);

/* "2026-12-02T13:40:01" (local time) into @buf[len]. */
void mon_format_time(time_t t, char *buf, size_t len);

/*
 * One event as a line without the newline:
 *   "<time> <volume>: <Event>[ plex <N>[ (<device>)]][ <detail>]"
 * where detail is "health <chars>" for DegradedVolume and "<n> regions"
 * ("1 region") for Mismatches.  @s: the volume's snapshot (NULL for VolumeRemoved).
 * Return: 0, or -ENAMETOOLONG when @buf is too small (it holds a prefix).
 */
int mon_format_line(char *buf, size_t len, time_t t, const char *volume,
		    const struct mon_event *e, const struct mon_snap *s);

/*
 * One event as a JSON object: {"time", "event", "volume": {name, uuid,
 * major, minor, device}, "plex" (null when none), "device" (null when
 * unknown), "mismatch_cnt" (Mismatches only), "status" (the status fields
 * under their names in Documentation/dm-vdsplex.rst, "Status", and "line";
 * null for VolumeRemoved)}.
 */
struct json_object *mon_event_json(time_t t, const struct volume_ref *v,
				   const struct mon_event *e, const struct mon_snap *s);

#endif /* VDSPLEX_MONITOR_H */
