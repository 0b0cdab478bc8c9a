// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex add-plex VOLUME PLEX... [--wait] [--rate RATE] [--stack] [--json]
 *
 * IVdsVolume::AddPlex (SPEC §8).  Every PLEX becomes one or more extents,
 * all attached in one ADD_PLEX call:
 *
 *   a block device that is not mapped      the device itself
 *   --stack                                the mapped device itself
 *   a mapped device of one linear extent   its extent; PLEX is consumed
 *   a vdsplex volume of k plexes           its k plexes; PLEX is consumed
 *
 * Consuming: PLEX must not be open (VDS_E_DEVICE_IN_USE); an 'error' table
 * of the same length replaces its table (so it no longer holds the disk),
 * the extents are attached, then PLEX is removed.  If the attach fails the
 * original table is loaded back.  Several extents on one disk are
 * VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, on several disks
 * VDS_E_VOLUME_SPANS_DISKS; a PLEX built on VOLUME is
 * VDS_E_DISK_IN_USE_BY_VOLUME.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "devices.h"
#include "mountinfo.h"
#include "tableline.h"
#include "vds.h"
#include "volume.h"

enum plex_kind {
	PLEX_RAW,	/* not a mapped device */
	PLEX_STACK,	/* a mapped device attached as is (--stack) */
	PLEX_LINEAR,	/* consumed: one linear extent */
	PLEX_VDSPLEX,	/* consumed: the plexes of a vdsplex volume */
};

static const char *const kind_names[] = {
	[PLEX_RAW] = "device",
	[PLEX_STACK] = "stacked",
	[PLEX_LINEAR] = "linear",
	[PLEX_VDSPLEX] = "vdsplex",
};

struct plex_src {
	const char *arg;
	enum plex_kind kind;
	struct bdev dev;
	struct dmtable orig;	/* consumed kinds: the table to restore */
	bool errored;		/* the error table is loaded */
};

struct add_ctx {
	const struct cmd_args *a;
	struct volume vol;
	int ctl;
	unsigned int nr_src;
	struct plex_src src[VDSPLEX_MAX_EXTENTS];
	unsigned int nr_ext;
	struct vdsplex_extent ext[VDSPLEX_MAX_EXTENTS];
	unsigned int ext_src[VDSPLEX_MAX_EXTENTS];	/* the src of each extent */
	bool boot_warning;
	char boot_context[512];
};

static bool consumed(const struct plex_src *s)
{
	return s->kind == PLEX_LINEAR || s->kind == PLEX_VDSPLEX;
}

/* Append an extent of source @si.  0 or EXIT_FAIL (too many). */
static int push_extent(struct add_ctx *c, unsigned int si, uint32_t major, uint32_t minor,
		       uint64_t offset)
{
	struct vdsplex_extent *e;

	if (c->nr_ext == VDSPLEX_MAX_EXTENTS) {
		vds_report(VDS_E_INVALID_OPERATION,
			   "PLEX '%s': more than %d extents in one add-plex (a volume has at most %d plexes)",
			   c->src[si].arg, VDSPLEX_MAX_EXTENTS, VDSPLEX_MAX_EXTENTS);
		return EXIT_FAIL;
	}
	e = &c->ext[c->nr_ext];
	memset(e, 0, sizeof(*e));
	e->major = major;
	e->minor = minor;
	e->offset = offset;
	c->ext_src[c->nr_ext++] = si;
	return 0;
}

/* Refuse a PLEX that is VOLUME or is built on it.  0 or EXIT_FAIL. */
static int check_not_on_volume(const struct add_ctx *c, const struct plex_src *s)
{
	int r = dmx_depends_on(s->dev.major, s->dev.minor, c->vol.dm.major, c->vol.dm.minor);

	if (r == 0)
		return 0;
	if (r < 0) {
		vx_err("PLEX '%s': cannot read its dependencies: %s", s->arg, dmx_strerror(r));
		return EXIT_FAIL;
	}
	if (s->dev.major == c->vol.dm.major && s->dev.minor == c->vol.dm.minor)
		vds_report(VDS_E_DISK_IN_USE_BY_VOLUME, "PLEX '%s' is the volume '%s' itself",
			   s->arg, c->vol.dm.name);
	else
		vds_report(VDS_E_DISK_IN_USE_BY_VOLUME,
			   "PLEX '%s' is built on the volume '%s' (its dependency tree contains %u:%u)",
			   s->arg, c->vol.dm.name, c->vol.dm.major, c->vol.dm.minor);
	return EXIT_FAIL;
}

