/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device-mapper table lines: the vdsplex line
 * (Documentation/dm-vdsplex.rst, "Constructor") built for create
 * and parsed back, linear lines, and the classification of a mapped
 * device's segments for add-plex.  Pure functions.
 */
#ifndef VDSPLEX_TABLELINE_H
#define VDSPLEX_TABLELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dm-vdsplex.h>

#define DEVNAME_LEN	24	/* "MAJOR:MINOR" */

struct extent {
	uint32_t major, minor;
	uint64_t offset;	/* sectors */
};

/* The parameters of a vdsplex table line. */
struct vdsplex_params {
	char meta[DEVNAME_LEN];		/* "-", or the metadata device */
	uint64_t region_sectors;
	unsigned int nr_plexes;
	struct extent plex[VDSPLEX_MAX_EXTENTS];
	bool nosync;
	const char *extra;		/* parse: the optional args, verbatim (may be "") */
};

/*
 * The parameters (after "vdsplex") of a table line for @p: "<meta>
 * <region> <n> <maj:min> <offset>... [1 nosync]".
 * Return: 0, -EINVAL (no plexes, too many), -ENAMETOOLONG.
 */
int vdsplex_params_format(const struct vdsplex_params *p, char *buf, size_t len);

/*
 * Parse the parameters of a vdsplex table as 'dmsetup table' prints them
 * (devices as MAJOR:MINOR).  p->extra points into @params.
 */
int vdsplex_params_parse(const char *params, struct vdsplex_params *p, const char **why);

/* "0 <len> <type> <params>": a whole table line, for messages. */
int table_line_format(uint64_t start, uint64_t len, const char *type,
		      const char *params, char *buf, size_t buflen);

/* The parameters of a linear target: "MAJOR:MINOR OFFSET". */
int linear_params_parse(const char *params, struct extent *e, const char **why);
int linear_params_format(const struct extent *e, char *buf, size_t len);

/* One plex candidate for create: its device's size and block size. */
struct plex_geometry {
	uint64_t dev_sectors;	/* size of the device */
	uint64_t offset;	/* start of the plex on it */
	uint32_t lbs_sectors;	/* logical block size, in sectors (>= 1) */
};

/*
 * The length of a volume over @g[0..n): the smallest dev_sectors - offset,
 * rounded down to the largest logical block size.
 * Return: 0; -ENOSPC with *bad the plex that has no room at its offset.
 */
int create_length(const struct plex_geometry *g, unsigned int n, uint64_t *len,
		  unsigned int *bad);

/* One segment of a mapped device's table, reduced to what add-plex needs. */
struct segment {
	uint64_t start, len;
	bool linear;		/* a linear target (else: what it is is in type) */
	struct extent ext;	/* linear only */
};

enum segs_kind {
	SEGS_ONE_EXTENT,	/* contiguous: *ext is the whole device */
	SEGS_NOT_LINEAR,	/* some segment is not linear */
	SEGS_NOT_CONTIGUOUS,	/* several extents of one disk */
	SEGS_SPANS_DISKS,	/* extents on several disks */
};

/*
 * What the linear segments @s[0..n) amount to.  Adjacent segments that
 * continue each other on the same device merge into one extent.
 */
enum segs_kind segments_classify(const struct segment *s, unsigned int n, struct extent *ext);

#endif /* VDSPLEX_TABLELINE_H */
