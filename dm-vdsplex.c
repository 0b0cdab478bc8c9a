// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex: a device-mapper target presenting one volume backed by N plexes
 * (complete mirror copies), with plexes attachable to the live volume.
 *
 * This file is the target: constructor and destructor, I/O mapping, status,
 * messages and the suspend/resume hooks.  The state shared by all table
 * instances of a volume lives in vdsplex-volume.c; the lock inventory is
 * above struct vdsplex_volume in dm-vdsplex.h.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/stdarg.h>
#include <linux/vmalloc.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

/*
 * What a read needs to be sent again after an error (as DM's private
 * dm-bio-record.h does; integrity payloads are not kept).
 */
struct vdsplex_saved_bio {
	struct block_device *bdev;
	unsigned long flags;
	struct bvec_iter iter;
	int remaining;
	bio_end_io_t *end_io;
};

/**
 * struct vdsplex_bio - per-bio data.
 * @is_read: the bio was remapped to one plex as a read.
 * @counted: a write counted in flight in its region (vdsplex_write_admit).
 * @epoch: the in-flight epoch it was counted in.
 * @region: the region of a write.
 * @nr: number of plexes the bio was sent to.
 * @wz: WRITE_ZEROES: plexes below this index were sent WRITE_ZEROES; those
 *	from it on lack it and get zero pages (vdsplex_retry_zeroes()).
 * @zeroes_retried: WRITE_ZEROES: zero pages were sent to the plexes that
 *	refused it (vdsplex_retry_zeroes()).
 * @refused: WRITE_ZEROES: the plexes (bit i = @plex[i]) that refused it.
 * @parts: a write: its clones not yet completed, plus one while they are
 *	being sent (vdsplex_send_write()).
 * @errors: a write: the plexes (bit i = @plex[i]) that failed it; a
 *	WRITE_ZEROES retry: failed plexes other than those retried.
 * @client: the dm-io client of the table that mapped a write (the zero
 *	pages of vdsplex_retry_zeroes()).
 * @whole_discard: a DISCARD of a whole region: its success marks the region
 *	discarded.
 * @retries: a read: times it was sent to another plex after an error.
 * @saved: a read: the bio as mapped by DM, restored for a retry.
 * @where: dm-io regions of a write, one per plex.
 * @plex: the plexes, in the order of @where (index 0 for a read; a read's
 *	retry keeps the plexes that failed it at 1..@retries, compared only,
 *	never dereferenced).
 */
struct vdsplex_bio {
	bool is_read;
	bool counted;
	u8 epoch;
	u64 region;
	u8 nr;
	u8 wz;
	bool zeroes_retried;
	u32 refused;
	bool whole_discard;
	u8 retries;
	struct vdsplex_saved_bio saved;
	atomic_t parts;
	atomic_long_t errors;
	struct dm_io_client *client;
	struct dm_io_region where[VDSPLEX_MAX_PLEXES];
	struct vdsplex_plex *plex[VDSPLEX_MAX_PLEXES];
};

/**
 * struct vdsplex_clone - a plex's copy of a write (front pad of its bio).
 * @orig: the volume's write.
 * @pos: the plex's index in the write's vdsplex_bio (plex[], where[]).
 * @bio: the copy; last, bio_alloc_clone() puts the front pad before it.
 */
struct vdsplex_clone {
	struct bio *orig;
	unsigned int pos;
	struct bio bio;
};

/*
 * ti->error must outlive the constructor only until DM has logged it, which
 * it does right after the constructor fails.  Messages with values go into
 * a small ring of buffers; a slot is reused only after VDSPLEX_ERR_SLOTS
 * newer messages.
 */
#define VDSPLEX_ERR_SLOTS	8
#define VDSPLEX_ERR_LEN		192
static char vdsplex_err_buf[VDSPLEX_ERR_SLOTS][VDSPLEX_ERR_LEN];
static atomic_t vdsplex_err_next = ATOMIC_INIT(0);

/**
 * vdsplex_errorf() - format a constructor error message.
 * @fmt: printf format.
 *
 * Context: any.
 * Return: the message, valid until VDSPLEX_ERR_SLOTS further calls.
 */
char *vdsplex_errorf(const char *fmt, ...)
{
	unsigned int slot = (unsigned int)atomic_inc_return(&vdsplex_err_next) %
			    VDSPLEX_ERR_SLOTS;
	char *buf = vdsplex_err_buf[slot];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, VDSPLEX_ERR_LEN, fmt, args);
	va_end(args);
	return buf;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_errorf);

static char vdsplex_err_too_few[] =
	"Not enough arguments: need <metadata_dev|-> <region_size> <#plexes> <dev> <offset>";

static int vdsplex_parse_index(const char *key, const char *val,
			       unsigned int nr_plexes, u32 *mask,
			       char **error)
{
	unsigned int idx;

	if (!val) {
		*error = vdsplex_errorf("%s needs a plex index", key);
		return -EINVAL;
	}
	if (kstrtouint(val, 10, &idx) || idx >= nr_plexes) {
		*error = vdsplex_errorf("%s: plex index '%s' is not between 0 and %u",
					key, val, nr_plexes - 1);
		return -EINVAL;
	}
	if (*mask & BIT(idx)) {
		*error = vdsplex_errorf("%s %u is given twice", key, idx);
		return -EINVAL;
	}
	*mask |= BIT(idx);
	return 0;
}

/**
 * vdsplex_parse_args() - parse a table line without opening any device.
 * @a: filled in; zeroed first.
 * @argc: argument count.
 * @argv: the arguments (dev pointers in @a point into it).
 * @error: set to a sentence naming the bad argument on failure.
 *
 * Grammar (Documentation/dm-vdsplex.rst, "Constructor"):
 *
 *   <metadata_dev|-> <region_size> <#plexes> <dev> <offset> [<dev> <offset>]...
 *   [<#opt_args> <opt_arg>...]
 *
 *   region_size   sectors, a power of two from 8 to 2097152
 *   #plexes       1 to 32
 *   opt_arg       nosync | rebuild <idx> | read_policy <policy> |
 *                 write_mostly <idx> | resync_rate <KiB/s>
 *   policy        round_robin | least_pending | primary
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int vdsplex_parse_args(struct vdsplex_args *a, unsigned int argc, char **argv,
		       char **error)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	unsigned int i, nr_opt;
	const char *arg;

	memset(a, 0, sizeof(*a));
	a->read_policy = VDSPLEX_READ_LEAST_PENDING;
	if (argc < 5) {
		*error = vdsplex_err_too_few;
		return -EINVAL;
	}

	arg = dm_shift_arg(&as);
	a->metadata = strcmp(arg, "-") ? arg : NULL;

	arg = dm_shift_arg(&as);
	if (kstrtou32(arg, 10, &a->region_size) ||
	    a->region_size < VDSPLEX_MIN_REGION_SIZE ||
	    a->region_size > VDSPLEX_MAX_REGION_SIZE ||
	    !is_power_of_2(a->region_size)) {
		*error = vdsplex_errorf("Invalid region_size '%s': not a power of two in %u..%u",
					arg, VDSPLEX_MIN_REGION_SIZE,
					VDSPLEX_MAX_REGION_SIZE);
		return -EINVAL;
	}

	arg = dm_shift_arg(&as);
	if (kstrtouint(arg, 10, &a->nr_plexes) || !a->nr_plexes ||
	    a->nr_plexes > VDSPLEX_MAX_PLEXES) {
		*error = vdsplex_errorf("Invalid #plexes '%s': must be 1 to %u",
					arg, VDSPLEX_MAX_PLEXES);
		return -EINVAL;
	}
	if (as.argc < 2 * a->nr_plexes) {
		*error = vdsplex_errorf("Not enough <dev> <offset> pairs for %u plexes",
					a->nr_plexes);
		return -EINVAL;
	}
	for (i = 0; i < a->nr_plexes; i++) {
		unsigned long long off;

		a->dev[i] = dm_shift_arg(&as);
		arg = dm_shift_arg(&as);
		if (kstrtoull(arg, 10, &off) || off != (sector_t)off) {
			*error = vdsplex_errorf("plex %u: invalid offset '%s'",
						i, arg);
			return -EINVAL;
		}
		a->offset[i] = off;
	}
	if (!as.argc)
		return 0;

	arg = dm_shift_arg(&as);
	if (kstrtouint(arg, 10, &nr_opt) || nr_opt != as.argc) {
		*error = vdsplex_errorf("Invalid #opt_args '%s': %u optional arguments follow",
					arg, as.argc);
		return -EINVAL;
	}
	while (as.argc) {
		const char *key = dm_shift_arg(&as);
		const char *val = as.argc ? as.argv[0] : NULL;
		int r;

		if (!strcasecmp(key, "nosync")) {
			if (a->nosync) {
				*error = "nosync is given twice";
				return -EINVAL;
			}
			a->nosync = true;
			continue;
		}
		if (!strcasecmp(key, "rebuild")) {
			r = vdsplex_parse_index("rebuild", val, a->nr_plexes,
						&a->rebuild, error);
		} else if (!strcasecmp(key, "write_mostly")) {
			r = vdsplex_parse_index("write_mostly", val,
						a->nr_plexes, &a->write_mostly,
						error);
		} else if (!strcasecmp(key, "read_policy")) {
			if (a->read_policy_set) {
				*error = "read_policy is given twice";
				return -EINVAL;
			}
			r = val ? vdsplex_policy_parse(val, &a->read_policy) :
				  -EINVAL;
			if (r)
				*error = vdsplex_errorf("read_policy: unknown policy '%s'",
							val ? val : "");
			a->read_policy_set = true;
		} else if (!strcasecmp(key, "resync_rate")) {
			if (a->rate_set) {
				*error = "resync_rate is given twice";
				return -EINVAL;
			}
			r = val ? kstrtou32(val, 10, &a->resync_rate) : -EINVAL;
			if (r)
				*error = vdsplex_errorf("resync_rate: invalid rate '%s'",
							val ? val : "");
			a->rate_set = true;
		} else {
			*error = vdsplex_errorf("Unknown optional argument '%s'",
						key);
			return -EINVAL;
		}
		if (r)
			return -EINVAL;
		dm_shift_arg(&as);
	}
	if (a->rebuild == GENMASK(a->nr_plexes - 1, 0)) {
		*error = "rebuild: every plex is marked for rebuild, so none can be the source";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_parse_args);

/**
 * vdsplex_check_overlap() - do two plexes share sectors of one device?
 * @devt: device of each plex.
 * @offset: start sector of each plex.
 * @nr: number of plexes.
 * @len: length of every plex (the volume length).
 * @first: set to the lower index of an overlapping pair.
 * @second: set to the higher index of that pair.
 *
 * Context: any.
 * Return: 0, or -EINVAL when plexes @first and @second overlap.
 */
