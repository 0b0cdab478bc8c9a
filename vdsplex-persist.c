// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex persistent state: the metadata device of a volume, read and
 * written through dm-bufio (the format is in vdsplex-metadata.[ch]).
 *
 * One struct vdsplex_md per volume, created by the constructor of the
 * volume's first table instance and freed with the volume; only the
 * resumed instance writes.
 *
 * Write-intent log (Documentation/dm-vdsplex.rst, "Persistent state").
 * md->wi_disk has the regions whose bit is set on disk.  A write to a region
 * outside it is parked on md->parked and its bit requested in md->wi_want; the
 * commit work writes every requested bit in one metadata write (many writers
 * share one commit), then sends the parked writes on.  A region's bit is
 * cleared lazily by a sweep every VDSPLEX_MD_SWEEP_NS: a region no write was
 * admitted to since the last sweep and with no write in flight leaves wi_disk
 * at once (new writes to it park again), the plexes are flushed, then the
 * cleared bits are written.
 *
 * Commits.  A full commit writes the plex records, the superblock and the
 * in-sync bitmaps of the plexes that are not in sync.  Its order: snapshot
 * the bits, flush the plexes (so every copy or write the bits describe is
 * stable), write and flush the bitmaps, then the plex table and the
 * superblock.  A crash between two steps leaves bits that describe less
 * than is true, never more.
 *
 * Locks: md->sync_lock, md->commit_lock and vol->state_lock, as the
 * inventory above struct vdsplex_volume in dm-vdsplex.h says.  A full
 * commit runs under vol->lock (takeover, messages, remove_plex) or without
 * it (the resync thread, the event work, the sweeps of commit_work); the
 * plexes whose bitmaps it reads after its snapshot are pinned by their
 * pending count, which remove_plex drains before it frees a plex.
 */

#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/dm-bufio.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "dm-vdsplex.h"
#include "vdsplex-metadata.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

#define VDSPLEX_MD_SWEEP_NS	(5ULL * NSEC_PER_SEC)
#define VDSPLEX_MD_WORDS_PER_BLOCK \
	(VDSPLEX_MD_BITS_PER_BLOCK / BITS_PER_LONG)

static_assert(VDSPLEX_MD_BITS_PER_BLOCK % BITS_PER_LONG == 0);

static unsigned long *vdsplex_md_bitmap_alloc(u64 nr)
{
	return kvcalloc(BITS_TO_LONGS(nr), sizeof(unsigned long), GFP_KERNEL);
}

/**
 * vdsplex_md_fill_block() - put part of an in-core bitmap into a block.
 * @block: a bitmap block (its header is left alone).
 * @bits: the in-core bitmap.
 * @nr: bits in @bits.
 * @b: which block of the bitmap @block is.
 *
 * Bits past @nr are zero on disk.
 *
 * Context: any.
 * Return: true when the block's bits changed.
 */
VISIBLE_IF_KUNIT bool vdsplex_md_fill_block(void *block,
					    const unsigned long *bits, u64 nr,
					    u64 b)
{
	unsigned long *dst = vdsplex_md_bitmap_bits(block);
	u64 first = b * VDSPLEX_MD_WORDS_PER_BLOCK;
	u64 words = min_t(u64, VDSPLEX_MD_WORDS_PER_BLOCK,
			  BITS_TO_LONGS(nr) - first);
	size_t len = words * sizeof(long);

	if (!memcmp(dst, bits + first, len) &&
	    !memchr_inv((char *)dst + len, 0,
			VDSPLEX_MD_BITS_PER_BLOCK / 8 - len))
		return false;
	memset(dst, 0, VDSPLEX_MD_BITS_PER_BLOCK / 8);
	memcpy(dst, bits + first, len);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_fill_block);

/* Write bitmap @bits at @start, the blocks that differ; 0 or -errno. */
static int vdsplex_md_put_bitmap(struct vdsplex_md *md, u64 start,
				 const unsigned long *bits, u64 nr)
{
	struct dm_buffer *buf;
	char *err;
	void *block;
	u64 b;

	for (b = 0; b < md->layout.bitmap_blocks; b++) {
		/* Cached: compared; new: its contents are garbage, written. */
		block = dm_bufio_new(md->bufio, start + b, &buf);
		if (IS_ERR(block))
			return PTR_ERR(block);
		if (vdsplex_md_fill_block(block, bits, nr, b) ||
		    vdsplex_md_bitmap_check(block, start + b, &err)) {
			vdsplex_md_bitmap_seal(block, start + b);
			dm_bufio_mark_buffer_dirty(buf);
		}
		dm_bufio_release(buf);
	}
	return 0;
}

/* Read and check bitmap @start into @bits (@nr bits). */
static int vdsplex_md_get_bitmap(struct vdsplex_md *md, u64 start,
				 unsigned long *bits, u64 nr, char **error)
{
	struct dm_buffer *buf;
	void *block;
	u64 b, first, words;
	int r;

	for (b = 0; b < md->layout.bitmap_blocks; b++) {
		block = dm_bufio_read(md->bufio, start + b, &buf);
		if (IS_ERR(block)) {
			*error = vdsplex_errorf("metadata: cannot read block %llu",
						start + b);
			return PTR_ERR(block);
		}
		r = vdsplex_md_bitmap_check(block, start + b, error);
		if (!r) {
			first = b * VDSPLEX_MD_WORDS_PER_BLOCK;
			words = min_t(u64, VDSPLEX_MD_WORDS_PER_BLOCK,
				      BITS_TO_LONGS(nr) - first);
			memcpy(bits + first, vdsplex_md_bitmap_bits(block),
			       words * sizeof(long));
		}
		dm_bufio_release(buf);
		if (r)
			return r;
	}
	if (nr % BITS_PER_LONG)
		bits[BITS_TO_LONGS(nr) - 1] &= BITMAP_LAST_WORD_MASK(nr);
	return 0;
}

static void vdsplex_md_set_failed(struct vdsplex_volume *vol, int err,
				  const char *what)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&vol->state_lock, flags);
	first = !vol->meta->failed;
	vol->meta->failed = true;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (first) {
		DMERR("%s: metadata failed (%d, %s): writes go on unlogged",
		      dm_device_name(vol->md), err, what);
		vdsplex_raise_event(vol);
	}
}

