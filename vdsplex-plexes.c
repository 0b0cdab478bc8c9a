// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex plex-set operations of the live volume: AddPlex (attach one or
 * more plexes and start their resync), remove, cancel and identity.  The
 * dm messages (dm-vdsplex.c) and the control device (vdsplex-control.c)
 * both call these, so each rule and each VDS result lives in one place.
 *
 * Every function here runs with vol->lock held, on the volume's active
 * instance, and returns a VDS HRESULT; vdsplex_hresult_errno() turns it
 * into the errno the caller returns.  Locks: see dm-vdsplex.h.
 */

#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/module.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

/**
 * vdsplex_check_online() - may @ctx change the volume's plex set now?
 * @ctx: the table instance a message or call is for.
 * @what: the operation, for the log.
 *
 * It must be the resumed instance, not suspended nor being suspended, and
 * no inactive table may be loaded (it would not know the change).
 *
 * Context: process; vol->lock held.
 * Return: 0 or VDS_E_VOLUME_NOT_ONLINE.
 */
u32 vdsplex_check_online(struct vdsplex_ctx *ctx, const char *what)
{
	struct vdsplex_volume *vol = ctx->vol;

	lockdep_assert_held(&vol->lock);
	if (vol->active != ctx || ctx->quiesced || dm_suspended(ctx->ti)) {
		DMWARN("%s: %s: the volume is not online (suspended or not resumed)",
		       dm_device_name(vol->md), what);
		return VDS_E_VOLUME_NOT_ONLINE;
	}
	if (!list_is_singular(&vol->instances)) {
		DMWARN("%s: %s: an inactive table is loaded; resume or clear it first",
		       dm_device_name(vol->md), what);
		return VDS_E_VOLUME_NOT_ONLINE;
	}
	if (vdsplex_md_failed(vol)) {
		DMWARN("%s: %s: the metadata device has failed",
		       dm_device_name(vol->md), what);
		return VDS_E_VOLUME_NOT_ONLINE;
	}
	return 0;
}

/**
 * vdsplex_identity_valid() - is @name a valid plex identity?
 * @name: the name; need not be NUL-terminated within @size.
 * @size: bytes at @name (VDSPLEX_IDENTITY_LEN for ioctl structs).
 * @may_be_empty: an empty name is accepted.
 *
 * 1 to VDSPLEX_IDENTITY_LEN - 1 printable characters without spaces,
 * NUL-terminated within @size, and every byte after the NUL zero (so no
 * stale bytes from userspace reach the metadata).
 *
 * Context: any.
 * Return: true when valid.
 */
bool vdsplex_identity_valid(const char *name, size_t size, bool may_be_empty)
{
	size_t len = strnlen(name, size), i;

	if (len >= size || len >= VDSPLEX_IDENTITY_LEN)
		return false;
	if (!len && !may_be_empty)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(name[i]))
			return false;
	for (i = len; i < size; i++)
		if (name[i])
			return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_identity_valid);

/* Is leg @idx the last in-sync plex?  It may not be removed or failed. */
static bool __vdsplex_last_in_sync(struct vdsplex_ctx *ctx, unsigned int idx)
{
	unsigned int i;

	lockdep_assert_held(&ctx->vol->state_lock);
	if (ctx->legs[idx].plex->state != VDSPLEX_PLEX_ALIVE)
		return false;
	for (i = 0; i < ctx->nr_legs; i++)
		if (i != idx && vdsplex_plex_counts(ctx->legs[i].plex))
			return false;
	return true;
}

/**
 * vdsplex_last_in_sync() - may leg @idx be failed or removed?
 * @ctx: the active instance.
 * @idx: the leg.
 *
 * Context: vol->state_lock held.
 * Return: true (and a log line) when @idx is the last in-sync plex.
 */
bool vdsplex_last_in_sync(struct vdsplex_ctx *ctx, unsigned int idx)
{
	if (!__vdsplex_last_in_sync(ctx, idx))
		return false;
	DMWARN("%s: plex %u is the last in-sync plex",
	       dm_device_name(ctx->vol->md), idx);
	return true;
}

/*
 * Take the plexes of @ctx whose bits are set in @legs (leg indices) out of
 * the metadata while they still receive every write: they are marked
 * leaving and a full commit writes the plex table without them.  Only then
 * may they stop receiving writes: a crash at any point never finds a plex
 * recorded that misses an acknowledged write (Documentation/design.rst,
 * "The invariant"), and nothing needs to be held meanwhile.  When the
 * commit fails they stay as they were.  vol->lock held.
 * Return: 0 or the commit's negative errno.
 */
