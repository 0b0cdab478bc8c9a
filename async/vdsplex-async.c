// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex async operations and their anon-inode handles
 * (Documentation/ioctl.rst).
 *
 * The handle is a file: poll() says when the operation ended, read() and
 * VDSPLEX_ASYNC_QUERY report its progress, VDSPLEX_ASYNC_WAIT waits for it
 * (with a timeout), VDSPLEX_ASYNC_CANCEL cancels it.  close() drops the
 * handle only; the operation goes on.  The file operations are owned by
 * this module, so rmmod is refused while a handle is open.
 *
 * Locks: op->lock only (see vdsplex-async.h).
 */

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kdev_t.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../dm-vdsplex.h"
#include "vdsplex-async.h"

static const struct {
	u32 hresult;
	int err;
	const char *name;
} vdsplex_hresults[] = {
	{ VDS_S_OK, 0, "VDS_S_OK" },
	{ VDS_E_INVALID_OPERATION, -EINVAL, "VDS_E_INVALID_OPERATION" },
	{ VDS_E_VOLUME_NOT_ONLINE, -EAGAIN, "VDS_E_VOLUME_NOT_ONLINE" },
	{ VDS_E_VOLUME_NOT_HEALTHY, -EIO, "VDS_E_VOLUME_NOT_HEALTHY" },
	{ VDS_E_VOLUME_SPANS_DISKS, -EXDEV, "VDS_E_VOLUME_SPANS_DISKS" },
	{ VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, -ERANGE,
	  "VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE" },
	{ VDS_E_DISK_IN_USE_BY_VOLUME, -EEXIST, "VDS_E_DISK_IN_USE_BY_VOLUME" },
	{ VDS_E_DEVICE_IN_USE, -EBUSY, "VDS_E_DEVICE_IN_USE" },
	{ VDS_E_ANOTHER_CALL_IN_PROGRESS, -EALREADY,
	  "VDS_E_ANOTHER_CALL_IN_PROGRESS" },
	{ VDS_E_OBJECT_DELETED, -ENODEV, "VDS_E_OBJECT_DELETED" },
	{ VDS_E_PLEX_LAST_ACTIVE, -EBUSY, "VDS_E_PLEX_LAST_ACTIVE" },
	{ VDS_E_OPERATION_CANCELED, -ECANCELED, "VDS_E_OPERATION_CANCELED" },
	{ VDS_E_CANCEL_TOO_LATE, -ESRCH, "VDS_E_CANCEL_TOO_LATE" },
	{ VDS_S_GPT_BOOT_MIRRORED_TO_MBR, 0, "VDS_S_GPT_BOOT_MIRRORED_TO_MBR" },
	{ VDSPLEX_E_OUTOFMEMORY, -ENOMEM, "E_OUTOFMEMORY" },
	{ VDSPLEX_E_IO_DEVICE, -EIO, "ERROR_IO_DEVICE" },
};

/**
 * vdsplex_hresult_errno() - the errno a VDS result is returned with.
 * @hresult: a VDS HRESULT.
 *
 * Context: any.
 * Return: 0 for success codes, else a negative errno (-EIO when unknown).
 */
int vdsplex_hresult_errno(u32 hresult)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdsplex_hresults); i++)
		if (vdsplex_hresults[i].hresult == hresult)
			return vdsplex_hresults[i].err;
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_hresult_errno);

/**
 * vdsplex_hresult_name() - the name of a VDS result, for logs and fdinfo.
 * @hresult: a VDS HRESULT.
 *
 * Context: any.
 * Return: a static string; "unknown" for a code not in the table.
 */
const char *vdsplex_hresult_name(u32 hresult)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdsplex_hresults); i++)
		if (vdsplex_hresults[i].hresult == hresult)
			return vdsplex_hresults[i].name;
	return "unknown";
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_hresult_name);