/* The extents of a consumed vdsplex PLEX, from its table.  0 or EXIT_FAIL. */
static int vdsplex_extents(struct add_ctx *c, unsigned int si)
{
	struct plex_src *s = &c->src[si];
	struct vdsplex_params p;
	const char *why = NULL;
	unsigned int i;

	if (vdsplex_params_parse(s->orig.seg[0].params, &p, &why)) {
		vx_err("PLEX '%s': cannot parse its vdsplex table: %s", s->arg, why);
		return EXIT_FAIL;
	}
	for (i = 0; i < p.nr_plexes; i++)
		if (push_extent(c, si, p.plex[i].major, p.plex[i].minor, p.plex[i].offset))
			return EXIT_FAIL;
	return 0;
}

/* A mapped device that is neither linear nor vdsplex. */
static int refuse_other(const struct plex_src *s, const char *type)
{
	uint32_t devs[DMX_MAX_DEPS][2];
	unsigned int n = 0;

	dmx_deps(s->dev.major, s->dev.minor, devs, DMX_MAX_DEPS, &n);
	if (n > 1)
		vds_report(VDS_E_VOLUME_SPANS_DISKS,
			   "PLEX '%s' ('%s') uses %u devices; use --stack to attach it as it is",
			   s->arg, type, n);
	else
		vds_report(VDS_E_INVALID_OPERATION,
			   "PLEX '%s' is a '%s' device: only linear devices and vdsplex volumes are consumed; use --stack to attach it as it is",
			   s->arg, type);
	return EXIT_FAIL;
}

/* The extent of a linear PLEX (one or more segments).  0 or EXIT_FAIL. */
static int linear_extent(struct add_ctx *c, unsigned int si)
{
	struct plex_src *s = &c->src[si];
	struct segment seg[VDSPLEX_MAX_EXTENTS];
	struct extent e;
	unsigned int i, n = s->orig.n;

	if (n > VDSPLEX_MAX_EXTENTS) {
		vds_report(VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE,
			   "PLEX '%s' has %u segments", s->arg, n);
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		const struct dmseg *d = &s->orig.seg[i];

		seg[i].start = d->start;
		seg[i].len = d->len;
		seg[i].linear = !strcmp(d->type, "linear") &&
				!linear_params_parse(d->params, &seg[i].ext, NULL);
	}
	switch (segments_classify(seg, n, &e)) {
	case SEGS_ONE_EXTENT:
		s->kind = PLEX_LINEAR;
		return push_extent(c, si, e.major, e.minor, e.offset);
	case SEGS_NOT_CONTIGUOUS:
		vds_report(VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE,
			   "PLEX '%s' is made of %u separate extents of %u:%u", s->arg, n,
			   seg[0].ext.major, seg[0].ext.minor);
		return EXIT_FAIL;
	case SEGS_SPANS_DISKS:
		vds_report(VDS_E_VOLUME_SPANS_DISKS, "PLEX '%s' has %u segments on different devices",
			   s->arg, n);
		return EXIT_FAIL;
	case SEGS_NOT_LINEAR:
		break;
	}
	for (i = 0; i < n && !strcmp(s->orig.seg[i].type, "linear"); i++)
		;
	return refuse_other(s, i < n ? s->orig.seg[i].type : "linear");
}

/* Classify a mapped PLEX that is to be consumed.  0 or EXIT_FAIL. */
static int classify_mapped(struct add_ctx *c, unsigned int si)
{
	struct plex_src *s = &c->src[si];
	int r = dmx_table(&s->dev.dm, false, &s->orig);

	if (r) {
		vx_err("PLEX '%s': cannot read its table: %s", s->arg, dmx_strerror(r));
		return EXIT_FAIL;
	}
	if (!s->orig.n) {
		vds_report(VDS_E_INVALID_OPERATION, "PLEX '%s' has no table", s->arg);
		return EXIT_FAIL;
	}
	if (s->orig.n == 1 && !strcmp(s->orig.seg[0].type, "vdsplex")) {
		s->kind = PLEX_VDSPLEX;
		r = vdsplex_extents(c, si);
	} else {
		r = linear_extent(c, si);
	}
	if (r)
		return r;
	if (s->dev.dm.open_count > 0) {
		vds_report(VDS_E_DEVICE_IN_USE,
			   "PLEX '%s' is open (open count %d): unmount or close it first, or use --stack",
			   s->arg, s->dev.dm.open_count);
		return EXIT_FAIL;
	}
	if (s->dev.dm.inactive_table) {
		vds_report(VDS_E_DEVICE_IN_USE, "PLEX '%s' has an inactive table loaded", s->arg);
		return EXIT_FAIL;
	}
	return 0;
}

