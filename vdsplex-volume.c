// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex volume objects: the state of a mapped device shared by all of
 * its table instances, the plexes it knows, and the decisions made on that
 * state (source plex, read choice, region math).
 *
 * Locks: see the inventory above struct vdsplex_volume in dm-vdsplex.h.
 */

#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

static LIST_HEAD(vdsplex_registry);
static DEFINE_MUTEX(vdsplex_registry_lock);
struct workqueue_struct *vdsplex_wq;

/**
 * vdsplex_nr_regions() - number of regions covering a volume.
 * @len: volume length in sectors.
 * @region_size: region size in sectors, a power of two.
 *
 * Context: any.
 * Return: regions, counting a partial last region.
 */
u64 vdsplex_nr_regions(sector_t len, u32 region_size)
{
	return div_u64(len + region_size - 1, region_size);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_nr_regions);

/**
 * vdsplex_health_char() - the status character of a plex state.
 * @state: the state.
 *
 * Context: any.
 * Return: 'A', 'a', 'S' or 'D'.
 */
char vdsplex_health_char(enum vdsplex_plex_state state)
{
	switch (state) {
	case VDSPLEX_PLEX_ALIVE:
		return 'A';
	case VDSPLEX_PLEX_RECOVERING:
		return 'a';
	case VDSPLEX_PLEX_DEAD:
		return 'D';
	case VDSPLEX_PLEX_NEW:
	case VDSPLEX_PLEX_STALE:
	default:
		return 'S';
	}
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_health_char);

static const char * const vdsplex_action_names[] = {
	[VDSPLEX_ACTION_IDLE] = "idle",
	[VDSPLEX_ACTION_RESYNC] = "resync",
	[VDSPLEX_ACTION_RECOVER] = "recover",
	[VDSPLEX_ACTION_CHECK] = "check",
	[VDSPLEX_ACTION_REPAIR] = "repair",
	[VDSPLEX_ACTION_FROZEN] = "frozen",
};

/**
 * vdsplex_action_name() - the status word of a sync action.
 * @action: the action.
 *
 * Context: any.
 * Return: a static string.
 */
const char *vdsplex_action_name(enum vdsplex_sync_action action)
{
	if ((unsigned int)action >= ARRAY_SIZE(vdsplex_action_names))
		return "idle";
	return vdsplex_action_names[action];
}

static const char * const vdsplex_policy_names[] = {
	[VDSPLEX_READ_LEAST_PENDING] = "least_pending",
	[VDSPLEX_READ_ROUND_ROBIN] = "round_robin",
	[VDSPLEX_READ_PRIMARY] = "primary",
};

/**
 * vdsplex_policy_name() - the table word of a read policy.
 * @policy: the policy.
 *
 * Context: any.
 * Return: a static string.
 */
const char *vdsplex_policy_name(enum vdsplex_read_policy policy)
{
	if ((unsigned int)policy >= ARRAY_SIZE(vdsplex_policy_names))
		return "least_pending";
	return vdsplex_policy_names[policy];
}

/**
 * vdsplex_policy_parse() - parse a read policy name.
 * @name: "round_robin", "least_pending" or "primary".
 * @policy: set on success.
 *
 * Context: any.
 * Return: 0, or -EINVAL for an unknown name.
 */
int vdsplex_policy_parse(const char *name, enum vdsplex_read_policy *policy)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdsplex_policy_names); i++) {
		if (!strcmp(name, vdsplex_policy_names[i])) {
			*policy = i;
			return 0;
		}
	}
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_policy_parse);

/**
 * vdsplex_leg_can_read() - may a read of @region be served by leg @i?
 * @ctx: the table instance.
 * @i: leg index.
 * @region: the region read.
 *
 * An in-sync plex serves every region but the dirty regions of an unclean
 * shutdown it still lacks (vol->unsynced); a plex being (or waiting to be)
 * resynchronised serves only the regions already copied; a dead plex none.
 *
 * Context: vol->state_lock held (or a KUnit fixture nobody else sees).
 * Return: true if the leg holds current data for @region.
 */