static u32 vdsplex_md_state_of(enum vdsplex_plex_state s)
{
	switch (s) {
	case VDSPLEX_PLEX_ALIVE:
		return VDSPLEX_MD_ALIVE;
	case VDSPLEX_PLEX_RECOVERING:
		return VDSPLEX_MD_RECOVER;
	case VDSPLEX_PLEX_DEAD:
		return VDSPLEX_MD_DEAD;
	default:
		return VDSPLEX_MD_STALE;
	}
}

/* What one commit writes, gathered under vol->state_lock. */
struct vdsplex_md_snap {
	struct vdsplex_md_plex rec[VDSPLEX_MD_MAX_PLEXES];
	struct vdsplex_plex *unsynced[VDSPLEX_MAX_PLEXES];
	unsigned int unsynced_slot[VDSPLEX_MAX_PLEXES];
	unsigned int nr_unsynced;
	struct vdsplex_plex *flush[VDSPLEX_MAX_PLEXES];
	struct block_device *flush_bdev[VDSPLEX_MAX_PLEXES];
	unsigned int nr_flush;
	u32 nr_plexes;
	bool have_records;
};

/* Assign free metadata slots to the legs that have none; state_lock held. */
static void __vdsplex_md_slots(struct vdsplex_ctx *ctx)
{
	unsigned int i, used = 0;

	for (i = 0; i < ctx->nr_legs; i++)
		if (ctx->legs[i].plex->slot >= 0)
			used |= BIT(ctx->legs[i].plex->slot);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p->slot >= 0)
			continue;
		p->slot = ffz(used);
		used |= BIT(p->slot);
	}
}

static void __vdsplex_md_snapshot(struct vdsplex_volume *vol,
				  struct vdsplex_md_snap *s, bool flush)
{
	struct vdsplex_ctx *ctx = vol->active;
	unsigned int i;

	lockdep_assert_held(&vol->state_lock);
	memset(s, 0, sizeof(*s));
	if (!ctx)
		return;
	s->have_records = true;
	__vdsplex_md_slots(ctx);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_leg *leg = &ctx->legs[i];
		struct vdsplex_plex *p = leg->plex;
		struct vdsplex_md_plex *r = &s->rec[p->slot];

		/* remove_plex or cancel: its slot is written free */
		if (p->leaving)
			continue;
		r->id = p->id;
		memcpy(r->identity, p->identity, sizeof(r->identity));
		r->dev_major = MAJOR(p->devt);
		r->dev_minor = MINOR(p->devt);
		r->dev_sectors = leg->dev ? bdev_nr_sectors(leg->dev->bdev) : 0;
		r->offset = p->offset;
		r->state = vdsplex_md_state_of(p->state);
		r->flags = (p->added ? VDSPLEX_MD_PLEX_ADDED : 0) |
			   (leg->write_mostly ? VDSPLEX_MD_PLEX_WRITE_MOSTLY : 0);
		/* counters past INT_MAX wrap negative: saturate on disk */
		r->read_errors = max(atomic_read(&p->read_errors), 0);
		r->write_errors = max(atomic_read(&p->write_errors), 0);
		r->checkpoint = p->synced;
		s->nr_plexes++;
		/*
		 * Its bitmap is read after the lock is dropped: the pending
		 * count keeps remove_plex from freeing it meanwhile.
		 */
		if (r->state != VDSPLEX_MD_ALIVE) {
			atomic_inc(&p->pending);
			s->unsynced[s->nr_unsynced] = p;
			s->unsynced_slot[s->nr_unsynced++] = p->slot;
		}
		if (flush && leg->dev && p->state != VDSPLEX_PLEX_DEAD) {
			atomic_inc(&p->pending);
			s->flush[s->nr_flush] = p;
			s->flush_bdev[s->nr_flush++] = leg->dev->bdev;
		}
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * vdsplex_md_recorded_slots() - the metadata slots a full commit would
 * write plex records to now (KUnit).
 * @vol: the volume, with metadata state and an active instance.
 *
 * Context: process; no commit runs (it uses md->snap).
 * Return: a bitmask of slots.
 */
VISIBLE_IF_KUNIT u32 vdsplex_md_recorded_slots(struct vdsplex_volume *vol)
{
	struct vdsplex_md_snap *s = vol->meta->snap;
	unsigned long irqf;
	unsigned int i;
	u32 slots = 0;

	spin_lock_irqsave(&vol->state_lock, irqf);
	__vdsplex_md_snapshot(vol, s, false);
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	for (i = 0; i < VDSPLEX_MD_MAX_PLEXES; i++)
		if (s->rec[i].id)
			slots |= BIT(i);
	for (i = 0; i < s->nr_unsynced; i++)
		vdsplex_plex_io_done(s->unsynced[i]);
	s->nr_unsynced = 0;
	return slots;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_recorded_slots);
#endif

/*
 * Flush the snapshot's plexes.  A plex that fails its flush may have lost
 * writes it acknowledged: it fails (unless it is the last in-sync plex),
 * and the write-intent bits this commit was to clear stay on disk.
 * Returns true when a flush failed.
 */
static bool vdsplex_md_flush_plexes(struct vdsplex_volume *vol,
				    struct vdsplex_md_snap *s)
{
	struct vdsplex_md *md = vol->meta;
	unsigned long failed = 0, irqf;
	unsigned int i, alive;

