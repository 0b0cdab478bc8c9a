// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex activate [NAME|--all] [--tab FILE]
 *
 * Brings up the volumes /etc/vdsplextab lists (tab.h).  With a metadata
 * device, the metadata is the truth: its plex records name each plex by the
 * identity userspace recorded (dm UUID, /dev/disk/by-id name, PARTUUID=)
 * next to the kernel's hints (device number, size).  The module matches a
 * table's plexes to the records by the hints, so when devices were renamed
 * activation finds each plex by its identity, records the new device
 * numbers in the plex table, then loads the table.  A plex not found is
 * left out: the volume comes up degraded, with a warning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "cmd.h"
#include "common.h"
#include "devices.h"
#include "mdread.h"
#include "tab.h"
#include "tableline.h"

#define BY_ID_DIR	"/dev/disk/by-id/"

/* "TAG=value" with a tag libblkid evaluates: its device node into @path. */
static int resolve_tag(const char *spec, char *path, size_t len)
{
	static const char *const tags[] = { "UUID", "PARTUUID", "LABEL", "PARTLABEL" };
	const char *eq = strchr(spec, '=');
	char tag[16], *dev;
	size_t i;

	if (!eq || (size_t)(eq - spec) >= sizeof(tag))
		return -EINVAL;
	memcpy(tag, spec, (size_t)(eq - spec));
	tag[eq - spec] = '\0';
	for (i = 0; i < ARRAY_SIZE(tags); i++)
		if (!strcmp(tag, tags[i]))
			break;
	if (i == ARRAY_SIZE(tags))
		return -EINVAL;
	dev = blkid_evaluate_tag(tag, eq + 1, NULL);
	if (!dev)
		return -ENOENT;
	i = (size_t)vx_snprintf(path, len, "%s", dev);
	free(dev);
	return i ? -ENAMETOOLONG : 0;
}

/* A device as the tab names it: TAG=value, or what bdev_resolve() takes. */
static int resolve_spec(const char *spec, struct bdev *b)
{
	char path[PATH_MAX];
	int r = resolve_tag(spec, path, sizeof(path));

	if (r == -EINVAL)
		return bdev_resolve(spec, b);
	return r ?: bdev_resolve(path, b);
}

/* Where a plex record is now. */
struct found {
	bool ok;
	struct bdev dev;
	const char *how;	/* "identity", "device path", "device number" */
	bool weak;		/* found by a kernel name or number, not a stable name */
};

/*
 * Find record @p by its identity: "TAG=value", a by-id name, a dm UUID; a
 * device path only while it still is the recorded device number (a path
 * may name another disk after a rename); no identity: the recorded device
 * number, if it exists.  @why: why not, for the warning.
 */
static bool find_plex(const struct md_plex_info *p, struct found *f, const char **why)
{
	char path[PATH_MAX];
	struct dmdev d;

	f->ok = false;
	f->weak = false;
	*why = "no device has this identity";
	if (!p->identity[0]) {
		f->weak = true;
		f->how = "device number (no identity recorded)";
		if (!bdev_from_devno(p->major, p->minor, &f->dev))
			return f->ok = true;
		*why = "no identity is recorded and the recorded device number is gone";
		return false;
	}
	if (!resolve_tag(p->identity, path, sizeof(path))) {
		f->how = "identity";
		return f->ok = !bdev_resolve(path, &f->dev);
	}
	if (p->identity[0] == '/') {
		f->weak = true;
		f->how = "device path";
		if (!bdev_resolve(p->identity, &f->dev) && f->dev.major == p->major &&
		    f->dev.minor == p->minor)
			return f->ok = true;
		*why = "the identity is a device path and that path is another device now";
		return false;
	}
	f->how = "identity";
	if (!vx_snprintf(path, sizeof(path), BY_ID_DIR "%s", p->identity) &&
	    !bdev_resolve(path, &f->dev))
		return f->ok = true;
	if (!dmx_info_uuid(p->identity, &d) && !bdev_from_devno(d.major, d.minor, &f->dev))
		return f->ok = true;
	return false;
}