bool vdsplex_leg_can_read(const struct vdsplex_ctx *ctx, unsigned int i,
			  u64 region)
{
	const struct vdsplex_plex *p = ctx->legs[i].plex;

	if (p->removing)
		return false;
	switch (p->state) {
	case VDSPLEX_PLEX_ALIVE:
		/* a dirty region of an unclean shutdown: only where copied */
		return region >= ctx->vol->nr_regions ||
		       !test_bit(region, ctx->vol->unsynced) ||
		       test_bit(region, p->in_sync);
	case VDSPLEX_PLEX_RECOVERING:
	case VDSPLEX_PLEX_STALE:
		return p->in_sync && region < ctx->vol->nr_regions &&
		       test_bit(region, p->in_sync);
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_leg_can_read);

/**
 * vdsplex_source_leg() - the source plex of the volume.
 * @ctx: the table instance.
 *
 * The lowest-index in-sync plex that is not write_mostly, else the
 * lowest-index in-sync plex; a plex that remove_plex is taking out
 * (leaving) is never the source.
 *
 * Context: vol->state_lock held (or a KUnit fixture).
 * Return: the leg index, or -1 when no plex is in sync.
 */
int vdsplex_source_leg(const struct vdsplex_ctx *ctx)
{
	int any = -1;
	unsigned int i;

	for (i = 0; i < ctx->nr_legs; i++) {
		if (!vdsplex_plex_counts(ctx->legs[i].plex))
			continue;
		if (!ctx->legs[i].write_mostly)
			return i;
		if (any < 0)
			any = i;
	}
	return any;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_source_leg);

/**
 * vdsplex_choose_read_leg() - pick the plex that serves a read.
 * @ctx: the table instance (its read policy and legs).
 * @region: the region read (a bio never crosses a region boundary).
 * @rr: rotation cursor: where round_robin starts and where least_pending
 *	ties are broken.
 *
 * Only plexes that hold current data for @region are eligible; write_mostly
 * plexes only when nothing else is.  primary takes the source plex when it
 * is eligible, else the first eligible one.
 *
 * Context: vol->state_lock held (or a KUnit fixture).
 * Return: the leg index, or -1 when no plex can serve the read.
 */
int vdsplex_choose_read_leg(const struct vdsplex_ctx *ctx, u64 region,
			    unsigned int rr)
{
	u8 cand[VDSPLEX_MAX_PLEXES];
	unsigned int n = ctx->nr_legs, nc, k, i;
	int best, best_pending, src;
	bool pass_wm;

	if (ctx->read_policy == VDSPLEX_READ_PRIMARY) {
		src = vdsplex_source_leg(ctx);
		/* it may lack a dirty region of an unclean shutdown */
		if (src >= 0 && !ctx->legs[src].write_mostly &&
		    vdsplex_leg_can_read(ctx, src, region))
			return src;
		rr = 0;
	}
	/* First without write_mostly plexes, then with them. */
	for (pass_wm = false; ; pass_wm = true) {
		for (nc = 0, i = 0; i < n; i++)
			if (ctx->legs[i].write_mostly == pass_wm &&
			    vdsplex_leg_can_read(ctx, i, region))
				cand[nc++] = i;
		if (nc && ctx->read_policy != VDSPLEX_READ_LEAST_PENDING)
			return cand[rr % nc];
		best = -1;
		best_pending = INT_MAX;
		for (k = 0; k < nc; k++) {
			int pending;

			i = cand[(rr + k) % nc];
			pending = atomic_read(&ctx->legs[i].plex->pending);
			if (pending < best_pending) {
				best = i;
				best_pending = pending;
			}
		}
		if (best >= 0 || pass_wm)
			return best;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_choose_read_leg);

/**
 * vdsplex_plex_io_done() - an I/O sent to @plex completed.
 * @plex: the plex.
 *
 * Wakes remove_plex when it waits for the plex to drain.
 *
 * Context: any, including bio completion.
 */
void vdsplex_plex_io_done(struct vdsplex_plex *plex)
{
	if (atomic_dec_and_test(&plex->pending) && READ_ONCE(plex->removing))
		wake_up(&plex->vol->drain_wait);
}

/**
 * __vdsplex_op_target_done() - a target of the running AddPlex has ended.
 * @vol: the volume.
 * @p: the plex; nothing happens unless it is a target (p->added).
 * @outcome: VDS_S_OK (in sync), VDS_E_OPERATION_CANCELED (detached) or
 *	VDSPLEX_E_IO_DEVICE (failed).
 *
 * The operation ends with its last target: successfully when one target
 * reached in sync, cancelled when none did and one was detached, else
 * failed.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_op_target_done(struct vdsplex_volume *vol,
			      struct vdsplex_plex *p, u32 outcome)
{
	struct vdsplex_op *op = vol->op;
	u32 hr;

	lockdep_assert_held(&vol->state_lock);
	if (!p->added)
		return;
	p->added = false;
	if (!op || WARN_ON_ONCE(!vol->op_pending))
		return;
	if (outcome == VDS_S_OK) {
		vol->op_ok++;
		vdsplex_op_plex_in_sync(op);
	} else if (outcome == VDS_E_OPERATION_CANCELED) {
		vol->op_canceled++;
	}
	if (--vol->op_pending)
		return;
	if (vol->op_ok)
		hr = VDS_S_OK;
	else if (vol->op_canceled)
		hr = VDS_E_OPERATION_CANCELED;
	else
		hr = VDSPLEX_E_IO_DEVICE;
	if (hr == VDS_S_OK)
		vdsplex_op_commit(op);
	vdsplex_op_end(op, hr);
	vdsplex_op_put(vol->last_op);
	vol->last_op = op;
	vol->op = NULL;
	vdsplex_raise_event(vol);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_op_target_done);

/**
 * __vdsplex_op_finish() - end the running AddPlex with @hresult.
 * @ctx: the instance whose legs hold the targets.
 * @hresult: the result (VDS_E_OBJECT_DELETED, VDS_E_VOLUME_NOT_HEALTHY).
 *
 * The targets stay attached in the state they are in, as plain plexes.
 * @ctx may be an instance whose constructor failed: legs without a plex
 * are skipped.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_op_finish(struct vdsplex_ctx *ctx, u32 hresult)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned int i;

	lockdep_assert_held(&vol->state_lock);
	/* A half-built instance (a failed ctr) may lack some plexes. */
	for (i = 0; i < ctx->nr_legs; i++)
		if (ctx->legs[i].plex)
			ctx->legs[i].plex->added = false;
	if (!vol->op)
		return;
	vdsplex_op_end(vol->op, hresult);
	vdsplex_op_put(vol->last_op);
	vol->last_op = vol->op;
	vol->op = NULL;
	vol->op_pending = 0;
	vdsplex_raise_event(vol);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_op_finish);

/**
 * __vdsplex_op_progress() - publish the running AddPlex's progress.
 * @ctx: the active instance.
 *
 * Progress counts the regions in sync on the targets still running.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_op_progress(struct vdsplex_ctx *ctx)
{
	struct vdsplex_volume *vol = ctx->vol;
	u64 done = 0, total = 0;
	unsigned int i;

	lockdep_assert_held(&vol->state_lock);
	if (!vol->op)
		return;
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (!p->added)
			continue;
		done += p->synced;
		total += vol->nr_regions;
	}
	vdsplex_op_progress(vol->op, done, total, vol->rate_kibs);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_op_progress);

/**
 * __vdsplex_alive_count() - in-sync plexes of the active instance, not
 * counting one that remove_plex or cancel is taking out.
 * @vol: the volume.
 *
 * Context: vol->state_lock held.
 * Return: their number; 0 without an active instance.
 */
unsigned int __vdsplex_alive_count(struct vdsplex_volume *vol)
{
	struct vdsplex_ctx *ctx = vol->active;
	unsigned int i, n = 0;

	lockdep_assert_held(&vol->state_lock);
	for (i = 0; ctx && i < ctx->nr_legs; i++)
		n += vdsplex_plex_counts(ctx->legs[i].plex);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_alive_count);

/**
 * __vdsplex_in_sync_all() - every region of an in-sync plex @p in sync, as
 * its per-region tracking starts (it goes stale in some regions, or dies),
 * but the dirty regions of an unclean shutdown it still lacks.
 * @vol: the volume.
 * @p: the plex, ALIVE.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_in_sync_all(struct vdsplex_volume *vol, struct vdsplex_plex *p)
{
	u64 nr = vol->nr_regions;

	lockdep_assert_held(&vol->state_lock);
	/* the complement of its holes: unsynced regions it lacks */
	bitmap_andnot(p->in_sync, vol->unsynced, p->in_sync, nr);
	bitmap_complement(p->in_sync, p->in_sync, nr);
	if (nr % BITS_PER_LONG)	/* the bits past the last region stay 0 */
		p->in_sync[nr / BITS_PER_LONG] &= BITMAP_LAST_WORD_MASK(nr);
	p->synced = bitmap_weight(p->in_sync, nr);
}