int vdsplex_check_overlap(const dev_t *devt, const sector_t *offset,
			  unsigned int nr, sector_t len, unsigned int *first,
			  unsigned int *second)
{
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		for (j = i + 1; j < nr; j++) {
			if (devt[i] != devt[j])
				continue;
			if (offset[i] < offset[j] + len &&
			    offset[j] < offset[i] + len) {
				*first = i;
				*second = j;
				return -EINVAL;
			}
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_check_overlap);

static void vdsplex_dtr(struct dm_target *ti)
{
	struct vdsplex_ctx *ctx = ti->private;
	unsigned int i;

	if (!ctx)
		return;
	if (ctx->vol)
		vdsplex_release(ctx);
	if (ctx->meta_dev)
		dm_put_device(ti, ctx->meta_dev);
	for (i = 0; i < ctx->nr_legs; i++) {
		if (ctx->legs[i].plex)
			vdsplex_plex_put(ctx->legs[i].plex);
		if (ctx->legs[i].dev)
			dm_put_device(ti, ctx->legs[i].dev);
	}
	if (ctx->io_client)
		dm_io_client_destroy(ctx->io_client);
	bioset_exit(&ctx->bios);
	if (ctx->vol)
		vdsplex_volume_put(ctx->vol);
	kfree(ctx);
	ti->private = NULL;
}

/**
 * vdsplex_check_leg() - the constructor's rules for one opened plex.
 * @ti: the target (its length is the volume length).
 * @i: the plex's table index, for the message.
 * @path: the device as given, for the message.
 * @bdev: the opened device.
 * @offset: the plex's first sector on @bdev.
 * @self: the volume's own device number (0: do not check).
 * @vol_lbs: the volume's logical block size (0: do not check).
 *
 * Context: process.
 * Return: NULL when acceptable, else a sentence naming the problem.
 */
char *vdsplex_check_leg(struct dm_target *ti, unsigned int i,
			const char *path, struct block_device *bdev,
			sector_t offset, dev_t self, unsigned int vol_lbs)
{
	sector_t size = bdev_nr_sectors(bdev);
	unsigned int lbs = bdev_logical_block_size(bdev);

	if (bdev->bd_dev == self)
		return vdsplex_errorf("plex %u: '%s' is the volume itself",
				      i, path);
	if (offset > size || size - offset < ti->len)
		return vdsplex_errorf("plex %u: '%s' has %llu sectors, needs %llu",
				      i, path, (unsigned long long)size,
				      (unsigned long long)(offset + ti->len));
	if (vol_lbs && lbs > vol_lbs)
		return vdsplex_errorf("plex %u: '%s' logical block size %u > %u",
				      i, path, lbs, vol_lbs);
	return NULL;
}

/* Open the plexes and check what needs the devices. */
static int vdsplex_open_legs(struct dm_target *ti, struct vdsplex_ctx *ctx,
			     const struct vdsplex_args *a)
{
	struct mapped_device *md = dm_table_get_md(ti->table);
	dev_t self = disk_devt(dm_disk(md));
	dev_t devt[VDSPLEX_MAX_PLEXES];
	unsigned int i, j, vol_lbs = 0;
	int r;

	if (ctx->vol->active)
		vol_lbs = bdev_logical_block_size(dm_disk(md)->part0);
	for (i = 0; i < a->nr_plexes; i++) {
		struct vdsplex_leg *leg = &ctx->legs[i];

		r = dm_get_device(ti, a->dev[i], dm_table_get_mode(ti->table),
				  &leg->dev);
		if (r) {
			ti->error = vdsplex_errorf("plex %u: cannot open device '%s'",
						   i, a->dev[i]);
			return r;
		}
		ctx->nr_legs = i + 1;
		devt[i] = leg->dev->bdev->bd_dev;
		ti->error = vdsplex_check_leg(ti, i, a->dev[i], leg->dev->bdev,
					      a->offset[i], self, vol_lbs);
		if (ti->error)
			return -EINVAL;
		leg->write_mostly = a->write_mostly & BIT(i);
		leg->rebuild = a->rebuild & BIT(i);
	}
	if (vdsplex_check_overlap(devt, a->offset, a->nr_plexes, ti->len,
				  &i, &j)) {
		ti->error = vdsplex_errorf("plex %u ('%s' at %llu) overlaps plex %u ('%s' at %llu)",
					   j, a->dev[j],
					   (unsigned long long)a->offset[j],
					   i, a->dev[i],
					   (unsigned long long)a->offset[i]);
		return -EINVAL;
	}
	for (i = 0; i < a->nr_plexes; i++) {
		ctx->legs[i].plex = vdsplex_plex_get(ctx->vol, devt[i],
						     a->offset[i]);
		if (!ctx->legs[i].plex) {
			ti->error = "Cannot allocate a plex";
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * The metadata device: the first instance of a volume reads (or formats)
 * it; later instances must name the same device, and core mode stays core
 * mode.  No plex may overlap the metadata's extent.
 */
static int vdsplex_open_metadata(struct dm_target *ti, struct vdsplex_ctx *ctx,
				 const struct vdsplex_args *a)
{
	struct vdsplex_volume *vol = ctx->vol;
	sector_t extent = vdsplex_md_extent(vol->nr_regions);
	dev_t devt;
	unsigned int i;
	int r = 0;

	if (a->metadata) {
		r = dm_get_device(ti, a->metadata,
				  dm_table_get_mode(ti->table), &ctx->meta_dev);
		if (r) {
			ti->error = vdsplex_errorf("metadata_dev: cannot open device '%s'",
						   a->metadata);
			return r;
		}
		devt = ctx->meta_dev->bdev->bd_dev;
		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex->devt == devt &&
			    ctx->legs[i].plex->offset < extent)
				break;
		if (i < ctx->nr_legs) {
			ti->error = vdsplex_errorf("plex %u ('%s' at %llu) overlaps the metadata",
						   i, a->dev[i],
						   (unsigned long long)a->offset[i]);
			return -EINVAL;
		}
	}
	mutex_lock(&vol->lock);
	if (vol->meta) {
		if (!a->metadata || vdsplex_md_devt(vol) != devt) {
			ti->error = "metadata_dev differs from the live volume's";
			r = -EINVAL;
		}
	} else if (a->metadata &&
		   (vol->ever_resumed || !list_is_singular(&vol->instances))) {
		ti->error = "metadata_dev: the live volume runs in core mode ('-')";
		r = -EINVAL;
	} else if (a->metadata) {
		r = vdsplex_md_open(ctx, ctx->meta_dev, a->metadata,
				    &ti->error);
	}
	mutex_unlock(&vol->lock);
	return r;
}

/*
 * Construct a vdsplex target; the grammar is at vdsplex_parse_args().
 */
static int vdsplex_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct vdsplex_args *a;
	struct vdsplex_ctx *ctx;
	struct vdsplex_volume *vol;
	int r;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!a || !ctx) {
		kfree(a);
		kfree(ctx);
		ti->error = "Cannot allocate the target context";
		return -ENOMEM;
	}
	ctx->ti = ti;
	INIT_LIST_HEAD(&ctx->node);
	ti->private = ctx;

	r = vdsplex_parse_args(a, argc, argv, &ti->error);
	if (r)
		goto bad;
	ctx->read_policy = a->read_policy;
	ctx->rate_set = a->rate_set;
	ctx->resync_rate = a->resync_rate;
	ctx->nosync = a->nosync;
	/* Bitmaps are kept in memory: bound them before allocating any. */
	if (vdsplex_nr_regions(ti->len, a->region_size) > VDSPLEX_MAX_REGIONS) {
		ti->error = vdsplex_errorf("region_size %u: too small, over %llu regions",
					   a->region_size, VDSPLEX_MAX_REGIONS);
		r = -EINVAL;
		goto bad;
	}

	vol = vdsplex_volume_get(dm_table_get_md(ti->table), ti->len,
				 a->region_size, &ti->error);
	if (IS_ERR(vol)) {
		r = PTR_ERR(vol);
		goto bad;
	}
	ctx->vol = vol;
	r = vdsplex_attach_instance(ctx, &ti->error);
	if (r)
		goto bad;
	r = vdsplex_open_legs(ti, ctx, a);
	if (r)
		goto bad;
	r = vdsplex_open_metadata(ti, ctx, a);
	if (r)
		goto bad;

	ctx->io_client = dm_io_client_create();
	if (IS_ERR(ctx->io_client)) {
		r = PTR_ERR(ctx->io_client);
		ctx->io_client = NULL;
		ti->error = "Cannot create the dm-io client";
		goto bad;
	}
	/* a pool of one write's copies; the rescuer ensures progress */
	r = bioset_init(&ctx->bios, VDSPLEX_MAX_PLEXES,
			offsetof(struct vdsplex_clone, bio), BIOSET_NEED_RESCUER);
	if (r) {
		ti->error = "Cannot allocate the bio set";
		goto bad;
	}

	/* A bio never crosses a region: reads pick a plex per region. */
	r = dm_set_target_max_io_len(ti, a->region_size);
	if (r)
		goto bad;
	ti->num_flush_bios = 1;
	ti->flush_supported = true;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct vdsplex_bio);
	kfree(a);
	return 0;
bad:
	kfree(a);
	vdsplex_dtr(ti);
	return r;
}