	for (i = 0; i < s->nr_flush; i++)
		if (blkdev_issue_flush(s->flush_bdev[i]))
			__set_bit(i, &failed);
	if (failed) {
		spin_lock_irqsave(&vol->state_lock, irqf);
		for (i = 0; i < s->nr_flush; i++) {
			struct vdsplex_plex *p = s->flush[i];

			if (!test_bit(i, &failed) ||
			    p->state == VDSPLEX_PLEX_DEAD)
				continue;
			atomic_inc(&p->write_errors);
			alive = __vdsplex_alive_count(vol);
			if (p->state != VDSPLEX_PLEX_ALIVE || alive > 1)
				__vdsplex_plex_fail(vol, p);
		}
		/* the regions whose bits were to go keep them */
		bitmap_or(md->wi_disk, md->wi_disk, md->wi_cleared,
			  vol->nr_regions);
		bitmap_or(md->wi_image, md->wi_image, md->wi_cleared,
			  vol->nr_regions);
		spin_unlock_irqrestore(&vol->state_lock, irqf);
		DMERR("%s: a plex failed a flush", dm_device_name(vol->md));
		vdsplex_raise_event(vol);
	}
	for (i = 0; i < s->nr_flush; i++)
		vdsplex_plex_io_done(s->flush[i]);
	s->nr_flush = 0;
	return failed;
}

/*
 * Block 1, then block 0, each written and flushed on its own: on disk the
 * plex table is never older than the superblock, and one a commit ahead
 * (a crash between the two) is taken by vdsplex_md_plexes_decode().
 */
static int vdsplex_md_write_header_blocks(struct vdsplex_md *md,
					  const struct vdsplex_md_snap *s)
{
	struct dm_buffer *buf;
	void *block;
	int r;

	/* a version 1 device becomes version 2 here: block 1 gets a tag */
	md->sb.version = VDSPLEX_MD_VERSION;
	block = dm_bufio_new(md->bufio, 1, &buf);
	if (IS_ERR(block))
		return PTR_ERR(block);
	vdsplex_md_plexes_encode(s->rec, &md->sb, block);
	dm_bufio_mark_buffer_dirty(buf);
	dm_bufio_release(buf);
	r = dm_bufio_write_dirty_buffers(md->bufio);
	if (r)
		return r;

	block = dm_bufio_new(md->bufio, 0, &buf);
	if (IS_ERR(block))
		return PTR_ERR(block);
	vdsplex_md_super_encode(&md->sb, block);
	dm_bufio_mark_buffer_dirty(buf);
	dm_bufio_release(buf);
	return dm_bufio_write_dirty_buffers(md->bufio);
}

/*
 * A write to @region may go to the plexes: its write-intent bit is on disk,
 * and the disk does not say "discarded" of a region a write made current.
 */
static bool __vdsplex_md_on_disk(struct vdsplex_volume *vol, u64 region)
{
	struct vdsplex_md *md = vol->meta;

	/* a commit in progress may be writing "discarded" for it: wait too */
	return test_bit(region, md->wi_disk) &&
	       (!test_bit(region, md->disc_disk) ||
		test_bit(region, vol->discarded)) &&
	       !(md->disc_write && test_bit(region, md->disc_image) &&
		 !test_bit(region, vol->discarded));
}

/*
 * Is remove_plex draining a plex?  Until the commit that drops it from the
 * plex table, the metadata still says it is in sync, while the writes
 * since it started draining did not reach it: their bits must stay.
 */
static bool __vdsplex_md_removing(struct vdsplex_volume *vol)
{
	struct vdsplex_ctx *ctx = vol->active;
	unsigned int i;

	for (i = 0; ctx && i < ctx->nr_legs; i++)
		if (ctx->legs[i].plex->removing)
			return true;
	return false;
}

/**
 * __vdsplex_md_prepare() - decide the write-intent bitmap a commit writes.
 * @vol: the volume.
 * @flags: VDSPLEX_COMMIT_*.
 * @cleared: set when bits leave the on-disk set (the plexes must be
 *	flushed before the bitmap is written).
 *
 * The requested bits move to md->wi_commit; a sweep drops the regions
 * written to since the last sweep or with writes in flight from the
 * candidates, and clears nothing while a plex is being removed or a plex
 * state change is not yet committed (__vdsplex_change()); neither a sweep
 * nor a clean commit clears the bit of a region in vol->unsynced (an
 * in-sync plex lacks it, which nothing else on disk says), and a clean
 * commit clears none while a plex state change is not committed either;
 * md->wi_image gets what goes to disk.
 *
 * Context: vol->state_lock and md->commit_lock held.
 * Return: true when bits were requested.
 */
VISIBLE_IF_KUNIT bool __vdsplex_md_prepare(struct vdsplex_volume *vol,
					   unsigned int flags, bool *cleared)
{
	struct vdsplex_md *md = vol->meta;
	u64 nr = vol->nr_regions, region;

	lockdep_assert_held(&vol->state_lock);
	*cleared = false;
	bitmap_zero(md->wi_cleared, nr);
	if ((flags & VDSPLEX_COMMIT_CLEAN) &&
	    vol->change_seq == vol->committed_seq) {
		/*
		 * Every bit but those of the dirty regions some in-sync plex
		 * still lacks; none while a plex state change is not on disk
		 * (this commit writes the bitmap before the plex table).
		 */
		bitmap_andnot(md->wi_cleared, md->wi_disk, vol->unsynced, nr);
		*cleared = !bitmap_empty(md->wi_cleared, nr);
		bitmap_and(md->wi_disk, md->wi_disk, vol->unsynced, nr);
	} else if ((flags & VDSPLEX_COMMIT_SWEEP) && !__vdsplex_md_removing(vol) &&
		   vol->change_seq == vol->committed_seq) {
		for_each_set_bit(region, md->wi_disk, nr) {
			if (test_bit(region, md->wi_touched) ||
			    test_bit(region, vol->unsynced) ||
			    !vdsplex_region_idle(vol, region))
				continue;
			/* New writes to it park from now on. */
			clear_bit(region, md->wi_disk);
			set_bit(region, md->wi_cleared);
			*cleared = true;
		}
		bitmap_zero(md->wi_touched, nr);
	}
	bitmap_copy(md->wi_commit, md->wi_want, nr);
	bitmap_zero(md->wi_want, nr);
	bitmap_or(md->wi_image, md->wi_disk, md->wi_commit, nr);
	bitmap_copy(md->disc_image, vol->discarded, nr);
	md->disc_write = !bitmap_equal(md->disc_image, md->disc_disk, nr);
	return !bitmap_empty(md->wi_commit, nr);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_md_prepare);

/**
 * __vdsplex_md_done() - a commit ended: release the writes it was for.
 * @vol: the volume.
 * @ok: the bitmap reached the disk.
 * @ready: gets the parked writes whose bit is on disk (all of them once
 *	the metadata failed).
 *
 * Context: vol->state_lock and md->commit_lock held.
 * Return: the active instance to send @ready to (NULL: none, @ready empty).
 */
VISIBLE_IF_KUNIT struct vdsplex_ctx *__vdsplex_md_done(struct vdsplex_volume *vol,
						       bool ok,
						       struct bio_list *ready)
{
	struct vdsplex_md *md = vol->meta;
	struct bio_list keep = BIO_EMPTY_LIST;
	struct vdsplex_ctx *ctx = vol->active;
	struct bio *bio;