/**
 * __vdsplex_unsynced_holder() - the in-sync plex that holds a dirty region
 * of an unclean shutdown.
 * @ctx: the active instance.
 * @region: a region of vol->unsynced.
 *
 * The source when it holds it, else another in-sync plex that does, else
 * any plex that still takes writes and holds it (a holder gone stale in
 * another region).  When none does (the plex that held it failed or left),
 * the source takes it over as it is: every write since the activation
 * reached it, and what it holds of the writes cut short by the crash is as
 * good as what the failed plex held (md's resync has no other choice
 * either).
 *
 * Context: vol->state_lock held.
 * Return: the leg index, or -1 when no plex is in sync.
 */
int __vdsplex_unsynced_holder(struct vdsplex_ctx *ctx, u64 region)
{
	struct vdsplex_volume *vol = ctx->vol;
	int src = vdsplex_source_leg(ctx);
	unsigned int i, pass;

	lockdep_assert_held(&vol->state_lock);
	if (src < 0 || test_bit(region, ctx->legs[src].plex->in_sync))
		return src;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ctx->nr_legs; i++) {
			struct vdsplex_plex *p = ctx->legs[i].plex;
			bool ok = pass ? (p->state == VDSPLEX_PLEX_RECOVERING ||
					  p->state == VDSPLEX_PLEX_STALE) &&
					 !p->removing :
					 vdsplex_plex_counts(p);

			if (ok && test_bit(region, p->in_sync))
				return i;
		}
	}
	set_bit(region, ctx->legs[src].plex->in_sync);
	ctx->legs[src].plex->synced++;
	DMWARN_LIMIT("%s: dirty region %llu: its holder is gone; plex %llu holds it now",
		     dm_device_name(vol->md), region, ctx->legs[src].plex->id);
	return src;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_unsynced_holder);

/**
 * __vdsplex_plex_fail() - mark a plex dead.
 * @vol: the volume.
 * @p: the plex.
 *
 * A target of the running AddPlex leaves the operation as failed.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_plex_fail(struct vdsplex_volume *vol, struct vdsplex_plex *p)
{
	lockdep_assert_held(&vol->state_lock);
	/* From now on in_sync tracks the regions it misses (readd_plex). */
	if (p->state == VDSPLEX_PLEX_ALIVE)
		__vdsplex_in_sync_all(vol, p);
	/* what it acknowledged lately may have been in its cache only */
	if (p->state != VDSPLEX_PLEX_DEAD)
		__vdsplex_md_lost_cache(vol, p);
	p->state = VDSPLEX_PLEX_DEAD;
	__vdsplex_change(vol);
	__vdsplex_op_target_done(vol, p, VDSPLEX_E_IO_DEVICE);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_plex_fail);

