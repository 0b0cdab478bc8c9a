/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a metadata device for dump-metadata, through the module's own
 * decoder (vdsplex-metadata.c built against tools/kshim): what it accepts is
 * what the kernel would accept.  Plain C types, no kernel ones.
 */
#ifndef VDSPLEX_MDREAD_H
#define VDSPLEX_MDREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_MAX_PLEXES	32

/* A plex record's state (the module's enum vdsplex_md_plex_state). */
enum md_state { MD_ALIVE = 1, MD_RECOVER, MD_STALE, MD_DEAD };

struct md_plex_info {
	unsigned int slot;
	uint64_t id;
	char identity[65];
	uint32_t major, minor;
	uint64_t dev_sectors, offset;
	uint32_t state;			/* enum md_state */
	bool added, write_mostly;
	uint32_t read_errors, write_errors;
	uint64_t checkpoint;
	uint64_t in_sync;		/* regions in sync (alive: all) */
};

struct md_info {
	bool blank;			/* block 0 all zero: never formatted */
	bool table_newer;		/* block 1 a commit ahead of block 0, taken */
	uint32_t version;
	bool clean;
	uint8_t uuid[16];
	uint64_t generation, volume_sectors, nr_regions, resync_cursor, next_plex_id;
	uint32_t region_size, bitmap_blocks;
	uint64_t blocks;		/* the device's metadata blocks in use */
	uint64_t dirty, discarded;	/* regions set in those bitmaps */
	unsigned int nr_plexes;
	struct md_plex_info plex[MD_MAX_PLEXES];
};

/* The name of a record state ("alive", ...). */
const char *md_state_name(uint32_t state);

/*
 * Read and validate the metadata on @fd (a block device or an image file).
 * Return: 0, or -errno with a sentence naming the problem in @err (-EINVAL
 * or -EILSEQ: not vdsplex metadata, or corrupt).
 */
int md_read(int fd, struct md_info *info, char *err, size_t errlen);

/*
 * Record new device hints in the plex table on @fd: for each slot s with
 * bit s of @mask set, the plex was found at @devno[s] = {major, minor}.
 * The module matches a table's plexes to the records by these hints, so
 * activation calls this when devices were renamed.  Only block 1 is
 * rewritten (encoded by the module's own code, its checksum recomputed),
 * then flushed.  The device must not be in use by a live volume.
 * Return: 0, or -errno with the problem in @err.
 */
int md_set_hints(int fd, uint32_t mask, const uint32_t (*devno)[2], char *err, size_t errlen);

#endif /* VDSPLEX_MDREAD_H */