/* Is @b held by another device (a mapped device's table uses it)? */
static bool has_holders(const struct bdev *b)
{
	char path[96];
	struct dirent *de;
	bool held = false;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", b->major, b->minor);
	d = opendir(path);
	if (!d)
		return false;
	while (!held && (de = readdir(d)))
		held = de->d_name[0] != '.';
	closedir(d);
	return held;
}

/* Check that @f can hold record @p of a volume of @len sectors. */
static bool fits(const struct md_plex_info *p, uint64_t len, struct found *f,
		 const char **why)
{
	uint64_t sectors;
	uint32_t lbs;

	if (bdev_geometry(&f->dev, &sectors, &lbs)) {
		*why = "its size cannot be read";
		return false;
	}
	if (sectors < p->offset || sectors - p->offset < len) {
		*why = "the device found is too small for the plex";
		return false;
	}
	/* a kernel name may be another disk now: its size must be the recorded one */
	if (f->weak && sectors != p->dev_sectors) {
		*why = "the device under its recorded name has another size: not the same disk";
		return false;
	}
	if (has_holders(&f->dev)) {
		*why = "the device found is in use by another mapped device";
		return false;
	}
	return true;
}

/* " <#opt> <opt>..." for the tab options into @buf (may be empty). */
static int opt_args(const struct tab_entry *e, uint32_t write_mostly, bool nosync,
		    char *buf, size_t len)
{
	char words[1024] = "", rate[32];
	unsigned int n = 0, i;
	size_t w = 0;

#define ADD(...) do { \
		int _k = snprintf(words + w, sizeof(words) - w, " " __VA_ARGS__); \
		if (_k < 0 || (size_t)_k >= sizeof(words) - w) \
			return -ENAMETOOLONG; \
		w += (size_t)_k; \
	} while (0)
	if (nosync) {
		ADD("nosync");
		n++;
	}
	for (i = 0; i < VDSPLEX_MAX_EXTENTS; i++)
		if (write_mostly & (1U << i)) {
			ADD("write_mostly %u", i);
			n += 2;
		}
	/* adaptive is the default: no resync_rate argument */
	if (e->rate_set && !e->rate.adaptive) {
		if (rate_message(&e->rate, rate, sizeof(rate)))
			return -EINVAL;
		ADD("resync_rate %s", rate);
		n += 2;
	}
	if (e->read_policy) {
		ADD("read_policy %s", e->read_policy);
		n += 2;
	}
#undef ADD
	if (!n)
		return vx_snprintf(buf, len, "%s", "");
	return vx_snprintf(buf, len, " %u%s", n, words);
}

/* An active volume is left alone; another device of that name is an error. */
static int already_active(const struct tab_entry *e, bool *active)
{
	struct dmdev d;

	*active = false;
	if (dmx_info_name(e->name, &d))
		return 0;
	if (!dmx_is_type(&d, "vdsplex")) {
		vx_err("%s: a mapped device of that name exists and is not a vdsplex volume",
		       e->name);
		return EXIT_FAIL;
	}
	printf("%s: already active\n", e->name);
	*active = true;
	return 0;
}

static int create(const struct tab_entry *e, const char *uuid, uint64_t len, const char *params)
{
	struct dmseg seg = { .start = 0, .len = len, .type = "vdsplex" };
	struct dmtable t = { .n = 1, .seg = &seg };
	int r;

	seg.params = (char *)params;
	r = dmx_create(e->name, uuid, &t);
	if (r)
		vx_err("%s: activating failed: %s (table: 0 %" PRIu64 " vdsplex %s; the kernel log names the bad argument)",
		       e->name, dmx_strerror(r), len, params);
	return r ? EXIT_FAIL : 0;
}