/**
 * __vdsplex_change() - a plex state changed in a way the metadata must
 * record before any further write is acknowledged.
 * @vol: the volume.
 *
 * From now until a full commit taken after this call succeeds, every write
 * the plexes complete is held (vdsplex_hold_for_commit()) and no sweep
 * clears a write-intent bit: after a crash in between, the metadata would
 * otherwise call a plex in sync that missed acknowledged writes.  The
 * caller raises an event (vdsplex_raise_event()), whose work commits.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_change(struct vdsplex_volume *vol)
{
	lockdep_assert_held(&vol->state_lock);
	/* core mode records nothing: no write is held for it */
	if (vol->meta)
		WRITE_ONCE(vol->change_seq, vol->change_seq + 1);
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_change);

/**
 * __vdsplex_change_pending() - is a plex state change not yet on disk?
 * @vol: the volume.
 *
 * Context: vol->state_lock held.
 * Return: true while writes must be held; false in core mode and once the
 * metadata has failed.
 */
bool __vdsplex_change_pending(struct vdsplex_volume *vol)
{
	lockdep_assert_held(&vol->state_lock);
	return vol->meta && !vdsplex_md_failed(vol) &&
	       vol->change_seq != vol->committed_seq;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_change_pending);

static void vdsplex_event_work(struct work_struct *work)
{
	struct vdsplex_volume *vol = container_of(work, struct vdsplex_volume,
						  event_work);
	blk_status_t status = BLK_STS_OK;
	unsigned long flags, seq;
	struct dm_table *table;
	struct bio_list held;
	struct bio *bio;
	bool again;

	/*
	 * A plex state change is recorded before anyone is told, and before
	 * the writes held for it are acknowledged.  The work takes no
	 * vol->lock (whoever holds it may wait for I/O, a remove_plex drain,
	 * or flush this work): the writes it releases never wait behind
	 * configuration changes.
	 */
	spin_lock_irqsave(&vol->state_lock, flags);
	held = vol->held;
	bio_list_init(&vol->held);
	seq = vol->change_seq;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (READ_ONCE(vol->active))
		vdsplex_md_commit(vol, VDSPLEX_COMMIT_FULL);
	spin_lock_irqsave(&vol->state_lock, flags);
	/*
	 * The changes the held writes wait for are those counted by @seq.
	 * Not recorded (the metadata failed, or no table serves the volume):
	 * the writes fail rather than be acknowledged past a failure the
	 * disk does not know (Documentation/design.rst, "The invariant").
	 */
	if (vol->meta && (long)(vol->committed_seq - seq) < 0)
		status = BLK_STS_IOERR;
	/* held meanwhile for changes now on disk: released with them */
	if (!status && !__vdsplex_change_pending(vol)) {
		bio_list_merge(&held, &vol->held);
		bio_list_init(&vol->held);
	}
	again = !bio_list_empty(&vol->held) && !__vdsplex_change_pending(vol);
	spin_unlock_irqrestore(&vol->state_lock, flags);

	/*
	 * The active instance's table outlives this work: vdsplex_release()
	 * flushes it once the instance is no longer active.
	 */
	spin_lock_irqsave(&vol->state_lock, flags);
	table = vol->active ? vol->active->ti->table : NULL;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (table)
		dm_table_event(table);
	while ((bio = bio_list_pop(&held))) {
		if (status)
			bio->bi_status = status;
		bio_endio(bio);
	}
	/* held meanwhile for a change now on disk: release them too */
	if (again)
		queue_work(vdsplex_wq, &vol->event_work);
}

static void vdsplex_retry_work(struct work_struct *work)
{
	struct vdsplex_volume *vol = container_of(work, struct vdsplex_volume,
						  retry_work);

	vdsplex_retry_reads(vol);
	vdsplex_retry_zeroes(vol);
}

/**
 * __vdsplex_region_stale() - @region of plex @p no longer holds current
 * data (a read error): the resync copies it from a plex that holds it.
 * @vol: the volume.
 * @p: the plex.
 * @region: the region.
 *
 * An in-sync plex becomes stale in that region only.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_region_stale(struct vdsplex_volume *vol, struct vdsplex_plex *p,
			    u64 region)
{
	lockdep_assert_held(&vol->state_lock);
	if (p->state == VDSPLEX_PLEX_ALIVE) {
		__vdsplex_in_sync_all(vol, p);
		p->state = VDSPLEX_PLEX_STALE;
		/*
		 * With dirty regions left, another plex may now take one over
		 * and a sweep clear its bit: the plex table must say stale
		 * first.
		 */
		if (vol->unclean)
			__vdsplex_change(vol);
	} else if (p->state != VDSPLEX_PLEX_STALE &&
		   p->state != VDSPLEX_PLEX_RECOVERING) {
		return;
	}
	if (test_and_clear_bit(region, p->in_sync))
		p->synced--;
	vol->rescan = true;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_region_stale);