	lockdep_assert_held(&vol->state_lock);
	if (ok) {
		bitmap_or(md->wi_disk, md->wi_disk, md->wi_commit,
			  vol->nr_regions);
		if (md->disc_write)
			bitmap_copy(md->disc_disk, md->disc_image,
				    vol->nr_regions);
	} else {	/* asked again by the next commit */
		bitmap_or(md->wi_want, md->wi_want, md->wi_commit,
			  vol->nr_regions);
	}
	md->disc_write = false;
	bitmap_zero(md->wi_commit, vol->nr_regions);
	if (!ctx)
		return NULL;
	while ((bio = bio_list_pop(&md->parked))) {
		u64 region = dm_target_offset(ctx->ti, bio->bi_iter.bi_sector) >>
			     vol->region_shift;

		if (md->failed || __vdsplex_md_on_disk(vol, region))
			bio_list_add(ready, bio);
		else
			bio_list_add(&keep, bio);
	}
	md->parked = keep;
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_md_done);

/**
 * vdsplex_md_commit() - write the volume's state to its metadata device.
 * @vol: the volume.
 * @flags: VDSPLEX_COMMIT_FULL (plex records, superblock, in-sync bitmaps),
 *	VDSPLEX_COMMIT_SWEEP (clear idle write-intent bits), VDSPLEX_COMMIT_CLEAN
 *	(no I/O is in flight: clear the write-intent bits but those of
 *	vol->unsynced, none while a plex state change is pending, and mark the
 *	superblock clean when none is left).  Requested write-intent bits are
 *	always written.
 *
 * A full commit that succeeds records every plex state change counted
 * before its snapshot (__vdsplex_change()): the writes held for them may
 * complete.
 *
 * Context: process, may sleep; takes md->sync_lock, md->commit_lock and
 * vol->state_lock.  The plexes whose bitmaps it writes are pinned by their
 * pending count, so callers need not hold vol->lock.
 * Return: 0, or a negative errno (the metadata is then failed).
 */
int vdsplex_md_commit(struct vdsplex_volume *vol, unsigned int flags)
{
	struct vdsplex_md *md = vol->meta;
	struct bio_list ready = BIO_EMPTY_LIST;
	bool full = flags & VDSPLEX_COMMIT_FULL;
	/* the in-sync bits may be written: freeze them (see the top) */
	bool bits = flags & (VDSPLEX_COMMIT_FULL | VDSPLEX_COMMIT_SWEEP |
			     VDSPLEX_COMMIT_CLEAN);
	struct vdsplex_md_snap *s;
	struct vdsplex_ctx *ctx;
	unsigned long irqf, seq = 0;
	bool cleared = false, want = false;
	unsigned int i;
	int r = 0;

	/* No device: KUnit's fixtures have the state without one. */
	if (!md || !md->bufio)
		return 0;
	if (bits)
		mutex_lock(&md->sync_lock);
	mutex_lock(&md->commit_lock);
	s = md->snap;
	if (md->failed) {
		r = -EIO;
		goto out;
	}
	if (flags & VDSPLEX_COMMIT_SWEEP)
		md->last_sweep = ktime_get_ns();

	spin_lock_irqsave(&vol->state_lock, irqf);
	want = __vdsplex_md_prepare(vol, flags, &cleared);
	__vdsplex_md_snapshot(vol, s, cleared || full);
	/* the plex state changes this full commit records */
	seq = vol->change_seq;
	if (full) {
		md->sb.resync_cursor = vol->checkpoint;
		md->sb.next_plex_id = vol->next_plex_id;
		md->sb.nr_plexes = s->nr_plexes;
		/* CLEAN only with no write-intent bit left on disk */
		if ((flags & VDSPLEX_COMMIT_CLEAN) &&
		    bitmap_empty(md->wi_image, vol->nr_regions))
			md->sb.flags |= VDSPLEX_MD_CLEAN;
		else
			md->sb.flags &= ~VDSPLEX_MD_CLEAN;
	}
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	if (!want && !cleared && !full && !md->disc_write)
		goto out;

	/*
	 * Make what the bits describe stable first: the copies behind the
	 * in-sync bits (frozen by sync_lock) and the writes to the regions
	 * whose write-intent bits go.  Only then are buffers dirtied, since
	 * dm-bufio may write a dirty buffer at any time.
	 */
	if (vdsplex_md_flush_plexes(vol, s))
		cleared = false;	/* the bits stay (wi_image has them) */
	/*
	 * The plexes' bitmaps reach the disk before write-intent bits go: a
	 * region a dead or recovering plex missed stays known either way.
	 */
	if (full || cleared) {
		for (i = 0; !r && i < s->nr_unsynced; i++) {
			u64 start = vdsplex_md_in_sync_block(&md->layout,
							     s->unsynced_slot[i]);

			r = vdsplex_md_put_bitmap(md, start,
						  s->unsynced[i]->in_sync,
						  vol->nr_regions);
		}
		if (!r && cleared)
			r = dm_bufio_write_dirty_buffers(md->bufio);
	}
	if (!r)
		r = vdsplex_md_put_bitmap(md, md->layout.write_intent,
					  md->wi_image, vol->nr_regions);
	if (!r && (md->disc_write || full))
		r = vdsplex_md_put_bitmap(md, md->layout.discarded,
					  md->disc_image, vol->nr_regions);
	if (!r)
		r = dm_bufio_write_dirty_buffers(md->bufio);
	if (!r && full && s->have_records) {
		u64 gen = md->sb.generation++;

		r = vdsplex_md_write_header_blocks(md, s);
		/*
		 * Block 1 of the failed commit may be on disk: the commit that
		 * revives the device reuses its generation, so the table stays
		 * at most one commit ahead of block 0.
		 */
		if (r)
			md->sb.generation = gen;
	}
	atomic64_inc(&md->commits);
	if (r)
		vdsplex_md_set_failed(vol, r, "a commit");
out:
	for (i = 0; i < s->nr_unsynced; i++)
		vdsplex_plex_io_done(s->unsynced[i]);
	s->nr_unsynced = 0;
	spin_lock_irqsave(&vol->state_lock, irqf);
	ctx = __vdsplex_md_done(vol, !r, &ready);
	/* writes held for those changes may be acknowledged now */
	if (!r && full && s->have_records &&
	    (long)(seq - vol->committed_seq) > 0)
		WRITE_ONCE(vol->committed_seq, seq);
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	mutex_unlock(&md->commit_lock);
	if (bits)
		mutex_unlock(&md->sync_lock);
	if (ctx)
		vdsplex_submit_deferred(ctx, &ready);
	return r;
}

/**
 * vdsplex_md_revive() - try a failed metadata device again.
 * @vol: the volume, suspended: no write is in flight.
 *
 * What the disk holds after failed writes is unknown, so every cached block
 * is forgotten and a full commit rewrites the superblock, the plex table
 * and every bitmap that matters from memory, the plexes that died meanwhile
 * included.  The writes that ran unlogged meanwhile reached every plex that
 * is not dead, and the full commit flushes those plexes before it writes
 * anything (the suspend's own commit returned early, the device being
 * failed), so the write-intent log written now is correct.
 *
 * Context: process, may sleep; vol->lock held.
 * Return: 0 when the metadata works (again), or a negative errno (it stays
 * failed).
 */
int vdsplex_md_revive(struct vdsplex_volume *vol)
{
	struct vdsplex_md *md = vol->meta;
	unsigned long irqf;
	int r;

	lockdep_assert_held(&vol->lock);
	if (!md || !md->bufio || !READ_ONCE(md->failed))
		return 0;
	mutex_lock(&md->sync_lock);
	mutex_lock(&md->commit_lock);
	dm_bufio_forget_buffers(md->bufio, 0,
				dm_bufio_get_device_size(md->bufio));
	spin_lock_irqsave(&vol->state_lock, irqf);
	md->failed = false;
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	mutex_unlock(&md->commit_lock);
	mutex_unlock(&md->sync_lock);
	r = vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	if (!r) {
		DMINFO("%s: metadata device works again: rewritten from memory",
		       dm_device_name(vol->md));
		vdsplex_raise_event(vol);
	}
	return r;
}

/**
 * vdsplex_md_bits_lock() - hold off full commits while in-sync bits change.
 * @vol: the volume.
 *
 * The resync thread sets a region's in-sync bits under this lock, so a full
 * commit, which flushes the plexes before it writes the bits, never writes
 * a bit whose copy it did not flush.
 *
 * Context: process, may sleep; not under vol->state_lock.
 */
void vdsplex_md_bits_lock(struct vdsplex_volume *vol)
{
	if (vol->meta)
		mutex_lock(&vol->meta->sync_lock);
}

/**
 * vdsplex_md_bits_unlock() - release vdsplex_md_bits_lock().
 * @vol: the volume.
 *
 * Context: process.
 */
void vdsplex_md_bits_unlock(struct vdsplex_volume *vol)
{
	if (vol->meta)
		mutex_unlock(&vol->meta->sync_lock);
}

static void vdsplex_md_commit_work(struct work_struct *work)
{
	struct vdsplex_md *md = container_of(to_delayed_work(work),
					     struct vdsplex_md, commit_work);
	struct vdsplex_volume *vol = md->vol;
	unsigned int flags = 0;
	unsigned long irqf;
	bool again;

	if (!md->bufio)
		return;
	if (ktime_get_ns() - READ_ONCE(md->last_sweep) >= VDSPLEX_MD_SWEEP_NS)
		flags |= VDSPLEX_COMMIT_SWEEP;
	vdsplex_md_commit(vol, flags);
	spin_lock_irqsave(&vol->state_lock, irqf);
	again = !md->failed && !bitmap_empty(md->wi_disk, vol->nr_regions);
	spin_unlock_irqrestore(&vol->state_lock, irqf);
	/* Come back for the next sweep while bits are set. */
	if (again)
		queue_delayed_work(vdsplex_wq, &md->commit_work,
				   nsecs_to_jiffies(VDSPLEX_MD_SWEEP_NS));
}

/**
 * __vdsplex_md_lost_cache() - a plex failed: the regions written recently
 * may be only in its lost volatile cache.
 * @vol: the volume.
 * @p: the plex, failing now.
 *
 * The regions whose write-intent bit is on disk were written since their
 * last sweep, which flushed every plex; the others are on the plex's
 * media.  The former leave @p's in-sync bitmap, so readd_plex copies them.
 * Core mode keeps no such log: nothing changes.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_md_lost_cache(struct vdsplex_volume *vol,
			     struct vdsplex_plex *p)
{
	lockdep_assert_held(&vol->state_lock);
	if (!vol->meta)
		return;
	bitmap_andnot(p->in_sync, p->in_sync, vol->meta->wi_disk,
		      vol->nr_regions);
	p->synced = bitmap_weight(p->in_sync, vol->nr_regions);
}

/**
 * vdsplex_md_write_admit() - may a write to @region go to the plexes now?
 * @vol: the volume.
 * @region: the region the write is to.
 * @bio: the write; parked when its region's bit is not on disk yet.
 *
 * Context: vol->state_lock held (map, or the resync thread's resubmission).
 * Return: true to go on, false when @bio was parked.
 */
bool vdsplex_md_write_admit(struct vdsplex_volume *vol, u64 region,
			    struct bio *bio)
{
	struct vdsplex_md *md = vol->meta;

