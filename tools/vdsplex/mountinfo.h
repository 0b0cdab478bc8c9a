/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a block device is mounted, from /proc/self/mountinfo.
 */
#ifndef VDSPLEX_MOUNTINFO_H
#define VDSPLEX_MOUNTINFO_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mount_hit {
	unsigned int count;		/* mounts of the device */
	bool root;			/* one of them is "/" */
	bool boot;			/* one of them is "/boot" */
	bool whole;			/* mountpoint mounts the filesystem's root */
	char mountpoint[PATH_MAX];	/* the first one (preferring a whole-fs mount) */
};

/*
 * Scan mountinfo text @f for mounts of @major:@minor.  Pure apart from
 * reading @f.  Return: 0, or -EINVAL on a malformed line.
 */
int mountinfo_scan(FILE *f, uint32_t major, uint32_t minor, struct mount_hit *hit);

/* mountinfo_scan() of /proc/self/mountinfo; -errno when unreadable. */
int mountinfo_lookup(uint32_t major, uint32_t minor, struct mount_hit *hit);

#endif /* VDSPLEX_MOUNTINFO_H */