/* Core mode: the PLEXES field, as create builds it. */
static int activate_core(const struct tab_entry *e)
{
	struct vdsplex_params vp = { .meta = "-", .region_sectors = e->region_sectors,
				     .nr_plexes = e->nr_plexes };
	struct plex_geometry geo[VDSPLEX_MAX_EXTENTS];
	char dev[PATH_MAX], params[2048], opts[1100], uuid[64];
	const char *why = NULL;
	unsigned int i, bad = 0;
	struct bdev b;
	uint64_t len;
	size_t n;
	int r;

	for (i = 0; i < e->nr_plexes; i++) {
		if (parse_dev_offset(e->plexes[i], path_exists, dev, sizeof(dev),
				     &geo[i].offset, &why)) {
			vx_err("%s: plex '%s': %s", e->name, e->plexes[i], why);
			return EXIT_FAIL;
		}
		r = resolve_spec(dev, &b);
		if (!r)
			r = bdev_geometry(&b, &geo[i].dev_sectors, &geo[i].lbs_sectors);
		if (r) {
			vx_err("%s: plex '%s': %s", e->name, dev,
			       r == -ENOENT ? "no such device" : strerror(-r));
			return EXIT_FAIL;
		}
		vp.plex[i].major = b.major;
		vp.plex[i].minor = b.minor;
		vp.plex[i].offset = geo[i].offset;
	}
	if (create_length(geo, e->nr_plexes, &len, &bad)) {
		vx_err("%s: plex '%s' is too small at its offset", e->name, e->plexes[bad]);
		return EXIT_FAIL;
	}
	if (vdsplex_params_format(&vp, params, sizeof(params)) ||
	    opt_args(e, e->write_mostly, e->nosync, opts, sizeof(opts))) {
		vx_err("%s: the table line is too long", e->name);
		return EXIT_FAIL;
	}
	n = strlen(params);
	if (vx_snprintf(params + n, sizeof(params) - n, "%s", opts)) {
		vx_err("%s: the table line is too long", e->name);
		return EXIT_FAIL;
	}
	if (volume_uuid(NULL, uuid, sizeof(uuid)) || create(e, uuid, len, params))
		return EXIT_FAIL;
	printf("%s: activated /dev/mapper/%s (core mode), %u plex%s\n", e->name, e->name,
	       e->nr_plexes, e->nr_plexes == 1 ? "" : "es");
	return EXIT_OK;
}

/* Open the metadata device for the activation: exclusive, uncached. */
static int open_meta(const struct tab_entry *e, const struct bdev *b)
{
	int fd = open(b->node, O_RDWR | O_EXCL | O_DIRECT | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == EBUSY)
		vx_err("%s: metadata device %s is in use (by a volume active under another name?)",
		       e->name, b->node);
	else
		vx_err("%s: cannot open metadata device %s: %s", e->name, b->node,
		       strerror(errno));
	return -1;
}

/* Where activation puts each record of the metadata. */
struct placement {
	struct vdsplex_params vp;	/* the table's plexes */
	uint32_t write_mostly;		/* table indices */
	uint32_t mask;			/* slots whose hints are rewritten ... */
	uint32_t devno[MD_MAX_PLEXES][2];	/* ... to these */
	unsigned int alive, missing;
	struct found f[MD_MAX_PLEXES];
	const char *why[MD_MAX_PLEXES];
};

/*
 * Resolve every record of @md into @pl.  A record not placed gets the hint
 * 0:(slot + 1), a number no block device has: a found plex may have moved
 * onto its old number, and two records must not name one plex.
 */
static void place_plexes(const struct md_info *md, struct placement *pl)
{
	unsigned int i, j;

	memset(pl, 0, sizeof(*pl));
	for (i = 0; i < md->nr_plexes; i++) {
		const struct md_plex_info *p = &md->plex[i];
		struct found *f = &pl->f[i];

		if (find_plex(p, f, &pl->why[i]) && !fits(p, md->volume_sectors, f, &pl->why[i]))
			f->ok = false;
		for (j = 0; f->ok && j < i; j++)
			if (pl->f[j].ok && pl->f[j].dev.major == f->dev.major &&
			    pl->f[j].dev.minor == f->dev.minor && md->plex[j].offset == p->offset) {
				pl->why[i] = "another plex record resolves to the same device and offset";
				f->ok = false;
			}
		if (!f->ok) {
			pl->missing++;
			pl->mask |= 1U << p->slot;
			pl->devno[p->slot][0] = 0;
			pl->devno[p->slot][1] = p->slot + 1;
			continue;
		}
		if (f->dev.major != p->major || f->dev.minor != p->minor) {
			pl->mask |= 1U << p->slot;
			pl->devno[p->slot][0] = f->dev.major;
			pl->devno[p->slot][1] = f->dev.minor;
		}
		if (p->write_mostly)
			pl->write_mostly |= 1U << pl->vp.nr_plexes;
		if (p->state == MD_ALIVE)
			pl->alive++;
		pl->vp.plex[pl->vp.nr_plexes].major = f->dev.major;
		pl->vp.plex[pl->vp.nr_plexes].minor = f->dev.minor;
		pl->vp.plex[pl->vp.nr_plexes].offset = p->offset;
		pl->vp.nr_plexes++;
	}
}

