// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex resync engine: one kernel thread per volume copies regions from
 * the source plex to every recovering plex, while the volume serves I/O.
 *
 * Region lock: before copying region R the thread sets vol->locked_region;
 * writes mapped to R from then on are parked on vol->deferred, and the thread
 * waits until the writes already in flight to R have completed.  Writes in
 * flight are counted per hash bucket of regions and per epoch: locking R
 * flips the epoch of R's bucket, so writes to other regions of the bucket
 * admitted meanwhile count in the new epoch and the drain waits only for
 * the writes admitted before the lock, which always ends.  Only writers of
 * R wait.  After the copy the region is unlocked and the parked writes are
 * sent to every plex.
 *
 * The thread runs only while the volume's active instance is resumed: it is
 * started at resume and stopped (kthread_stop, which waits for the region in
 * progress) at presuspend and in dtr, so it never holds a region across a
 * suspend.  It takes vol->state_lock only, never vol->lock: whoever holds
 * vol->lock may stop it.
 *
 * Locks: see dm-vdsplex.h.
 */

#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/vmalloc.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

static unsigned int vdsplex_bucket(u64 region)
{
	return hash_64(region, ilog2(VDSPLEX_INFLIGHT_BUCKETS));
}

/**
 * vdsplex_write_admit() - let a write to @region proceed, or park it.
 * @vol: the volume.
 * @region: the region written (a write never crosses regions).
 * @bio: the write; parked on vol->deferred when @region is being copied.
 * @epoch: set to the epoch the write is counted in.
 *
 * Context: vol->state_lock held.
 * Return: true when the write may go on (it is counted in flight and must
 * be ended with vdsplex_write_finish()), false when it was parked.
 */
bool vdsplex_write_admit(struct vdsplex_volume *vol, u64 region,
			 struct bio *bio, u8 *epoch)
{
	unsigned int b = vdsplex_bucket(region);

	lockdep_assert_held(&vol->state_lock);
	if (region == vol->locked_region) {
		bio_list_add(&vol->deferred, bio);
		return false;
	}
	*epoch = vol->epoch[b];
	atomic_inc(&vol->inflight[*epoch][b]);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_write_admit);

/**
 * vdsplex_write_finish() - a write admitted by vdsplex_write_admit() ended.
 * @vol: the volume.
 * @region: its region.
 * @epoch: the epoch vdsplex_write_admit() gave it.
 *
 * Context: any, including bio completion.
 */
void vdsplex_write_finish(struct vdsplex_volume *vol, u64 region, u8 epoch)
{
	if (atomic_dec_and_test(&vol->inflight[epoch][vdsplex_bucket(region)]))
		wake_up(&vol->drain_wait);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_write_finish);

/**
 * vdsplex_region_lock() - park new writes to @region.
 * @vol: the volume.
 * @region: the region about to be copied.
 *
 * New writes to the other regions of @region's bucket count in a new epoch,
 * so vdsplex_region_drained() waits only for the writes admitted before.
 *
 * Context: vol->state_lock held.
 */
void vdsplex_region_lock(struct vdsplex_volume *vol, u64 region)
{
	unsigned int b = vdsplex_bucket(region);

	lockdep_assert_held(&vol->state_lock);
	WARN_ON_ONCE(vol->locked_region != VDSPLEX_NO_REGION);
	vol->locked_region = region;
	vol->epoch[b] ^= 1;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_region_lock);

/**
 * vdsplex_region_drained() - have the writes in flight to the locked region
 * ended?
 * @vol: the volume.
 * @region: the locked region.
 *
 * Writes to other regions of the same bucket admitted before the lock count
 * too, so this may wait a little longer than needed, never less, and never
 * for writes admitted after the lock.
 *
 * Context: any.
 * Return: true when none is in flight.
 */
bool vdsplex_region_drained(struct vdsplex_volume *vol, u64 region)
{
	unsigned int b = vdsplex_bucket(region);

	return !atomic_read(&vol->inflight[READ_ONCE(vol->epoch[b]) ^ 1][b]);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_region_drained);

/**
 * vdsplex_region_unlock() - end the copy of the locked region.
 * @vol: the volume.
 * @deferred: receives the writes parked meanwhile; the caller submits them.
 *
 * Context: vol->state_lock held.
 */
void vdsplex_region_unlock(struct vdsplex_volume *vol,
			   struct bio_list *deferred)
{
	lockdep_assert_held(&vol->state_lock);
	vol->locked_region = VDSPLEX_NO_REGION;
	bio_list_merge(deferred, &vol->deferred);
	bio_list_init(&vol->deferred);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_region_unlock);

/**
 * vdsplex_throttle_ns() - how long the resync pauses before its next region.
 * @adaptive: no resync_rate cap is set.
 * @rate_kibs: the cap in KiB/s (0 = unlimited), when not @adaptive.
 * @fg_active: foreground I/O was seen within the last second.
 * @bytes: bytes copied since the rate window began.
 * @elapsed_ns: time since the rate window began.
 *
 * With a cap, the copy keeps to @rate_kibs on average over the window.
 * Adaptive: full speed while the volume is idle, VDSPLEX_ADAPTIVE_FLOOR_KIBS
 * while foreground I/O is present (as md does between its speed limits).
 *
 * Context: any.
 * Return: nanoseconds to sleep, 0 to go on at once.
 */
u64 vdsplex_throttle_ns(bool adaptive, u32 rate_kibs, bool fg_active,
			u64 bytes, u64 elapsed_ns)
{
	u64 rate, want;

	if (adaptive)
		rate = fg_active ? VDSPLEX_ADAPTIVE_FLOOR_KIBS : 0;
	else
		rate = rate_kibs;
	if (!rate)
		return 0;
	want = mul_u64_u64_div_u64(bytes, NSEC_PER_SEC, rate * 1024);
	return want > elapsed_ns ? want - elapsed_ns : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_throttle_ns);