/**
 * vdsplex_op_create() - a new running operation.
 * @vol_devt: the volume's device number.
 * @len: the volume length in sectors.
 * @cancel: how to cancel it (see vdsplex_cancel_fn).
 *
 * Context: process, may sleep.
 * Return: the operation with one reference, or NULL.
 */
struct vdsplex_op *vdsplex_op_create(dev_t vol_devt, sector_t len,
				     vdsplex_cancel_fn cancel)
{
	struct vdsplex_op *op = kzalloc(sizeof(*op), GFP_KERNEL);

	if (!op)
		return NULL;
	kref_init(&op->kref);
	spin_lock_init(&op->lock);
	op->state = VDSPLEX_ASYNC_RUNNING;
	op->hresult = VDS_S_OK;
	op->vol_devt = vol_devt;
	op->len = len;
	op->cancel = cancel;
	init_completion(&op->ended);
	init_waitqueue_head(&op->wq);
	return op;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_create);

/**
 * vdsplex_op_get() - take a reference.
 * @op: the operation.
 *
 * Context: any.
 */
void vdsplex_op_get(struct vdsplex_op *op)
{
	kref_get(&op->kref);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_get);

static void vdsplex_op_release(struct kref *kref)
{
	kfree(container_of(kref, struct vdsplex_op, kref));
}

/**
 * vdsplex_op_put() - drop a reference; the last one frees the operation.
 * @op: the operation, or NULL.
 *
 * Context: any.
 */
void vdsplex_op_put(struct vdsplex_op *op)
{
	if (op)
		kref_put(&op->kref, vdsplex_op_release);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_put);

/**
 * vdsplex_op_add_plex() - record a plex the operation attached.
 * @op: the operation, not yet published.
 * @id: the plex's stable id.
 * @index: its table index.
 *
 * Context: any.
 */
