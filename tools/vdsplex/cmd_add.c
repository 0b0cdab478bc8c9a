// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex add-plex VOLUME PLEX... [--wait] [--rate RATE] [--stack] [--json]
 *
 * IVdsVolume::AddPlex (vdsplex(8), add-plex).  Every PLEX becomes one or
 * more extents, all attached in one ADD_PLEX call:
 *
 *   a block device that is not mapped      the device itself
 *   --stack                                the mapped device itself
 *   a mapped device of one linear extent   its extent; PLEX is consumed
 *   a vdsplex volume of k plexes           its k plexes; PLEX is consumed
 *
 * Consuming: PLEX must not be open or suspended (VDS_E_DEVICE_IN_USE) nor
 * shorter than VOLUME (VDS_E_INVALID_OPERATION: the extent passed to the
 * kernel has no length, the resync would overwrite what follows it); a
 * vdsplex PLEX must be fully in sync and idle (VDS_E_VOLUME_NOT_HEALTHY).
 * An 'error' table of the same length replaces its table (so it no longer
 * holds the disk), the extents are attached, then PLEX is removed.  If the
 * attach fails the original table is loaded back; SIGINT, SIGTERM and
 * SIGHUP wait until then.  Several extents on one disk are
 * VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, on several disks
 * VDS_E_VOLUME_SPANS_DISKS; a PLEX built on VOLUME is
 * VDS_E_DISK_IN_USE_BY_VOLUME.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "devices.h"
#include "mountinfo.h"
#include "status.h"
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

/*
 * A vdsplex PLEX must have every plex 'A' and nothing running: should the
 * attach fail, loading its table back activates it anew, and a volume that
 * was not wholly in sync would come back resyncing every plex from plex 0,
 * having forgotten which plexes had failed.  0 or EXIT_FAIL.
 */
static int check_vdsplex_in_sync(const struct plex_src *s)
{
	struct vdsplex_status st;
	const char *why = "not a vdsplex status";
	struct dmtable t;
	int r = dmx_table(&s->dev.dm, true, &t);

	if (r) {
		vx_err("PLEX '%s': cannot read its status: %s", s->arg, dmx_strerror(r));
		return EXIT_FAIL;
	}
	if (t.n != 1 || strcmp(t.seg[0].type, "vdsplex") || status_parse(t.seg[0].params, &st, &why)) {
		vx_err("PLEX '%s': cannot parse its status: %s", s->arg, why);
		r = EXIT_FAIL;
	} else if (!status_all_in_sync(&st)) {
		vds_report(VDS_E_VOLUME_NOT_HEALTHY,
			   "PLEX '%s' (health %s, %s) is not wholly in sync and idle: if the attach failed, loading its table back would activate it anew, resyncing every plex from plex 0 and forgetting which had failed; wait for it or remove its failed plexes first",
			   s->arg, st.health, st.sync_action);
		r = EXIT_FAIL;
	}
	dmx_table_free(&t);
	return r;
}

/* A PLEX of @len sectors cannot hold VOLUME.  0 or EXIT_FAIL. */
static int check_length(const struct add_ctx *c, const struct plex_src *s, uint64_t len)
{
	if (len >= c->vol.len)
		return 0;
	vds_report(VDS_E_INVALID_OPERATION,
		   "PLEX '%s' (%" PRIu64 " sectors) is smaller than the volume (%" PRIu64 " sectors)",
		   s->arg, len, c->vol.len);
	return EXIT_FAIL;
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
		r = check_vdsplex_in_sync(s);
		if (!r)
			r = vdsplex_extents(c, si);
	} else {
		r = linear_extent(c, si);
	}
	/*
	 * The extents go to the kernel without a length: it can only check
	 * the disk's size past the offset, not the end of PLEX's mapping.
	 */
	if (!r)
		r = check_length(c, s, dmx_table_len(&s->orig));
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

/*
 * A PLEX attached as it is must be as long as VOLUME (the kernel checks
 * too; this says so before anything else).  0 or EXIT_FAIL.
 */