static int vdsplex_leave(struct vdsplex_ctx *ctx, unsigned long legs)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;
	unsigned int i;
	int r;

	lockdep_assert_held(&vol->lock);
	spin_lock_irqsave(&vol->state_lock, flags);
	for_each_set_bit(i, &legs, ctx->nr_legs)
		ctx->legs[i].plex->leaving = true;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	r = vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	if (!r)
		return 0;
	spin_lock_irqsave(&vol->state_lock, flags);
	for_each_set_bit(i, &legs, ctx->nr_legs)
		ctx->legs[i].plex->leaving = false;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	return r;
}

/*
 * Detach leg @idx, already out of the metadata (vdsplex_leave()), from the
 * active instance: no new I/O goes to it, the I/O in flight drains, the
 * device is flushed if @flush, then the leg leaves the table.  A target of
 * the running AddPlex leaves it as cancelled.  vol->lock held, resync
 * thread stopped.
 */
static void vdsplex_detach_leg(struct vdsplex_ctx *ctx, unsigned int idx,
			       bool flush)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_leg leg = ctx->legs[idx];
	unsigned long flags;

	lockdep_assert_held(&vol->lock);
	spin_lock_irqsave(&vol->state_lock, flags);
	WARN_ON_ONCE(!leg.plex->leaving);
	leg.plex->removing = true;
	__vdsplex_op_target_done(vol, leg.plex, VDS_E_OPERATION_CANCELED);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	wait_event(vol->drain_wait, !atomic_read(&leg.plex->pending));
	/* what it holds as it leaves is stable (a split-off copy) */
	if (flush && blkdev_issue_flush(leg.dev->bdev))
		DMWARN("%s: plex %u failed its flush as it left: it may lack writes",
		       dm_device_name(vol->md), idx);

	spin_lock_irqsave(&vol->state_lock, flags);
	memmove(&ctx->legs[idx], &ctx->legs[idx + 1],
		(ctx->nr_legs - idx - 1) * sizeof(ctx->legs[0]));
	ctx->nr_legs--;
	memset(&ctx->legs[ctx->nr_legs], 0, sizeof(ctx->legs[0]));
	spin_unlock_irqrestore(&vol->state_lock, flags);

	dm_put_device(ctx->ti, leg.dev);
	__vdsplex_plex_put(leg.plex);
}

/* The device number @path names ("major:minor" or a path), or 0. */
static dev_t vdsplex_path_devt(const char *path)
{
	unsigned int major, minor;
	dev_t devt;
	char dummy;

	if (sscanf(path, "%u:%u%c", &major, &minor, &dummy) == 2)
		return major < (1U << (32 - MINORBITS)) && minor <= MINORMASK ?
		       MKDEV(major, minor) : 0;
	return lookup_bdev(path, &devt) ? 0 : devt;
}

/*
 * A plex attached at run time joins a queue whose limits were stacked
 * without it (a reload would stack them again): it must accept every bio
 * those limits allow, and get every flush it needs.  The logical block size
 * is vdsplex_check_leg()'s; the buffers' DMA alignment, a virtual boundary
 * and a volatile write cache (a volume without one gets no flush from above)
 * are checked here.  A missing FUA needs no check: the block layer emulates
 * it with a flush.  Returns NULL, or a sentence naming the problem.
 */
static char *vdsplex_check_limits(struct vdsplex_volume *vol, const char *path,
				  struct block_device *bdev)
{
	struct request_queue *vq = bdev_get_queue(dm_disk(vol->md)->part0);
	struct request_queue *pq = bdev_get_queue(bdev);

	if (queue_dma_alignment(pq) > queue_dma_alignment(vq))
		return vdsplex_errorf("'%s' needs %u-byte aligned buffers, the volume %u",
				      path, queue_dma_alignment(pq) + 1,
				      queue_dma_alignment(vq) + 1);
	/* stacking keeps the smaller non-zero mask (blk_stack_limits()) */
	if (queue_virt_boundary(pq) &&
	    (!queue_virt_boundary(vq) ||
	     queue_virt_boundary(pq) < queue_virt_boundary(vq)))
		return vdsplex_errorf("'%s' has a virt boundary (%#lx) the volume lacks",
				      path, queue_virt_boundary(pq));
	/* a cache the volume does not advertise would never be flushed */
	if (bdev_write_cache(bdev) && !bdev_write_cache(dm_disk(vol->md)->part0))
		return vdsplex_errorf("'%s' has a volatile write cache, the volume does not",
				      path);
	return NULL;
}