/**
 * vdsplex_percent() - progress in percent, as the async handle reports it.
 * @done: regions done.
 * @total: regions in all.
 * @finished: the operation has ended.
 *
 * Context: any.
 * Return: 0..99 while running (never 100 before the end), 100 when finished;
 * 0 while no progress has been published (@total 0: an AddPlex resumed from
 * the metadata whose table has not run yet).
 */
unsigned int vdsplex_percent(u64 done, u64 total, bool finished)
{
	if (finished)
		return 100;
	if (!total)
		return 0;
	if (done >= total)
		return 99;
	return min_t(u64, div64_u64(done * 100, total), 99);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_percent);

/**
 * vdsplex_region_idle() - no write is in flight to @region's bucket.
 * @vol: the volume.
 * @region: the region.
 *
 * Conservative: another region of the bucket keeps it busy.
 *
 * Context: vol->state_lock held (so no write is admitted meanwhile).
 * Return: true when no write admitted to the region is in flight.
 */
bool vdsplex_region_idle(struct vdsplex_volume *vol, u64 region)
{
	unsigned int b = vdsplex_bucket(region);

	lockdep_assert_held(&vol->state_lock);
	return !atomic_read(&vol->inflight[0][b]) &&
	       !atomic_read(&vol->inflight[1][b]);
}

/**
 * vdsplex_checkpoint() - record the resync position.
 * @vol: the volume.
 *
 * Core mode keeps it in memory, so a reload continues where the resync was;
 * with a metadata device it is committed there with the in-sync bitmaps.
 *
 * Context: process (the resync thread, or vol->lock held); takes
 * vol->state_lock.
 */
void vdsplex_checkpoint(struct vdsplex_volume *vol)
{
	unsigned long flags;

	spin_lock_irqsave(&vol->state_lock, flags);
	vol->checkpoint = vol->cursor;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
}

/* The resync's view of one region to copy (vol->resync_job). */
struct vdsplex_copy_job {
	u64 region;
	struct vdsplex_plex *source;
	struct vdsplex_plex *target[VDSPLEX_MAX_PLEXES];
	unsigned int nr_targets;
	bool discard;
	bool scrub;
	bool repair;
	struct dm_io_region from;
	struct dm_io_region dest[VDSPLEX_MAX_PLEXES];
	/* the copy engine's memory (vdsplex_copy()) */
	void *buf;
	struct vdsplex_chunk_io {
		struct completion done;
		unsigned long error;
	} rd[VDSPLEX_COPY_DEPTH], wr[VDSPLEX_COPY_DEPTH];
	struct dm_io_region to[VDSPLEX_MAX_PLEXES];
	/* its own dm-io reserve: the copy never waits on the table's */
	struct dm_io_client *io_client;
};

/* Describe the job's source and targets for @region of the volume. */
static void vdsplex_job_region(struct vdsplex_ctx *ctx,
			       struct vdsplex_copy_job *job, u64 region,
			       unsigned int src)
{
	struct vdsplex_volume *vol = ctx->vol;
	sector_t start = (sector_t)region << vol->region_shift;

	job->region = region;
	job->source = ctx->legs[src].plex;
	job->from.bdev = ctx->legs[src].dev->bdev;
	job->from.sector = job->source->offset + start;
	job->from.count = min_t(sector_t, vol->region_size, vol->len - start);
	job->nr_targets = 0;
	job->discard = false;
	job->scrub = false;
	job->repair = false;
}

static void vdsplex_job_target(struct vdsplex_ctx *ctx,
			       struct vdsplex_copy_job *job, unsigned int i)
{
	struct dm_io_region *d = &job->dest[job->nr_targets];

	d->bdev = ctx->legs[i].dev->bdev;
	d->sector = ctx->legs[i].plex->offset + job->from.sector -
		    job->source->offset;
	d->count = job->from.count;
	job->target[job->nr_targets++] = ctx->legs[i].plex;
}

/*
 * The scrub (check, repair) runs when no plex needs a resync: it compares
 * every in-sync plex with the source, region by region, and skips the
 * regions recorded as discarded.  It ends when it passed the last region,
 * or when fewer than two in-sync plexes are left.
 */
static enum vdsplex_next __vdsplex_scrub_next(struct vdsplex_ctx *ctx,
					      struct vdsplex_copy_job *job)
{
	struct vdsplex_volume *vol = ctx->vol;
	u64 region = vol->nr_regions;
	unsigned int i;
	int src;

	lockdep_assert_held(&vol->state_lock);
	src = vdsplex_source_leg(ctx);
	if (src >= 0)
		region = find_next_zero_bit(vol->discarded, vol->nr_regions,
					    vol->scrub_cursor);
	if (region < vol->nr_regions) {
		vdsplex_job_region(ctx, job, region, src);
		for (i = 0; i < ctx->nr_legs; i++) {
			struct vdsplex_plex *p = ctx->legs[i].plex;

			if (i != src && p->state == VDSPLEX_PLEX_ALIVE &&
			    !p->removing)
				vdsplex_job_target(ctx, job, i);
		}
	}
	if (region >= vol->nr_regions || !job->nr_targets) {
		DMINFO("%s: %s %s: %llu mismatched regions",
		       dm_device_name(vol->md), vdsplex_action_name(vol->scrub),
		       region >= vol->nr_regions ? "finished" : "stopped",
		       vol->mismatch_cnt);
		vol->scrub = VDSPLEX_ACTION_IDLE;
		vol->action = VDSPLEX_ACTION_IDLE;
		vol->synced_regions = vol->nr_regions;
		return VDSPLEX_NEXT_CHANGED;
	}
	if (vol->action != vol->scrub) {
		vol->action = vol->scrub;
		vol->synced_regions = vol->scrub_cursor;
		return VDSPLEX_NEXT_CHANGED;	/* started or continued */
	}
	job->scrub = true;
	job->repair = vol->scrub == VDSPLEX_ACTION_REPAIR;
	vol->scrub_cursor = region;
	vdsplex_region_lock(vol, region);
	return VDSPLEX_NEXT_SCRUB;
}

/*
 * Does the in-sync plex of leg @i lack @region, a dirty one?  A plex that
 * remove_plex is taking out counts until it stops taking writes: its
 * leaving may yet be undone.
 */