static void vdsplex_save_bio(struct vdsplex_saved_bio *s, struct bio *bio)
{
	s->bdev = bio->bi_bdev;
	s->flags = bio->bi_flags;
	s->iter = bio->bi_iter;
	s->remaining = atomic_read(&bio->__bi_remaining);
	s->end_io = bio->bi_end_io;
}

static void vdsplex_restore_bio(const struct vdsplex_saved_bio *s,
				struct bio *bio)
{
	bio->bi_bdev = s->bdev;
	bio->bi_flags = s->flags;
	bio->bi_iter = s->iter;
	atomic_set(&bio->__bi_remaining, s->remaining);
	bio->bi_end_io = s->end_io;
	bio->bi_status = BLK_STS_OK;
}

/*
 * A retried read: @chosen failed it before (read_policy primary keeps
 * choosing the source, the last in-sync plex is kept after a read error):
 * another plex that can serve the region, write_mostly ones last; @chosen
 * again only when none can.  vol->state_lock held.
 */
static int vdsplex_untried_leg(const struct vdsplex_ctx *ctx,
			       const struct vdsplex_bio *vb, int chosen)
{
	unsigned int i, k, n = min_t(unsigned int, vb->retries,
				     VDSPLEX_MAX_PLEXES - 1);
	int wm = -1;

	for (i = 0; i < ctx->nr_legs; i++) {
		const struct vdsplex_plex *p = ctx->legs[i].plex;

		for (k = 1; k <= n && vb->plex[k] != p; k++)
			;
		if (k <= n || !vdsplex_leg_can_read(ctx, i, vb->region))
			continue;
		if (!ctx->legs[i].write_mostly)
			return i;
		if (wm < 0)
			wm = i;
	}
	return wm >= 0 ? wm : chosen;
}

static int vdsplex_map_read(struct vdsplex_ctx *ctx, struct bio *bio,
			    struct vdsplex_bio *vb)
{
	struct vdsplex_volume *vol = ctx->vol;
	sector_t off = dm_target_offset(ctx->ti, bio->bi_iter.bi_sector);
	struct vdsplex_leg *leg;
	unsigned long flags;
	int i;

	vb->nr = 0;
	vb->region = off >> vol->region_shift;
	atomic64_inc(&vol->fg_ios);
	spin_lock_irqsave(&vol->state_lock, flags);
	i = vdsplex_choose_read_leg(ctx, off >> vol->region_shift,
				    (unsigned int)atomic_inc_return(&vol->rr));
	/* a dirty region whose holder is gone gets a new one */
	if (i < 0 && vol->unclean && test_bit(vb->region, vol->unsynced))
		i = __vdsplex_unsynced_holder(ctx, vb->region);
	if (i < 0) {
		spin_unlock_irqrestore(&vol->state_lock, flags);
		DMERR_LIMIT("%s: no plex can serve a read at sector %llu",
			    dm_device_name(vol->md), (unsigned long long)off);
		return DM_MAPIO_KILL;
	}
	if (vb->retries)
		i = vdsplex_untried_leg(ctx, vb, i);
	leg = &ctx->legs[i];
	atomic_inc(&leg->plex->pending);
	vb->plex[0] = leg->plex;
	vb->nr = 1;
	/* remove_plex may compact the legs once the lock is dropped */
	bio_set_dev(bio, leg->dev->bdev);
	bio->bi_iter.bi_sector = leg->plex->offset + off;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	return DM_MAPIO_REMAPPED;
}

/*
 * A plex may advertise WRITE_ZEROES and refuse it only when asked: loop
 * fails it with BLK_STS_NOTSUPP when the backing file system cannot zero a
 * range (tmpfs has no FALLOC_FL_ZERO_RANGE).  Not only that status: every
 * plex that failed a WRITE_ZEROES gets zero pages instead
 * (vdsplex_retry_zeroes()), as a plex lacking WRITE_ZEROES does from the
 * start; only a plex that fails those too is a failed plex.  Return: true
 * when @bio was queued for that; its plexes and region stay held until it
 * completes.  Any context (that of vdsplex_write_done()).
 */
static bool vdsplex_zeroes_refused(struct bio *bio, struct vdsplex_bio *vb,
				   unsigned long error)
{
	struct vdsplex_volume *vol = vb->plex[0]->vol;
	unsigned long refused = 0, flags;

	if (bio_op(bio) != REQ_OP_WRITE_ZEROES || vb->zeroes_retried)
		return false;
	/*
	 * Every plex that failed the WRITE_ZEROES gets zero pages: loop since
	 * 6.10 clears its limit when it refuses, but 6.1's loop and a plex
	 * stacked on dm do not tell.  A plex that fails those too is failed.
	 * The plexes that lack it (from vb->wz on) were not sent it at all.
	 */
	if (vb->wz)
		refused = error & GENMASK(vb->wz - 1, 0);
	if (vb->wz < vb->nr)
		refused |= GENMASK(vb->nr - 1, vb->wz);
	if (!refused)
		return false;
	vb->zeroes_retried = true;
	vb->refused = refused;
	atomic_long_set(&vb->errors, error & ~refused);
	spin_lock_irqsave(&vol->state_lock, flags);
	bio_list_add(&vol->zeroes_retry, bio);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	queue_work(vdsplex_wq, &vol->retry_work);
	return true;
}