/* Resolve and classify PLEX @si.  0 or EXIT_FAIL. */
static int classify(struct add_ctx *c, unsigned int si)
{
	struct plex_src *s = &c->src[si];
	int r = bdev_resolve(s->arg, &s->dev);

	if (r) {
		bdev_report("PLEX", s->arg, r);
		return EXIT_FAIL;
	}
	if (check_not_on_volume(c, s))
		return EXIT_FAIL;
	if (!s->dev.is_dm || c->a->stack) {
		s->kind = s->dev.is_dm ? PLEX_STACK : PLEX_RAW;
		return push_extent(c, si, s->dev.major, s->dev.minor, 0);
	}
	return classify_mapped(c, si);
}

static void set_identities(struct add_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_ext; i++) {
		struct bdev b;

		bdev_from_devno(c->ext[i].major, c->ext[i].minor, &b);
		bdev_identity(&b, (char *)c->ext[i].identity, sizeof(c->ext[i].identity));
	}
}

/* Is @t one of MBR's and GPT's and @u the other? */
static bool gpt_vs_mbr(const char *t, const char *u)
{
	return t && u && ((!strcmp(t, "gpt") && !strcmp(u, "dos")) ||
			  (!strcmp(t, "dos") && !strcmp(u, "gpt")));
}

/* The source plex's device (plex 0 when the kernel marks none). */
static int source_devno(const struct add_ctx *c, uint32_t *major, uint32_t *minor)
{
	struct plex_row rows[VDSPLEX_MAX_EXTENTS];
	unsigned int i, n;
	uint32_t region;
	uint64_t len;

	if (volume_query(c->ctl, &c->vol, rows, &n, &region, &len) || !n)
		return -EIO;
	for (i = 0; i < n && !(rows[i].info.flags & VDSPLEX_PLEX_SOURCE); i++)
		;
	i = i < n ? i : 0;
	*major = rows[i].info.major;
	*minor = rows[i].info.minor;
	return 0;
}

/*
 * VDS_S_GPT_BOOT_MIRRORED_TO_MBR: VOLUME holds / or /boot and a new plex's
 * disk has another partition-table type than the source plex's.
 */
static void check_boot(struct add_ctx *c)
{
	char src_type[32], new_type[32];
	const char *st, *nt;
	struct mount_hit hit;
	uint32_t ma, mi;
	unsigned int i;

	if (mountinfo_lookup(c->vol.dm.major, c->vol.dm.minor, &hit) || !(hit.root || hit.boot))
		return;
	if (source_devno(c, &ma, &mi))
		return;
	st = devno_pttype(ma, mi, src_type, sizeof(src_type));
	for (i = 0; i < c->nr_ext && !c->boot_warning; i++) {
		nt = devno_pttype(c->ext[i].major, c->ext[i].minor, new_type, sizeof(new_type));
		if (!gpt_vs_mbr(st, nt))
			continue;
		c->boot_warning = true;
		snprintf(c->boot_context, sizeof(c->boot_context),
			 "'%s' holds %s; its source plex (%u:%u) is on a %s disk, PLEX '%s' (%u:%u) on a %s disk",
			 c->vol.dm.name, hit.root ? "/" : "/boot", ma, mi,
			 !strcmp(st, "gpt") ? "GPT" : "MBR", c->src[c->ext_src[i]].arg,
			 c->ext[i].major, c->ext[i].minor, !strcmp(nt, "gpt") ? "GPT" : "MBR");
	}
}