static bool vdsplex_alive_lacks(const struct vdsplex_ctx *ctx, unsigned int i,
				u64 region)
{
	const struct vdsplex_plex *p = ctx->legs[i].plex;

	return p->state == VDSPLEX_PLEX_ALIVE && !p->removing &&
	       test_bit(region, ctx->vol->unsynced) &&
	       !test_bit(region, p->in_sync);
}

/*
 * A dirty region of an unclean shutdown that no in-sync plex lacks any
 * more (copied, or the plexes that lacked it failed or left) leaves
 * vol->unsynced; its write-intent bit may be swept from now on.
 */
static void __vdsplex_unsynced_check(struct vdsplex_ctx *ctx, u64 region)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned int i;

	lockdep_assert_held(&vol->state_lock);
	if (!test_bit(region, vol->unsynced))
		return;
	for (i = 0; i < ctx->nr_legs; i++)
		if (vdsplex_alive_lacks(ctx, i, region))
			return;
	clear_bit(region, vol->unsynced);
	if (!--vol->nr_unsynced)
		vol->unclean = false;
}

/*
 * Pick the next region to copy and lock it.  Stale plexes become
 * recovering; when every recovering plex has every region, they become
 * in sync.  After an unclean shutdown, the dirty regions in-sync plexes
 * lack are copied to them in the same pass.
 */
static enum vdsplex_next __vdsplex_resync_next(struct vdsplex_ctx *ctx,
					       struct vdsplex_copy_job *job)
{
	struct vdsplex_volume *vol = ctx->vol;
	u64 region, r;
	enum vdsplex_sync_action want;
	unsigned int i, nr = 0, released = 0;
	bool rewound = false;
	int src, from;

	lockdep_assert_held(&vol->state_lock);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p->removing)
			continue;
		if (p->state == VDSPLEX_PLEX_STALE && !vol->paused &&
		    !vol->stalled)
			p->state = VDSPLEX_PLEX_RECOVERING;
		if (p->state == VDSPLEX_PLEX_STALE ||
		    p->state == VDSPLEX_PLEX_RECOVERING)
			nr++;
	}
	if ((!(nr || vol->unclean) || vol->stalled) &&
	    vol->scrub == VDSPLEX_ACTION_IDLE) {
		if (vol->action == VDSPLEX_ACTION_IDLE)
			return VDSPLEX_NEXT_IDLE;
		vol->action = VDSPLEX_ACTION_IDLE;
		vol->synced_regions = vol->nr_regions;
		return VDSPLEX_NEXT_CHANGED;
	}
	if (vol->paused) {
		if (vol->action == VDSPLEX_ACTION_FROZEN)
			return VDSPLEX_NEXT_IDLE;
		vol->action = VDSPLEX_ACTION_FROZEN;
		return VDSPLEX_NEXT_CHANGED;
	}
	if (!(nr || vol->unclean) || vol->stalled)
		return __vdsplex_scrub_next(ctx, job);
	src = vdsplex_source_leg(ctx);
	if (src < 0) {
		/* No in-sync plex left to copy from: the operation failed. */
		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex->state == VDSPLEX_PLEX_RECOVERING)
				ctx->legs[i].plex->state = VDSPLEX_PLEX_STALE;
		__vdsplex_op_finish(ctx, VDS_E_VOLUME_NOT_HEALTHY);
		vol->stalled = true;
		vol->action = VDSPLEX_ACTION_IDLE;
		vol->synced_regions = vol->nr_regions;
		return VDSPLEX_NEXT_CHANGED;
	}

	if (vol->rescan) {
		vol->rescan = false;
		vol->cursor = 0;
	}
again:
	want = vol->unclean ? VDSPLEX_ACTION_RESYNC : VDSPLEX_ACTION_RECOVER;
	/* The lowest region at or after the cursor that a target lacks. */
	region = vol->nr_regions;
	if (vol->unclean)
		region = find_next_bit(vol->unsynced, vol->nr_regions,
				       vol->cursor);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p->state != VDSPLEX_PLEX_RECOVERING || p->removing)
			continue;
		r = find_next_zero_bit(p->in_sync, vol->nr_regions,
				       vol->cursor);
		region = min(region, r);
	}
	/* dirty regions behind the cursor (a pass began past them) */
	if (region >= vol->nr_regions && vol->unclean && vol->cursor &&
	    !rewound) {
		vol->cursor = 0;
		rewound = true;
		goto again;
	}
	if (vol->action != want) {
		vol->action = want;
		if (region < vol->nr_regions) {
			vol->synced_regions = vol->cursor;
			return VDSPLEX_NEXT_CHANGED;	/* started */
		}
	}
	if (region >= vol->nr_regions && !vol->targets_flushed) {
		/*
		 * Every target has every region; before they are called in
		 * sync, their copies leave the devices' volatile caches
		 * (in core mode nothing else would flush them, and a remove
		 * of the old plex would leave data acknowledged long ago only
		 * in the new plex's cache).  The pending count keeps each
		 * target from being freed meanwhile.
		 */
		job->nr_targets = 0;
		for (i = 0; i < ctx->nr_legs; i++) {
			struct vdsplex_plex *p = ctx->legs[i].plex;

			if (p->state != VDSPLEX_PLEX_RECOVERING || p->removing)
				continue;
			atomic_inc(&p->pending);
			job->target[job->nr_targets] = p;
			job->dest[job->nr_targets++].bdev = ctx->legs[i].dev->bdev;
		}
		return VDSPLEX_NEXT_FLUSH;
	}
	if (region >= vol->nr_regions) {
		/* Every target has every region, flushed: mirrors now. */
		vol->targets_flushed = false;
		for (i = 0; i < ctx->nr_legs; i++) {
			struct vdsplex_plex *p = ctx->legs[i].plex;

			if (p->state != VDSPLEX_PLEX_RECOVERING || p->removing)
				continue;
			p->state = VDSPLEX_PLEX_ALIVE;
			__vdsplex_op_target_done(vol, p, VDS_S_OK);
		}
		vol->action = VDSPLEX_ACTION_IDLE;
		vol->cursor = 0;
		vol->checkpoint = 0;
		vol->synced_regions = vol->nr_regions;
		return VDSPLEX_NEXT_CHANGED;
	}

	vol->targets_flushed = false;
	/* a dirty region is copied from a plex that holds it */
	from = src;
	if (vol->unclean && test_bit(region, vol->unsynced))
		from = __vdsplex_unsynced_holder(ctx, region);
	vdsplex_job_region(ctx, job, region, from);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (((p->state == VDSPLEX_PLEX_RECOVERING && !p->removing) ||
		     vdsplex_alive_lacks(ctx, i, region)) &&
		    !test_bit(region, p->in_sync))
			vdsplex_job_target(ctx, job, i);
	}
	nr = job->nr_targets;
	if (!nr) {
		/* the in-sync plexes that lacked it are gone */
		__vdsplex_unsynced_check(ctx, region);
		vol->cursor = region + 1;
		/* a few at a time: the lock is held, interrupts off */
		if (++released >= 64)
			return VDSPLEX_NEXT_AGAIN;
		goto again;
	}
	/* A discarded region is discarded on the targets, not copied. */
	job->discard = test_bit(region, vol->discarded);
	for (i = 0; job->discard && i < nr; i++)
		if (!bdev_max_discard_sectors(job->dest[i].bdev))
			job->discard = false;
	vol->cursor = region;
	vdsplex_region_lock(vol, region);
	return VDSPLEX_NEXT_COPY;
}