/**
 * __vdsplex_region_missed() - a write to @region did not reach plex @p.
 * @vol: the volume.
 * @p: a dead plex.
 * @region: the region.
 *
 * Context: vol->state_lock held.
 */
void __vdsplex_region_missed(struct vdsplex_volume *vol,
			     struct vdsplex_plex *p, u64 region)
{
	lockdep_assert_held(&vol->state_lock);
	if (test_and_clear_bit(region, p->in_sync))
		p->synced--;
}
EXPORT_SYMBOL_IF_KUNIT(__vdsplex_region_missed);

/**
 * vdsplex_hold_for_commit() - hold a completed write while a plex state
 * change is not on disk yet.
 * @vol: the volume.
 * @bio: a write (or flush) every plex it went to has completed.
 *
 * No write is acknowledged past an uncommitted plex failure
 * (Documentation/design.rst, "The invariant"): a write that failed a plex
 * and every write completed after it wait for the event work's full commit.
 *
 * Context: any (bio completion).
 * Return: true when @bio is held for the event work's commit; false when
 * nothing is pending or in core mode (complete it now).  When the
 * metadata failed with a change not recorded, @bio gets BLK_STS_IOERR
 * (complete it now, failed) until the metadata device works again.
 */
bool vdsplex_hold_for_commit(struct vdsplex_volume *vol, struct bio *bio)
{
	unsigned long flags;
	bool hold;

	if (!vol->meta)
		return false;
	spin_lock_irqsave(&vol->state_lock, flags);
	hold = __vdsplex_change_pending(vol);
	if (hold)
		bio_list_add(&vol->held, bio);
	else if (vol->change_seq != vol->committed_seq)
		/* a failure the failed metadata could not record */
		bio->bi_status = BLK_STS_IOERR;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	if (hold)
		vdsplex_raise_event(vol);
	return hold;
}

/**
 * vdsplex_raise_event() - tell userspace (dmsetup wait) the state changed.
 * @vol: the volume.
 *
 * dm_table_event() sleeps, so it runs from a work item.
 *
 * Context: any, including bio completion.
 */
void vdsplex_raise_event(struct vdsplex_volume *vol)
{
	queue_work(vdsplex_wq, &vol->event_work);
}

/**
 * vdsplex_volume_alloc() - allocate a volume object, not yet registered.
 * @len: volume length in sectors.
 * @region_size: region size in sectors (a power of two).
 *
 * Context: process, may sleep.
 * Return: the volume with one reference, or NULL.
 */
VISIBLE_IF_KUNIT struct vdsplex_volume *vdsplex_volume_alloc(sector_t len,
							     u32 region_size)
{
	struct vdsplex_volume *vol = kzalloc(sizeof(*vol), GFP_KERNEL);

	if (!vol)
		return NULL;
	INIT_LIST_HEAD(&vol->node);
	kref_init(&vol->kref);
	refcount_set(&vol->users, 1);
	mutex_init(&vol->lock);
	spin_lock_init(&vol->state_lock);
	vol->len = len;
	vol->region_size = region_size;
	vol->region_shift = ilog2(region_size);
	vol->nr_regions = vdsplex_nr_regions(len, region_size);
	vol->discarded = kvcalloc(BITS_TO_LONGS(vol->nr_regions),
				  sizeof(unsigned long), GFP_KERNEL);
	vol->discarding = kvcalloc(BITS_TO_LONGS(vol->nr_regions),
				   sizeof(unsigned long), GFP_KERNEL);
	vol->unsynced = kvcalloc(BITS_TO_LONGS(vol->nr_regions),
				 sizeof(unsigned long), GFP_KERNEL);
	if (!vol->discarded || !vol->discarding || !vol->unsynced) {
		kvfree(vol->discarded);
		kvfree(vol->discarding);
		kvfree(vol->unsynced);
		kfree(vol);
		return NULL;
	}
	INIT_LIST_HEAD(&vol->instances);
	INIT_LIST_HEAD(&vol->plexes);
	vol->next_plex_id = 1;
	vol->action = VDSPLEX_ACTION_IDLE;
	vol->synced_regions = vol->nr_regions;
	INIT_WORK(&vol->event_work, vdsplex_event_work);
	init_waitqueue_head(&vol->resync_wait);
	init_waitqueue_head(&vol->drain_wait);
	vol->locked_region = VDSPLEX_NO_REGION;
	bio_list_init(&vol->deferred);
	bio_list_init(&vol->held);
	bio_list_init(&vol->read_retry);
	bio_list_init(&vol->zeroes_retry);
	INIT_WORK(&vol->retry_work, vdsplex_retry_work);
	atomic64_set(&vol->fg_ios, 0);
	return vol;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_volume_alloc);

/**
 * vdsplex_volume_free() - free an unregistered volume with no plexes.
 * @vol: the volume.
 *
 * Context: process, may sleep.
 */