/*
 * Completion of a write fanned out to the plexes; @error has bit i set when
 * plex vb->plex[i] failed it.  A plex that failed a write while an
 * in-sync plex took it is marked dead before the bio completes, so the
 * success reported to the caller is backed by the plexes still alive.
 * Any context: a clone's completion (hard interrupts included), ->map
 * itself (a clone completed at its submission, or no clone sent), the
 * retry work.
 */
static void vdsplex_write_done(unsigned long error, struct bio *bio)
{
	struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));
	struct vdsplex_volume *vol = vb->plex[0]->vol;
	bool discard = bio_op(bio) == REQ_OP_DISCARD;
	bool good = !error, failed = false;
	unsigned long flags;
	unsigned int i;

	if (unlikely(error || bio_op(bio) == REQ_OP_WRITE_ZEROES) &&
	    vdsplex_zeroes_refused(bio, vb, error))
		return;
	/*
	 * Record failures before the plexes' I/O counts drop: once they do,
	 * remove_plex may free a plex.
	 */
	if (unlikely(error) && !discard) {
		spin_lock_irqsave(&vol->state_lock, flags);
		/* a plex on its way out (leaving) holds it for no one */
		for (i = 0; i < vb->nr; i++)
			if (!(error & BIT(i)) && vdsplex_plex_counts(vb->plex[i]))
				good = true;
		for (i = 0; i < vb->nr; i++) {
			struct vdsplex_plex *p = vb->plex[i];

			if (!(error & BIT(i)))
				continue;
			atomic_inc(&p->write_errors);
			if (good && p->state != VDSPLEX_PLEX_DEAD) {
				__vdsplex_plex_fail(vol, p);
				failed = true;
			}
			/* readd_plex resyncs what the dead plex missed */
			if (p->state == VDSPLEX_PLEX_DEAD &&
			    vb->region != VDSPLEX_NO_REGION)
				__vdsplex_region_missed(vol, p, vb->region);
		}
		spin_unlock_irqrestore(&vol->state_lock, flags);
	}
	if (vb->whole_discard && !error) {
		/* unless a write to the region was admitted meanwhile */
		spin_lock_irqsave(&vol->state_lock, flags);
		if (test_and_clear_bit(vb->region, vol->discarding))
			set_bit(vb->region, vol->discarded);
		spin_unlock_irqrestore(&vol->state_lock, flags);
	}
	for (i = 0; i < vb->nr; i++)
		vdsplex_plex_io_done(vb->plex[i]);
	if (vb->counted)
		vdsplex_write_finish(vol, vb->region, vb->epoch);

	if (unlikely(error) && discard) {
		/* Advisory: a plex that cannot discard keeps its data. */
		if (error == GENMASK(vb->nr - 1, 0))
			bio->bi_status = BLK_STS_NOTSUPP;
	} else if (unlikely(error)) {
		if (!good)
			bio->bi_status = BLK_STS_IOERR;
		if (failed) {
			DMERR_LIMIT("%s: write error: plex failed",
				    dm_device_name(vol->md));
			vdsplex_raise_event(vol);
		}
	}
	/*
	 * With metadata, no write is acknowledged while a plex failure is
	 * not on disk: neither this one nor any other completed after it.
	 */
	if (unlikely(READ_ONCE(vol->change_seq) != READ_ONCE(vol->committed_seq)) &&
	    vdsplex_hold_for_commit(vol, bio))
		return;
	bio_endio(bio);
}

/* The zero pages written to a plex that lacks or refused WRITE_ZEROES. */
static struct page_list vdsplex_zero_pages = {
	.next = &vdsplex_zero_pages,
};

/* A WRITE_ZEROES's flags on the write of zero pages standing in for it. */
static blk_opf_t vdsplex_zero_pages_opf(blk_opf_t opf)
{
	return REQ_OP_WRITE | (opf & ~(REQ_OP_MASK | REQ_NOUNMAP));
}

/* One part of a write (a clone, or its sender's bias) is done. */
static void vdsplex_write_part_done(struct bio *orig, struct vdsplex_bio *vb)
{
	if (atomic_dec_and_test(&vb->parts))
		vdsplex_write_done(atomic_long_read(&vb->errors), orig);
}

/*
 * A plex's copy of a write completed.  The clone is put before its part is
 * counted: once the last part is, the write may complete, and with it the
 * table and ctx->bios may go.
 */
static void vdsplex_clone_endio(struct bio *bio)
{
	struct vdsplex_clone *vc = container_of(bio, struct vdsplex_clone, bio);
	struct bio *orig = vc->orig;
	struct vdsplex_bio *vb = dm_per_bio_data(orig, sizeof(*vb));

	if (bio->bi_status)
		atomic_long_or(BIT(vc->pos), &vb->errors);
	bio_put(bio);
	vdsplex_write_part_done(orig, vb);
}

/* Add leg @leg to the plexes a write of @count sectors at @off goes to. */
static void vdsplex_add_dest(struct vdsplex_bio *vb, unsigned int pos,
			     struct vdsplex_leg *leg, sector_t off,
			     unsigned int count)
{
	vb->where[pos].bdev = leg->dev->bdev;
	vb->where[pos].sector = leg->plex->offset + off;
	vb->where[pos].count = count;
	vb->plex[pos] = leg->plex;
	atomic_inc(&leg->plex->pending);
}

/*
 * A region wholly discarded since its last write is recorded as such (at
 * the discard's completion); any other write to it ends that
 * (Documentation/dm-vdsplex.rst, "Persistent state", discarded regions).
 * vol->state_lock held.
 */
static void __vdsplex_track_discard(struct vdsplex_volume *vol,
				    struct vdsplex_bio *vb, struct bio *bio,
				    sector_t off, unsigned int count)
{
	sector_t start = (sector_t)vb->region << vol->region_shift;
	sector_t end = min_t(sector_t, start + vol->region_size, vol->len);

	if (bio_op(bio) == REQ_OP_DISCARD) {
		if (off == start && off + count == end) {
			set_bit(vb->region, vol->discarding);
			vb->whole_discard = true;
		}
		return;
	}
	clear_bit(vb->region, vol->discarding);
	clear_bit(vb->region, vol->discarded);
}

/*
 * The flags a write passes on to the plexes.  REQ_SYNC | REQ_IDLE matter for
 * speed as much as for meaning: without REQ_IDLE, writeback throttling takes
 * an O_DIRECT write for background writeback and caps its queue depth (it
 * cost a third of the random write IOPS in make bench).
 */
#define VDSPLEX_WRITE_FLAGS (REQ_PREFLUSH | REQ_FUA | REQ_SYNC | REQ_IDLE | \
			     REQ_META | REQ_PRIO | REQ_NOUNMAP | REQ_BACKGROUND)

/**
 * vdsplex_write_opf() - operation and flags of the plexes' copies of a write.
 * @bio: the volume's write (or discard, write zeroes, flush).
 *
 * Context: any.
 * Return: bio_op(@bio) with the flags of VDSPLEX_WRITE_FLAGS it carries.
 */
VISIBLE_IF_KUNIT blk_opf_t vdsplex_write_opf(const struct bio *bio)
{
	return bio_op(bio) | (bio->bi_opf & VDSPLEX_WRITE_FLAGS);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_write_opf);

/*
 * Send a write to its plexes: one clone of the bio each, from the table's
 * own bio_set.  Called from ->map, where the bios submitted wait on
 * current->bio_list until ->map returns: the bio_set has a rescuer, so an
 * allocation that has to wait punts those bios to it instead of waiting
 * for them (dm-io's bio_set has none; Documentation/design.rst, "The write path").
 * Each clone is sent before the next is allocated, so every clone taken
 * from the pool is on its way to completion.  The plexes that lack
 * WRITE_ZEROES (vb->wz on) get their zero pages from the completion.
 */
static void vdsplex_send_write(struct vdsplex_ctx *ctx, struct bio *bio,
			       struct vdsplex_bio *vb)
{
	blk_opf_t opf = vdsplex_write_opf(bio);
	unsigned int i, n = bio_op(bio) == REQ_OP_WRITE_ZEROES ? vb->wz : vb->nr;