static int send_rate(const struct add_ctx *c)
{
	char msg[64], val[32];
	int r;

	rate_message(&c->a->rate, val, sizeof(val));
	snprintf(msg, sizeof(msg), "resync_rate %s", val);
	r = dmx_message(&c->vol.dm, msg);
	if (r)
		vx_err("'%s': message '%s' failed: %s", c->vol.dm.name, msg, dmx_strerror(r));
	return r ? EXIT_FAIL : 0;
}

/* Load an error table into consumed PLEX @s so it lets go of its disk. */
static int load_error_table(struct plex_src *s)
{
	struct dmseg seg = { .start = 0, .len = dmx_table_len(&s->orig), .type = "error",
			     .params = (char *)"" };
	struct dmtable t = { .n = 1, .seg = &seg };
	int r = dmx_reload(&s->dev.dm, &t);

	if (r)
		vx_err("PLEX '%s': loading an error table failed: %s", s->arg, dmx_strerror(r));
	s->errored = !r;
	return r ? EXIT_FAIL : 0;
}

static void restore(struct add_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_src; i++) {
		struct plex_src *s = &c->src[i];
		char line[512];
		int r;

		if (!s->errored)
			continue;
		r = dmx_reload(&s->dev.dm, &s->orig);
		if (!r) {
			s->errored = false;
			continue;
		}
		table_line_format(s->orig.seg[0].start, s->orig.seg[0].len, s->orig.seg[0].type,
				  s->orig.seg[0].params, line, sizeof(line));
		vx_err("PLEX '%s': restoring its table failed (%s); its first segment was: %s",
		       s->arg, dmx_strerror(r), line);
	}
}

static int consume_all(struct add_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_src; i++) {
		if (consumed(&c->src[i]) && load_error_table(&c->src[i])) {
			restore(c);
			return EXIT_FAIL;
		}
	}
	return 0;
}

static void remove_consumed(struct add_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_src; i++) {
		struct plex_src *s = &c->src[i];
		int r;

		if (!s->errored)
			continue;
		r = dmx_remove(&s->dev.dm);
		if (r)
			vx_warn("PLEX '%s' was attached, but removing the mapped device failed (%s): 'dmsetup remove %s'",
				s->arg, dmx_strerror(r), s->dev.dm.name);
	}
}

static void report_add_error(const struct add_ctx *c, int r, const struct add_result *res)
{
	char ctx[512];

	if (res->bad_extent < c->nr_ext) {
		const struct vdsplex_extent *e = &c->ext[res->bad_extent];

		snprintf(ctx, sizeof(ctx), "adding PLEX '%s' (%u:%u at sector %" PRIu64 ") to '%s'",
			 c->src[c->ext_src[res->bad_extent]].arg, e->major, e->minor,
			 (uint64_t)e->offset, c->vol.dm.name);
	} else {
		snprintf(ctx, sizeof(ctx), "adding %u extent%s to '%s'", c->nr_ext,
			 c->nr_ext == 1 ? "" : "s", c->vol.dm.name);
	}
	ctl_report("ADD_PLEX", r, res->hr, ctx);
}

/* The one ADD_PLEX call; restores consumed PLEXes on failure. */
static int attach(struct add_ctx *c, struct add_result *res)
{
	int r;

	if (consume_all(c))
		return EXIT_FAIL;
	r = ctl_add_plex(c->ctl, c->vol.dm.major, c->vol.dm.minor, c->ext, c->nr_ext, res);
	if (r || res->hr != VDS_S_OK) {
		report_add_error(c, r, res);
		restore(c);
		return EXIT_FAIL;
	}
	remove_consumed(c);
	return 0;
}

static const char *async_state_name(uint32_t state)
{
	switch (state) {
	case VDSPLEX_ASYNC_RUNNING:
		return "running";
	case VDSPLEX_ASYNC_SUCCEEDED:
		return "succeeded";
	case VDSPLEX_ASYNC_FAILED:
		return "failed";
	case VDSPLEX_ASYNC_CANCELED:
		return "canceled";
	default:
		return "unknown";
	}
}

static struct json_object *extents_json(const struct add_ctx *c, uint32_t first)
{
	struct json_object *arr = json_object_new_array();
	unsigned int i;

