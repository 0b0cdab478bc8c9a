/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vdsplex INFO status line (Documentation/dm-vdsplex.rst, "Status"),
 * parsed.  Pure.
 *
 *   <#plexes> <health_chars> <synced_regions>/<total_regions> <sync_action>
 *   <mismatch_cnt> <metadata_state> <resync_rate_kibs> <regions_resynced>
 *
 * Fields are only ever appended: words after the eighth are ignored.
 */
#ifndef VDSPLEX_STATUS_H
#define VDSPLEX_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/dm-vdsplex.h>

#define STATUS_WORD_LEN	16

struct vdsplex_status {
	unsigned int nr_plexes;
	char health[VDSPLEX_MAX_EXTENTS + 1];
	uint64_t synced_regions;
	uint64_t total_regions;
	char sync_action[STATUS_WORD_LEN];
	uint64_t mismatch_cnt;
	char metadata_state[STATUS_WORD_LEN];
	uint64_t resync_rate_kibs;
	uint64_t regions_resynced;
};

/* Return: 0, or -EINVAL with *why naming the bad field. */
int status_parse(const char *params, struct vdsplex_status *st, const char **why);

/* Is every plex 'A' (alive and in sync) and the sync action "idle"? */
bool status_all_in_sync(const struct vdsplex_status *st);

#endif /* VDSPLEX_STATUS_H */