	lockdep_assert_held(&vol->state_lock);
	if (!md || md->failed)
		return true;
	__set_bit(region, md->wi_touched);
	if (likely(__vdsplex_md_on_disk(vol, region)))
		return true;
	__set_bit(region, md->wi_want);
	bio_list_add(&md->parked, bio);
	mod_delayed_work(vdsplex_wq, &md->commit_work, 0);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_write_admit);

/**
 * vdsplex_md_quiesce() - wait for the commit work; parked writes go out.
 * @vol: the volume.
 *
 * Context: process, may sleep; vol->lock not held.
 */
void vdsplex_md_quiesce(struct vdsplex_volume *vol)
{
	if (vol->meta)
		flush_delayed_work(&vol->meta->commit_work);
}

/**
 * vdsplex_md_failed() - has the volume's metadata device failed?
 * @vol: the volume.
 *
 * Context: any.
 * Return: true when it failed; false in core mode.
 */
bool vdsplex_md_failed(struct vdsplex_volume *vol)
{
	return vol->meta && READ_ONCE(vol->meta->failed);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_failed);

/**
 * vdsplex_md_commits() - metadata commits so far (statistics).
 * @vol: the volume.
 *
 * Context: any.
 * Return: the count; 0 in core mode.
 */
u64 vdsplex_md_commits(struct vdsplex_volume *vol)
{
	return vol->meta ? atomic64_read(&vol->meta->commits) : 0;
}

/**
 * vdsplex_md_devt() - the metadata device of a volume.
 * @vol: the volume.
 *
 * Context: any.
 * Return: its device number; 0 in core mode.
 */
dev_t vdsplex_md_devt(struct vdsplex_volume *vol)
{
	return vol->meta ? vol->meta->devt : 0;
}

/**
 * vdsplex_md_extent() - sectors at the start of the metadata device that
 * the metadata of a volume of @nr_regions regions uses.
 * @nr_regions: the volume's regions.
 *
 * Context: any.
 * Return: sectors.
 */
sector_t vdsplex_md_extent(u64 nr_regions)
{
	struct vdsplex_md_layout l;

	vdsplex_md_layout(nr_regions, &l);
	return l.nr_blocks * VDSPLEX_MD_BLOCK_SECTORS;
}

/**
 * vdsplex_md_free() - free metadata state from vdsplex_md_alloc().
 * @md: the state, or NULL.
 *
 * Context: process, may sleep.
 */
VISIBLE_IF_KUNIT void vdsplex_md_free(struct vdsplex_md *md)
{
	if (!md)
		return;
	if (md->bufio)
		dm_bufio_client_destroy(md->bufio);
	kvfree(md->wi_disk);
	kvfree(md->wi_want);
	kvfree(md->wi_touched);
	kvfree(md->wi_commit);
	kvfree(md->wi_image);
	kvfree(md->wi_cleared);
	kvfree(md->disc_disk);
	kvfree(md->disc_image);
	kfree(md->snap);
	mutex_destroy(&md->commit_lock);
	mutex_destroy(&md->sync_lock);
	kfree(md);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_free);

/**
 * vdsplex_md_alloc() - metadata state for @vol, not yet on a device.
 * @vol: the volume (its region count sizes the bitmaps).
 *
 * Context: process, may sleep.
 * Return: the state, or NULL.
 */
VISIBLE_IF_KUNIT struct vdsplex_md *vdsplex_md_alloc(struct vdsplex_volume *vol)
{
	struct vdsplex_md *md = kzalloc(sizeof(*md), GFP_KERNEL);

	if (!md)
		return NULL;
	mutex_init(&md->commit_lock);
	mutex_init(&md->sync_lock);
	INIT_DELAYED_WORK(&md->commit_work, vdsplex_md_commit_work);
	bio_list_init(&md->parked);
	atomic64_set(&md->commits, 0);
	md->vol = vol;
	md->last_sweep = ktime_get_ns();
	vdsplex_md_layout(vol->nr_regions, &md->layout);
	md->wi_disk = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->wi_want = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->wi_touched = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->wi_commit = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->wi_image = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->wi_cleared = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->disc_disk = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->disc_image = vdsplex_md_bitmap_alloc(vol->nr_regions);
	md->snap = kzalloc(sizeof(*md->snap), GFP_KERNEL);
	if (!md->wi_disk || !md->wi_want || !md->wi_touched ||
	    !md->wi_commit || !md->wi_image || !md->wi_cleared ||
	    !md->disc_disk ||
	    !md->disc_image || !md->snap) {
		vdsplex_md_free(md);
		return NULL;
	}
	return md;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_alloc);

/**
 * vdsplex_md_destroy() - free the volume's metadata state.
 * @vol: the volume; no write is parked (the volume was suspended).
 *
 * Called by the destructor of the volume's last table instance, before it
 * puts the metadata device.
 *
 * Context: process, may sleep.
 */
void vdsplex_md_destroy(struct vdsplex_volume *vol)
{
	struct vdsplex_md *md = vol->meta;

	if (!md)
		return;
	/* the event work commits without vol->lock */
	flush_work(&vol->event_work);
	cancel_delayed_work_sync(&md->commit_work);
	WARN_ON(!bio_list_empty(&md->parked));
	vol->meta = NULL;
	vdsplex_md_free(md);
}

/* Format a new metadata device: every block written, sealed. */
static int vdsplex_md_format(struct vdsplex_volume *vol, struct vdsplex_md *md)
{
	struct vdsplex_md_snap *s;
	struct dm_buffer *buf;
	void *block;
	u64 b;
	int r;

	md->sb = (struct vdsplex_md_super) {
		.version = VDSPLEX_MD_VERSION,
		.flags = VDSPLEX_MD_CLEAN,
		.generation = 1,
		.volume_sectors = vol->len,
		.region_size = vol->region_size,
		.bitmap_blocks = md->layout.bitmap_blocks,
		.nr_regions = vol->nr_regions,
		.next_plex_id = 1,
	};
	get_random_bytes(md->sb.uuid, sizeof(md->sb.uuid));
	for (b = md->layout.write_intent; b < md->layout.nr_blocks; b++) {
		block = dm_bufio_new(md->bufio, b, &buf);
		if (IS_ERR(block))
			return PTR_ERR(block);
		memset(block, 0, VDSPLEX_MD_BLOCK_SIZE);
		vdsplex_md_bitmap_seal(block, b);
		dm_bufio_mark_buffer_dirty(buf);
		dm_bufio_release(buf);
		if (!(b % 256)) {
			r = dm_bufio_write_dirty_buffers(md->bufio);
			if (r)
				return r;
		}
	}
	r = dm_bufio_write_dirty_buffers(md->bufio);
	if (r)
		return r;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	r = vdsplex_md_write_header_blocks(md, s);
	kfree(s);
	return r;
}

/*
 * Read the superblock and plex table; @fresh set when the device was all
 * zero and got formatted.
 */
static int vdsplex_md_read(struct vdsplex_volume *vol, struct vdsplex_md *md,
			   struct vdsplex_md_plex *rec, bool *fresh,
			   char **error)
{
	struct dm_buffer *buf;
	void *block;
	int r;

	*fresh = false;
	block = dm_bufio_read(md->bufio, 0, &buf);
	if (IS_ERR(block)) {
		*error = "metadata: cannot read the superblock";
		return PTR_ERR(block);
	}
	if (vdsplex_md_block_is_zero(block)) {
		dm_bufio_release(buf);
		/*
		 * A blank device is formatted; a zeroed superblock in front of
		 * a plex table with records is damage, and formatting would
		 * forget which plexes hold the data.  (An empty table is a
		 * first format cut short: block 1 may land before block 0.)
		 */
		block = dm_bufio_read(md->bufio, 1, &buf);
		if (IS_ERR(block)) {
			*error = "metadata: cannot read the plex table";
			return PTR_ERR(block);
		}
		r = memchr_inv(block + VDSPLEX_MD_HEADER_SIZE, 0,
			       VDSPLEX_MD_MAX_PLEXES *
			       sizeof(struct vdsplex_disk_plex)) ? -EINVAL : 0;
		dm_bufio_release(buf);
		if (r) {
			*error = "metadata: zeroed superblock before a plex table";
			return r;
		}
		*fresh = true;
		r = vdsplex_md_format(vol, md);
		if (r)
			*error = "metadata: cannot format the device";
		return r;
	}
	r = vdsplex_md_super_decode(block, &md->sb, error);
	dm_bufio_release(buf);
	if (r)
		return r;
	r = vdsplex_md_super_check_table(&md->sb, vol->len, vol->region_size,
					 error);
	if (r)
		return r;
	block = dm_bufio_read(md->bufio, 1, &buf);
	if (IS_ERR(block)) {
		*error = "metadata: cannot read the plex table";
		return PTR_ERR(block);
	}
	r = vdsplex_md_plexes_decode(block, &md->sb, rec, error);
	dm_bufio_release(buf);
	if (!r && md->sb.table_newer)
		DMWARN("%s: metadata: commit %llu cut short after the plex table, taken",
		       dm_device_name(vol->md), md->sb.generation);
	return r;
}

/**
 * vdsplex_md_mark_dirty() - at activation, with write-intent bits on disk
 * (an unclean shutdown, or a stop during their resync): the regions in
 * @dirty may differ between the plexes.
 * @ctx: the instance whose legs' plexes have their recorded state.
 * @dirty: the write-intent bitmap as found on disk.
 * @src: the table index of the source plex, or -1.
 *
 * Every plex but the source loses the dirty regions (a dead one as regions
 * it missed, for readd_plex).  An in-sync plex stays in sync (ALIVE) but
 * for them: when there is one, they go to vol->unsynced, reads of them go
 * to the plexes that hold them (the source) until
 * the resync ("resync", not "recover") has copied them, and writes count on
 * it as on any in-sync plex (Documentation/design.rst, "Dirty regions after
 * an unclean shutdown").
 *
 * Context: process, before the instance is active; takes vol->state_lock.
 */
VISIBLE_IF_KUNIT void vdsplex_md_mark_dirty(struct vdsplex_ctx *ctx,
					    const unsigned long *dirty, int src)
{
	struct vdsplex_volume *vol = ctx->vol;
	u64 nr = vol->nr_regions;
	unsigned long flags;
	bool lacking = false;
	unsigned int i;

	spin_lock_irqsave(&vol->state_lock, flags);
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p->state == VDSPLEX_PLEX_NEW)
			continue;
		if (p->state == VDSPLEX_PLEX_ALIVE) {
			bitmap_zero(p->in_sync, nr);
			bitmap_set(p->in_sync, 0, nr);
			p->synced = nr;
		}
		if ((int)i == src)
			continue;
		if (p->state == VDSPLEX_PLEX_ALIVE)
			lacking = true;
		/* a dead or stale plex: the dirty regions count as missed */
		bitmap_andnot(p->in_sync, p->in_sync, dirty, nr);
		p->synced = bitmap_weight(p->in_sync, nr);
		vol->rescan = true;
	}
	if (lacking) {
		bitmap_or(vol->unsynced, vol->unsynced, dirty, nr);
		vol->nr_unsynced = bitmap_weight(vol->unsynced, nr);
		vol->unclean = true;
	}
	spin_unlock_irqrestore(&vol->state_lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_mark_dirty);