	atomic_long_set(&vb->errors, 0);
	atomic_set(&vb->parts, n + 1);
	for (i = 0; i < n; i++) {
		struct vdsplex_clone *vc;
		struct bio *clone;

		clone = bio_alloc_clone(vb->where[i].bdev, bio, GFP_NOIO,
					&ctx->bios);
		/*
		 * Cannot fail: the mempool waits (GFP_NOIO), and only a
		 * bio-integrity payload could fail the clone, which the
		 * volume never gets (no DM_TARGET_PASSES_INTEGRITY).  Should
		 * it, the plex is failed and resynced: nothing is lost.
		 */
		if (WARN_ON_ONCE(!clone)) {
			atomic_long_or(BIT(i), &vb->errors);
			vdsplex_write_part_done(bio, vb);
			continue;
		}
		vc = container_of(clone, struct vdsplex_clone, bio);
		vc->orig = bio;
		vc->pos = i;
		clone->bi_opf = opf;
		clone->bi_iter.bi_sector = vb->where[i].sector;
		clone->bi_end_io = vdsplex_clone_endio;
		submit_bio_noacct(clone);
	}
	vdsplex_write_part_done(bio, vb);
}

/*
 * Send a write to every plex that is not dead; a write to the region the
 * resync is copying is parked until the copy is done.
 */
static int __vdsplex_map_write(struct vdsplex_ctx *ctx, struct bio *bio,
			       struct vdsplex_bio *vb)
{
	struct vdsplex_volume *vol = ctx->vol;
	sector_t off = dm_target_offset(ctx->ti, bio->bi_iter.bi_sector);
	unsigned int count = bio_sectors(bio), i, n;
	bool zeroes = bio_op(bio) == REQ_OP_WRITE_ZEROES;
	struct vdsplex_leg *lacking[VDSPLEX_MAX_PLEXES];
	unsigned long flags;

	vb->nr = 0;
	vb->zeroes_retried = false;
	vb->client = ctx->io_client;
	vb->counted = false;
	vb->whole_discard = false;
	/*
	 * An empty flush carries the sector of the bio it came from, which
	 * may lie before this target (a table of several targets): it has
	 * no region.
	 */
	if (!count)
		off = 0;
	vb->region = count ? off >> vol->region_shift : VDSPLEX_NO_REGION;
	spin_lock_irqsave(&vol->state_lock, flags);
	if (count) {
		__vdsplex_track_discard(vol, vb, bio, off, count);
		if (!vdsplex_md_write_admit(vol, vb->region, bio) ||
		    !vdsplex_write_admit(vol, vb->region, bio, &vb->epoch)) {
			spin_unlock_irqrestore(&vol->state_lock, flags);
			return DM_MAPIO_SUBMITTED;
		}
		vb->counted = true;
	}
	for (n = 0, i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_leg *leg = &ctx->legs[i];

		if (leg->plex->state == VDSPLEX_PLEX_DEAD) {
			if (count)
				__vdsplex_region_missed(vol, leg->plex,
							vb->region);
			continue;
		}
		if (leg->plex->removing)
			continue;
		if (zeroes && !bdev_write_zeroes_sectors(leg->dev->bdev))
			lacking[n++] = leg;
		else
			vdsplex_add_dest(vb, vb->nr++, leg, off, count);
	}
	vb->wz = zeroes ? vb->nr : 0;
	for (i = 0; i < n; i++)
		vdsplex_add_dest(vb, vb->nr++, lacking[i], off, count);
	if (!vb->nr && vb->counted) {
		vdsplex_write_finish(vol, vb->region, vb->epoch);
		vb->counted = false;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (!vb->nr) {
		DMERR_LIMIT("%s: no plex is alive: write at sector %llu failed",
			    dm_device_name(vol->md), (unsigned long long)off);
		return DM_MAPIO_KILL;
	}
	vdsplex_send_write(ctx, bio, vb);
	return DM_MAPIO_SUBMITTED;
}

static int vdsplex_map_write(struct vdsplex_ctx *ctx, struct bio *bio,
			     struct vdsplex_bio *vb)
{
	struct vdsplex_volume *vol = ctx->vol;
	sector_t off = dm_target_offset(ctx->ti, bio->bi_iter.bi_sector);
	sector_t left = vol->region_size - (off & (vol->region_size - 1));

	/*
	 * DM splits reads and writes at max_io_len, DISCARD and WRITE_ZEROES
	 * not: one region a bio, for the region lock and the write-intent
	 * log.
	 */
	if (bio_sectors(bio) > left)
		dm_accept_partial_bio(bio, left);
	atomic64_inc(&vol->fg_ios);
	return __vdsplex_map_write(ctx, bio, vb);
}

/**
 * vdsplex_submit_deferred() - send the writes parked on a copied region.
 * @ctx: the active instance.
 * @bios: the writes; emptied.
 *
 * Context: process (the resync thread).
 */
void vdsplex_submit_deferred(struct vdsplex_ctx *ctx, struct bio_list *bios)
{
	struct bio *bio;

	while ((bio = bio_list_pop(bios))) {
		struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));

		if (__vdsplex_map_write(ctx, bio, vb) == DM_MAPIO_KILL)
			bio_io_error(bio);
	}
}

static int vdsplex_map(struct dm_target *ti, struct bio *bio)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));

	vb->is_read = bio_op(bio) == REQ_OP_READ;
	if (vb->is_read) {
		vb->retries = 0;
		vdsplex_save_bio(&vb->saved, bio);
		return vdsplex_map_read(ctx, bio, vb);
	}
	return vdsplex_map_write(ctx, bio, vb);
}

/*
 * A read failed on vb->plex[0] (Documentation/dm-vdsplex.rst, "Errors"; md's
 * fix_read_error): when another plex can serve the region, the read is sent
 * there, and the region becomes out of sync on the failing plex so the resync
 * rewrites it from the source (under the region lock, so no newer write is
 * overwritten); a plex with too many read errors fails instead.  Returns true
 * when the bio was taken for a retry.  Bio completion context; before the
 * plex's I/O count drops.
 */
static bool vdsplex_read_failed(struct vdsplex_ctx *ctx, struct bio *bio,
				struct vdsplex_bio *vb)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_plex *p = vb->plex[0];
	bool retry = false, failed = false, last;
	unsigned long flags;
	unsigned int i, alive = 0;

	spin_lock_irqsave(&vol->state_lock, flags);
	if (vol->active == ctx && vb->retries < VDSPLEX_MAX_PLEXES) {
		for (i = 0; i < ctx->nr_legs && !retry; i++)
			retry = ctx->legs[i].plex != p &&
				vdsplex_leg_can_read(ctx, i, vb->region);
		/*
		 * A dirty region of an unclean shutdown that only @p held
		 * (or holds no more: another read of it failed first):
		 * another in-sync plex takes it over (its own version).
		 */
		if (!retry && vol->unclean &&
		    test_bit(vb->region, vol->unsynced))
			for (i = 0; i < ctx->nr_legs && !retry; i++)
				retry = ctx->legs[i].plex != p &&
					vdsplex_plex_counts(ctx->legs[i].plex);
	}
	for (i = 0; i < ctx->nr_legs; i++)
		alive += vdsplex_plex_counts(ctx->legs[i].plex);
	/* the last in-sync plex stays: the resync needs a source */
	last = p->state == VDSPLEX_PLEX_ALIVE && alive == 1;
	if (retry && !last) {
		if (atomic_read(&p->read_errors) > VDSPLEX_MAX_READ_ERRORS) {
			__vdsplex_plex_fail(vol, p);
			failed = true;
		} else {
			__vdsplex_region_stale(vol, p, vb->region);
		}
	}
	if (retry) {
		/* the retry looks for another plex first */
		if (vb->retries < VDSPLEX_MAX_PLEXES - 1)
			vb->plex[vb->retries + 1] = p;
		vb->retries++;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (!retry)
		return false;
	DMERR_LIMIT("%s: read error at region %llu: %s; read from another plex",
		    dm_device_name(vol->md), vb->region,
		    last ? "last in-sync plex, kept" :
		    failed ? "too many, plex failed" : "region to be rewritten");
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return true;
}

/**
 * vdsplex_retry_reads() - send failed reads to another plex.
 * @vol: the volume.
 *
 * Context: process (vol->retry_work).
 */