	for (i = 0; i < c->nr_ext; i++) {
		const struct vdsplex_extent *e = &c->ext[i];
		const struct plex_src *s = &c->src[c->ext_src[i]];
		struct json_object *o = json_object_new_object();

		json_add_u64(o, "index", (uint64_t)first + i);
		json_add_str(o, "plex_arg", s->arg);
		json_add_str(o, "kind", kind_names[s->kind]);
		json_add_u64(o, "major", e->major);
		json_add_u64(o, "minor", e->minor);
		json_add_u64(o, "offset_sectors", e->offset);
		json_add_str(o, "identity", e->identity[0] ? (const char *)e->identity : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The add-plex --json document; @w NULL without --wait. */
static void print_json(const struct add_ctx *c, const struct add_result *res,
		       const struct vdsplex_async_wait *w)
{
	struct json_object *doc = json_object_new_object();
	struct volume_ref ref;
	struct json_object *warnings = json_object_new_array();

	volume_ref(&c->vol, &ref);
	json_object_object_add(doc, "volume", volume_json(&ref));
	json_add_u64(doc, "first_index", res->first_index);
	json_object_object_add(doc, "plexes", extents_json(c, res->first_index));
	json_add_str(doc, "state", w ? async_state_name(w->state) : "running");
	json_add_hresult(doc, "result", w ? w->hresult : VDS_S_OK);
	if (w)
		json_add_u64(doc, "nr_in_sync", w->nr_in_sync);
	if (c->boot_warning) {
		struct json_object *o = json_object_new_object();

		json_add_hresult(o, "code", VDS_S_GPT_BOOT_MIRRORED_TO_MBR);
		json_add_str(o, "message", c->boot_context);
		json_object_array_add(warnings, o);
	}
	json_object_object_add(doc, "warnings", warnings);
	json_print(doc, stdout);
	json_object_put(doc);
}

static void print_started(const struct add_ctx *c, const struct add_result *res)
{
	unsigned int i;

	printf("%s: AddPlex started: new plex%s", c->vol.dm.name, c->nr_ext == 1 ? "" : "es");
	for (i = 0; i < c->nr_ext; i++)
		printf(" %u", res->first_index + i);
	printf("\n");
	fprintf(stderr, "vdsplex: the resync runs in the kernel: 'vdsplex wait %s' follows it\n",
		c->vol.dm.name);
}

/* After a successful attach: report, and follow with --wait. */
static int finish(struct add_ctx *c, const struct add_result *res)
{
	struct vdsplex_async_wait w;
	enum follow_end e;
	int ret;

	if (c->boot_warning)
		vds_warn(VDS_S_GPT_BOOT_MIRRORED_TO_MBR, "%s", c->boot_context);
	if (!c->a->wait) {
		if (c->a->json)
			print_json(c, res, NULL);
		else
			print_started(c, res);
		return EXIT_OK;
	}
	e = follow_async(res->async_fd, c->vol.dm.name, VDSPLEX_WAIT_FOREVER, &w);
	ret = follow_report(e, &c->vol, &w, c->a->json);
	if (e == FOLLOW_ENDED && c->a->json)
		print_json(c, res, &w);
	return ret;
}

static int prepare(struct add_ctx *c)
{
	unsigned int i;

	if (volume_open(c->a->volume, &c->vol))
		return EXIT_FAIL;
	c->ctl = ctl_open_or_report();
	if (c->ctl < 0)
		return EXIT_FAIL;
	for (i = 0; i < c->a->nr_plex_args; i++) {
		c->src[i].arg = c->a->plex_args[i];
		c->nr_src = i + 1;
		if (classify(c, i))
			return EXIT_FAIL;
	}
	set_identities(c);
	check_boot(c);
	return c->a->rate_set ? send_rate(c) : 0;
}

int cmd_add_plex(const struct cmd_args *a)
{
	struct add_ctx c = { .a = a, .ctl = -1 };
	struct add_result res = { .async_fd = -1 };
	unsigned int i;
	int ret;

	ret = prepare(&c);
	if (!ret)
		ret = attach(&c, &res);
	if (!ret)
		ret = finish(&c, &res);
	if (res.async_fd >= 0)
		close(res.async_fd);
	if (c.ctl >= 0)
		close(c.ctl);
	for (i = 0; i < c.nr_src; i++)
		dmx_table_free(&c.src[i].orig);
	return ret;
}