void vdsplex_op_add_plex(struct vdsplex_op *op, u64 id, u32 index)
{
	unsigned long flags;

	spin_lock_irqsave(&op->lock, flags);
	if (!WARN_ON_ONCE(op->nr_plexes >= VDSPLEX_MAX_EXTENTS)) {
		op->plex_index[op->nr_plexes] = index;
		op->plex_id[op->nr_plexes++] = id;
	}
	spin_unlock_irqrestore(&op->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_add_plex);

/**
 * vdsplex_op_progress() - publish the progress of a running operation.
 * @op: the operation.
 * @done: units done.
 * @total: units in all.
 * @rate_kibs: the current copy rate.
 *
 * Ignored once the operation ended, so the final figures stay.
 *
 * Context: any.
 */
void vdsplex_op_progress(struct vdsplex_op *op, u64 done, u64 total,
			 u64 rate_kibs)
{
	unsigned long flags;

	spin_lock_irqsave(&op->lock, flags);
	if (op->state == VDSPLEX_ASYNC_RUNNING) {
		op->done = min(done, total);
		op->total = total;
		op->rate_kibs = rate_kibs;
	}
	spin_unlock_irqrestore(&op->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_progress);

/**
 * vdsplex_op_plex_in_sync() - one of the operation's plexes is in sync.
 * @op: the operation.
 *
 * Context: any.
 */
void vdsplex_op_plex_in_sync(struct vdsplex_op *op)
{
	unsigned long flags;

	spin_lock_irqsave(&op->lock, flags);
	if (op->nr_in_sync < op->nr_plexes)
		op->nr_in_sync++;
	spin_unlock_irqrestore(&op->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_plex_in_sync);

/**
 * vdsplex_op_commit() - the final commit is being issued.
 * @op: the operation.
 *
 * From now on a cancel is VDS_E_CANCEL_TOO_LATE.
 *
 * Context: any.
 * Return: false when the operation had already ended.
 */
bool vdsplex_op_commit(struct vdsplex_op *op)
{
	unsigned long flags;
	bool running;

	spin_lock_irqsave(&op->lock, flags);
	running = op->state == VDSPLEX_ASYNC_RUNNING;
	if (running)
		op->committing = true;
	spin_unlock_irqrestore(&op->lock, flags);
	return running;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_commit);

/**
 * vdsplex_op_end() - end the operation with its final result.
 * @op: the operation.
 * @hresult: VDS_S_OK (SUCCEEDED), VDS_E_OPERATION_CANCELED (CANCELED) or
 *	another error (FAILED).
 *
 * Wakes WAIT and poll.  Only the first call counts.
 *
 * Context: any, including under vol->state_lock.
 * Return: true if this call ended the operation.
 */
bool vdsplex_op_end(struct vdsplex_op *op, u32 hresult)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&op->lock, flags);
	first = op->state == VDSPLEX_ASYNC_RUNNING;
	if (first) {
		op->hresult = hresult;
		if (hresult == VDS_S_OK)
			op->state = VDSPLEX_ASYNC_SUCCEEDED;
		else if (hresult == VDS_E_OPERATION_CANCELED)
			op->state = VDSPLEX_ASYNC_CANCELED;
		else
			op->state = VDSPLEX_ASYNC_FAILED;
		if (hresult == VDS_S_OK)
			op->done = op->total;
	}
	spin_unlock_irqrestore(&op->lock, flags);
	if (first) {
		complete_all(&op->ended);
		wake_up_all(&op->wq);
	}
	return first;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_end);

/**
 * vdsplex_op_running() - has the operation not ended yet?
 * @op: the operation.
 *
 * Context: any.
 * Return: true while it runs.
 */
bool vdsplex_op_running(struct vdsplex_op *op)
{
	return READ_ONCE(op->state) == VDSPLEX_ASYNC_RUNNING;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_running);

/**
 * vdsplex_op_status() - the status read() and QUERY return.
 * @op: the operation.
 * @st: filled in completely (no byte left uninitialised).
 *
 * Context: any.
 */
void vdsplex_op_status(struct vdsplex_op *op, struct vdsplex_async_status *st)
{
	unsigned long flags;
	bool ended;

	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->vol_major = MAJOR(op->vol_devt);
	st->vol_minor = MINOR(op->vol_devt);
	spin_lock_irqsave(&op->lock, flags);
	ended = op->state != VDSPLEX_ASYNC_RUNNING;
	st->state = op->state;
	st->hresult = op->hresult;
	st->percent = vdsplex_percent(op->done, op->total, ended);
	st->total_sectors = op->len;
	st->done_sectors = op->total ?
		mul_u64_u64_div_u64(op->done, op->len, op->total) : 0;
	if (op->state == VDSPLEX_ASYNC_SUCCEEDED)
		st->done_sectors = op->len;
	st->rate = ended ? 0 : op->rate_kibs;
	spin_unlock_irqrestore(&op->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_status);

/**
 * vdsplex_op_do_cancel() - cancel the operation (VDSPLEX_ASYNC_CANCEL).
 * @op: the operation.
 *
 * Context: process, may sleep; no lock held.
 * Return: VDS_E_OPERATION_CANCELED when it was cancelled (now or before),
 * VDS_E_CANCEL_TOO_LATE when it had ended otherwise or its final commit
 * was issued, or the error that prevented the cancel.
 */
u32 vdsplex_op_do_cancel(struct vdsplex_op *op)
{
	unsigned long flags;
	u32 state;
	bool committing;

	spin_lock_irqsave(&op->lock, flags);
	state = op->state;
	committing = op->committing;
	spin_unlock_irqrestore(&op->lock, flags);
	if (state == VDSPLEX_ASYNC_CANCELED)
		return VDS_E_OPERATION_CANCELED;
	if (state != VDSPLEX_ASYNC_RUNNING || committing || !op->cancel)
		return VDS_E_CANCEL_TOO_LATE;
	return op->cancel(op);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_op_do_cancel);

/**
 * vdsplex_copy_struct_in() - copy an ioctl struct that starts with its size.
 * @kbuf: where to.
 * @size: sizeof the kernel's struct; the first __u32 at @ubuf must equal it.
 * @ubuf: the user's struct.
 *
 * Context: process, may fault.
 * Return: 0, -EFAULT, or -EINVAL when the size field is not @size.
 */
int vdsplex_copy_struct_in(void *kbuf, size_t size, const void __user *ubuf)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)ubuf))
		return -EFAULT;
	if (usize != size)
		return -EINVAL;
	if (copy_from_user(kbuf, ubuf, size))
		return -EFAULT;
	return 0;
}