/*
 * Open new plex @k (table position @pos) and check it against the plexes
 * before it (@devt/@offset hold @pos entries, the new one is added).
 */
static u32 vdsplex_open_new_plex(struct vdsplex_ctx *ctx,
				 const struct vdsplex_new_plex *np,
				 unsigned int pos, dev_t *devt,
				 sector_t *offset, struct dm_dev **devp)
{
	struct dm_target *ti = ctx->ti;
	struct vdsplex_volume *vol = ctx->vol;
	const char *name = dm_device_name(vol->md);
	struct block_device *bdev;
	unsigned int i, j;
	bool known = false;
	char *err;
	int r;

	if (vdsplex_path_devt(np->path) == vol->devt) {
		/* dm_get_device() refuses it with a plain -EINVAL */
		DMWARN("%s: add_plex: '%s' is the volume itself", name,
		       np->path);
		return VDS_E_DISK_IN_USE_BY_VOLUME;
	}
	r = dm_get_device(ti, np->path, dm_table_get_mode(ti->table), devp);
	if (r) {
		DMWARN("%s: add_plex: cannot open device '%s' (%d)", name,
		       np->path, r);
		return r == -EBUSY ? VDS_E_DEVICE_IN_USE :
				     VDS_E_INVALID_OPERATION;
	}
	bdev = (*devp)->bdev;
	if (bdev->bd_dev == vol->devt) {
		DMWARN("%s: add_plex: '%s' is the volume itself", name,
		       np->path);
		return VDS_E_DISK_IN_USE_BY_VOLUME;
	}
	err = vdsplex_check_leg(ti, pos, np->path, bdev, np->offset, 0,
				bdev_logical_block_size(dm_disk(vol->md)->part0));
	if (err) {
		DMWARN("%s: add_plex: %s", name, err);
		return VDS_E_INVALID_OPERATION;
	}
	err = vdsplex_check_limits(vol, np->path, bdev);
	if (err) {
		DMWARN("%s: add_plex: %s", name, err);
		return VDS_E_INVALID_OPERATION;
	}
	for (i = 0; i < pos; i++)
		known |= devt[i] == bdev->bd_dev;
	devt[pos] = bdev->bd_dev;
	offset[pos] = np->offset;
	if (vdsplex_check_overlap(devt, offset, pos + 1, ti->len, &i, &j)) {
		DMWARN("%s: add_plex: '%s' at %llu overlaps plex %u", name,
		       np->path, (unsigned long long)np->offset, i);
		return VDS_E_DISK_IN_USE_BY_VOLUME;
	}
	if (bdev->bd_dev == vdsplex_md_devt(vol) &&
	    np->offset < vdsplex_md_extent(vol->nr_regions)) {
		DMWARN("%s: add_plex: '%s' at %llu overlaps the metadata's %llu sectors",
		       name, np->path, (unsigned long long)np->offset,
		       (unsigned long long)vdsplex_md_extent(vol->nr_regions));
		return VDS_E_DISK_IN_USE_BY_VOLUME;
	}
	/*
	 * DM opens every device with one shared holder, so a device another
	 * mapped device uses opens fine here; its holder count tells.  One
	 * claim counts once on a partition and twice on a whole disk.
	 */
	if (!known && READ_ONCE(bdev->bd_holders) > (bdev_is_partition(bdev) ? 1 : 2)) {
		DMWARN("%s: add_plex: '%s' is in use by another mapped device",
		       name, np->path);
		return VDS_E_DEVICE_IN_USE;
	}
	return VDS_S_OK;
}

/* The devices and plexes an AddPlex has opened so far. */
struct vdsplex_add_state {
	struct dm_dev *dev[VDSPLEX_MAX_PLEXES];
	struct vdsplex_plex *plex[VDSPLEX_MAX_PLEXES];
	dev_t devt[VDSPLEX_MAX_PLEXES];
	sector_t offset[VDSPLEX_MAX_PLEXES];
};

