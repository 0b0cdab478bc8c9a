/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Block devices named on the command line: resolution (dm name, /dev
 * path, dm UUID, MAJOR:MINOR), device nodes, sizes, stable identities
 * and partition-table types (libblkid).
 */
#ifndef VDSPLEX_DEVICES_H
#define VDSPLEX_DEVICES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm.h"

struct bdev {
	uint32_t major, minor;
	bool is_dm;
	struct dmdev dm;	/* when is_dm */
	char node[PATH_MAX];	/* a device node of it; "" when none was found */
};

/*
 * Resolve @arg: a path to a block device node, MAJOR:MINOR, a dm name, a
 * dm UUID, or a kernel name under /dev ("sdb").
 * Return: 0, -ENOENT (nothing by that name), -ENOTBLK (not a block device).
 */
int bdev_resolve(const char *arg, struct bdev *b);
int bdev_from_devno(uint32_t major, uint32_t minor, struct bdev *b);

/* "vdsplex: <role> '<arg>': <why>" for a bdev_resolve() error. */
void bdev_report(const char *role, const char *arg, int err);

/* Size in sectors and logical block size in sectors. */
int bdev_geometry(const struct bdev *b, uint64_t *sectors, uint32_t *lbs_sectors);

/* A name to show for @major:@minor: "/dev/mapper/x", "/dev/sdb" or "8:16". */
void devno_display(uint32_t major, uint32_t minor, char *buf, size_t len);

/* 1..63 printable characters without spaces (the kernel's rule). */
bool identity_valid(const char *s);

/*
 * The stable name recorded for a plex on @b: its dm UUID, else a
 * /dev/disk/by-id name, else "PARTUUID=<uuid>", else its node path; the
 * first that is identity_valid().  "" when none is.  A suspended mapped
 * device is not read (no PARTUUID).
 */
void bdev_identity(const struct bdev *b, char *out, size_t len);

/*
 * The partition-table type ("gpt", "dos", ...) of the disk holding
 * @major:@minor, looking through mapped devices to the disk below;
 * NULL when unknown (or when that is a suspended mapped device).
 */
const char *devno_pttype(uint32_t major, uint32_t minor, char *buf, size_t len);

#endif /* VDSPLEX_DEVICES_H */