VISIBLE_IF_KUNIT void vdsplex_volume_free(struct vdsplex_volume *vol)
{
	WARN_ON(!list_empty(&vol->plexes));
	WARN_ON(!list_empty(&vol->instances));
	WARN_ON(vol->resync_task);
	flush_work(&vol->retry_work);	/* it may queue event_work */
	flush_work(&vol->event_work);	/* it completes held writes */
	cancel_work_sync(&vol->event_work);	/* and may queue itself */
	WARN_ON(!bio_list_empty(&vol->held));
	vdsplex_op_put(vol->op);
	vdsplex_op_put(vol->last_op);
	mutex_destroy(&vol->lock);
	vfree(vol->scrub_buf);
	kvfree(vol->discarded);
	kvfree(vol->discarding);
	kvfree(vol->unsynced);
	kfree(vol);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_volume_free);

/**
 * vdsplex_volume_get() - find or create the volume object of a mapped device.
 * @md: the mapped device the table is loaded into.
 * @len: length of the table's target.
 * @region_size: the table's region size.
 * @error: set to a sentence naming the problem on failure.
 *
 * Every table instance of a mapped device shares one volume object (as
 * dm-thin's __pool_find does for pools).  A reload must keep the length and
 * the region size: the object's bitmaps are sized by them.
 *
 * Context: process, may sleep; takes vdsplex_registry_lock.
 * Return: the volume with a new reference, or an ERR_PTR.
 */
struct vdsplex_volume *vdsplex_volume_get(struct mapped_device *md,
					  sector_t len, u32 region_size,
					  char **error)
{
	struct vdsplex_volume *vol;

	mutex_lock(&vdsplex_registry_lock);
	list_for_each_entry(vol, &vdsplex_registry, node) {
		if (vol->md != md)
			continue;
		if (vol->len != len) {
			*error = vdsplex_errorf("length %llu differs from the live volume's %llu",
						(unsigned long long)len,
						(unsigned long long)vol->len);
			vol = ERR_PTR(-EINVAL);
		} else if (vol->region_size != region_size) {
			*error = vdsplex_errorf("region_size %u differs from the live volume's %u",
						region_size, vol->region_size);
			vol = ERR_PTR(-EINVAL);
		} else {
			kref_get(&vol->kref);
		}
		mutex_unlock(&vdsplex_registry_lock);
		return vol;
	}
	vol = vdsplex_volume_alloc(len, region_size);
	if (!vol) {
		mutex_unlock(&vdsplex_registry_lock);
		*error = "Cannot allocate the volume object";
		return ERR_PTR(-ENOMEM);
	}
	vol->md = md;
	vol->devt = disk_devt(dm_disk(md));
	list_add(&vol->node, &vdsplex_registry);
	mutex_unlock(&vdsplex_registry_lock);
	return vol;
}

static void vdsplex_volume_release(struct kref *kref)
{
	struct vdsplex_volume *vol = container_of(kref, struct vdsplex_volume,
						  kref);

	list_del_init(&vol->node);
	vol->md = NULL;
	vdsplex_volume_unref(vol);
}

/**
 * vdsplex_volume_find() - the registered volume of a mapped device.
 * @devt: the mapped device's device number.
 *
 * For the control device: the reference pins the memory only.  The volume
 * may lose its last table instance meanwhile; callers check vol->active
 * under vol->lock.
 *
 * Context: process, may sleep; takes vdsplex_registry_lock.
 * Return: the volume with a reference for vdsplex_volume_unref(), or NULL
 * when @devt is not a vdsplex volume.
 */
struct vdsplex_volume *vdsplex_volume_find(dev_t devt)
{
	struct vdsplex_volume *vol;

	mutex_lock(&vdsplex_registry_lock);
	list_for_each_entry(vol, &vdsplex_registry, node) {
		if (vol->devt == devt && vol->md) {
			refcount_inc(&vol->users);
			mutex_unlock(&vdsplex_registry_lock);
			return vol;
		}
	}
	mutex_unlock(&vdsplex_registry_lock);
	return NULL;
}

/**
 * vdsplex_volume_unref() - drop a reference taken by vdsplex_volume_find().
 * @vol: the volume.
 *
 * Context: process, may sleep.
 */
void vdsplex_volume_unref(struct vdsplex_volume *vol)
{
	if (refcount_dec_and_test(&vol->users))
		vdsplex_volume_free(vol);
}

/**
 * vdsplex_volume_put() - drop a table instance's reference to its volume.
 * @vol: the volume.
 *
 * The last reference unregisters and frees the object.
 *
 * Context: process, may sleep; takes vdsplex_registry_lock.
 */
void vdsplex_volume_put(struct vdsplex_volume *vol)
{
	mutex_lock(&vdsplex_registry_lock);
	kref_put(&vol->kref, vdsplex_volume_release);
	mutex_unlock(&vdsplex_registry_lock);
}

/**
 * vdsplex_plex_alloc() - a new plex object of @vol, state NEW, not listed.
 * @vol: the volume.
 * @devt: the device.
 * @offset: the start sector on @devt.
 *
 * Context: process, may sleep.
 * Return: the plex with one reference, or NULL.
 */
