// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdevmapper wrappers; see dm.h.
 *
 * Operations that create, resume or remove nodes pass a udev cookie and
 * wait for udev (libdevmapper falls back to creating nodes itself when
 * udev is not running or DM_DISABLE_UDEV is set).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "common.h"
#include "dm.h"

#define DEPS_MAX_DEPTH	16	/* stacks deeper than this are refused */
#define UDEV_CONTROL	"/run/udev/control"

/* The errno of a failed task, -EIO when libdevmapper has none. */
static int task_err(struct dm_task *dmt)
{
	int e = dm_task_get_errno(dmt);

	return e > 0 ? -e : -EIO;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Run an INFO task set up by @dmt and fill @d. */
static int info_run(struct dm_task *dmt, struct dmdev *d)
{
	struct dm_info info;
	int r = 0;

	if (!dm_task_run(dmt)) {
		r = task_err(dmt);
		goto out;
	}
	if (!dm_task_get_info(dmt, &info)) {
		r = -EIO;
		goto out;
	}
	if (!info.exists) {
		r = -ENODEV;
		goto out;
	}
	memset(d, 0, sizeof(*d));
	copy_str(d->name, sizeof(d->name), dm_task_get_name(dmt));
	copy_str(d->uuid, sizeof(d->uuid), dm_task_get_uuid(dmt));
	d->major = info.major;
	d->minor = info.minor;
	d->open_count = info.open_count;
	d->target_count = info.target_count;
	d->event_nr = info.event_nr;
	d->suspended = info.suspended;
	d->read_only = info.read_only;
	d->live_table = info.live_table;
	d->inactive_table = info.inactive_table;
out:
	dm_task_destroy(dmt);
	return r;
}

static struct dm_task *info_task(void)
{
	return dm_task_create(DM_DEVICE_INFO);
}

int dmx_info_name(const char *name, struct dmdev *d)
{
	struct dm_task *dmt = info_task();

	if (!dmt)
		return -ENXIO;
	if (strlen(name) >= DMX_NAME_LEN || !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return -ENODEV;
	}
	return info_run(dmt, d);
}

int dmx_info_uuid(const char *uuid, struct dmdev *d)
{
	struct dm_task *dmt = info_task();

	if (!dmt)
		return -ENXIO;
	if (strlen(uuid) >= DMX_UUID_LEN || !dm_task_set_uuid(dmt, uuid)) {
		dm_task_destroy(dmt);
		return -ENODEV;
	}
	return info_run(dmt, d);
}

int dmx_info_devno(uint32_t major, uint32_t minor, struct dmdev *d)
{
	struct dm_task *dmt = info_task();

	if (!dmt)
		return -ENXIO;
	if (!dm_task_set_major(dmt, major) || !dm_task_set_minor(dmt, minor)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	return info_run(dmt, d);
}

/* A task of @type addressed to @d by name. */
static struct dm_task *dev_task(int type, const struct dmdev *d)
{
	struct dm_task *dmt = dm_task_create(type);

	if (dmt && !dm_task_set_name(dmt, d->name)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

static int seg_push(struct dmtable *t, uint64_t start, uint64_t len, const char *type,
		    const char *params)
{
	struct dmseg *seg = realloc(t->seg, (t->n + 1) * sizeof(*seg));

	if (!seg)
		return -ENOMEM;
	t->seg = seg;
	seg = &t->seg[t->n];
	seg->start = start;
	seg->len = len;
	copy_str(seg->type, sizeof(seg->type), type);
	seg->params = strdup(params ? params : "");
	if (!seg->params)
		return -ENOMEM;
	t->n++;
	return 0;
}

int dmx_table(const struct dmdev *d, bool status, struct dmtable *t)
{
	struct dm_task *dmt = dev_task(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE, d);
	void *next = NULL;
	int r = 0;

	memset(t, 0, sizeof(*t));
	if (!dmt)
		return -ENXIO;
	if (!dm_task_run(dmt)) {
		r = task_err(dmt);
		goto out;
	}
	do {
		uint64_t start, len;
		char *type = NULL, *params = NULL;

		next = dm_get_next_target(dmt, next, &start, &len, &type, &params);
		if (type)
			r = seg_push(t, start, len, type, params);
	} while (next && !r);
out:
	dm_task_destroy(dmt);
	if (r)
		dmx_table_free(t);
	return r;
}

void dmx_table_free(struct dmtable *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		free(t->seg[i].params);
	free(t->seg);
	t->seg = NULL;
	t->n = 0;
}

uint64_t dmx_table_len(const struct dmtable *t)
{
	uint64_t len = 0;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		len += t->seg[i].len;
	return len;
}

/*
 * The target type of @d's first live segment into @type[DMX_TYPE_LEN],
 * from a STATUS (INFO) ioctl: never the table, which may hold a key
 * (dm-crypt's plain and LUKS1 tables do) that would land in our heap.
 * NOFLUSH: a thin-pool need not commit its metadata to be looked at.
 * Return: 0 (type "" when @d has no live table), or -errno.
 */
static int first_type(const struct dmdev *d, char *type)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_STATUS, d);
	uint64_t start, len;
	char *ttype = NULL, *params = NULL;
	int r = 0;

	type[0] = '\0';
	if (!dmt)
		return -ENXIO;
	if (!dm_task_no_flush(dmt)) {
		r = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		r = task_err(dmt);
		goto out;
	}
	dm_get_next_target(dmt, NULL, &start, &len, &ttype, &params);
	copy_str(type, DMX_TYPE_LEN, ttype);
out:
	dm_task_destroy(dmt);
	return r;
}

bool dmx_is_type(const struct dmdev *d, const char *type)
{
	char t[DMX_TYPE_LEN];

	return !first_type(d, t) && t[0] && !strcmp(t, type);
}

/* Append @name's info to *devs when its first segment is @type. */
static int list_one(const char *name, const char *type, struct dmdev **devs, unsigned int *n)
{
	struct dmdev d, *grown;

	if (dmx_info_name(name, &d) || !dmx_is_type(&d, type))
		return 0;	/* gone meanwhile, or another target */
	grown = realloc(*devs, (*n + 1) * sizeof(**devs));
	if (!grown)
		return -ENOMEM;
	*devs = grown;
	(*devs)[(*n)++] = d;
	return 0;
}

int dmx_list(const char *type, struct dmdev **devs, unsigned int *n)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_LIST);
	struct dm_names *names;
	unsigned int next = 0;
	int r = 0;

	*devs = NULL;
	*n = 0;
	if (!dmt)
		return -ENXIO;
	if (!dm_task_run(dmt)) {
		r = task_err(dmt);
		goto out;
	}
	names = dm_task_get_names(dmt);
	if (!names || !names->dev)
		goto out;	/* no mapped devices */
	do {
		names = (struct dm_names *)((char *)names + next);
		r = list_one(names->name, type, devs, n);
		next = names->next;
	} while (next && !r);
out:
	dm_task_destroy(dmt);
	return r;
}