/*
 * The copy engine.  A region is copied in chunks, VDSPLEX_COPY_DEPTH of them
 * in flight: every chunk's read is sent at once, and each chunk's write to
 * all targets (one dm-io request) as soon as its read ends, so the source
 * reads the next chunks while the targets write the first ones.  A chunk is
 * the largest request every device involved takes whole (4 KiB aligned):
 * one the block layer splits costs a device slot for its small tail.
 *
 * The writes are REQ_SYNC: dm-kcopyd's plain writes, which this replaced,
 * are taken by writeback throttling for background writeback and held to
 * its background queue depth (one request on a device of depth 4, which
 * halved the resync in make bench).  The resync's own throttle (resync_rate,
 * or the adaptive floor while foreground I/O is present) decides how much
 * of the devices it takes.
 */
static sector_t vdsplex_copy_chunk(const struct vdsplex_copy_job *job)
{
	sector_t chunk = VDSPLEX_COPY_BUF_SECTORS / VDSPLEX_COPY_DEPTH;
	unsigned int i;

	chunk = min_t(sector_t, chunk,
		      queue_max_sectors(bdev_get_queue(job->from.bdev)));
	for (i = 0; i < job->nr_targets; i++)
		chunk = min_t(sector_t, chunk,
			      queue_max_sectors(bdev_get_queue(job->dest[i].bdev)));
	return max_t(sector_t, round_down(chunk, 8), 8);
}

static void vdsplex_chunk_done(unsigned long error, void *context)
{
	struct vdsplex_chunk_io *c = context;

	c->error = error;
	complete(&c->done);
}

/*
 * Send chunk @k of a window (@n sectors at @start of the region, in the
 * buffer at @k * @chunk) to be read (@write false) or written to the targets.
 */
static void vdsplex_chunk_io(struct vdsplex_copy_job *job, unsigned int k,
			     bool write, sector_t start, sector_t n,
			     sector_t chunk)
{
	struct vdsplex_chunk_io *c = write ? &job->wr[k] : &job->rd[k];
	struct dm_io_request req = {
		.bi_opf = write ? REQ_OP_WRITE | REQ_SYNC : REQ_OP_READ,
		.mem.type = DM_IO_VMA,
		.mem.ptr.vma = job->buf + (k * chunk << SECTOR_SHIFT),
		.notify.fn = vdsplex_chunk_done,
		.notify.context = c,
		.client = job->io_client,
	};
	struct dm_io_region from = job->from;
	unsigned int i;

	init_completion(&c->done);
	c->error = 0;
	if (!write) {
		from.sector += start;
		from.count = n;
		dm_io(&req, 1, &from, NULL, IOPRIO_DEFAULT);
		return;
	}
	for (i = 0; i < job->nr_targets; i++) {
		job->to[i] = job->dest[i];
		job->to[i].sector += start;
		job->to[i].count = n;
	}
	dm_io(&req, job->nr_targets, job->to, NULL, IOPRIO_DEFAULT);
}

/*
 * Copy the job's region to its targets.  Returns true on a read error of
 * the source; *failed gets a bit per target that failed a write.
 */
static bool vdsplex_copy(struct vdsplex_ctx *ctx,
			 struct vdsplex_copy_job *job, u64 *failed)
{
	sector_t chunk = vdsplex_copy_chunk(job), done, n, left;
	unsigned long sent;
	unsigned int i, k, nr;
	bool read_err = false;

	*failed = 0;
	if (job->discard) {
		struct dm_io_request req = {
			.bi_opf = REQ_OP_DISCARD,
			.mem.type = DM_IO_KMEM,
			.client = ctx->io_client,
		};
		unsigned long err;

		/*
		 * Advisory, as on the write path: a target that fails the
		 * discard keeps its data, which a discarded region need not
		 * match, and stays in the resync.
		 */
		for (i = 0; i < job->nr_targets; i++) {
			err = 0;
			if (!dm_io(&req, 1, &job->dest[i], &err,
				   IOPRIO_DEFAULT) && !err)
				continue;
			DMWARN_LIMIT("%s: resync: discard failed on a target at region %llu",
				     dm_device_name(ctx->vol->md), job->region);
		}
		return false;
	}
	for (done = 0; done < job->from.count && !read_err;
	     done += nr * chunk) {
		left = job->from.count - done;
		nr = min_t(sector_t, DIV_ROUND_UP_ULL(left, chunk),
			   VDSPLEX_COPY_DEPTH);
		for (k = 0; k < nr; k++) {
			n = min_t(sector_t, left - k * chunk, chunk);
			vdsplex_chunk_io(job, k, false, done + k * chunk, n,
					 chunk);
		}
		/*
		 * A read error ends the copy after this window; the region
		 * stays out of sync on the targets.
		 */
		sent = 0;
		for (k = 0; k < nr; k++) {
			n = min_t(sector_t, left - k * chunk, chunk);
			wait_for_completion_io(&job->rd[k].done);
			if (job->rd[k].error) {
				read_err = true;
				continue;
			}
			vdsplex_chunk_io(job, k, true, done + k * chunk, n,
					 chunk);
			__set_bit(k, &sent);
		}
		for_each_set_bit(k, &sent, VDSPLEX_COPY_DEPTH) {
			wait_for_completion_io(&job->wr[k].done);
			*failed |= job->wr[k].error;
		}
	}
	return read_err;
}