static long vdsplex_async_query(struct vdsplex_op *op, void __user *ubuf)
{
	struct vdsplex_async_status st;
	int r = vdsplex_copy_struct_in(&st, sizeof(st), ubuf);

	if (r)
		return r;
	if (st.state || st.hresult || st.percent || st.done_sectors ||
	    st.total_sectors || st.rate || st.vol_major || st.vol_minor ||
	    st.reserved[0] || st.reserved[1])
		return -EINVAL;
	vdsplex_op_status(op, &st);
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

/**
 * vdsplex_async_wait_valid() - is a VDSPLEX_ASYNC_WAIT request well formed?
 * @w: the request as copied in.
 *
 * Context: any.
 * Return: true when flags, outputs and reserved fields are zero.
 */
VISIBLE_IF_KUNIT bool vdsplex_async_wait_valid(const struct vdsplex_async_wait *w)
{
	unsigned int i;

	if (w->size != sizeof(*w) || w->flags || w->state || w->hresult ||
	    w->nr_plexes || w->nr_in_sync || w->reserved[0] || w->reserved[1])
		return false;
	for (i = 0; i < ARRAY_SIZE(w->plex_id); i++)
		if (w->plex_id[i] || w->plex_index[i])
			return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_async_wait_valid);

static long vdsplex_async_wait(struct vdsplex_op *op, void __user *ubuf)
{
	struct vdsplex_async_wait w;
	unsigned long flags;
	long left = 1;
	int r = vdsplex_copy_struct_in(&w, sizeof(w), ubuf);

	if (r)
		return r;
	if (!vdsplex_async_wait_valid(&w))
		return -EINVAL;
	if (w.timeout_ms == VDSPLEX_WAIT_FOREVER) {
		left = wait_for_completion_interruptible(&op->ended);
		if (left)
			return left;
		left = 1;
	} else if (w.timeout_ms) {
		u64 ms = min_t(u64, w.timeout_ms, jiffies_to_msecs(MAX_JIFFY_OFFSET));

		left = wait_for_completion_interruptible_timeout(&op->ended,
								 msecs_to_jiffies(ms));
		if (left < 0)
			return left;
	}
	spin_lock_irqsave(&op->lock, flags);
	w.state = op->state;
	w.hresult = op->hresult;
	w.nr_plexes = op->nr_plexes;
	w.nr_in_sync = op->nr_in_sync;
	memcpy(w.plex_id, op->plex_id, sizeof(w.plex_id));
	memcpy(w.plex_index, op->plex_index, sizeof(w.plex_index));
	spin_unlock_irqrestore(&op->lock, flags);
	if (copy_to_user(ubuf, &w, sizeof(w)))
		return -EFAULT;
	return w.state == VDSPLEX_ASYNC_RUNNING ? -ETIMEDOUT : 0;
}

static long vdsplex_async_cancel(struct vdsplex_op *op, void __user *ubuf)
{
	struct vdsplex_async_cancel c;
	int r = vdsplex_copy_struct_in(&c, sizeof(c), ubuf);
	u32 hr;

	if (r)
		return r;
	if (c.flags || c.hresult || c.reserved0 || c.reserved[0] ||
	    c.reserved[1])
		return -EINVAL;
	hr = vdsplex_op_do_cancel(op);
	c.hresult = hr;
	if (copy_to_user(ubuf, &c, sizeof(c)))
		return -EFAULT;
	return hr == VDS_E_OPERATION_CANCELED ? 0 : vdsplex_hresult_errno(hr);
}

static long vdsplex_async_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct vdsplex_op *op = file->private_data;
	void __user *ubuf = (void __user *)arg;

	switch (cmd) {
	case VDSPLEX_ASYNC_QUERY:
		return vdsplex_async_query(op, ubuf);
	case VDSPLEX_ASYNC_WAIT:
		return vdsplex_async_wait(op, ubuf);
	case VDSPLEX_ASYNC_CANCEL:
		/*
		 * Query, wait, read and poll are for any holder (a monitor may
		 * be handed the fd); a cancel detaches plexes, as the cancel
		 * message does, so it needs the caller's CAP_SYS_ADMIN now and
		 * a handle opened for writing, as pidfd_send_signal() checks
		 * the sender rather than the fd.
		 */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vdsplex_async_cancel(op, ubuf);
	default:
		return -ENOTTY;
	}
}

