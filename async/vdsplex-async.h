/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-vdsplex async operations: the IVdsAsync stand-in
 * (Documentation/ioctl.rst).
 *
 * struct vdsplex_op is one AddPlex operation.  The volume that runs it holds
 * a reference while it runs (and one on the last operation it ran, for
 * OPEN_ASYNC); every anon-inode file (the handle userspace holds) holds one.
 * The operation knows its volume only by device number, so a handle may
 * outlive the volume: the volume ends the operation (VDS_E_OBJECT_DELETED)
 * before it goes away, and a cancel finds the volume through the registry.
 *
 * States: RUNNING, then exactly one of SUCCEEDED, FAILED or CANCELED; the
 * first vdsplex_op_end() wins.  Once vdsplex_op_commit() was called the
 * operation can no longer be cancelled (VDS_E_CANCEL_TOO_LATE).
 *
 * Lock: op->lock (spinlock, irqsave) protects the state, the result, the
 * progress and the plex list; it nests inside vol->state_lock and nothing
 * else is taken under it.
 */
#ifndef VDSPLEX_ASYNC_H
#define VDSPLEX_ASYNC_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/dm-vdsplex.h>

struct file;
struct vdsplex_op;

/**
 * typedef vdsplex_cancel_fn - cancel a running operation.
 * @op: the operation.
 *
 * Installed by whoever runs the operation; called by VDSPLEX_ASYNC_CANCEL
 * without any lock held.  Ends @op with VDS_E_OPERATION_CANCELED through
 * vdsplex_op_end() when it could cancel.
 *
 * Return: VDS_E_OPERATION_CANCELED, VDS_E_CANCEL_TOO_LATE, or another VDS
 * error that prevented the cancel (the operation then goes on).
 */
typedef u32 (*vdsplex_cancel_fn)(struct vdsplex_op *op);

/**
 * struct vdsplex_op - one asynchronous operation.
 * @kref: references: the running volume, the volume's last_op, each handle.
 * @lock: protects the fields below it.
 * @state: enum vdsplex_async_state.
 * @hresult: VDS_S_OK while running, then the final result.
 * @committing: the final commit was issued: too late to cancel.
 * @done: progress units done (region copies to the operation's plexes).
 * @total: progress units in all.
 * @rate_kibs: copy rate over the last seconds.
 * @nr_plexes: plexes the operation attached.
 * @nr_in_sync: of those, the plexes that reached in sync.
 * @plex_id: their stable ids.
 * @plex_index: their table indices at the attach.
 * @vol_devt: the volume (device number of the mapped device).
 * @len: the volume length in sectors (progress in sectors).
 * @cancel: see vdsplex_cancel_fn; set before the operation is published.
 * @ended: completed when the operation ends (WAIT).
 * @wq: woken when the operation ends (poll).
 */
struct vdsplex_op {
	struct kref kref;
	spinlock_t lock;	/* the fields below */
	u32 state;
	u32 hresult;
	bool committing;
	u64 done;
	u64 total;
	u64 rate_kibs;
	unsigned int nr_plexes;
	unsigned int nr_in_sync;
	u64 plex_id[VDSPLEX_MAX_EXTENTS];
	u32 plex_index[VDSPLEX_MAX_EXTENTS];

	dev_t vol_devt;
	sector_t len;
	vdsplex_cancel_fn cancel;
	struct completion ended;
	wait_queue_head_t wq;
};

struct vdsplex_op *vdsplex_op_create(dev_t vol_devt, sector_t len,
				     vdsplex_cancel_fn cancel);
void vdsplex_op_get(struct vdsplex_op *op);
void vdsplex_op_put(struct vdsplex_op *op);
void vdsplex_op_add_plex(struct vdsplex_op *op, u64 id, u32 index);
void vdsplex_op_progress(struct vdsplex_op *op, u64 done, u64 total,
			 u64 rate_kibs);
void vdsplex_op_plex_in_sync(struct vdsplex_op *op);
bool vdsplex_op_commit(struct vdsplex_op *op);
bool vdsplex_op_end(struct vdsplex_op *op, u32 hresult);
bool vdsplex_op_running(struct vdsplex_op *op);
void vdsplex_op_status(struct vdsplex_op *op,
		       struct vdsplex_async_status *st);
u32 vdsplex_op_do_cancel(struct vdsplex_op *op);
struct file *vdsplex_op_file(struct vdsplex_op *op);

int vdsplex_copy_struct_in(void *kbuf, size_t size, const void __user *ubuf);
int vdsplex_hresult_errno(u32 hresult);
const char *vdsplex_hresult_name(u32 hresult);

#if IS_ENABLED(CONFIG_KUNIT)
bool vdsplex_async_wait_valid(const struct vdsplex_async_wait *w);
#endif

#endif /* VDSPLEX_ASYNC_H */