/**
 * __vdsplex_add_plexes() - AddPlex: attach plexes to the live volume.
 * @ctx: the table instance the call is for (must be the active one).
 * @np: the plexes.
 * @n: how many, at least one.
 * @op: the operation that will report the outcome; the volume takes a
 *	reference on success.
 * @first: set to the table index of the first new plex.
 * @bad: set to the position in @np of the plex an error is about, or ~0U.
 *
 * Documentation/ioctl.rst, ADD_PLEX: every check comes first and opens nothing
 * for good; then every region of the new plexes is marked out of sync, they are
 * published in the live table at once, and the resync thread is kicked.
 *
 * Context: process, may sleep; vol->lock held.
 * Return: VDS_S_OK or the VDS error; nothing changed on error.
 */
u32 __vdsplex_add_plexes(struct vdsplex_ctx *ctx,
			 const struct vdsplex_new_plex *np, unsigned int n,
			 struct vdsplex_op *op, unsigned int *first,
			 unsigned int *bad)
{
	struct vdsplex_volume *vol = ctx->vol;
	const char *name = dm_device_name(vol->md);
	struct vdsplex_add_state *st;
	struct dm_dev **dev;
	struct vdsplex_plex **plex;
	unsigned int nr = ctx->nr_legs, i, k;
	unsigned long flags;
	bool busy;
	int src;
	u32 hr;

	lockdep_assert_held(&vol->lock);
	*bad = ~0U;
	hr = vdsplex_check_online(ctx, "add_plex");
	if (hr)
		return hr;
	spin_lock_irqsave(&vol->state_lock, flags);
	src = vdsplex_source_leg(ctx);
	busy = vol->op;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (src < 0) {
		DMWARN("%s: add_plex: no healthy in-sync plex to copy from",
		       name);
		return VDS_E_VOLUME_NOT_HEALTHY;
	}
	if (busy) {
		DMWARN("%s: add_plex: another AddPlex is running", name);
		return VDS_E_ANOTHER_CALL_IN_PROGRESS;
	}
	if (!vol->resync_task && vdsplex_resync_start(ctx)) {
		DMERR("%s: add_plex: cannot start the resync thread", name);
		return VDSPLEX_E_OUTOFMEMORY;
	}
	if (!n || n > VDSPLEX_MAX_PLEXES - nr) {
		DMWARN("%s: add_plex: %u plexes and %u more exceed %u", name,
		       nr, n, VDSPLEX_MAX_PLEXES);
		return VDS_E_INVALID_OPERATION;
	}
	/* vol->lock held: no reclaim through our own volume */
	st = kzalloc(sizeof(*st), GFP_NOIO);
	if (!st)
		return VDSPLEX_E_OUTOFMEMORY;
	dev = st->dev;
	plex = st->plex;
	for (i = 0; i < nr; i++) {
		st->devt[i] = ctx->legs[i].dev->bdev->bd_dev;
		st->offset[i] = ctx->legs[i].plex->offset;
	}
	for (k = 0; k < n; k++) {
		hr = vdsplex_open_new_plex(ctx, &np[k], nr + k, st->devt,
					   st->offset, &dev[k]);
		if (hr) {
			*bad = k;
			goto fail;
		}
	}
	for (k = 0; k < n; k++) {
		plex[k] = __vdsplex_plex_get(vol, st->devt[nr + k],
					     np[k].offset);
		if (!plex[k]) {
			hr = VDSPLEX_E_OUTOFMEMORY;
			goto fail;
		}
		strscpy_pad(plex[k]->identity,
			    np[k].identity ? np[k].identity : "",
			    VDSPLEX_IDENTITY_LEN);
	}

	spin_lock_irqsave(&vol->state_lock, flags);
	for (k = 0; k < n; k++) {
		struct vdsplex_leg *leg = &ctx->legs[nr + k];

		plex[k]->state = VDSPLEX_PLEX_RECOVERING;
		plex[k]->added = true;
		bitmap_zero(plex[k]->in_sync, vol->nr_regions);
		plex[k]->synced = 0;
		leg->dev = dev[k];
		leg->plex = plex[k];
		leg->write_mostly = false;
		leg->rebuild = false;
		vdsplex_op_add_plex(op, plex[k]->id, nr + k);
	}
	ctx->nr_legs = nr + n;
	op->len = vol->len;
	vdsplex_op_get(op);
	vol->op = op;
	vol->op_pending = n;
	vol->op_ok = 0;
	vol->op_canceled = 0;
	vol->rescan = true;
	vol->synced_regions = 0;
	vol->action = vol->paused ? VDSPLEX_ACTION_FROZEN :
				    VDSPLEX_ACTION_RECOVER;
	__vdsplex_op_progress(ctx);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	for (k = 0; k < n; k++)
		DMINFO("%s: add_plex: '%s' at %llu attached as plex %u (id %llu), resync started",
		       name, np[k].path, (unsigned long long)np[k].offset,
		       nr + k, plex[k]->id);
	kfree(st);
	*first = nr;
	/* Recorded as recovering before the caller hears of it. */
	vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
	return VDS_S_OK;

fail:
	for (k = 0; k < n; k++) {
		if (plex[k])
			__vdsplex_plex_put(plex[k]);
		if (dev[k])
			dm_put_device(ctx->ti, dev[k]);
	}
	kfree(st);
	return hr;
}