/**
 * __vdsplex_source_read_error() - the resync could not read its source.
 * @ctx: the active instance.
 * @source: the plex the region was read from.
 * @targets: the plexes it was being copied to.
 * @nr_targets: their number.
 *
 * @region: the region that could not be read.
 *
 * Another in-sync plex takes over as the source.  As for a foreground read
 * (vdsplex_read_failed()), @source goes stale in @region only, so the
 * resync rewrites it there from the new source, until it has had more than
 * VDSPLEX_MAX_READ_ERRORS read errors: then it fails (a write error may
 * have failed it meanwhile: the other in-sync plexes count either way).
 * With no other in-sync plex, @source stays (the last copy is never failed
 * by a read error), the targets become stale and the operation fails; the
 * resync waits for a kick.
 *
 * Context: vol->state_lock held.
 * Return: true when the resync lost its last source.
 */
VISIBLE_IF_KUNIT bool
__vdsplex_source_read_error(struct vdsplex_ctx *ctx,
			    struct vdsplex_plex *source,
			    struct vdsplex_plex *const *targets,
			    unsigned int nr_targets, u64 region)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned int i, others = 0;

	lockdep_assert_held(&vol->state_lock);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p != source && vdsplex_plex_counts(p))
			others++;
	}
	if (others || !nr_targets) {
		if (!others || source->state == VDSPLEX_PLEX_DEAD)
			return false;
		if (atomic_inc_return(&source->read_errors) <=
		    VDSPLEX_MAX_READ_ERRORS)
			__vdsplex_region_stale(vol, source, region);
		else
			__vdsplex_plex_fail(vol, source);
		return false;
	}
	for (i = 0; i < nr_targets; i++)
		targets[i]->state = VDSPLEX_PLEX_STALE;
	__vdsplex_op_finish(ctx, VDS_E_VOLUME_NOT_HEALTHY);
	vol->stalled = true;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_source_read_error);

/* Record the copy's outcome; returns true when a plex failed. */
static bool vdsplex_copy_finish(struct vdsplex_ctx *ctx,
				struct vdsplex_copy_job *job, bool read_err,
				u64 failed, struct bio_list *deferred)
{
	struct vdsplex_volume *vol = ctx->vol;
	bool changed = false, copied = false;
	unsigned long flags;
	unsigned int i;

	vdsplex_md_bits_lock(vol);
	spin_lock_irqsave(&vol->state_lock, flags);
	if (read_err) {
		__vdsplex_source_read_error(ctx, job->source, job->target,
					    job->nr_targets, job->region);
		changed = true;
	} else {
		for (i = 0; i < job->nr_targets; i++) {
			struct vdsplex_plex *p = job->target[i];

			if (failed & BIT_ULL(i)) {
				__vdsplex_plex_fail(vol, p);
				changed = true;
			} else {
				if (!test_and_set_bit(job->region, p->in_sync))
					p->synced++;
				copied = true;
			}
		}
		__vdsplex_unsynced_check(ctx, job->region);
		vol->cursor = job->region + 1;
		vol->synced_regions = vol->cursor;
		if (copied && job->discard)
			atomic64_inc(&vol->regions_discarded);
		else if (copied)
			atomic64_inc(&vol->regions_resynced);
		__vdsplex_op_progress(ctx);
	}
	vdsplex_region_unlock(vol, deferred);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_md_bits_unlock(vol);
	if (read_err)
		DMERR_LIMIT("%s: resync: read error on the source plex at region %llu",
			    dm_device_name(vol->md), job->region);
	else if (changed)
		DMERR_LIMIT("%s: resync: a target plex failed at region %llu",
			    dm_device_name(vol->md), job->region);
	return changed;
}

/* Synchronous I/O of one scrub chunk between @where and @buf. */
static int vdsplex_scrub_io(struct vdsplex_ctx *ctx, blk_opf_t opf,
			    struct dm_io_region *where, void *buf)
{
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = DM_IO_VMA,
		.mem.ptr.vma = buf,
		.client = ctx->io_client,
	};
	unsigned long err = 0;
	int r;

	r = dm_io(&req, 1, where, &err, IOPRIO_DEFAULT);
	return r ? r : err ? -EIO : 0;
}

/*
 * Read one chunk of the source into @buf.  A read error is repaired as a
 * read of the volume is (md's fix_read_error): the chunk is read from a
 * target and written back to the source.  Returns false when no plex
 * could read the chunk or the source could not be rewritten.
 */
static bool vdsplex_scrub_source(struct vdsplex_ctx *ctx,
				 struct vdsplex_copy_job *job,
				 struct dm_io_region *from, sector_t done,
				 void *buf)
{
	struct dm_io_region to;
	unsigned int i;

	if (!vdsplex_scrub_io(ctx, REQ_OP_READ, from, buf))
		return true;
	atomic_inc(&job->source->read_errors);
	for (i = 0; i < job->nr_targets; i++) {
		to = job->dest[i];
		to.sector += done;
		to.count = from->count;
		if (!vdsplex_scrub_io(ctx, REQ_OP_READ, &to, buf))
			return !vdsplex_scrub_io(ctx, REQ_OP_WRITE, from, buf);
	}
	return false;
}