static int check_device_size(const struct add_ctx *c, const struct plex_src *s)
{
	uint64_t sectors;
	uint32_t lbs;

	if (bdev_geometry(&s->dev, &sectors, &lbs))
		return 0;	/* the kernel will tell */
	return check_length(c, s, sectors);
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
	/* Before anything reads it: I/O to a suspended device waits. */
	if (s->dev.is_dm && s->dev.dm.suspended) {
		vds_report(VDS_E_DEVICE_IN_USE,
			   "PLEX '%s' is suspended: resume it first ('dmsetup resume %s')",
			   s->arg, s->dev.dm.name);
		return EXIT_FAIL;
	}
	if (check_not_on_volume(c, s))
		return EXIT_FAIL;
	if (!s->dev.is_dm || c->a->stack) {
		s->kind = s->dev.is_dm ? PLEX_STACK : PLEX_RAW;
		if (check_device_size(c, s))
			return EXIT_FAIL;
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

/*
 * --rate, once the attach succeeded (a refused add-plex changes nothing).
 * The plexes are attached whatever happens here: a failure is a warning.
 */
static void send_rate(const struct add_ctx *c)
{
	char msg[64], val[32];
	int r;

	rate_message(&c->a->rate, val, sizeof(val));
	snprintf(msg, sizeof(msg), "resync_rate %s", val);
	r = dmx_message(&c->vol.dm, msg);
	if (r)
		vx_warn("'%s': message '%s' failed (%s): the resync runs uncapped; 'dmsetup message %s 0 %s'",
			c->vol.dm.name, msg, dmx_strerror(r), c->vol.dm.name, msg);
}

/* Load an error table into consumed PLEX @s so it lets go of its disk. */
static int load_error_table(struct plex_src *s)
{
	struct dmseg seg = { .start = 0, .len = dmx_table_len(&s->orig), .type = "error",
			     .params = (char *)"" };
	struct dmtable t = { .n = 1, .seg = &seg };
	bool live;
	int r = dmx_reload(&s->dev.dm, &t, &live);

	if (r)
		vx_err("PLEX '%s': loading an error table failed: %s", s->arg, dmx_strerror(r));
	/* Even when resuming failed the error table may be live: restore it then. */
	s->errored = live;
	return r ? EXIT_FAIL : 0;
}

/* @s single-quoted for a shell. */
static void put_quoted(const char *s, FILE *f)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The commands that load @s's original table back, every segment of it. */
static void print_restore_commands(const struct plex_src *s)
{
	unsigned int i;

	fputs("dmsetup load ", stderr);
	put_quoted(s->dev.dm.name, stderr);
	fputs(" <<'EOF'\n", stderr);
	for (i = 0; i < s->orig.n; i++)
		fprintf(stderr, "%" PRIu64 " %" PRIu64 " %s %s\n", s->orig.seg[i].start,
			s->orig.seg[i].len, s->orig.seg[i].type, s->orig.seg[i].params);
	fputs("EOF\ndmsetup resume ", stderr);
	put_quoted(s->dev.dm.name, stderr);
	fputc('\n', stderr);
}

static void restore(struct add_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_src; i++) {
		struct plex_src *s = &c->src[i];
		bool live;
		int r;

		if (!s->errored)
			continue;
		r = dmx_reload(&s->dev.dm, &s->orig, &live);
		if (live)
			s->errored = false;
		if (!r)
			continue;
		if (live) {
			vx_err("PLEX '%s': its table was loaded back, but resuming it failed (%s)",
			       s->arg, dmx_strerror(r));
			continue;
		}
		vx_err("PLEX '%s': restoring its table failed (%s); it still has an error table. Its table was:",
		       s->arg, dmx_strerror(r));
		print_restore_commands(s);
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
static int do_attach(struct add_ctx *c, struct add_result *res)
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

/*
 * do_attach() with SIGINT, SIGTERM and SIGHUP held back: a signal between
 * loading an error table into a PLEX and restoring or removing it would
 * leave the PLEX mapping errors.
 */
static int attach(struct add_ctx *c, struct add_result *res)
{
	sigset_t old;
	int r;

	sig_block_fatal(&old);
	r = do_attach(c, res);
	/* a Ctrl-C held back meanwhile ends a --wait, not the process */
	sigint_catch();
	sig_restore(&old);
	return r;
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
		json_add_strn(o, "identity", (const char *)e->identity, VDSPLEX_IDENTITY_SIZE);
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * The add-plex --json document; @w NULL without --wait.  When following
 * did not see the end (@ended false), @w holds the last state seen.
 */
static void print_json(const struct add_ctx *c, const struct add_result *res,
		       const struct vdsplex_async_wait *w, bool ended)
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
	if (w && ended)
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
			print_json(c, res, NULL, false);
		else
			print_started(c, res);
		return EXIT_OK;
	}
	e = follow_async(res->async_fd, c->vol.dm.name, VDSPLEX_WAIT_FOREVER, &w);
	ret = follow_report(e, &c->vol, &w, c->a->json);
	/* The plexes are attached however following ended: say which. */
	if (c->a->json)
		print_json(c, res, &w, e == FOLLOW_ENDED);
	return ret;
}

static int prepare(struct add_ctx *c)
{
	unsigned int i;

	if (volume_open(c->a->volume, &c->vol))
		return EXIT_FAIL;
	/* Refused before any read: I/O to a suspended volume waits (the kernel says the same). */
	if (c->vol.dm.suspended) {
		vds_report(VDS_E_VOLUME_NOT_ONLINE,
			   "VOLUME '%s' is suspended: resume it first ('dmsetup resume %s')",
			   c->vol.dm.name, c->vol.dm.name);
		return EXIT_FAIL;
	}
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
	return 0;
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
	if (!ret && a->rate_set)
		send_rate(&c);
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