void vdsplex_retry_reads(struct vdsplex_volume *vol)
{
	struct bio_list bios;
	struct vdsplex_ctx *ctx;
	unsigned long flags;
	struct bio *bio;

	spin_lock_irqsave(&vol->state_lock, flags);
	bios = vol->read_retry;
	bio_list_init(&vol->read_retry);
	ctx = vol->active;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	while ((bio = bio_list_pop(&bios))) {
		struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));

		vdsplex_restore_bio(&vb->saved, bio);
		if (ctx && vdsplex_map_read(ctx, bio, vb) == DM_MAPIO_REMAPPED) {
			submit_bio_noacct(bio);
		} else {
			bio->bi_status = BLK_STS_IOERR;
			bio_endio(bio);
		}
	}
}

/*
 * The zero pages of vdsplex_retry_zeroes() are written: @error has bit k
 * set when the k-th plex of vb->refused failed them.  Completion context.
 */
static void vdsplex_zero_pages_done(unsigned long error, void *context)
{
	struct bio *bio = context;
	struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));
	unsigned long refused = vb->refused, errors;
	unsigned int i, k = 0;

	errors = atomic_long_read(&vb->errors);
	for_each_set_bit(i, &refused, vb->nr)
		if (error & BIT(k++))
			errors |= BIT(i);
	vdsplex_write_done(errors, bio);
}

/**
 * vdsplex_retry_zeroes() - write zero pages to the plexes that lack or
 * refused a WRITE_ZEROES (vdsplex_zeroes_refused()); the write completes
 * once they are written.
 * @vol: the volume.
 *
 * Context: process (vol->retry_work), outside ->map; sends the writes
 * without waiting for them.
 */
void vdsplex_retry_zeroes(struct vdsplex_volume *vol)
{
	struct dm_io_region where[VDSPLEX_MAX_PLEXES];
	struct bio_list bios;
	unsigned long flags;
	unsigned int i, n;
	struct bio *bio;

	spin_lock_irqsave(&vol->state_lock, flags);
	bios = vol->zeroes_retry;
	bio_list_init(&vol->zeroes_retry);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	while ((bio = bio_list_pop(&bios))) {
		struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));
		struct dm_io_request req = {
			.bi_opf = vdsplex_zero_pages_opf(vdsplex_write_opf(bio)),
			.mem.type = DM_IO_PAGE_LIST,
			.mem.ptr.pl = &vdsplex_zero_pages,
			.notify.fn = vdsplex_zero_pages_done,
			.notify.context = bio,
			.client = vb->client,
		};

		for (n = 0, i = 0; i < vb->nr; i++)
			if (vb->refused & BIT(i))
				where[n++] = vb->where[i];
		/* a plex that lacks it gets zero pages as configured */
		if (vb->wz && (vb->refused & GENMASK(vb->wz - 1, 0)))
			DMWARN_LIMIT("%s: WRITE_ZEROES refused in region %llu: zero pages written",
				     dm_device_name(vol->md), vb->region);
		/* asynchronous: a request dm-io refuses fails every plex */
		if (dm_io(&req, n, where, NULL, bio_prio(bio)))
			vdsplex_zero_pages_done(GENMASK(n - 1, 0), bio);
	}
}

static int vdsplex_end_io(struct dm_target *ti, struct bio *bio,
			  blk_status_t *error)
{
	struct vdsplex_bio *vb = dm_per_bio_data(bio, sizeof(*vb));
	int r = DM_ENDIO_DONE;

	/* nr 0: a retry found no plex and failed the bio itself */
	if (vb->is_read && vb->nr) {
		struct vdsplex_plex *p = vb->plex[0];
		struct vdsplex_volume *vol = p->vol;

		if (!*error)
			atomic64_inc(&p->reads);
		else
			atomic_inc(&p->read_errors);
		if (*error && *error != BLK_STS_NOTSUPP &&
		    !(bio->bi_opf & REQ_RAHEAD) &&
		    vdsplex_read_failed(ti->private, bio, vb))
			r = DM_ENDIO_INCOMPLETE;
		vdsplex_plex_io_done(p);
		if (r == DM_ENDIO_INCOMPLETE) {
			unsigned long flags;

			/* only now: the retry rewrites vb */
			spin_lock_irqsave(&vol->state_lock, flags);
			bio_list_add(&vol->read_retry, bio);
			spin_unlock_irqrestore(&vol->state_lock, flags);
			queue_work(vdsplex_wq, &vol->retry_work);
		}
	}
	return r;
}

/*
 * Status (Documentation/dm-vdsplex.rst, "Status").  INFO is positional;
 * fields are only ever appended:
 *
 *   <#plexes> <health_chars> <synced_regions>/<total_regions> <sync_action>
 *   <mismatch_cnt> <metadata_state> <resync_rate_kibs> <regions_resynced>
 *
 * TABLE prints the current plex set and round-trips through dmsetup load.
 */
VISIBLE_IF_KUNIT void vdsplex_status(struct dm_target *ti,
				     status_type_t type,
				     unsigned int status_flags, char *result,
				     unsigned int maxlen)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;
	struct {
		char health[VDSPLEX_MAX_PLEXES + 1];
		char name[VDSPLEX_MAX_PLEXES][16];
		sector_t offset[VDSPLEX_MAX_PLEXES];
		bool write_mostly[VDSPLEX_MAX_PLEXES];
		enum vdsplex_read_policy read_policy;
		bool rate_set;
		u32 resync_rate;
	} c;
	enum vdsplex_sync_action action;
	unsigned int i, nr, nr_opt = 0;
	unsigned long flags;
	u64 synced, mismatch;
	unsigned int sz = 0;

	/*
	 * A copy of the legs under state_lock, which remove_plex holds when
	 * it compacts them (and before it puts the device): status never
	 * waits for vol->lock, which a remove_plex draining a slow plex holds.
	 */
	spin_lock_irqsave(&vol->state_lock, flags);
	nr = ctx->nr_legs;
	for (i = 0; i < nr; i++) {
		c.health[i] = vdsplex_health_char(ctx->legs[i].plex->state);
		strscpy(c.name[i], ctx->legs[i].dev->name, sizeof(c.name[i]));
		c.offset[i] = ctx->legs[i].plex->offset;
		c.write_mostly[i] = ctx->legs[i].write_mostly;
	}
	c.health[nr] = '\0';
	c.read_policy = ctx->read_policy;
	c.rate_set = ctx->rate_set;
	c.resync_rate = ctx->resync_rate;
	action = vol->action;
	synced = vol->synced_regions;
	mismatch = vol->mismatch_cnt;
	spin_unlock_irqrestore(&vol->state_lock, flags);

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%u %s %llu/%llu %s %llu %s %u %llu", nr, c.health,
		       synced, vol->nr_regions, vdsplex_action_name(action),
		       mismatch, !ctx->meta_dev ? "core" :
		       vdsplex_md_failed(vol) ? "fail" : "ok",
		       c.rate_set ? c.resync_rate : 0,
		       (u64)atomic64_read(&vol->regions_resynced));
		break;
	case STATUSTYPE_TABLE:
		for (i = 0; i < nr; i++) {
			nr_opt += 2 * (c.health[i] == 'S' || c.health[i] == 'a');
			nr_opt += 2 * c.write_mostly[i];
		}
		nr_opt += 2 * (c.read_policy != VDSPLEX_READ_LEAST_PENDING);
		nr_opt += 2 * c.rate_set;
		DMEMIT("%s %u %u", ctx->meta_dev ? ctx->meta_dev->name : "-",
		       vol->region_size, nr);
		for (i = 0; i < nr; i++)
			DMEMIT(" %s %llu", c.name[i],
			       (unsigned long long)c.offset[i]);
		if (!nr_opt)
			break;
		DMEMIT(" %u", nr_opt);
		for (i = 0; i < nr; i++)
			if (c.health[i] == 'S' || c.health[i] == 'a')
				DMEMIT(" rebuild %u", i);
		for (i = 0; i < nr; i++)
			if (c.write_mostly[i])
				DMEMIT(" write_mostly %u", i);
		if (c.read_policy != VDSPLEX_READ_LEAST_PENDING)
			DMEMIT(" read_policy %s",
			       vdsplex_policy_name(c.read_policy));
		if (c.rate_set)
			DMEMIT(" resync_rate %u", c.resync_rate);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",metadata_mode=%s,region_size=%u,nr_plexes=%u",
		       !ctx->meta_dev ? "core" :
		       vdsplex_md_failed(vol) ? "fail" : "ok",
		       vol->region_size, nr);
		for (i = 0; i < nr; i++) {
			DMEMIT(",plex_%u_device=%s,plex_%u_offset=%llu,plex_%u_health=%c",
			       i, c.name[i], i,
			       (unsigned long long)c.offset[i],
			       i, c.health[i]);
			if (c.write_mostly[i])
				DMEMIT(",plex_%u_write_mostly=y", i);
		}
		DMEMIT(",sync_action=%s,read_policy=%s,resync_rate=%u;",
		       vdsplex_action_name(action),
		       vdsplex_policy_name(c.read_policy),
		       c.rate_set ? c.resync_rate : 0);
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_status);