/*
 * Compare the job's region on every target with the source, a chunk at a
 * time.  A target that differs gets the source's chunk with @repair; one
 * that cannot read a chunk gets it in any case (a read error is repaired
 * by a check too, as md does).  Returns true when the source could not
 * provide the region; *failed gets a bit per target whose rewrite failed,
 * *differ one per target that differed.
 */
static bool vdsplex_scrub(struct vdsplex_ctx *ctx,
			  struct vdsplex_copy_job *job, bool repair,
			  u64 *failed, u64 *differ)
{
	void *want = ctx->vol->scrub_buf;
	void *got = want + (VDSPLEX_SCRUB_CHUNK << SECTOR_SHIFT);
	struct dm_io_region from = job->from, to;
	sector_t done, n;
	unsigned int i;
	bool rewrite;

	*failed = 0;
	*differ = 0;
	for (done = 0; done < job->from.count; done += n) {
		n = min_t(sector_t, job->from.count - done, VDSPLEX_SCRUB_CHUNK);
		from.sector = job->from.sector + done;
		from.count = n;
		if (!vdsplex_scrub_source(ctx, job, &from, done, want))
			return true;
		for (i = 0; i < job->nr_targets; i++) {
			if (*failed & BIT_ULL(i))
				continue;
			to = job->dest[i];
			to.sector += done;
			to.count = n;
			if (vdsplex_scrub_io(ctx, REQ_OP_READ, &to, got)) {
				atomic_inc(&job->target[i]->read_errors);
				rewrite = true;
			} else if (memcmp(want, got, n << SECTOR_SHIFT)) {
				*differ |= BIT_ULL(i);
				rewrite = repair;
			} else {
				continue;
			}
			if (rewrite &&
			    vdsplex_scrub_io(ctx, REQ_OP_WRITE, &to, want))
				*failed |= BIT_ULL(i);
		}
	}
	return false;
}

/* Fail @p unless it is the last in-sync plex. */
static bool __vdsplex_scrub_fail(struct vdsplex_ctx *ctx,
				 struct vdsplex_plex *p)
{
	unsigned int i, others = 0;

	for (i = 0; i < ctx->nr_legs; i++)
		others += ctx->legs[i].plex != p &&
			  vdsplex_plex_counts(ctx->legs[i].plex);
	if (!others)
		return false;
	__vdsplex_plex_fail(ctx->vol, p);
	return true;
}

/* Record a scrubbed region's outcome; returns true when a plex failed. */
static bool vdsplex_scrub_finish(struct vdsplex_ctx *ctx,
				 struct vdsplex_copy_job *job, bool read_err,
				 u64 failed, u64 differ,
				 struct bio_list *deferred)
{
	struct vdsplex_volume *vol = ctx->vol;
	bool changed = false;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vol->state_lock, flags);
	for (i = 0; i < job->nr_targets; i++)
		if (failed & BIT_ULL(i))
			changed |= __vdsplex_scrub_fail(ctx, job->target[i]);
	if (read_err)
		changed |= __vdsplex_scrub_fail(ctx, job->source);
	if (differ)
		vol->mismatch_cnt++;
	/* A region no plex could read is not compared again. */
	vol->scrub_cursor = job->region + 1;
	vol->synced_regions = vol->scrub_cursor;
	vdsplex_region_unlock(vol, deferred);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (read_err || failed)
		DMERR_LIMIT("%s: %s: %s at region %llu",
			    dm_device_name(vol->md),
			    job->repair ? "repair" : "check",
			    changed ? "a plex failed" : "unreadable",
			    job->region);
	return changed;
}

/*
 * The copy buffer exists only while there is a region to copy: an idle
 * volume, a scrub or a discarded region holds none; the thread frees it when
 * it goes idle.  Called with the region locked and drained; when there is no
 * memory, the region is unlocked untouched (the drain makes that safe: a
 * second lock of it flips its bucket's epoch back with nothing in flight in
 * the epoch it reuses) and tried again a second later.  Returns false then.
 */
static bool vdsplex_copy_buf(struct vdsplex_ctx *ctx,
			     struct vdsplex_copy_job *job)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct bio_list deferred = BIO_EMPTY_LIST;
	unsigned long flags;

	if (job->scrub || job->discard || job->buf)
		return true;
	job->buf = __vmalloc(VDSPLEX_COPY_BUF_SECTORS << SECTOR_SHIFT,
			     GFP_NOIO);
	if (job->buf)
		return true;
	spin_lock_irqsave(&vol->state_lock, flags);
	vdsplex_region_unlock(vol, &deferred);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	vdsplex_submit_deferred(ctx, &deferred);
	DMWARN_LIMIT("%s: no memory for the resync's copy buffer; retrying",
		     dm_device_name(vol->md));
	wait_event_interruptible_timeout(vol->resync_wait,
					 kthread_should_stop(), HZ);
	return false;
}

/* Record the flushes of the job's targets (bit i: target i failed). */
static void vdsplex_targets_flushed(struct vdsplex_ctx *ctx,
				    struct vdsplex_copy_job *job,
				    unsigned long failed)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vol->state_lock, flags);
	for (i = 0; i < job->nr_targets; i++) {
		struct vdsplex_plex *p = job->target[i];

		if (test_bit(i, &failed) && p->state != VDSPLEX_PLEX_DEAD) {
			atomic_inc(&p->write_errors);
			__vdsplex_plex_fail(vol, p);
		}
	}
	vol->targets_flushed = !failed;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	for (i = 0; i < job->nr_targets; i++)
		vdsplex_plex_io_done(job->target[i]);
	if (failed) {
		DMERR("%s: resync: a target plex failed its flush",
		      dm_device_name(vol->md));
		vdsplex_raise_event(vol);
	}
	job->nr_targets = 0;
}

/*
 * Flush the targets of a finished pass (VDSPLEX_NEXT_FLUSH).  A target whose
 * flush fails is failed: what it acknowledged may not be on its media.
 * Otherwise the next pass finds every region copied and calls them in sync,
 * unless a region went missing meanwhile (then it copies that and flushes
 * again).
 */