/* Give the legs' plexes the state their records hold. */
static int vdsplex_md_apply(struct vdsplex_ctx *ctx,
			    const struct vdsplex_md_plex *rec, char **error)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_md *md = vol->meta;
	bool unclean = !(md->sb.flags & VDSPLEX_MD_CLEAN);
	unsigned int i, s, nr_added = 0;
	struct vdsplex_plex *p;
	int src = -1, r;

	vol->next_plex_id = md->sb.next_plex_id;
	vol->checkpoint = md->sb.resync_cursor;
	for (i = 0; i < ctx->nr_legs; i++) {
		p = ctx->legs[i].plex;
		p->id = 0;
		for (s = 0; s < VDSPLEX_MD_MAX_PLEXES; s++) {
			if (rec[s].id && MKDEV(rec[s].dev_major,
					       rec[s].dev_minor) == p->devt &&
			    rec[s].offset == p->offset)
				break;
		}
		if (s == VDSPLEX_MD_MAX_PLEXES) {
			/* Not in the metadata: a new plex, stale. */
			p->id = vol->next_plex_id++;
			continue;
		}
		p->id = rec[s].id;
		p->slot = s;
		memcpy(p->identity, rec[s].identity, sizeof(p->identity));
		atomic_set(&p->read_errors, rec[s].read_errors);
		atomic_set(&p->write_errors, rec[s].write_errors);
		switch (rec[s].state) {
		case VDSPLEX_MD_ALIVE:
			p->state = VDSPLEX_PLEX_ALIVE;
			break;
		default:
			p->state = rec[s].state == VDSPLEX_MD_DEAD ?
				   VDSPLEX_PLEX_DEAD : VDSPLEX_PLEX_STALE;
			r = vdsplex_md_get_bitmap(md, md->layout.in_sync +
						  (u64)s * md->layout.bitmap_blocks,
						  p->in_sync, vol->nr_regions,
						  error);
			if (r)
				return r;
			p->synced = bitmap_weight(p->in_sync, vol->nr_regions);
			vol->rescan = true;
			if (p->state == VDSPLEX_PLEX_STALE &&
			    (rec[s].flags & VDSPLEX_MD_PLEX_ADDED)) {
				p->added = true;
				nr_added++;
			}
			break;
		}
		if (p->state == VDSPLEX_PLEX_ALIVE &&
		    (src < 0 || (ctx->legs[src].write_mostly &&
				 !ctx->legs[i].write_mostly)))
			src = i;
	}
	if (src < 0) {
		*error = "metadata: no table plex is recorded in sync (renamed devices?)";
		return -EINVAL;
	}
	for (s = 0; s < VDSPLEX_MD_MAX_PLEXES; s++) {
		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex->slot == (int)s)
				break;
		if (rec[s].id && i == ctx->nr_legs)
			DMWARN("%s: plex id %llu '%s' (%u:%u) not in the table: dropped",
			       dm_device_name(vol->md), rec[s].id,
			       rec[s].identity, rec[s].dev_major,
			       rec[s].dev_minor);
	}
	/* Two table plexes must not claim one record. */
	for (i = 0; i < ctx->nr_legs; i++)
		for (s = 0; s < i; s++)
			if (ctx->legs[i].plex->slot >= 0 &&
			    ctx->legs[i].plex->slot == ctx->legs[s].plex->slot) {
				*error = vdsplex_errorf("metadata: plexes %u, %u share a record",
							s, i);
				return -EINVAL;
			}

	r = vdsplex_md_get_bitmap(md, md->layout.write_intent, md->wi_disk,
				  vol->nr_regions, error);
	if (r)
		return r;
	r = vdsplex_md_get_bitmap(md, md->layout.discarded, md->disc_disk,
				  vol->nr_regions, error);
	if (r)
		return r;
	bitmap_copy(vol->discarded, md->disc_disk, vol->nr_regions);
	/*
	 * Bits left on disk are dirty regions, CLEAN or not: a stop in the
	 * middle of their resync leaves them, and CLEAN unset.
	 */
	if (!bitmap_empty(md->wi_disk, vol->nr_regions)) {
		vdsplex_md_mark_dirty(ctx, md->wi_disk, src);
		DMINFO("%s: %u dirty regions to resync (%s)",
		       dm_device_name(vol->md),
		       bitmap_weight(md->wi_disk, vol->nr_regions),
		       unclean ? "unclean shutdown, or a stop during their resync" :
		       "left by a clean stop");
	}
	if (nr_added) {
		/* An AddPlex was running: OPEN_ASYNC finds it again. */
		struct vdsplex_op *op = vdsplex_op_create(vol->devt, vol->len,
							  vdsplex_cancel_op);

		if (!op) {
			*error = "Cannot allocate the resumed AddPlex";
			return -ENOMEM;
		}
		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex->added)
				vdsplex_op_add_plex(op, ctx->legs[i].plex->id, i);
		vol->op = op;
		vol->op_pending = nr_added;
		vol->op_ok = 0;
		vol->op_canceled = 0;
		DMINFO("%s: resuming the AddPlex of %u plex(es)",
		       dm_device_name(vol->md), nr_added);
	}
	return 0;
}