/*
 * Restart the resync thread stopped for a plex-set change; if it cannot
 * run, the running AddPlex would never end: end it.
 */
static void vdsplex_resync_restart(struct vdsplex_ctx *ctx, bool running)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;

	if (running && vdsplex_resync_start(ctx)) {
		DMERR("%s: cannot restart the resync thread",
		      dm_device_name(vol->md));
		spin_lock_irqsave(&vol->state_lock, flags);
		__vdsplex_op_finish(ctx, VDSPLEX_E_OUTOFMEMORY);
		spin_unlock_irqrestore(&vol->state_lock, flags);
	}
	vdsplex_resync_kick(vol);
	vdsplex_raise_event(vol);
}

/**
 * __vdsplex_remove_plex() - remove_plex: detach plex @idx.
 * @ctx: the table instance the call is for.
 * @idx: the plex's table index.
 *
 * Its record leaves the metadata first (vdsplex_leave()); then new writes
 * stop going to the plex, its writes in flight drain, it is flushed, and
 * it leaves the table (the indices after it move down).
 *
 * Context: process, may sleep; vol->lock held.
 * Return: VDS_S_OK, VDS_E_VOLUME_NOT_ONLINE (also when that first commit
 * fails: nothing changed), VDS_E_INVALID_OPERATION (no such index) or
 * VDS_E_PLEX_LAST_ACTIVE.
 */
u32 __vdsplex_remove_plex(struct vdsplex_ctx *ctx, unsigned int idx)
{
	struct vdsplex_volume *vol = ctx->vol;
	bool running = vol->resync_task, last;
	unsigned long flags;
	u32 hr;

	hr = vdsplex_check_online(ctx, "remove_plex");
	if (hr)
		return hr;
	if (idx >= ctx->nr_legs) {
		DMWARN("%s: remove_plex: no plex %u (the volume has %u)",
		       dm_device_name(vol->md), idx, ctx->nr_legs);
		return VDS_E_INVALID_OPERATION;
	}
	spin_lock_irqsave(&vol->state_lock, flags);
	last = vdsplex_last_in_sync(ctx, idx);
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (last)
		return VDS_E_PLEX_LAST_ACTIVE;
	if (vdsplex_leave(ctx, BIT(idx))) {
		DMWARN("%s: remove_plex: the metadata commit that drops plex %u failed",
		       dm_device_name(vol->md), idx);
		return VDS_E_VOLUME_NOT_ONLINE;
	}

	vdsplex_resync_stop(vol);
	vdsplex_detach_leg(ctx, idx, true);
	vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	DMINFO("%s: remove_plex: plex %u detached", dm_device_name(vol->md),
	       idx);
	vdsplex_resync_restart(ctx, running);
	return VDS_S_OK;
}

/**
 * __vdsplex_cancel() - cancel the running AddPlex: detach its targets.
 * @ctx: the table instance the call is for.
 * @op: the operation to cancel, or NULL for whichever runs.
 *
 * The resync thread is stopped first, so the operation cannot finish
 * meanwhile; it is restarted for the plexes that remain.
 *
 * Context: process, may sleep; vol->lock held.
 * Return: VDS_E_OPERATION_CANCELED, VDS_E_CANCEL_TOO_LATE (@op ended or
 * committed), VDS_E_INVALID_OPERATION (@op NULL and none runs) or
 * VDS_E_VOLUME_NOT_ONLINE.
 */