VISIBLE_IF_KUNIT struct vdsplex_plex *vdsplex_plex_alloc(struct vdsplex_volume *vol,
							 dev_t devt,
							 sector_t offset)
{
	struct vdsplex_plex *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->in_sync = kvcalloc(BITS_TO_LONGS(vol->nr_regions),
			      sizeof(unsigned long), GFP_KERNEL);
	if (!p->in_sync) {
		kfree(p);
		return NULL;
	}
	kref_init(&p->kref);
	INIT_LIST_HEAD(&p->node);
	p->vol = vol;
	p->devt = devt;
	p->offset = offset;
	p->state = VDSPLEX_PLEX_NEW;
	p->slot = -1;
	atomic_set(&p->pending, 0);
	atomic64_set(&p->reads, 0);
	atomic_set(&p->write_errors, 0);
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_plex_alloc);

/**
 * __vdsplex_plex_get() - the volume's plex at @devt/@offset, created if new.
 * @vol: the volume.
 * @devt: the device.
 * @offset: the start sector.
 *
 * A plex named again by a reloaded table is the same object, so its health
 * and sync state survive the reload.
 *
 * Context: process, may sleep; vol->lock held.
 * Return: the plex with a new reference, or NULL on allocation failure.
 */
struct vdsplex_plex *__vdsplex_plex_get(struct vdsplex_volume *vol,
					dev_t devt, sector_t offset)
{
	struct vdsplex_plex *p;

	lockdep_assert_held(&vol->lock);
	list_for_each_entry(p, &vol->plexes, node) {
		if (p->devt == devt && p->offset == offset) {
			kref_get(&p->kref);
			return p;
		}
	}
	p = vdsplex_plex_alloc(vol, devt, offset);
	if (p) {
		p->id = vol->next_plex_id++;
		list_add_tail(&p->node, &vol->plexes);
	}
	return p;
}

/**
 * vdsplex_plex_get() - as __vdsplex_plex_get(), taking vol->lock.
 * @vol: the volume.
 * @devt: the device.
 * @offset: the start sector.
 *
 * Context: process, may sleep; takes vol->lock.
 * Return: the plex with a new reference, or NULL on allocation failure.
 */
struct vdsplex_plex *vdsplex_plex_get(struct vdsplex_volume *vol, dev_t devt,
				      sector_t offset)
{
	struct vdsplex_plex *p;

	mutex_lock(&vol->lock);
	p = __vdsplex_plex_get(vol, devt, offset);
	mutex_unlock(&vol->lock);
	return p;
}

static void vdsplex_plex_release(struct kref *kref)
{
	struct vdsplex_plex *p = container_of(kref, struct vdsplex_plex, kref);

	list_del(&p->node);
	kvfree(p->in_sync);
	kfree(p);
}

/**
 * __vdsplex_plex_put() - drop a reference to a plex, vol->lock held.
 * @plex: the plex.
 *
 * Context: process; vol->lock held.
 */
void __vdsplex_plex_put(struct vdsplex_plex *plex)
{
	lockdep_assert_held(&plex->vol->lock);
	kref_put(&plex->kref, vdsplex_plex_release);
}

/**
 * vdsplex_plex_put() - drop a reference to a plex.
 * @plex: the plex.
 *
 * Context: process, may sleep; takes vol->lock.
 */