static int add_targets(struct dm_task *dmt, const struct dmtable *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!dm_task_add_target(dmt, t->seg[i].start, t->seg[i].len,
					t->seg[i].type, t->seg[i].params))
			return -ENOMEM;
	return 0;
}

/* Run @dmt with a udev cookie and wait for udev; destroys @dmt. */
static int run_udev(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	int r = 0;

	if (!dm_task_set_cookie(dmt, &cookie, 0)) {
		dm_task_destroy(dmt);
		return -EIO;
	}
	if (!dm_task_run(dmt))
		r = task_err(dmt);
	dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	return r;
}

int dmx_create(const char *name, const char *uuid, const struct dmtable *t)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_CREATE);
	int r;

	if (!dmt)
		return -ENXIO;
	r = dm_task_set_name(dmt, name) ? 0 : -EINVAL;
	if (!r && uuid && !dm_task_set_uuid(dmt, uuid))
		r = -EINVAL;
	if (!r)
		r = add_targets(dmt, t);
	if (r) {
		dm_task_destroy(dmt);
		return r;
	}
	return run_udev(dmt);
}

int dmx_set_uuid(const char *name, const char *uuid)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_RENAME);

	if (!dmt)
		return -ENXIO;
	if (!dm_task_set_name(dmt, name) || !dm_task_set_newuuid(dmt, uuid)) {
		dm_task_destroy(dmt);
		return -EINVAL;
	}
	return run_udev(dmt);
}

static int simple_run(struct dm_task *dmt)
{
	int r = dm_task_run(dmt) ? 0 : task_err(dmt);

	dm_task_destroy(dmt);
	return r;
}

/* Same segments (starts, lengths, types)?  Enough to tell two tables apart here. */
static bool same_layout(const struct dmtable *a, const struct dmtable *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->seg[i].start != b->seg[i].start || a->seg[i].len != b->seg[i].len ||
		    strcmp(a->seg[i].type, b->seg[i].type))
			return false;
	return true;
}

static int resume(const struct dmdev *d)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_RESUME, d);

	return dmt ? run_udev(dmt) : -ENXIO;
}

