// SPDX-License-Identifier: GPL-2.0-only
/*
 * Block devices named on the command line; see devices.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <linux/fs.h>

#include "common.h"
#include "devices.h"
#include "parse.h"

#define BY_ID_DIR	"/dev/disk/by-id"

/* Is @path a node of @major:@minor? */
static bool node_is(const char *path, uint32_t major, uint32_t minor)
{
	struct stat st;

	return !stat(path, &st) && S_ISBLK(st.st_mode) &&
	       major(st.st_rdev) == major && minor(st.st_rdev) == minor;
}

/* DEVNAME from /sys/dev/block/M:m/uevent into "/dev/DEVNAME". */
static bool node_from_sysfs(uint32_t major, uint32_t minor, char *buf, size_t len)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = !vx_snprintf(buf, len, "/dev/%s", line + 8) &&
			node_is(buf, major, minor);
	}
	fclose(f);
	return found;
}

/* Look for a node of @major:@minor directly under /dev. */
static bool node_from_dev_scan(uint32_t major, uint32_t minor, char *buf, size_t len)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		if (e->d_type != DT_BLK && e->d_type != DT_UNKNOWN)
			continue;
		found = !vx_snprintf(buf, len, "/dev/%s", e->d_name) &&
			node_is(buf, major, minor);
	}
	if (d)
		closedir(d);
	return found;
}

/* Fill b->node, preferring @hint (the path the user gave). */
static void find_node(struct bdev *b, const char *hint)
{
	char *p = b->node;
	size_t len = sizeof(b->node);

	if (hint && node_is(hint, b->major, b->minor) && !vx_snprintf(p, len, "%s", hint))
		return;
	if (b->is_dm && !vx_snprintf(p, len, "/dev/mapper/%s", b->dm.name) &&
	    node_is(p, b->major, b->minor))
		return;
	if (!vx_snprintf(p, len, "/dev/block/%u:%u", b->major, b->minor) &&
	    node_is(p, b->major, b->minor))
		return;
	if (node_from_sysfs(b->major, b->minor, p, len) ||
	    node_from_dev_scan(b->major, b->minor, p, len))
		return;
	p[0] = '\0';
}

static int bdev_fill(struct bdev *b, uint32_t major, uint32_t minor, const char *hint)
{
	memset(b, 0, sizeof(*b));
	b->major = major;
	b->minor = minor;
	b->is_dm = !dmx_info_devno(major, minor, &b->dm);
	find_node(b, hint);
	return 0;
}

int bdev_from_devno(uint32_t major, uint32_t minor, struct bdev *b)
{
	return bdev_fill(b, major, minor, NULL);
}

static int resolve_path(const char *path, struct bdev *b)
{
	struct stat st;

	if (stat(path, &st))
		return -ENOENT;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	return bdev_fill(b, major(st.st_rdev), minor(st.st_rdev), path);
}

int bdev_resolve(const char *arg, struct bdev *b)
{
	struct dmdev d;
	uint32_t ma, mi;
	char path[PATH_MAX];

	if (strchr(arg, '/'))
		return resolve_path(arg, b);
	if (!parse_devno(arg, &ma, &mi, NULL))
		return bdev_fill(b, ma, mi, NULL);
	if (!dmx_info_name(arg, &d) || !dmx_info_uuid(arg, &d))
		return bdev_fill(b, d.major, d.minor, NULL);
	if (vx_snprintf(path, sizeof(path), "/dev/%s", arg))
		return -ENOENT;
	return resolve_path(path, b);
}

void bdev_report(const char *role, const char *arg, int err)
{
	if (err == -ENOTBLK)
		vx_err("%s '%s': not a block device", role, arg);
	else
		vx_err("%s '%s': no such device (give a device-mapper name, a /dev path, a dm UUID or MAJOR:MINOR)",
		       role, arg);
}

int bdev_geometry(const struct bdev *b, uint64_t *sectors, uint32_t *lbs_sectors)
{
	uint64_t bytes;
	int fd, lbs, r = 0;

	if (!b->node[0])
		return -ENOENT;
	fd = open(b->node, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKGETSIZE64, &bytes) || ioctl(fd, BLKSSZGET, &lbs))
		r = -errno;
	close(fd);
	if (r)
		return r;
	*sectors = bytes >> SECTOR_SHIFT;
	*lbs_sectors = lbs >= 512 ? (uint32_t)lbs >> SECTOR_SHIFT : 1;
	return 0;
}