void vdsplex_plex_put(struct vdsplex_plex *plex)
{
	struct vdsplex_volume *vol = plex->vol;

	mutex_lock(&vol->lock);
	__vdsplex_plex_put(plex);
	mutex_unlock(&vol->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_plex_put);

static void __vdsplex_mark_stale(struct vdsplex_volume *vol,
				 struct vdsplex_plex *p)
{
	lockdep_assert_held(&vol->state_lock);
	p->state = VDSPLEX_PLEX_STALE;
	bitmap_zero(p->in_sync, vol->nr_regions);
	p->synced = 0;
	vol->rescan = true;
}

/*
 * The state a NEW plex gets at the first activation of a volume: the first
 * source candidate is in sync, the others are stale unless the table said
 * nosync; rebuild always makes a plex stale.
 */
static void __vdsplex_first_activation(struct vdsplex_ctx *ctx)
{
	struct vdsplex_volume *vol = ctx->vol;
	int src = -1;
	unsigned int i;

	lockdep_assert_held(&vol->state_lock);
	for (i = 0; i < ctx->nr_legs; i++) {
		if (ctx->legs[i].rebuild)
			continue;
		if (src < 0 || (ctx->legs[src].write_mostly &&
				!ctx->legs[i].write_mostly))
			src = i;
	}
	for (i = 0; i < ctx->nr_legs; i++) {
		struct vdsplex_plex *p = ctx->legs[i].plex;

		if (p->state != VDSPLEX_PLEX_NEW)
			continue;
		if (i == src || (ctx->nosync && !ctx->legs[i].rebuild))
			p->state = VDSPLEX_PLEX_ALIVE;
		else
			__vdsplex_mark_stale(vol, p);
	}
}

/**
 * vdsplex_takeover() - make @ctx the instance that serves the volume.
 * @ctx: the table instance being resumed.
 *
 * Called at preresume, after the previous instance's postsuspend.  Plexes the
 * volume already knows keep their state; a rebuild on an in-sync plex makes
 * it stale unless it is the last one in sync; plexes new to the volume are
 * stale (or decided by __vdsplex_first_activation on the first resume).
 *
 * Context: process; takes vol->lock and vol->state_lock.
 */
void vdsplex_takeover(struct vdsplex_ctx *ctx)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_plex *p;
	unsigned long flags;
	unsigned int i, alive;

	mutex_lock(&vol->lock);
	spin_lock_irqsave(&vol->state_lock, flags);
	/*
	 * A target of the running AddPlex missing from this table ends the
	 * operation as cancelled; its other targets go on as plain plexes.
	 */
	list_for_each_entry(p, &vol->plexes, node) {
		if (!p->added)
			continue;
		for (i = 0; i < ctx->nr_legs; i++)
			if (ctx->legs[i].plex == p)
				break;
		if (i == ctx->nr_legs) {
			p->added = false;
			__vdsplex_op_finish(ctx, VDS_E_OPERATION_CANCELED);
			break;
		}
	}
	if (!vol->ever_resumed)
		__vdsplex_first_activation(ctx);
	for (i = 0; i < ctx->nr_legs; i++) {
		p = ctx->legs[i].plex;
		if (p->state == VDSPLEX_PLEX_NEW)
			__vdsplex_mark_stale(vol, p);
	}
	for (i = 0; i < ctx->nr_legs; i++) {
		unsigned int j;

		p = ctx->legs[i].plex;
		if (!ctx->legs[i].rebuild)
			continue;
		/*
		 * Once, at this table's first resume: dmsetup table names
		 * every plex not in sync for rebuild, and a later suspend and
		 * resume of the same table must not copy it all again.
		 */
		ctx->legs[i].rebuild = false;
		if (p->state != VDSPLEX_PLEX_ALIVE)
			continue;
		for (alive = 0, j = 0; j < ctx->nr_legs; j++)
			alive += ctx->legs[j].plex->state == VDSPLEX_PLEX_ALIVE;
		if (alive > 1)
			__vdsplex_mark_stale(vol, p);
	}
	vol->active = ctx;
	vol->ever_resumed = true;
	spin_unlock_irqrestore(&vol->state_lock, flags);
	mutex_unlock(&vol->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_takeover);

/**
 * vdsplex_attach_instance() - list a new table instance on its volume.
 * @ctx: the instance, with ctx->vol and ctx->ti set.
 * @error: set to a sentence on failure.
 *
 * A table may hold one vdsplex target only: the volume object is per mapped
 * device.
 *
 * Context: process, may sleep; takes vol->lock.
 * Return: 0, or -EINVAL when the same table already has a vdsplex target.
 */
int vdsplex_attach_instance(struct vdsplex_ctx *ctx, char **error)
{
	struct vdsplex_volume *vol = ctx->vol;
	struct vdsplex_ctx *other;
	int r = 0;

	mutex_lock(&vol->lock);
	list_for_each_entry(other, &vol->instances, node) {
		if (other->ti->table == ctx->ti->table) {
			*error = "Only one vdsplex target per table is supported";
			r = -EINVAL;
			break;
		}
	}
	if (!r)
		list_add_tail(&ctx->node, &vol->instances);
	mutex_unlock(&vol->lock);
	return r;
}

/**
 * vdsplex_release() - unlist a table instance; it stops being the active
 * one if it was.
 * @ctx: the table instance being destroyed.
 *
 * Context: process, may sleep; takes vol->lock and vol->state_lock.
 */
void vdsplex_release(struct vdsplex_ctx *ctx)
{
	struct vdsplex_volume *vol = ctx->vol;
	unsigned long flags;

	mutex_lock(&vol->lock);
	if (!list_empty(&ctx->node))
		list_del_init(&ctx->node);
	if (vol->active == ctx) {
		vdsplex_resync_stop(vol);
		spin_lock_irqsave(&vol->state_lock, flags);
		/* The volume goes away with no table to take over. */
		__vdsplex_op_finish(ctx, VDS_E_OBJECT_DELETED);
		vol->active = NULL;
		spin_unlock_irqrestore(&vol->state_lock, flags);
	}
	/* an event work that saw this instance active is done with it */
	flush_work(&vol->event_work);
	if (list_empty(&vol->instances)) {
		/*
		 * An AddPlex resumed from the metadata by a table that was
		 * never resumed ends with the volume too (Documentation/ioctl.rst).
		 */
		spin_lock_irqsave(&vol->state_lock, flags);
		__vdsplex_op_finish(ctx, VDS_E_OBJECT_DELETED);
		spin_unlock_irqrestore(&vol->state_lock, flags);
		/* The last instance holds the metadata device: done with it. */
		vdsplex_md_destroy(vol);
	}
	mutex_unlock(&vol->lock);
}

/**
 * vdsplex_registry_init() - set up the module-wide state.
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int vdsplex_registry_init(void)
{
	vdsplex_wq = alloc_workqueue("vdsplex", WQ_MEM_RECLAIM, 0);
	return vdsplex_wq ? 0 : -ENOMEM;
}

/**
 * vdsplex_registry_exit() - tear down the module-wide state.
 *
 * Context: module exit; every volume is gone by then.
 */
void vdsplex_registry_exit(void)
{
	WARN_ON(!list_empty(&vdsplex_registry));
	destroy_workqueue(vdsplex_wq);
}
