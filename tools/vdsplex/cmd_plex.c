// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex remove-plex VOLUME INDEX
 * vdsplex break-plex VOLUME INDEX NEW_NAME   (VDS's BreakPlex)
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
	sigset_t old_mask;
};

/*
 * Freeze the filesystem @v holds, if mounted.  SIGINT and SIGTERM are
 * blocked until thaw_fs() so that the thaw always happens.
 * Return: 0 or EXIT_FAIL.
 */
static int freeze_fs(const struct volume *v, struct freeze *fz)
{
	struct mount_hit hit;
	sigset_t block;
	int r;

	fz->fd = -1;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &fz->old_mask);
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
	if (fz->fd >= 0) {
		if (ioctl(fz->fd, FITHAW, 0))
			vx_err("cannot thaw the filesystem at '%s' (FITHAW): %s; run 'fsfreeze -u %s'",
			       fz->mountpoint, strerror(errno), fz->mountpoint);
		close(fz->fd);
		fz->fd = -1;
	}
	sigprocmask(SIG_SETMASK, &fz->old_mask, NULL);
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

int cmd_break_plex(const struct cmd_args *a)
{
	struct plex_row plex;
	struct freeze fz;
	struct volume v;
	struct dmdev existing;
	int ctl, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	if (!dmx_info_name(a->new_name, &existing)) {
		vx_err("NEW_NAME '%s': a mapped device of that name exists", a->new_name);
		return EXIT_FAIL;
	}
	ctl = ctl_open_or_report();
	if (ctl < 0)
		return EXIT_FAIL;
	r = pick_plex(ctl, &v, a->index, &plex);
	if (!r) {
		r = freeze_fs(&v, &fz);
		if (!r)
			r = remove_plex(ctl, &v, a->index);
		thaw_fs(&fz);
	}
	close(ctl);
	if (r)
		return r;
	r = create_linear(a->new_name, &plex, v.len);
	if (!r)
		printf("%s: plex %u (%s at %" PRIu64 ") is now /dev/mapper/%s\n", v.dm.name,
		       a->index, plex.device, (uint64_t)plex.info.offset, a->new_name);
	return r;
}
