/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reports of 'plexes' and 'status': tables and JSON documents built
 * from data already gathered.  Pure (no device access), so unit-tested.
 *
 * JSON keys are snake_case and stable; sizes and offsets are in 512-byte
 * sectors (keys ending in _sectors).
 */
#ifndef VDSPLEX_REPORT_H
#define VDSPLEX_REPORT_H

#include <stdint.h>

#include <json-c/json.h>
#include <linux/dm-vdsplex.h>

#include "output.h"
#include "status.h"

/* A mapped device, as the reports name it. */
struct volume_ref {
	const char *name;
	const char *uuid;	/* "" when none */
	uint32_t major, minor;
};

/* One plex of QUERY_PLEXES and the name of its device. */
struct plex_row {
	struct vdsplex_plex_info info;
	char device[256];	/* "/dev/sdb", "/dev/mapper/x", or "MAJ:MIN" */
};

/* "alive", "recovering", "stale", "dead", or "unknown". */
const char *plex_state_name(uint32_t state);

/* Percent of @synced in @total, in tenths (0..1000); 1000 when total is 0. */
unsigned int permille(uint64_t synced, uint64_t total);

/* The "volume" object: name, uuid, major, minor, device. */
struct json_object *volume_json(const struct volume_ref *v);

/*
 * plexes: {"volume": {..., "length_sectors", "region_size_sectors",
 * "nr_plexes"}, "plexes": [{"index", "id", "health", "state", "device",
 * "major", "minor", "offset_sectors", "synced_regions", "total_regions",
 * "synced_percent", "read_errors", "write_errors", "identity", "flags"}]}
 */
struct json_object *plexes_json(const struct volume_ref *v, uint64_t len_sectors,
				uint32_t region_sectors, const struct plex_row *rows,
				unsigned int n);

/* INDEX ID HEALTH STATE DEVICE OFFSET SYNCED READ_ERR WRITE_ERR IDENTITY */
struct table *plexes_table(const struct plex_row *rows, unsigned int n);

/*
 * One entry of status's {"volumes": [...]}: the volume's name, uuid,
 * major, minor, device, length_sectors, and the status fields under
 * their names in Documentation/dm-vdsplex.rst, "Status" (nr_plexes,
 * health, synced_regions, total_regions, sync_action, mismatch_cnt,
 * metadata_state, resync_rate_kibs, regions_resynced).
 */
/*
 * The status line's fields (Documentation/dm-vdsplex.rst, "Status"),
 * named as in status_json(), into @o.
 */
void status_fields_json(struct json_object *o, const struct vdsplex_status *st);
struct json_object *status_json(const struct volume_ref *v, uint64_t len_sectors,
				const struct vdsplex_status *st);

/* NAME PLEXES HEALTH SYNCED ACTION MISMATCH METADATA RATE RESYNCED */
struct table *status_table_new(void);
int status_table_add(struct table *t, const struct volume_ref *v,
		     const struct vdsplex_status *st);

#endif /* VDSPLEX_REPORT_H */