static void vdsplex_flush_targets(struct vdsplex_ctx *ctx,
				  struct vdsplex_copy_job *job)
{
	unsigned long failed = 0;
	unsigned int i;

	for (i = 0; i < job->nr_targets; i++)
		if (blkdev_issue_flush(job->dest[i].bdev))
			__set_bit(i, &failed);
	vdsplex_targets_flushed(ctx, job, failed);
}

static int vdsplex_resync_thread(void *data)
{
	struct vdsplex_ctx *ctx = data;
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_copy_job *job;
	u64 fg_seen = atomic64_read(&vol->fg_ios), fg_last = 0;
	u64 epoch = ktime_get_ns(), bytes = 0, last_cp = epoch;
	u64 rate_epoch = epoch, rate_bytes = 0;
	unsigned long flags;

	job = vol->resync_job;
	while (!kthread_should_stop()) {
		struct bio_list deferred = BIO_EMPTY_LIST;
		enum vdsplex_next next;
		bool adaptive, fg_active, read_err;
		u64 failed, fg, now, ns;
		u32 rate;

		spin_lock_irqsave(&vol->state_lock, flags);
		if (vol->kick) {
			vol->kick = false;
			epoch = ktime_get_ns();
			bytes = 0;
		}
		next = __vdsplex_resync_next(ctx, job);
		adaptive = !ctx->rate_set;
		rate = ctx->resync_rate;
		spin_unlock_irqrestore(&vol->state_lock, flags);

		if (next == VDSPLEX_NEXT_CHANGED) {
			/* Started, finished or failed: on disk at once. */
			vdsplex_checkpoint(vol);
			last_cp = ktime_get_ns();
			vdsplex_raise_event(vol);
			continue;
		}
		if (next == VDSPLEX_NEXT_FLUSH) {
			vdsplex_flush_targets(ctx, job);
			continue;
		}
		if (next == VDSPLEX_NEXT_AGAIN) {
			cond_resched();
			continue;
		}
		if (next == VDSPLEX_NEXT_IDLE) {
			vdsplex_checkpoint(vol);
			vfree(job->buf);
			job->buf = NULL;
			wait_event_interruptible(vol->resync_wait,
						 kthread_should_stop() ||
						 READ_ONCE(vol->kick));
			rate_epoch = ktime_get_ns();
			rate_bytes = 0;
			continue;
		}

		/* Writes already in flight to the region finish first. */
		wait_event(vol->drain_wait,
			   vdsplex_region_drained(vol, job->region));
		if (!vdsplex_copy_buf(ctx, job))
			continue;
		if (job->scrub) {
			u64 differ;

			read_err = vdsplex_scrub(ctx, job, job->repair,
						 &failed, &differ);
			if (vdsplex_scrub_finish(ctx, job, read_err, failed,
						 differ, &deferred))
				vdsplex_raise_event(vol);
		} else {
			read_err = vdsplex_copy(ctx, job, &failed);
			if (vdsplex_copy_finish(ctx, job, read_err, failed,
						&deferred))
				vdsplex_raise_event(vol);
		}
		vdsplex_submit_deferred(ctx, &deferred);

		now = ktime_get_ns();
		if (!job->scrub && now - last_cp >= VDSPLEX_CHECKPOINT_NS) {
			vdsplex_checkpoint(vol);
			last_cp = now;
		}
		rate_bytes += (u64)job->from.count << SECTOR_SHIFT;
		if (now - rate_epoch >= NSEC_PER_SEC) {
			u64 kibs = div64_u64(rate_bytes * (NSEC_PER_SEC / 1024),
					     now - rate_epoch);

			spin_lock_irqsave(&vol->state_lock, flags);
			vol->rate_kibs = kibs;
			spin_unlock_irqrestore(&vol->state_lock, flags);
			rate_epoch = now;
			rate_bytes = 0;
		}
		fg = atomic64_read(&vol->fg_ios);
		/*
		 * Foreground I/O seen within the last second: a copy that
		 * keeps the CPUs busy may leave the foreground no time to
		 * issue anything during one region, and must not take that
		 * for an idle volume.
		 */
		if (fg != fg_seen)
			fg_last = now;
		fg_active = fg_last && now - fg_last < NSEC_PER_SEC;
		fg_seen = fg;
		bytes += (u64)job->from.count << SECTOR_SHIFT;
		ns = vdsplex_throttle_ns(adaptive, rate, fg_active, bytes,
					 now - epoch);
		if (adaptive && !ns) {
			/* Adaptive: each region is its own window. */
			epoch = now;
			bytes = 0;
		}
		if (ns)
			wait_event_interruptible_timeout(vol->resync_wait,
							 kthread_should_stop() ||
							 READ_ONCE(vol->kick),
							 nsecs_to_jiffies(ns));
		if (adaptive && ns) {
			epoch = ktime_get_ns();
			bytes = 0;
		}
		cond_resched();
	}
	vdsplex_checkpoint(vol);
	return 0;
}

/**
 * vdsplex_resync_kick() - wake the resync thread: new work or a new rate.
 * @vol: the volume.
 *
 * Context: any.
 */
void vdsplex_resync_kick(struct vdsplex_volume *vol)
{
	unsigned long flags;

	spin_lock_irqsave(&vol->state_lock, flags);
	vol->kick = true;
	vol->stalled = false;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	wake_up(&vol->resync_wait);
}