static int vdsplex_parse_leg_index(struct vdsplex_ctx *ctx, const char *msg,
				   const char *arg, unsigned int *idx)
{
	if (kstrtouint(arg, 10, idx) || *idx >= ctx->nr_legs) {
		DMWARN("%s: %s: plex index '%s' is not between 0 and %u",
		       dm_device_name(ctx->vol->md), msg, arg,
		       ctx->nr_legs - 1);
		return -EINVAL;
	}
	return 0;
}

/* add_plex <dev> [<offset>]: AddPlex without a handle (OPEN_ASYNC has it). */
static int vdsplex_msg_add_plex(struct vdsplex_ctx *ctx, unsigned int argc,
				char **argv)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_new_plex np = { .path = argv[1], .identity = "" };
	unsigned long long off = 0;
	unsigned int first, bad;
	struct vdsplex_op *op;
	u32 hr;

	if (argc > 2 && (kstrtoull(argv[2], 10, &off) || off != (sector_t)off)) {
		DMWARN("%s: add_plex: invalid offset '%s'",
		       dm_device_name(vol->md), argv[2]);
		return -EINVAL;
	}
	np.offset = off;
	op = vdsplex_op_create(vol->devt, vol->len, vdsplex_cancel_op);
	if (!op)
		return -ENOMEM;
	hr = __vdsplex_add_plexes(ctx, &np, 1, op, &first, &bad);
	vdsplex_op_put(op);
	return vdsplex_hresult_errno(hr);
}

/* remove_plex <idx> */
static int vdsplex_msg_remove(struct vdsplex_ctx *ctx, const char *arg)
{
	unsigned int idx;
	int r;

	r = vdsplex_parse_leg_index(ctx, "remove_plex", arg, &idx);
	if (r)
		return r;
	return vdsplex_hresult_errno(__vdsplex_remove_plex(ctx, idx));
}

/* cancel: detach the plexes the running AddPlex attached. */
static int vdsplex_msg_cancel(struct vdsplex_ctx *ctx)
{
	u32 hr = __vdsplex_cancel(ctx, NULL);

	return hr == VDS_E_OPERATION_CANCELED ? 0 : vdsplex_hresult_errno(hr);
}

static int vdsplex_msg_fail_plex(struct vdsplex_ctx *ctx, const char *arg)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;
	unsigned int idx;
	int r;

	r = vdsplex_parse_leg_index(ctx, "fail_plex", arg, &idx);
	if (r)
		return r;
	/*
	 * The failure could not be recorded, and until it is no write may be
	 * acknowledged (Documentation/design.rst, "The invariant"): failing
	 * a plex now would fail every write until the next resume.
	 */
	if (vdsplex_md_failed(vol)) {
		DMWARN("%s: fail_plex: the metadata device has failed: it cannot record it",
		       dm_device_name(vol->md));
		return -EAGAIN;
	}
	spin_lock_irqsave(&vol->state_lock, flags);
	if (vdsplex_last_in_sync(ctx, idx))
		r = -EBUSY;
	else
		__vdsplex_plex_fail(vol, ctx->legs[idx].plex);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (r)
		return r;
	vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	DMINFO("%s: fail_plex: plex %u failed by the administrator",
	       dm_device_name(vol->md), idx);
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return 0;
}

/*
 * readd_plex <idx>: a dead plex comes back; the resync copies only the
 * regions written while it was dead (and those it lacked before).
 */
static int vdsplex_msg_readd(struct vdsplex_ctx *ctx, const char *arg)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_plex *p;
	unsigned long flags;
	unsigned int idx;
	u64 missed;
	int r;

	r = vdsplex_parse_leg_index(ctx, "readd_plex", arg, &idx);
	if (r)
		return r;
	if (vdsplex_check_online(ctx, "readd_plex"))
		return -EAGAIN;
	p = ctx->legs[idx].plex;
	spin_lock_irqsave(&vol->state_lock, flags);
	if (p->state != VDSPLEX_PLEX_DEAD) {
		spin_unlock_irqrestore(&vol->state_lock, flags);
		DMWARN("%s: readd_plex: plex %u is not dead", dm_device_name(vol->md),
		       idx);
		return -EINVAL;
	}
	missed = vol->nr_regions - p->synced;
	p->state = vdsplex_source_leg(ctx) < 0 ? VDSPLEX_PLEX_STALE :
						 VDSPLEX_PLEX_RECOVERING;
	vol->rescan = true;
	if (missed && !vol->paused) {
		vol->action = VDSPLEX_ACTION_RECOVER;
		vol->synced_regions = 0;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	DMINFO("%s: readd_plex: plex %u back, %llu regions to resync",
	       dm_device_name(vol->md), idx, missed);
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return 0;
}

/*
 * check / repair: compare the in-sync plexes region by region
 * (Documentation/dm-vdsplex.rst, "Check and repair").
 * Only when no plex needs a resync; mismatch_cnt restarts from zero.
 */
static int vdsplex_msg_scrub(struct vdsplex_ctx *ctx,
			     enum vdsplex_sync_action what)
{
	struct vdsplex_volume *vol = ctx->vol;
	const char *name = vdsplex_action_name(what), *why = NULL;
	unsigned int i, alive = 0;
	unsigned long flags;
	bool busy = false;

	if (vdsplex_check_online(ctx, name))
		return -EAGAIN;
	if (!vol->scrub_buf) {
		/* vol->lock held: no reclaim through our own volume */
		unsigned int noio = memalloc_noio_save();

		vol->scrub_buf = vmalloc(2 * VDSPLEX_SCRUB_CHUNK << SECTOR_SHIFT);
		memalloc_noio_restore(noio);
		if (!vol->scrub_buf)
			return -ENOMEM;
	}
	spin_lock_irqsave(&vol->state_lock, flags);
	for (i = 0; i < ctx->nr_legs; i++) {
		enum vdsplex_plex_state st = ctx->legs[i].plex->state;

		alive += st == VDSPLEX_PLEX_ALIVE;
		busy |= st == VDSPLEX_PLEX_STALE ||
			st == VDSPLEX_PLEX_RECOVERING;
	}
	if (alive < 2)
		why = "needs two in-sync plexes";
	else if (busy || vol->unclean)
		why = "a resync is pending; wait for it to finish";
	else if (vol->scrub != VDSPLEX_ACTION_IDLE)
		why = "a check or repair is running";
	if (!why) {
		vol->scrub = what;
		vol->scrub_cursor = 0;
		vol->mismatch_cnt = 0;
		vol->synced_regions = 0;
		vol->action = vol->paused ? VDSPLEX_ACTION_FROZEN : what;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (why) {
		DMWARN("%s: %s: %s", dm_device_name(vol->md), name, why);
		return alive < 2 ? -EINVAL : -EBUSY;
	}
	DMINFO("%s: %s started", dm_device_name(vol->md), name);
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return 0;
}

static int vdsplex_msg_rate(struct vdsplex_ctx *ctx, const char *arg)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;
	bool adaptive = !strcasecmp(arg, "adaptive");
	u32 rate = 0;

	if (!adaptive && kstrtou32(arg, 10, &rate)) {
		DMWARN("%s: resync_rate: invalid rate '%s' (KiB/s or adaptive)",
		       dm_device_name(vol->md), arg);
		return -EINVAL;
	}
	spin_lock_irqsave(&vol->state_lock, flags);
	ctx->rate_set = !adaptive;
	ctx->resync_rate = rate;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_resync_kick(vol);
	return 0;
}