/**
 * vdsplex_md_open() - set up the volume's metadata from @dev.
 * @ctx: the volume's first table instance, its legs opened.
 * @dev: the metadata device.
 * @path: the device as the table names it, for messages.
 * @error: set to a sentence naming the problem on failure.
 *
 * A device whose superblock is all zero is formatted; otherwise the metadata
 * is validated (never written when invalid) and the plexes it records get
 * their state back.
 *
 * Context: process, may sleep; vol->lock held.
 * Return: 0 or a negative errno.
 */
int vdsplex_md_open(struct vdsplex_ctx *ctx, struct dm_dev *dev,
		    const char *path, char **error)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_md_plex *rec;
	struct vdsplex_md *md;
	bool fresh;
	int r;

	lockdep_assert_held(&vol->lock);
	md = vdsplex_md_alloc(vol);
	rec = kcalloc(VDSPLEX_MD_MAX_PLEXES, sizeof(*rec), GFP_KERNEL);
	if (!md || !rec) {
		vdsplex_md_free(md);
		kfree(rec);
		*error = "Cannot allocate the metadata state";
		return -ENOMEM;
	}
	md->devt = dev->bdev->bd_dev;
	if (bdev_nr_sectors(dev->bdev) <
	    md->layout.nr_blocks * VDSPLEX_MD_BLOCK_SECTORS) {
		*error = vdsplex_errorf("metadata_dev '%s' has %llu sectors, needs %llu",
					path,
					(unsigned long long)bdev_nr_sectors(dev->bdev),
					md->layout.nr_blocks * VDSPLEX_MD_BLOCK_SECTORS);
		r = -EINVAL;
		goto bad;
	}
	md->bufio = dm_bufio_client_create(dev->bdev, VDSPLEX_MD_BLOCK_SIZE, 1,
					   0, NULL, NULL, 0);
	if (IS_ERR(md->bufio)) {
		r = PTR_ERR(md->bufio);
		md->bufio = NULL;
		*error = "Cannot create the dm-bufio client";
		goto bad;
	}
	r = vdsplex_md_read(vol, md, rec, &fresh, error);
	if (r)
		goto bad;
	vol->meta = md;
	if (!fresh) {
		r = vdsplex_md_apply(ctx, rec, error);
		if (r) {
			vol->meta = NULL;
			goto bad;
		}
		/* The metadata, not the first activation, decides. */
		vol->ever_resumed = true;
	}
	kfree(rec);
	return 0;
bad:
	vdsplex_md_free(md);
	kfree(rec);
	return r;
}
