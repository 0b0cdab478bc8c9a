// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex remove-plex VOLUME INDEX
 * vdsplex break-plex VOLUME INDEX NEW_NAME   (VDS's BreakPlex)
 *
 * break-plex: with SIGINT, SIGTERM and SIGHUP held back until NEW_NAME is
 * mapped, it freezes a mounted filesystem, checks that plex INDEX is still
 * the plex chosen and in sync, detaches it, thaws, and only then reports:
 * nothing is printed while the filesystem is frozen, since stdout or
 * stderr may be files on it and writing there would wait for the thaw.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/fs.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "mountinfo.h"
#include "parse.h"
#include "tableline.h"
#include "vds.h"
#include "volume.h"

/* REMOVE_PLEX @index of @v; reports failures.  0 or EXIT_FAIL. */
static int remove_plex(int ctl, const struct volume *v, uint32_t index)
{
	char ctx[300];
	uint32_t hr;
	int r = ctl_remove_plex(ctl, v->dm.major, v->dm.minor, index, &hr);

	if (!r && hr == VDS_S_OK)
		return 0;
	snprintf(ctx, sizeof(ctx), "removing plex %u of volume '%s'", index, v->dm.name);
	ctl_report("REMOVE_PLEX", r, hr, ctx);
	return EXIT_FAIL;
}

int cmd_remove_plex(const struct cmd_args *a)
{
	struct volume v;
	int ctl, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	ctl = ctl_open_or_report();
	if (ctl < 0)
		return EXIT_FAIL;
	r = remove_plex(ctl, &v, a->index);
	close(ctl);
	if (!r)
		printf("%s: plex %u removed\n", v.dm.name, a->index);
	return r;
}

/* A filesystem frozen around the split. */
struct freeze {
	int fd;			/* of the mountpoint; -1: nothing frozen */
	char mountpoint[PATH_MAX];
};

/* Freeze the filesystem @v holds, if mounted.  0 or EXIT_FAIL (nothing frozen). */
static int freeze_fs(const struct volume *v, struct freeze *fz)
{
	struct mount_hit hit;
	int r;

	fz->fd = -1;
	r = mountinfo_lookup(v->dm.major, v->dm.minor, &hit);
	if (r)
		vx_warn("cannot read /proc/self/mountinfo (%s): assuming '%s' is not mounted",
			strerror(-r), v->dm.name);
	if (r || !hit.count)
		return 0;
	snprintf(fz->mountpoint, sizeof(fz->mountpoint), "%s", hit.mountpoint);
	fz->fd = open(fz->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fz->fd < 0) {
		vx_err("cannot open the mountpoint '%s' of '%s': %s", fz->mountpoint,
		       v->dm.name, strerror(errno));
		return EXIT_FAIL;
	}
	if (ioctl(fz->fd, FIFREEZE, 0)) {
		vx_err("cannot freeze the filesystem at '%s' (FIFREEZE): %s", fz->mountpoint,
		       strerror(errno));
		close(fz->fd);
		fz->fd = -1;
		return EXIT_FAIL;
	}
	return 0;
}

static void thaw_fs(struct freeze *fz)
{
	if (fz->fd < 0)
		return;
	if (ioctl(fz->fd, FITHAW, 0))
		vx_err("cannot thaw the filesystem at '%s' (FITHAW): %s; run 'fsfreeze -u %s'",
		       fz->mountpoint, strerror(errno), fz->mountpoint);
	close(fz->fd);
	fz->fd = -1;
}

/* The plex to break: it must exist and be in sync.  0 or EXIT_FAIL. */
static int pick_plex(int ctl, const struct volume *v, uint32_t index, struct plex_row *plex)
{
	struct plex_row rows[VDSPLEX_MAX_EXTENTS];
	unsigned int n;
	uint32_t region;
	uint64_t len;

	if (volume_query(ctl, v, rows, &n, &region, &len))
		return EXIT_FAIL;
	if (index >= n) {
		vds_report(VDS_E_INVALID_OPERATION, "volume '%s' has no plex %u (it has %u)",
			   v->dm.name, index, n);
		return EXIT_FAIL;
	}
	if (rows[index].info.state != VDSPLEX_STATE_ALIVE) {
		vds_report(VDS_E_INVALID_OPERATION,
			   "plex %u of '%s' is not in sync (health '%c'): it holds no complete copy to break off; use remove-plex",
			   index, v->dm.name, (char)rows[index].info.health);
		return EXIT_FAIL;
	}
	*plex = rows[index];
	return 0;
}

/* What happened while the filesystem was frozen, reported after the thaw. */
struct split {
	enum {
		SPLIT_DONE,
		SPLIT_QUERY_FAILED,	/* err, hr */
		SPLIT_GONE,		/* the volume has only n plexes now */
		SPLIT_CHANGED,		/* now: another plex, or no longer alive */
		SPLIT_REMOVE_FAILED,	/* err, hr */
	} what;
	int err;
	uint32_t hr;
	unsigned int n;
	struct vdsplex_plex_info now;	/* the plex at the index now */
};

/*
 * With the filesystem frozen: query again, and detach plex @index only if
 * it still is @plex (same id) and alive.  Prints nothing.
 */
static void split_frozen(int ctl, const struct volume *v, uint32_t index,
			 const struct plex_row *plex, struct split *sp)
{
	struct vdsplex_plex_info info[VDSPLEX_MAX_EXTENTS];
	uint32_t region;
	uint64_t len;

	memset(sp, 0, sizeof(*sp));
	sp->err = ctl_query_plexes(ctl, v->dm.major, v->dm.minor, info, VDSPLEX_MAX_EXTENTS,
				   &sp->n, &region, &len, &sp->hr);
	if (sp->err || sp->hr != VDS_S_OK) {
		sp->what = SPLIT_QUERY_FAILED;
		return;
	}
	if (index >= sp->n || index >= VDSPLEX_MAX_EXTENTS) {
		sp->what = SPLIT_GONE;
		return;
	}
	sp->now = info[index];
	if (sp->now.id != plex->info.id || sp->now.state != VDSPLEX_STATE_ALIVE) {
		sp->what = SPLIT_CHANGED;
		return;
	}
	sp->err = ctl_remove_plex(ctl, v->dm.major, v->dm.minor, index, &sp->hr);
	sp->what = sp->err || sp->hr != VDS_S_OK ? SPLIT_REMOVE_FAILED : SPLIT_DONE;
}

/* Say what split_frozen() found, the filesystem thawed.  0 or EXIT_FAIL. */
static int split_report(const struct volume *v, uint32_t index, const struct plex_row *plex,
			const struct split *sp)
{
	char ctx[300];

	switch (sp->what) {
	case SPLIT_DONE:
		return 0;
	case SPLIT_QUERY_FAILED:
		snprintf(ctx, sizeof(ctx), "QUERY_PLEXES of volume '%s' with its filesystem frozen",
			 v->dm.name);
		ctl_report("QUERY_PLEXES", sp->err, sp->hr, ctx);
		break;
	case SPLIT_GONE:
		vds_report(VDS_E_INVALID_OPERATION,
			   "plex %u of '%s' went away meanwhile (the volume has %u plexes now): nothing was detached",
			   index, v->dm.name, sp->n);
		break;
	case SPLIT_CHANGED:
		vds_report(VDS_E_INVALID_OPERATION,
			   "plex %u of '%s' changed meanwhile (id %" PRIu64 " %s, was id %" PRIu64 " alive): nothing was detached",
			   index, v->dm.name, (uint64_t)sp->now.id, plex_state_name(sp->now.state),
			   (uint64_t)plex->info.id);
		break;
	case SPLIT_REMOVE_FAILED:
		snprintf(ctx, sizeof(ctx), "removing plex %u of volume '%s'", index, v->dm.name);
		ctl_report("REMOVE_PLEX", sp->err, sp->hr, ctx);
		break;
	}
	return EXIT_FAIL;
}

/* Map @plex's extent as the linear device @name, @len sectors long. */
static int create_linear(const char *name, const struct plex_row *plex, uint64_t len)
{
	struct extent e = { plex->info.major, plex->info.minor, plex->info.offset };
	struct dmseg seg = { .start = 0, .len = len, .type = "linear" };
	struct dmtable t = { .n = 1, .seg = &seg };
	char params[64];
	int r;

	linear_params_format(&e, params, sizeof(params));
	seg.params = params;
	r = dmx_create(name, NULL, &t);
	if (r)
		vx_err("the plex was detached, but creating '%s' failed (%s); map it by hand: dmsetup create %s --table '0 %" PRIu64 " linear %s'",
		       name, dmx_strerror(r), name, len, params);
	return r ? EXIT_FAIL : 0;
}

/* Freeze, detach, thaw, report, map.  0 or EXIT_FAIL. */
static int split_off(int ctl, const struct volume *v, uint32_t index, const struct plex_row *plex,
		     const char *new_name)
{
	struct freeze fz;
	struct split sp;

	if (freeze_fs(v, &fz))
		return EXIT_FAIL;
	split_frozen(ctl, v, index, plex, &sp);
	thaw_fs(&fz);
	if (split_report(v, index, plex, &sp))
		return EXIT_FAIL;
	return create_linear(new_name, plex, v->len);
}

/* NEW_NAME must not name a mapped device yet (its form args.c checked). */
static int check_new_name(const char *name)
{
	struct dmdev existing;

	if (dmx_info_name(name, &existing))
		return 0;
	vx_err("NEW_NAME '%s': a mapped device of that name exists", name);
	return EXIT_FAIL;
}

int cmd_break_plex(const struct cmd_args *a)
{
	struct plex_row plex;
	struct volume v;
	sigset_t old;
	int ctl, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	/* FIFREEZE and I/O on a suspended volume would wait for its resume. */
	if (v.dm.suspended) {
		vds_report(VDS_E_VOLUME_NOT_ONLINE,
			   "VOLUME '%s' is suspended: resume it first ('dmsetup resume %s')",
			   v.dm.name, v.dm.name);
		return EXIT_FAIL;
	}
	if (check_new_name(a->new_name))
		return EXIT_FAIL;
	ctl = ctl_open_or_report();
	if (ctl < 0)
		return EXIT_FAIL;
	r = pick_plex(ctl, &v, a->index, &plex);
	if (!r) {
		/* A frozen filesystem, or a plex detached but not mapped, must not be left. */
		sig_block_fatal(&old);
		r = split_off(ctl, &v, a->index, &plex, a->new_name);
		if (!r)
			printf("%s: plex %u (%s at %" PRIu64 ") is now /dev/mapper/%s\n", v.dm.name,
			       a->index, plex.device, (uint64_t)plex.info.offset, a->new_name);
		fflush(stdout);
		sig_restore(&old);
	}
	close(ctl);
	return r;
}