/* Say where each moved plex was found, and warn about each missing one. */
static void report_placement(const struct tab_entry *e, const struct md_info *md,
			     const struct placement *pl)
{
	unsigned int i;

	for (i = 0; i < md->nr_plexes; i++) {
		const struct md_plex_info *p = &md->plex[i];
		const struct found *f = &pl->f[i];

		if (!f->ok)
			vx_warn("%s: plex id %" PRIu64 " '%s' (%s, recorded as %u:%u) not found: %s; the volume is activated without it (degraded) and its record is dropped: once the device is back, add it with 'vdsplex add-plex %s DEVICE'",
				e->name, p->id, p->identity[0] ? p->identity : "-",
				md_state_name(p->state), p->major, p->minor, pl->why[i], e->name);
		else if (f->dev.major != p->major || f->dev.minor != p->minor)
			printf("%s: plex id %" PRIu64 " '%s' found by %s at %s (%u:%u), recorded as %u:%u\n",
			       e->name, p->id, p->identity, f->how, f->dev.node, f->dev.major,
			       f->dev.minor, p->major, p->minor);
		if (f->ok && f->weak)
			vx_warn("%s: plex id %" PRIu64 " is known by a kernel name only ('%s'): record a stable identity with 'dmsetup message %s 0 identity INDEX NAME'",
				e->name, p->id, p->identity[0] ? p->identity : "-", e->name);
	}
}

static int activate_meta(const struct tab_entry *e, uint64_t wait_ms)
{
	char err[512], params[2048], opts[1100], uuid[64];
	struct placement *pl = NULL;
	struct md_info *md;
	uint64_t waited = 0;
	struct bdev mb;
	int fd, r, ret = EXIT_FAIL;
	size_t n;

	r = resolve_spec(e->meta, &mb);
	if (r) {
		vx_err("%s: metadata device '%s': %s", e->name, e->meta,
		       r == -ENOENT ? "no such device" : strerror(-r));
		return EXIT_FAIL;
	}
	md = calloc(1, sizeof(*md));
	pl = calloc(1, sizeof(*pl));
	if (!md || !pl) {
		vx_err("out of memory");
		goto out_free;
	}
	fd = open_meta(e, &mb);
	if (fd < 0)
		goto out_free;
	r = md_read(fd, md, err, sizeof(err));
	if (r) {
		vx_err("%s: metadata device %s: %s", e->name, mb.node, err);
		goto out;
	}
	if (md->blank) {
		vx_err("%s: metadata device %s holds no vdsplex metadata (never formatted): create the volume with 'vdsplex create %s --meta %s --plex ...'",
		       e->name, mb.node, e->name, e->meta);
		goto out;
	}
	/* plexes that appear late (a slow disk, an LV, a network device) */
	for (place_plexes(md, pl); pl->missing && waited < wait_ms; place_plexes(md, pl)) {
		if (!waited)
			printf("%s: waiting up to %" PRIu64 " s for %u missing plex%s\n", e->name,
			       wait_ms / 1000, pl->missing, pl->missing == 1 ? "" : "es");
		usleep(250 * 1000);
		waited += 250;
	}
	report_placement(e, md, pl);
	if (!pl->alive) {
		vx_err("%s: none of the plexes recorded in sync was found; not activating",
		       e->name);
		goto out;
	}
	if (pl->mask) {
		r = md_set_hints(fd, pl->mask, (const uint32_t (*)[2])pl->devno, err, sizeof(err));
		if (r) {
			vx_err("%s: recording the plexes' new device numbers failed: %s",
			       e->name, err);
			goto out;
		}
	}
	close(fd);
	fd = -1;
	snprintf(pl->vp.meta, sizeof(pl->vp.meta), "%u:%u", mb.major, mb.minor);
	pl->vp.region_sectors = md->region_size;
	if (vdsplex_params_format(&pl->vp, params, sizeof(params)) ||
	    opt_args(e, pl->write_mostly, false, opts, sizeof(opts))) {
		vx_err("%s: the table line is too long", e->name);
		goto out;
	}
	n = strlen(params);
	if (vx_snprintf(params + n, sizeof(params) - n, "%s", opts)) {
		vx_err("%s: the table line is too long", e->name);
		goto out;
	}
	if (volume_uuid(md->uuid, uuid, sizeof(uuid)) ||
	    create(e, uuid, md->volume_sectors, params))
		goto out;
	printf("%s: activated /dev/mapper/%s, %u of %u plex%s%s\n", e->name, e->name,
	       pl->vp.nr_plexes, md->nr_plexes, md->nr_plexes == 1 ? "" : "es",
	       pl->missing ? " (degraded)" : "");
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
out_free:
	free(pl);
	free(md);
	return ret;
}