/*
 * The RESUME that was to swap @t into @d failed: either before the swap
 * (@t may still wait as the inactive table) or after it (@t is live, @d
 * still suspended).  Drop a waiting table and resume @d with its live
 * one; set *@live when that is @t.
 */
static void resume_failed(const struct dmdev *d, const struct dmtable *t, bool *live)
{
	struct dmtable now;
	struct dmdev info;
	int r;

	if (dmx_info_name(d->name, &info))
		return;
	if (info.inactive_table)
		dmx_clear(d);
	if (info.suspended) {
		r = resume(d);
		if (r)
			vx_warn("'%s' is left suspended, its I/O waits (resuming it failed: %s): 'dmsetup resume %s'",
				d->name, dmx_strerror(r), d->name);
	}
	if (live && !dmx_table(d, false, &now)) {
		*live = same_layout(&now, t);
		dmx_table_free(&now);
	}
}

int dmx_reload(const struct dmdev *d, const struct dmtable *t, bool *live)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_RELOAD, d);
	int r;

	if (live)
		*live = false;
	if (!dmt)
		return -ENXIO;
	r = add_targets(dmt, t);
	if (!r && d->read_only && !dm_task_set_ro(dmt))
		r = -ENOMEM;
	if (r) {
		dm_task_destroy(dmt);
		return r;
	}
	r = simple_run(dmt);
	if (r)
		return r;
	r = resume(d);
	if (r)
		resume_failed(d, t, live);
	else if (live)
		*live = true;
	return r;
}

int dmx_clear(const struct dmdev *d)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_CLEAR, d);

	return dmt ? simple_run(dmt) : -ENXIO;
}

int dmx_remove(const struct dmdev *d)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_REMOVE, d);

	if (!dmt)
		return -ENXIO;
	/* A udev rule or blkid may hold the node open for a moment. */
	if (!dm_task_retry_remove(dmt)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	return run_udev(dmt);
}

int dmx_message(const struct dmdev *d, const char *msg)
{
	struct dm_task *dmt = dev_task(DM_DEVICE_TARGET_MSG, d);

	if (!dmt)
		return -ENXIO;
	if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	return simple_run(dmt);
}

int dmx_deps(uint32_t major, uint32_t minor, uint32_t (*devs)[2], unsigned int max,
	     unsigned int *n)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_DEPS);
	struct dm_deps *deps;
	unsigned int i;
	int r = 0;

	*n = 0;
	if (!dmt)
		return -ENXIO;
	if (!dm_task_set_major(dmt, major) || !dm_task_set_minor(dmt, minor) ||
	    !dm_task_run(dmt)) {
		r = task_err(dmt);
		goto out;
	}
	deps = dm_task_get_deps(dmt);
	for (i = 0; deps && i < deps->count && i < max; i++) {
		devs[i][0] = major((dev_t)deps->device[i]);
		devs[i][1] = minor((dev_t)deps->device[i]);
	}
	*n = i;
	if (deps && deps->count > max)
		r = -E2BIG;
out:
	dm_task_destroy(dmt);
	return r;
}

static int depends_on(uint32_t major, uint32_t minor, uint32_t tmajor, uint32_t tminor,
		      unsigned int depth)
{
	uint32_t devs[DMX_MAX_DEPS][2];
	struct dmdev d;
	unsigned int i, n;
	int r;

	if (major == tmajor && minor == tminor)
		return 1;
	if (dmx_info_devno(major, minor, &d))
		return 0;	/* not a mapped device: a leaf */
	if (depth >= DEPS_MAX_DEPTH)
		return -ELOOP;
	r = dmx_deps(major, minor, devs, DMX_MAX_DEPS, &n);
	for (i = 0; !r && i < n; i++)
		r = depends_on(devs[i][0], devs[i][1], tmajor, tminor, depth + 1);
	return r;
}

int dmx_depends_on(uint32_t major, uint32_t minor, uint32_t tmajor, uint32_t tminor)
{
	return depends_on(major, minor, tmajor, tminor, 0);
}

const char *dmx_strerror(int err)
{
	if (err == -ENXIO)
		return "device-mapper is not available (is dm_mod loaded? see the messages above)";
	return strerror(-err);
}

/* Does udevd listen on its control socket?  True when it cannot be told. */
static bool udevd_listening(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r, err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", UDEV_CONTROL);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	/* Absent, or a socket left behind by a udevd that is gone. */
	return !r || (err != ENOENT && err != ENOTDIR && err != ECONNREFUSED);
}

void dmx_init(void)
{
	if (!udevd_listening())
		dm_udev_set_sync_support(0);
}

void dmx_exit(void)
{
	dm_lib_release();
	dm_lib_exit();
}