static int vdsplex_msg_pause(struct vdsplex_ctx *ctx, bool pause)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;
	unsigned int i;
	bool resync;

	spin_lock_irqsave(&vol->state_lock, flags);
	vol->paused = pause;
	/* dirty regions of an unclean shutdown, or stale plexes */
	resync = vol->unclean;
	for (i = 0; i < ctx->nr_legs; i++) {
		enum vdsplex_plex_state s = ctx->legs[i].plex->state;

		resync |= s == VDSPLEX_PLEX_RECOVERING ||
			  s == VDSPLEX_PLEX_STALE;
	}
	if (resync)
		vol->action = pause ? VDSPLEX_ACTION_FROZEN :
			      vol->unclean ? VDSPLEX_ACTION_RESYNC :
			      VDSPLEX_ACTION_RECOVER;
	else if (vol->scrub != VDSPLEX_ACTION_IDLE)
		vol->action = pause ? VDSPLEX_ACTION_FROZEN : vol->scrub;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return 0;
}

static int vdsplex_msg_identity(struct vdsplex_ctx *ctx, const char *arg,
				const char *ident)
{
	unsigned int idx;
	int r;

	r = vdsplex_parse_leg_index(ctx, "identity", arg, &idx);
	if (r)
		return r;
	return vdsplex_hresult_errno(__vdsplex_set_identity(ctx, idx, ident));
}

/*
 * Messages (Documentation/dm-vdsplex.rst, "Messages"): a plain dispatch
 * ladder, serialised by vol->lock; unknown or malformed messages are
 * logged and fail with -EINVAL.
 */
static int vdsplex_message(struct dm_target *ti, unsigned int argc,
			   char **argv, char *result, unsigned int maxlen)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;
	const char *cmd = argc ? argv[0] : "";
	int r = -EINVAL;

	mutex_lock(&vol->lock);
	if ((argc == 2 || argc == 3) && !strcasecmp(cmd, "add_plex")) {
		r = vdsplex_msg_add_plex(ctx, argc, argv);
	} else if (argc == 2 && !strcasecmp(cmd, "remove_plex")) {
		r = vdsplex_msg_remove(ctx, argv[1]);
	} else if (argc == 1 && !strcasecmp(cmd, "cancel")) {
		r = vdsplex_msg_cancel(ctx);
	} else if (argc == 2 && !strcasecmp(cmd, "readd_plex")) {
		r = vdsplex_msg_readd(ctx, argv[1]);
	} else if (argc == 2 && !strcasecmp(cmd, "fail_plex")) {
		r = vdsplex_msg_fail_plex(ctx, argv[1]);
	} else if (argc == 1 && !strcasecmp(cmd, "check")) {
		r = vdsplex_msg_scrub(ctx, VDSPLEX_ACTION_CHECK);
	} else if (argc == 1 && !strcasecmp(cmd, "repair")) {
		r = vdsplex_msg_scrub(ctx, VDSPLEX_ACTION_REPAIR);
	} else if (argc == 2 && !strcasecmp(cmd, "resync_rate")) {
		r = vdsplex_msg_rate(ctx, argv[1]);
	} else if (argc == 1 && !strcasecmp(cmd, "pause_resync")) {
		r = vdsplex_msg_pause(ctx, true);
	} else if (argc == 1 && !strcasecmp(cmd, "resume_resync")) {
		r = vdsplex_msg_pause(ctx, false);
	} else if (argc == 3 && !strcasecmp(cmd, "identity")) {
		r = vdsplex_msg_identity(ctx, argv[1], argv[2]);
	} else if (argc == 2 && !strcasecmp(cmd, "read_policy")) {
		enum vdsplex_read_policy policy;
		unsigned long flags;

		r = vdsplex_policy_parse(argv[1], &policy);
		if (r) {
			DMWARN("%s: read_policy: unknown policy '%s'",
			       dm_device_name(vol->md), argv[1]);
		} else {
			spin_lock_irqsave(&vol->state_lock, flags);
			ctx->read_policy = policy;
			spin_unlock_irqrestore(&vol->state_lock, flags);
		}
	} else {
		DMWARN("%s: unknown or malformed message '%s' with %u argument(s)",
		       dm_device_name(vol->md), cmd, argc ? argc - 1 : 0);
	}
	mutex_unlock(&vol->lock);
	return r;
}

static int vdsplex_iterate_devices(struct dm_target *ti,
				   iterate_devices_callout_fn fn, void *data)
{
	struct vdsplex_ctx *ctx = ti->private;
	unsigned int i;
	int r = 0;

	/* vol->lock: remove_plex may not compact the legs meanwhile */
	mutex_lock(&ctx->vol->lock);
	for (i = 0; !r && i < ctx->nr_legs; i++)
		r = fn(ti, ctx->legs[i].dev, ctx->legs[i].plex->offset,
		       ti->len, data);
	mutex_unlock(&ctx->vol->lock);
	return r;
}

/* Stop the resync before DM waits for the I/O in flight (it checkpoints). */
static void vdsplex_presuspend(struct dm_target *ti)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;

	mutex_lock(&vol->lock);
	ctx->quiesced = true;
	if (vol->active == ctx)
		vdsplex_resync_stop(vol);
	mutex_unlock(&vol->lock);
}

/*
 * Every write has completed: the parked ones went out, so the write-intent
 * log can be cleared and the metadata marked clean (a clean shutdown
 * resyncs nothing: Documentation/dm-vdsplex.rst, "Persistent state"), but
 * for the dirty regions of an unclean shutdown an in-sync plex still lacks.
 */
static void vdsplex_postsuspend(struct dm_target *ti)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;

	vdsplex_md_quiesce(vol);
	mutex_lock(&vol->lock);
	if (vol->active == ctx)
		vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL | VDSPLEX_COMMIT_CLEAN);
	mutex_unlock(&vol->lock);
}

/* Take over the volume; with metadata, record that it is in use. */
static int vdsplex_preresume(struct dm_target *ti)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;

	int r = 0;

	vdsplex_takeover(ctx);
	mutex_lock(&vol->lock);
	/*
	 * Writes may not run unlogged while the disk says "clean".  A failed
	 * metadata device is tried again (it may be back).
	 */
	if (vol->active == ctx && (vdsplex_md_revive(vol) ||
				   vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL))) {
		DMERR("%s: metadata commit failed: not resumed",
		      dm_device_name(vol->md));
		r = -EIO;
	}
	mutex_unlock(&vol->lock);
	return r;
}

/* (Re)start the resync of the active instance; also undoes presuspend. */
static void vdsplex_resume(struct dm_target *ti)
{
	struct vdsplex_ctx *ctx = ti->private;
	struct vdsplex_volume *vol = ctx->vol;
	int r = 0;

	mutex_lock(&vol->lock);
	ctx->quiesced = false;
	if (vol->active == ctx)
		r = vdsplex_resync_start(ctx);
	mutex_unlock(&vol->lock);
	if (r)
		DMERR("%s: cannot start the resync thread (%d)",
		      dm_device_name(vol->md), r);
}

static struct target_type vdsplex_target = {
	.name = "vdsplex",
	.version = { VDSPLEX_VERSION_MAJOR, VDSPLEX_VERSION_MINOR,
		     VDSPLEX_VERSION_PATCH },
	.module = THIS_MODULE,
	.ctr = vdsplex_ctr,
	.dtr = vdsplex_dtr,
	.map = vdsplex_map,
	.end_io = vdsplex_end_io,
	.status = vdsplex_status,
	.message = vdsplex_message,
	.iterate_devices = vdsplex_iterate_devices,
	.presuspend = vdsplex_presuspend,
	.presuspend_undo = vdsplex_resume,
	.postsuspend = vdsplex_postsuspend,
	.preresume = vdsplex_preresume,
	.resume = vdsplex_resume,
};

static int __init dm_vdsplex_init(void)
{
	int r = vdsplex_registry_init();

	vdsplex_zero_pages.page = ZERO_PAGE(0);
	if (r)
		return r;
	r = dm_register_target(&vdsplex_target);
	if (r)
		goto bad_target;
	r = vdsplex_control_init();
	if (r)
		goto bad_control;
	return 0;
bad_control:
	dm_unregister_target(&vdsplex_target);
bad_target:
	vdsplex_registry_exit();
	return r;
}

static void __exit dm_vdsplex_exit(void)
{
	vdsplex_control_exit();
	dm_unregister_target(&vdsplex_target);
	vdsplex_registry_exit();
}

module_init(dm_vdsplex_init);
module_exit(dm_vdsplex_exit);

MODULE_DESCRIPTION(DM_NAME " target with N plexes attachable to a live volume");
MODULE_AUTHOR("The dm-vdsplex developers");
MODULE_LICENSE("GPL");
MODULE_ALIAS("dm-vdsplex");