void devno_display(uint32_t major, uint32_t minor, char *buf, size_t len)
{
	struct bdev b;

	bdev_from_devno(major, minor, &b);
	if (b.node[0] && strncmp(b.node, "/dev/block/", 11))
		snprintf(buf, len, "%s", b.node);
	else
		snprintf(buf, len, "%u:%u", major, minor);
}

bool identity_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	return true;
}

/* The first /dev/disk/by-id name (sorted) of @b that is a valid identity. */
static bool identity_by_id(const struct bdev *b, char *out, size_t len)
{
	struct dirent **names;
	char path[PATH_MAX];
	bool found = false;
	int i, n = scandir(BY_ID_DIR, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;

		if (!found && nm[0] != '.' && identity_valid(nm) &&
		    !vx_snprintf(path, sizeof(path), BY_ID_DIR "/%s", nm) &&
		    node_is(path, b->major, b->minor))
			found = !vx_snprintf(out, len, "%s", nm);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return found;
}

/*
 * Probe @node's partition information: PART_ENTRY_UUID (a partition's
 * PARTUUID), PART_ENTRY_SCHEME (the table it is in) and PTTYPE (the table
 * a whole disk carries).  Missing values are left "".
 */
static void probe_partitions(const char *node, char *partuuid, char *scheme,
			     char *pttype, size_t len)
{
	blkid_probe pr = blkid_new_probe_from_filename(node);
	const char *v;

	partuuid[0] = scheme[0] = pttype[0] = '\0';
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (!blkid_do_safeprobe(pr)) {
		if (!blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &v, NULL))
			snprintf(partuuid, len, "%s", v);
		if (!blkid_probe_lookup_value(pr, "PART_ENTRY_SCHEME", &v, NULL))
			snprintf(scheme, len, "%s", v);
		if (!blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL))
			snprintf(pttype, len, "%s", v);
	}
	blkid_free_probe(pr);
}

/* Reading a suspended mapped device waits until it is resumed: never probe one. */
static bool probe_safe(const struct bdev *b)
{
	return b->node[0] && !(b->is_dm && b->dm.suspended);
}

void bdev_identity(const struct bdev *b, char *out, size_t len)
{
	char partuuid[64], scheme[64], pttype[64];

	if (b->is_dm && identity_valid(b->dm.uuid) && !vx_snprintf(out, len, "%s", b->dm.uuid))
		return;
	if (identity_by_id(b, out, len))
		return;
	if (probe_safe(b)) {
		probe_partitions(b->node, partuuid, scheme, pttype, sizeof(partuuid));
		if (partuuid[0] && !vx_snprintf(out, len, "PARTUUID=%s", partuuid) &&
		    identity_valid(out))
			return;
	}
	if (b->node[0] && identity_valid(b->node) && !vx_snprintf(out, len, "%s", b->node))
		return;
	out[0] = '\0';
}

/* Follow mapped devices down to the first device below them all. */
static void lowest_devno(uint32_t *major, uint32_t *minor)
{
	uint32_t devs[DMX_MAX_DEPS][2];
	struct dmdev d;
	unsigned int depth, n;

	for (depth = 0; depth < 16 && !dmx_info_devno(*major, *minor, &d); depth++) {
		if (dmx_deps(*major, *minor, devs, DMX_MAX_DEPS, &n) || !n)
			return;
		*major = devs[0][0];
		*minor = devs[0][1];
	}
}

const char *devno_pttype(uint32_t major, uint32_t minor, char *buf, size_t len)
{
	char partuuid[64], scheme[64], pttype[64];
	struct bdev b;

	lowest_devno(&major, &minor);
	bdev_from_devno(major, minor, &b);
	if (!probe_safe(&b))
		return NULL;
	probe_partitions(b.node, partuuid, scheme, pttype, sizeof(partuuid));
	if (scheme[0])
		snprintf(buf, len, "%s", scheme);
	else if (pttype[0])
		snprintf(buf, len, "%s", pttype);
	else
		return NULL;
	return buf;
}
