// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex create NAME --plex DEV[:OFFSET]... [--meta DEV|-]
 *                [--region-size SIZE] [--nosync]
 *
 * Builds the table line of Documentation/dm-vdsplex.rst, "Constructor",
 * creates the mapped device through libdevmapper, then records each plex's
 * identity with SET_IDENTITY.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "devices.h"
#include "mdread.h"
#include "tableline.h"
#include "vds.h"

/* What create learns about each plex. */
struct create_plex {
	struct bdev dev;
	struct plex_geometry geo;
};

/* Resolve the --plex devices and read their sizes.  0 or EXIT_FAIL. */
static int load_plexes(const struct cmd_args *a, struct create_plex *p)
{
	unsigned int i;
	int r;

	for (i = 0; i < a->nr_specs; i++) {
		r = bdev_resolve(a->specs[i].dev, &p[i].dev);
		if (r) {
			bdev_report("--plex", a->specs[i].dev, r);
			return EXIT_FAIL;
		}
		r = bdev_geometry(&p[i].dev, &p[i].geo.dev_sectors, &p[i].geo.lbs_sectors);
		if (r) {
			vx_err("--plex '%s': cannot read its size: %s", a->specs[i].dev,
			       strerror(-r));
			return EXIT_FAIL;
		}
		p[i].geo.offset = a->specs[i].offset;
	}
	return 0;
}

/* "-" or the metadata device as MAJOR:MINOR.  0 or EXIT_FAIL. */
static int meta_device(const char *arg, char *buf, size_t len)
{
	struct bdev b;
	int r;

	if (!strcmp(arg, "-"))
		return vx_snprintf(buf, len, "-") ? EXIT_FAIL : 0;
	r = bdev_resolve(arg, &b);
	if (r) {
		bdev_report("--meta", arg, r);
		return EXIT_FAIL;
	}
	return vx_snprintf(buf, len, "%u:%u", b.major, b.minor) ? EXIT_FAIL : 0;
}

/* The volume's length, or which plex has no room.  0 or EXIT_FAIL. */
static int volume_length(const struct cmd_args *a, const struct create_plex *p,
			 uint64_t *len)
{
	struct plex_geometry geo[VDSPLEX_MAX_EXTENTS];
	unsigned int i, bad = 0;

	for (i = 0; i < a->nr_specs; i++)
		geo[i] = p[i].geo;
	if (!create_length(geo, a->nr_specs, len, &bad))
		return 0;
	vx_err("--plex '%s' is too small: the device has %" PRIu64 " sectors, the plex starts at sector %" PRIu64,
	       a->specs[bad].dev, geo[bad].dev_sectors, geo[bad].offset);
	return EXIT_FAIL;
}

/*
 * The volume's UUID: with a metadata device, the one the module recorded when
 * it formatted it, so that activate gives the volume the same dm UUID at
 * every boot; else a random one.
 */
static int metadata_uuid(const char *meta, char *buf, size_t len)
{
	struct md_info *md;
	char err[256];
	struct bdev b;
	int fd, r = -ENOENT;

	if (!strcmp(meta, "-") || bdev_resolve(meta, &b))
		return -ENOENT;
	md = calloc(1, sizeof(*md));
	fd = open(b.node, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (md && fd >= 0 && !md_read(fd, md, err, sizeof(err)) && !md->blank)
		r = volume_uuid(md->uuid, buf, len);
	if (fd >= 0)
		close(fd);
	free(md);
	return r;
}

/* SET_IDENTITY for every plex; failures are warnings. */
static void record_identities(const char *name, const struct create_plex *p, unsigned int n)
{
	char id[VDSPLEX_IDENTITY_SIZE], ctx[300];
	struct dmdev d;
	unsigned int i;
	uint32_t hr;
	int ctl, r;

	if (dmx_info_name(name, &d))
		return;
	ctl = ctl_open();
	if (ctl < 0) {
		vx_warn("%s: %s: the plexes' identities were not recorded", CTL_PATH,
			strerror(-ctl));
		return;
	}
	for (i = 0; i < n; i++) {
		bdev_identity(&p[i].dev, id, sizeof(id));
		if (!id[0])
			continue;
		r = ctl_set_identity(ctl, d.major, d.minor, i, id, &hr);
		if (r || hr != VDS_S_OK) {
			snprintf(ctx, sizeof(ctx), "recording identity '%s' of plex %u", id, i);
			ctl_report("SET_IDENTITY", r, hr, ctx);
		}
	}
	close(ctl);
}

/* Build the table of the new volume into @seg (params in @params). */
static int build_table(const struct cmd_args *a, const struct create_plex *p, uint64_t len,
		       struct dmseg *seg, char *params, size_t plen)
{
	struct vdsplex_params vp = {
		.region_sectors = a->region_sectors,
		.nr_plexes = a->nr_specs,
		.nosync = a->nosync,
	};
	unsigned int i;

	if (meta_device(a->meta, vp.meta, sizeof(vp.meta)))
		return EXIT_FAIL;
	for (i = 0; i < a->nr_specs; i++) {
		vp.plex[i].major = p[i].dev.major;
		vp.plex[i].minor = p[i].dev.minor;
		vp.plex[i].offset = p[i].geo.offset;
	}
	if (vdsplex_params_format(&vp, params, plen)) {
		vx_err("the table line is too long");
		return EXIT_FAIL;
	}
	seg->start = 0;
	seg->len = len;
	snprintf(seg->type, sizeof(seg->type), "vdsplex");
	seg->params = params;
	return 0;
}

int cmd_create(const struct cmd_args *a)
{
	struct create_plex p[VDSPLEX_MAX_EXTENTS];
	struct dmseg seg;
	struct dmtable t = { .n = 1, .seg = &seg };
	struct dmdev existing;
	char params[2048], uuid[64];
	uint64_t len;
	int r;

	if (!dmx_info_name(a->volume, &existing)) {
		vx_err("NAME '%s': a mapped device of that name exists", a->volume);
		return EXIT_FAIL;
	}
	if (load_plexes(a, p) || volume_length(a, p, &len) ||
	    build_table(a, p, len, &seg, params, sizeof(params)))
		return EXIT_FAIL;
	/* the metadata is formatted by the constructor: its UUID comes after */
	r = dmx_create(a->volume, NULL, &t);
	if (r) {
		vx_err("creating '%s' failed: %s (table: 0 %" PRIu64 " vdsplex %s; the kernel log names the bad argument)",
		       a->volume, dmx_strerror(r), len, params);
		return EXIT_FAIL;
	}
	r = metadata_uuid(a->meta, uuid, sizeof(uuid));
	if (r)
		r = volume_uuid(NULL, uuid, sizeof(uuid));
	if (!r)
		r = dmx_set_uuid(a->volume, uuid);
	if (r) {
		vx_warn("%s: the volume has no dm UUID: %s", a->volume, dmx_strerror(r));
		snprintf(uuid, sizeof(uuid), "-");
	}
	record_identities(a->volume, p, a->nr_specs);
	printf("%s: created /dev/mapper/%s, %u plex%s, %" PRIu64 " sectors, region %" PRIu64 " sectors, uuid %s\n",
	       a->volume, a->volume, a->nr_specs, a->nr_specs == 1 ? "" : "es", len,
	       a->region_sectors, uuid);
	return EXIT_OK;
}