static int activate_one(const struct tab_entry *e, uint64_t wait_ms)
{
	bool active;
	int r = already_active(e, &active);

	if (r || active)
		return r;
	if (!strcmp(e->meta, "-"))
		return activate_core(e);
	return activate_meta(e, wait_ms);
}

/*
 * One activation at a time (the systemd unit, the initramfs, an
 * administrator): two would contend for the metadata devices.  Held until
 * exit.
 */
static int lock_activation(void)
{
	int fd;

	mkdir("/run/vdsplex", 0755);
	fd = open("/run/vdsplex/activate.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;	/* no /run (a rescue shell): go on unlocked */
	if (flock(fd, LOCK_EX)) {
		vx_err("cannot lock /run/vdsplex/activate.lock: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/* The whole tab file @path into @t. */
static int load_tab(const char *path, struct tab *t)
{
	char err[512], *text = NULL;
	size_t cap = 0, len = 0, k;
	FILE *f = fopen(path, "re");
	int r;

	if (!f) {
		vx_err("cannot read %s: %s", path, strerror(errno));
		memset(t, 0, sizeof(*t));
		return EXIT_FAIL;
	}
	do {
		if (len + 4096 + 1 > cap) {
			char *n = realloc(text, cap = len + 4096 + 1);

			if (!n) {
				free(text);
				fclose(f);
				vx_err("out of memory");
				return EXIT_FAIL;
			}
			text = n;
		}
		k = fread(text + len, 1, 4096, f);
		len += k;
	} while (k == 4096);
	fclose(f);
	text[len] = '\0';
	r = tab_parse(text, t, err, sizeof(err));
	free(text);
	if (r) {
		vx_err("%s: %s", path, err);
		return EXIT_FAIL;
	}
	return 0;
}

int cmd_activate(const struct cmd_args *a)
{
	const char *path = a->tab ? a->tab : VDSPLEXTAB_PATH;
	uint64_t wait_ms = a->timeout_ms == VDSPLEX_WAIT_FOREVER ? 0 : a->timeout_ms;
	const struct tab_entry *e;
	unsigned int i, done = 0;
	int ret = EXIT_OK;
	struct tab *t;

	t = calloc(1, sizeof(*t));
	if (!t) {
		vx_err("out of memory");
		return EXIT_FAIL;
	}
	if (load_tab(path, t) || lock_activation()) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (!a->all) {
		e = tab_find(t, a->volume);
		if (!e) {
			vx_err("NAME '%s' is not in %s", a->volume, path);
			ret = EXIT_FAIL;
		} else {
			ret = activate_one(e, wait_ms);
		}
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (e->noauto)
			continue;
		done++;
		if (activate_one(e, wait_ms) == EXIT_OK)
			continue;
		if (e->nofail)
			vx_warn("%s: not activated (nofail)", e->name);
		else
			ret = EXIT_FAIL;
	}
	if (!done)
		printf("%s: no volume to activate\n", path);
out:
	tab_free(t);
	free(t);
	return ret;
}