static void vdsplex_job_free(struct vdsplex_volume *vol)
{
	if (vol->resync_job) {
		vfree(vol->resync_job->buf);
		if (vol->resync_job->io_client)
			dm_io_client_destroy(vol->resync_job->io_client);
	}
	kfree(vol->resync_job);
	vol->resync_job = NULL;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * vdsplex_resync_next_kunit() - the resync thread's next decision, without
 * its I/O (KUnit's crash model).
 * @ctx: the active instance; no resync thread runs.
 * @region: set to the region to copy (VDSPLEX_NEXT_COPY).
 * @source: set to the plex it is copied from (VDSPLEX_NEXT_COPY).
 * @targets: set to a mask of the legs it is copied to (VDSPLEX_NEXT_COPY),
 *	or of the legs to flush (VDSPLEX_NEXT_FLUSH).
 *
 * After VDSPLEX_NEXT_COPY the caller plays the copy and calls
 * vdsplex_resync_done_kunit(); after VDSPLEX_NEXT_FLUSH it plays the
 * targets' flushes and calls vdsplex_resync_flushed_kunit(), as the thread
 * does.  The job lives in vol->resync_job, allocated at the first call;
 * vdsplex_resync_free_kunit() frees it.  A scrub is not played.
 *
 * Context: process; takes vol->state_lock.
 * Return: an enum vdsplex_next; -ENOMEM without memory for the job.
 */
VISIBLE_IF_KUNIT int vdsplex_resync_next_kunit(struct vdsplex_ctx *ctx,
					       u64 *region,
					       struct vdsplex_plex **source,
					       unsigned long *targets)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_copy_job *job;
	enum vdsplex_next next;
	unsigned long flags;
	unsigned int i, k;

	if (WARN_ON_ONCE(vol->resync_task))
		return -EBUSY;
	if (!vol->resync_job)
		vol->resync_job = kzalloc(sizeof(*vol->resync_job), GFP_KERNEL);
	job = vol->resync_job;
	if (!job)
		return -ENOMEM;
	*targets = 0;
	spin_lock_irqsave(&vol->state_lock, flags);
	next = __vdsplex_resync_next(ctx, job);
	WARN_ON_ONCE(next == VDSPLEX_NEXT_SCRUB);
	if (next == VDSPLEX_NEXT_COPY) {
		*region = job->region;
		*source = job->source;
	}
	if (next == VDSPLEX_NEXT_COPY || next == VDSPLEX_NEXT_FLUSH)
		for (k = 0; k < job->nr_targets; k++)
			for (i = 0; i < ctx->nr_legs; i++)
				if (ctx->legs[i].plex == job->target[k])
					__set_bit(i, targets);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	return next;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_resync_next_kunit);

/**
 * vdsplex_resync_done_kunit() - the copy vdsplex_resync_next_kunit() asked
 * for reached every target: record it as the thread does.
 * @ctx: the active instance.
 * @deferred: gets the writes parked on the region meanwhile.
 *
 * Context: process; takes md->sync_lock and vol->state_lock.
 */
VISIBLE_IF_KUNIT void vdsplex_resync_done_kunit(struct vdsplex_ctx *ctx,
						struct bio_list *deferred)
{
	struct vdsplex_copy_job *job = ctx->vol->resync_job;

	WARN_ON_ONCE(!job || ctx->vol->locked_region != job->region);
	vdsplex_copy_finish(ctx, job, false, 0, deferred);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_resync_done_kunit);

/**
 * vdsplex_resync_flushed_kunit() - the flushes vdsplex_resync_next_kunit()
 * asked for succeeded: record them as the thread does.
 * @ctx: the active instance.
 *
 * Context: process; takes vol->state_lock.
 */
VISIBLE_IF_KUNIT void vdsplex_resync_flushed_kunit(struct vdsplex_ctx *ctx)
{
	vdsplex_targets_flushed(ctx, ctx->vol->resync_job, 0);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_resync_flushed_kunit);

/**
 * vdsplex_resync_free_kunit() - free the job of vdsplex_resync_next_kunit().
 * @vol: the volume.
 *
 * Context: process; no copy in progress.
 */
VISIBLE_IF_KUNIT void vdsplex_resync_free_kunit(struct vdsplex_volume *vol)
{
	vdsplex_job_free(vol);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_resync_free_kunit);
#endif

static int __vdsplex_resync_start(struct vdsplex_ctx *ctx)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct task_struct *task;
	unsigned long flags;

	lockdep_assert_held(&vol->lock);
	if (vol->resync_task)
		return 0;
	/* Allocated here, so the thread never exits before kthread_stop(). */
	vol->resync_job = kzalloc(sizeof(*vol->resync_job), GFP_NOIO);
	if (!vol->resync_job)
		return -ENOMEM;
	vol->resync_job->io_client = dm_io_client_create();
	if (IS_ERR(vol->resync_job->io_client)) {
		int r = PTR_ERR(vol->resync_job->io_client);

		vol->resync_job->io_client = NULL;
		vdsplex_job_free(vol);
		return r;
	}
	spin_lock_irqsave(&vol->state_lock, flags);
	vol->cursor = vol->checkpoint;
	vol->kick = true;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	task = kthread_run(vdsplex_resync_thread, ctx, "vdsplex-resync/%s",
			   dm_device_name(vol->md));
	if (IS_ERR(task)) {
		vdsplex_job_free(vol);
		return PTR_ERR(task);
	}
	vol->resync_task = task;
	return 0;
}

/**
 * vdsplex_resync_start() - start the resync thread of the active instance.
 * @ctx: the instance being resumed.
 *
 * The thread continues from the volume's checkpoint.  Its memory is
 * allocated without I/O (memalloc_noio): at a resume the volume is still
 * suspended, and reclaim writing to it would wait for ever.
 *
 * Context: process; vol->lock held.
 * Return: 0 or a negative errno.
 */
int vdsplex_resync_start(struct vdsplex_ctx *ctx)
{
	unsigned int noio = memalloc_noio_save();
	int r = __vdsplex_resync_start(ctx);

	memalloc_noio_restore(noio);
	return r;
}

/**
 * vdsplex_resync_stop() - stop the resync thread, if it runs.
 * @vol: the volume.
 *
 * Waits for the region being copied; the position is checkpointed.
 *
 * Context: process; vol->lock held.
 */
void vdsplex_resync_stop(struct vdsplex_volume *vol)
{
	lockdep_assert_held(&vol->lock);
	if (!vol->resync_task)
		return;
	kthread_stop(vol->resync_task);
	vol->resync_task = NULL;
	vdsplex_job_free(vol);
}
