/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing of command-line values: sizes, offsets, rates, indices, timeouts,
 * device numbers and DEV[:OFFSET].  Pure functions: no I/O except through
 * the callback parse_dev_offset() is given.
 *
 * Each returns 0, or -EINVAL (malformed) / -ERANGE (too large) and sets
 * *why to a short phrase saying what is wrong.
 */
#ifndef VDSPLEX_PARSE_H
#define VDSPLEX_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A plain decimal number: digits only, no sign, no spaces. */
int parse_u64(const char *s, uint64_t *out, const char **why);

/*
 * A size: a decimal number of 512-byte sectors (as in dm tables), or with
 * a suffix: "s" (sectors), "B" (bytes), K, M, G, T, P, E (powers of 1024,
 * optionally followed by "iB").  Examples: "2048" and "2048s" (1 MiB),
 * "512B", "4K", "1MiB".
 */
int parse_size_bytes(const char *s, uint64_t *bytes, const char **why);

/* A size as above that must be a whole number of sectors; in sectors. */
int parse_size_sectors(const char *s, uint64_t *sectors, const char **why);

/*
 * A region size: parse_size_sectors(), a power of two from 8 (4 KiB) to
 * REGION_MAX_SECTORS, the target's range (Documentation/dm-vdsplex.rst).
 */
#define REGION_MAX_SECTORS	2097152u	/* 1 GiB */
int parse_region_size(const char *s, uint64_t *sectors, const char **why);

#define RATE_MAX_KIBS	UINT32_MAX

struct rate {
	bool adaptive;		/* "adaptive": no cap, back off under load */
	uint64_t kibs;		/* the cap in KiB/s; 0: unlimited */
};

/*
 * A resync rate: "adaptive", "unlimited" (= 0), or a number of KiB/s with
 * an optional K, M or G suffix (KiB/s, MiB/s, GiB/s; "iB" and "/s" may
 * follow).  Examples: "500", "20M", "20MiB/s", "1G/s".
 */
int parse_rate(const char *s, struct rate *r, const char **why);

/* The kernel message argument for @r: "adaptive" or the KiB/s. */
int rate_message(const struct rate *r, char *buf, size_t len);

/* A plex index: 0 .. VDSPLEX_MAX_EXTENTS - 1. */
int parse_index(const char *s, uint32_t *index, const char **why);

/* A timeout in seconds ("30", "30s"), to milliseconds. */
int parse_timeout(const char *s, uint64_t *ms, const char **why);

#define DM_NAME_MAX	127	/* characters; DM_NAME_LEN (128) with the NUL */

/*
 * A name for a new mapped device, as the kernel accepts it: 1 to
 * DM_NAME_MAX characters, no '/', and not ".", ".." or "control" (the
 * nodes /dev/mapper already has).
 */
int parse_dm_name(const char *s, const char **why);

/* "MAJOR:MINOR". */
int parse_devno(const char *s, uint32_t *major, uint32_t *minor, const char **why);

/*
 * DEV[:OFFSET]: a device and an offset (a size, see parse_size_sectors(),
 * default 0).  DEV is a path, a dm name or UUID, or MAJOR:MINOR.  Since
 * paths may contain ':', the last ':' separates an offset only when what
 * follows it is a valid size and the whole argument is not an existing
 * path (@exists, may be NULL).  "8:16" is a device; "8:16:2048s" is 8:16
 * at sector 2048.
 */
int parse_dev_offset(const char *arg, bool (*exists)(const char *path),
		     char *dev, size_t devlen, uint64_t *offset, const char **why);

/* Does @path exist (stat() succeeds)?  For parse_dev_offset(). */
bool path_exists(const char *path);

#endif /* VDSPLEX_PARSE_H */