u32 __vdsplex_cancel(struct vdsplex_ctx *ctx, struct vdsplex_op *op)
{
	struct vdsplex_volume *vol = ctx->vol;
	const char *name = dm_device_name(vol->md);
	bool running = vol->resync_task;
	struct vdsplex_op *cur;
	unsigned long flags;
	unsigned int i;
	u32 hr;

	hr = vdsplex_check_online(ctx, "cancel");
	if (hr)
		return hr;
	/* A handle on another operation leaves the running one alone. */
	spin_lock_irqsave(&vol->state_lock, flags);
	cur = vol->op;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (op && op != cur)
		return VDS_E_CANCEL_TOO_LATE;
	vdsplex_resync_stop(vol);
	spin_lock_irqsave(&vol->state_lock, flags);
	cur = vol->op;
	if (!cur)
		hr = op ? VDS_E_CANCEL_TOO_LATE : VDS_E_INVALID_OPERATION;
	else if (op && op != cur)
		hr = VDS_E_CANCEL_TOO_LATE;
	else if (!vdsplex_op_running(cur) || cur->committing || vol->op_ok)
		hr = VDS_E_CANCEL_TOO_LATE;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (hr) {
		if (hr == VDS_E_INVALID_OPERATION)
			DMWARN("%s: cancel: no AddPlex operation is running",
			       name);
	} else {
		unsigned long added = 0;

		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex->added)
				__set_bit(i, &added);
		if (vdsplex_leave(ctx, added)) {
			DMWARN("%s: cancel: the metadata commit that drops the new plexes failed",
			       name);
			hr = VDS_E_VOLUME_NOT_ONLINE;
		} else {
			for (i = ctx->nr_legs; i-- > 0;) {
				if (!test_bit(i, &added))
					continue;
				vdsplex_detach_leg(ctx, i, false);
				DMINFO("%s: cancel: plex %u detached", name, i);
			}
			vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
			hr = VDS_E_OPERATION_CANCELED;
		}
	}
	vdsplex_resync_restart(ctx, running);
	return hr;
}

/**
 * vdsplex_cancel_op() - VDSPLEX_ASYNC_CANCEL of an AddPlex handle.
 * @op: the operation.
 *
 * Finds the volume through the registry: the handle may outlive it.
 *
 * Context: process, may sleep; takes the registry lock and vol->lock.
 * Return: as __vdsplex_cancel().
 */
u32 vdsplex_cancel_op(struct vdsplex_op *op)
{
	struct vdsplex_volume *vol = vdsplex_volume_find(op->vol_devt);
	u32 hr;

	if (!vol)
		return vdsplex_op_running(op) ? VDS_E_OBJECT_DELETED :
						VDS_E_CANCEL_TOO_LATE;
	mutex_lock(&vol->lock);
	if (!vol->active)
		hr = VDS_E_VOLUME_NOT_ONLINE;
	else
		hr = __vdsplex_cancel(vol->active, op);
	mutex_unlock(&vol->lock);
	vdsplex_volume_unref(vol);
	return hr;
}

/**
 * __vdsplex_set_identity() - record a stable name for plex @idx.
 * @ctx: the table instance the call is for.
 * @idx: the plex's table index.
 * @identity: the name (see vdsplex_identity_valid()).
 *
 * Context: process; vol->lock held.
 * Return: VDS_S_OK or VDS_E_INVALID_OPERATION.
 */
u32 __vdsplex_set_identity(struct vdsplex_ctx *ctx, unsigned int idx,
			   const char *identity)
{
	const char *name = dm_device_name(ctx->vol->md);

	lockdep_assert_held(&ctx->vol->lock);
	if (idx >= ctx->nr_legs) {
		DMWARN("%s: identity: no plex %u (the volume has %u)", name,
		       idx, ctx->nr_legs);
		return VDS_E_INVALID_OPERATION;
	}
	if (!vdsplex_identity_valid(identity, strlen(identity) + 1, false)) {
		DMWARN("%s: identity: name must be 1 to %u printable characters without spaces",
		       name, VDSPLEX_IDENTITY_LEN - 1);
		return VDS_E_INVALID_OPERATION;
	}
	strscpy_pad(ctx->legs[idx].plex->identity, identity,
		    VDSPLEX_IDENTITY_LEN);
	if (ctx->vol->active == ctx)
		vdsplex_md_commit(ctx->vol, VDSPLEX_COMMIT_FULL);
	return VDS_S_OK;
}