/* read(): the current status; a snapshot per call, never blocks. */
static ssize_t vdsplex_async_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct vdsplex_async_status st;

	if (count < sizeof(st))
		return -EINVAL;
	vdsplex_op_status(file->private_data, &st);
	if (copy_to_user(buf, &st, sizeof(st)))
		return -EFAULT;
	return sizeof(st);
}

static __poll_t vdsplex_async_poll(struct file *file, poll_table *wait)
{
	struct vdsplex_op *op = file->private_data;

	poll_wait(file, &op->wq, wait);
	return vdsplex_op_running(op) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static int vdsplex_async_release(struct inode *inode, struct file *file)
{
	vdsplex_op_put(file->private_data);
	return 0;
}

static void vdsplex_async_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vdsplex_op *op = file->private_data;
	struct vdsplex_async_status st;
	unsigned int i;

	vdsplex_op_status(op, &st);
	seq_printf(m, "vdsplex-volume:\t%u:%u\n", st.vol_major, st.vol_minor);
	seq_printf(m, "vdsplex-state:\t%s\n",
		   st.state == VDSPLEX_ASYNC_RUNNING ? "running" :
		   st.state == VDSPLEX_ASYNC_SUCCEEDED ? "succeeded" :
		   st.state == VDSPLEX_ASYNC_CANCELED ? "canceled" : "failed");
	seq_printf(m, "vdsplex-hresult:\t0x%08x %s\n", st.hresult,
		   vdsplex_hresult_name(st.hresult));
	seq_printf(m, "vdsplex-percent:\t%u\n", st.percent);
	seq_printf(m, "vdsplex-sectors:\t%llu/%llu\n", st.done_sectors,
		   st.total_sectors);
	seq_printf(m, "vdsplex-rate-kibs:\t%llu\n", st.rate);
	seq_puts(m, "vdsplex-plex-ids:\t");
	spin_lock_irq(&op->lock);
	for (i = 0; i < op->nr_plexes; i++)
		seq_printf(m, "%s%llu", i ? "," : "", op->plex_id[i]);
	spin_unlock_irq(&op->lock);
	seq_putc(m, '\n');
}

static const struct file_operations vdsplex_async_fops = {
	.owner = THIS_MODULE,
	.read = vdsplex_async_read,
	.poll = vdsplex_async_poll,
	.unlocked_ioctl = vdsplex_async_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vdsplex_async_release,
	.show_fdinfo = vdsplex_async_show_fdinfo,
	.llseek = noop_llseek,
};

/**
 * vdsplex_op_file() - a new handle (anon-inode file) on the operation.
 * @op: the operation; the file takes its own reference.
 *
 * The caller reserves a descriptor with get_unused_fd_flags(O_CLOEXEC),
 * copies it to userspace, then fd_install()s the file (or fput()s it).
 *
 * Context: process, may sleep.
 * Return: the file or an ERR_PTR.
 */
struct file *vdsplex_op_file(struct vdsplex_op *op)
{
	struct file *file;

	vdsplex_op_get(op);
	file = anon_inode_getfile("[vdsplex-async]", &vdsplex_async_fops, op,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file))
		vdsplex_op_put(op);
	return file;
}
