// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex control device, /dev/vdsplex-control (Documentation/ioctl.rst).
 *
 * Every command needs CAP_SYS_ADMIN.  Structs are validated whole before
 * anything is looked up: a size field that is not the kernel's struct size,
 * flags, reserved fields that are not zero, or a device number that cannot
 * exist fail with -EINVAL and nothing is copied out.  After that, results
 * are VDS HRESULTs: the struct's hresult field is copied out and the call
 * returns the errno of the result (vdsplex_hresult_errno()).
 *
 * A volume is found through the registry by device number; the call then
 * works under the volume's lock on its resumed instance, so it serialises
 * with suspend, resume and dtr.  Locks: see dm-vdsplex.h.
 */

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dm-vdsplex.h"
#include "async/vdsplex-async.h"

#define DM_MSG_PREFIX "vdsplex"

/**
 * vdsplex_devno_valid() - can @major:@minor name a block device?
 * @major: the major number.
 * @minor: the minor number.
 *
 * Context: any.
 * Return: true when it fits a dev_t and is not 0:0.
 */
bool vdsplex_devno_valid(u32 major, u32 minor)
{
	return major < (1U << (32 - MINORBITS)) && minor <= MINORMASK &&
	       (major || minor);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_devno_valid);

static bool vdsplex_zero(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

/**
 * vdsplex_ioc_version_valid() - is a VERSION request well formed?
 * @v: the request.
 *
 * Context: any.
 * Return: true when size, flags and reserved fields are right.
 */
VISIBLE_IF_KUNIT bool vdsplex_ioc_version_valid(const struct vdsplex_ioc_version *v)
{
	return v->size == sizeof(*v) && !v->flags &&
	       vdsplex_zero(v->reserved, sizeof(v->reserved));
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_ioc_version_valid);

/**
 * vdsplex_ioc_add_plex_valid() - is an ADD_PLEX request well formed?
 * @a: the request (the extents are checked by vdsplex_extent_valid()).
 *
 * Context: any.
 * Return: true when valid.
 */
VISIBLE_IF_KUNIT bool vdsplex_ioc_add_plex_valid(const struct vdsplex_ioc_add_plex *a)
{
	return a->size == sizeof(*a) && !a->flags &&
	       vdsplex_devno_valid(a->vol_major, a->vol_minor) &&
	       a->nr_extents >= 1 && a->nr_extents <= VDSPLEX_MAX_EXTENTS &&
	       a->extent_size == sizeof(struct vdsplex_extent) && a->extents &&
	       vdsplex_zero(a->reserved, sizeof(a->reserved));
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_ioc_add_plex_valid);

/**
 * vdsplex_extent_valid() - is one ADD_PLEX extent well formed?
 * @e: the extent.
 *
 * Context: any.
 * Return: true when the device number can exist, the identity is empty or
 * valid (vdsplex_identity_valid()) and the reserved field is zero.
 */
VISIBLE_IF_KUNIT bool vdsplex_extent_valid(const struct vdsplex_extent *e)
{
	return vdsplex_devno_valid(e->major, e->minor) && !e->reserved &&
	       e->offset <= (u64)(sector_t)~0ULL &&
	       vdsplex_identity_valid((const char *)e->identity,
				      sizeof(e->identity), true);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_extent_valid);

/**
 * vdsplex_ioc_query_valid() - is a QUERY_PLEXES request well formed?
 * @q: the request.
 *
 * Context: any.
 * Return: true when valid.
 */
VISIBLE_IF_KUNIT bool vdsplex_ioc_query_valid(const struct vdsplex_ioc_query_plexes *q)
{
	return q->size == sizeof(*q) && !q->flags &&
	       vdsplex_devno_valid(q->vol_major, q->vol_minor) &&
	       q->plex_size == sizeof(struct vdsplex_plex_info) &&
	       (q->plexes || !q->nr_plexes) &&
	       vdsplex_zero(q->reserved, sizeof(q->reserved));
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_ioc_query_valid);

/**
 * vdsplex_ioc_plex_valid() - is a REMOVE_PLEX or SET_IDENTITY request well
 * formed?
 * @p: the request.
 * @set_identity: SET_IDENTITY (a valid identity) rather than REMOVE_PLEX
 *	(identity all zero).
 *
 * Context: any.
 * Return: true when valid.
 */
VISIBLE_IF_KUNIT bool vdsplex_ioc_plex_valid(const struct vdsplex_ioc_plex *p,
					     bool set_identity)
{
	if (p->size != sizeof(*p) || p->flags ||
	    !vdsplex_devno_valid(p->vol_major, p->vol_minor) ||
	    !vdsplex_zero(p->reserved, sizeof(p->reserved)))
		return false;
	if (set_identity)
		return vdsplex_identity_valid((const char *)p->identity,
					      sizeof(p->identity), false);
	return vdsplex_zero(p->identity, sizeof(p->identity));
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_ioc_plex_valid);

/**
 * vdsplex_ioc_open_async_valid() - is an OPEN_ASYNC request well formed?
 * @o: the request.
 *
 * Context: any.
 * Return: true when valid.
 */
VISIBLE_IF_KUNIT bool vdsplex_ioc_open_async_valid(const struct vdsplex_ioc_open_async *o)
{
	return o->size == sizeof(*o) && !o->flags &&
	       vdsplex_devno_valid(o->vol_major, o->vol_minor) &&
	       vdsplex_zero(o->reserved, sizeof(o->reserved));
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_ioc_open_async_valid);

/* The vdsplex volume @major:@minor with a reference, or NULL (logged). */
static struct vdsplex_volume *vdsplex_ctl_find(const char *cmd, u32 major,
					       u32 minor)
{
	struct vdsplex_volume *vol = vdsplex_volume_find(MKDEV(major, minor));

	if (!vol)
		DMWARN("control: %s: %u:%u is not a vdsplex volume", cmd,
		       major, minor);
	return vol;
}

/* Give userspace a handle on @op: returns the fd, or a negative errno. */
struct vdsplex_handle {
	struct file *file;
	int fd;
};

static int vdsplex_handle_prepare(struct vdsplex_handle *h,
				  struct vdsplex_op *op)
{
	h->fd = get_unused_fd_flags(O_CLOEXEC);
	if (h->fd < 0)
		return h->fd;
	h->file = vdsplex_op_file(op);
	if (IS_ERR(h->file)) {
		put_unused_fd(h->fd);
		return PTR_ERR(h->file);
	}
	return 0;
}

static void vdsplex_handle_abort(struct vdsplex_handle *h)
{
	put_unused_fd(h->fd);
	fput(h->file);
}

static long vdsplex_ctl_version(void __user *ubuf)
{
	struct vdsplex_ioc_version v;
	int r = vdsplex_copy_struct_in(&v, sizeof(v), ubuf);

	if (r)
		return r;
	if (!vdsplex_ioc_version_valid(&v))
		return -EINVAL;
	v.abi = VDSPLEX_ABI_VERSION;
	v.major = VDSPLEX_VERSION_MAJOR;
	v.minor = VDSPLEX_VERSION_MINOR;
	v.patch = VDSPLEX_VERSION_PATCH;
	v.max_plexes = VDSPLEX_MAX_PLEXES;
	return copy_to_user(ubuf, &v, sizeof(v)) ? -EFAULT : 0;
}

static u32 vdsplex_ctl_do_add(struct vdsplex_ioc_add_plex *a,
			      const struct vdsplex_extent *ext,
			      struct vdsplex_op *op)
{
	struct {
		struct vdsplex_new_plex np[VDSPLEX_MAX_EXTENTS];
		char path[VDSPLEX_MAX_EXTENTS][24];
	} *s;
	struct vdsplex_volume *vol;
	unsigned int i;
	u32 hr;

	vol = vdsplex_ctl_find("ADD_PLEX", a->vol_major, a->vol_minor);
	if (!vol)
		return VDS_E_INVALID_OPERATION;
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		vdsplex_volume_unref(vol);
		return VDSPLEX_E_OUTOFMEMORY;
	}
	for (i = 0; i < a->nr_extents; i++) {
		snprintf(s->path[i], sizeof(s->path[i]), "%u:%u",
			 ext[i].major, ext[i].minor);
		s->np[i].path = s->path[i];
		s->np[i].offset = ext[i].offset;
		/* vdsplex_extent_valid() saw the NUL within the array */
		s->np[i].identity = (const char *)ext[i].identity;
	}
	mutex_lock(&vol->lock);
	if (!vol->active) {
		DMWARN("control: ADD_PLEX: %u:%u has no resumed table",
		       a->vol_major, a->vol_minor);
		hr = VDS_E_VOLUME_NOT_ONLINE;
	} else {
		hr = __vdsplex_add_plexes(vol->active, s->np, a->nr_extents,
					  op, &a->first_index, &a->bad_extent);
	}
	mutex_unlock(&vol->lock);
	vdsplex_volume_unref(vol);
	kfree(s);
	return hr;
}

static long vdsplex_ctl_add_plex(void __user *ubuf)
{
	struct vdsplex_ioc_add_plex a;
	struct vdsplex_extent *ext;
	struct vdsplex_handle h;
	struct vdsplex_op *op;
	unsigned int i;
	long r;
	u32 hr;

	r = vdsplex_copy_struct_in(&a, sizeof(a), ubuf);
	if (r)
		return r;
	if (!vdsplex_ioc_add_plex_valid(&a))
		return -EINVAL;
	ext = kcalloc(a.nr_extents, sizeof(*ext), GFP_KERNEL);
	if (!ext)
		return -ENOMEM;
	if (copy_from_user(ext, u64_to_user_ptr(a.extents),
			   a.nr_extents * sizeof(*ext))) {
		r = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < a.nr_extents; i++) {
		if (!vdsplex_extent_valid(&ext[i])) {
			r = -EINVAL;
			goto out_free;
		}
	}
	/* The handle exists before the attach, so every outcome reaches it. */
	op = vdsplex_op_create(MKDEV(a.vol_major, a.vol_minor), 0,
			       vdsplex_cancel_op);
	if (!op) {
		r = -ENOMEM;
		goto out_free;
	}
	r = vdsplex_handle_prepare(&h, op);
	if (r)
		goto out_put;
	a.fd = ~0U;
	a.first_index = ~0U;
	a.bad_extent = ~0U;
	a.hresult = VDSPLEX_E_IO_DEVICE;
	/* An attach must not be followed by an -EFAULT: prove it writable. */
	if (copy_to_user(ubuf, &a, sizeof(a))) {
		vdsplex_handle_abort(&h);
		r = -EFAULT;
		goto out_put;
	}
	hr = vdsplex_ctl_do_add(&a, ext, op);
	if (hr == VDS_S_OK)
		a.fd = h.fd;
	else
		vdsplex_handle_abort(&h);
	a.hresult = hr;
	if (copy_to_user(ubuf, &a, sizeof(a))) {
		/* The operation goes on; OPEN_ASYNC finds it. */
		if (hr == VDS_S_OK)
			vdsplex_handle_abort(&h);
		r = -EFAULT;
		goto out_put;
	}
	if (hr == VDS_S_OK)
		fd_install(h.fd, h.file);
	r = vdsplex_hresult_errno(hr);
out_put:
	vdsplex_op_put(op);
out_free:
	kfree(ext);
	return r;
}

static void vdsplex_plex_info_fill(struct vdsplex_ctx *ctx, unsigned int i,
				   int src, struct vdsplex_plex_info *info)
{
	struct vdsplex_leg *leg = &ctx->legs[i];
	struct vdsplex_plex *p = leg->plex;
	static const u32 abi_state[] = {
		[VDSPLEX_PLEX_NEW] = VDSPLEX_STATE_STALE,
		[VDSPLEX_PLEX_ALIVE] = VDSPLEX_STATE_ALIVE,
		[VDSPLEX_PLEX_RECOVERING] = VDSPLEX_STATE_RECOVERING,
		[VDSPLEX_PLEX_STALE] = VDSPLEX_STATE_STALE,
		[VDSPLEX_PLEX_DEAD] = VDSPLEX_STATE_DEAD,
	};

	info->index = i;
	info->state = abi_state[p->state];
	info->id = p->id;
	memcpy(info->identity, p->identity, sizeof(info->identity));
	info->major = MAJOR(p->devt);
	info->minor = MINOR(p->devt);
	info->offset = p->offset;
	info->health = vdsplex_health_char(p->state);
	info->flags = (leg->write_mostly ? VDSPLEX_PLEX_WRITE_MOSTLY : 0) |
		      (src == (int)i ? VDSPLEX_PLEX_SOURCE : 0) |
		      (p->added ? VDSPLEX_PLEX_ADDED : 0);
	info->total_regions = ctx->vol->nr_regions;
	/* an in-sync plex counts the dirty regions it lacks only */
	info->synced_regions = p->state == VDSPLEX_PLEX_ALIVE &&
			       !ctx->vol->unclean ?
			       ctx->vol->nr_regions : p->synced;
	if (p->state == VDSPLEX_PLEX_DEAD)
		info->synced_regions = 0;
	info->read_errors = atomic_read(&p->read_errors);
	info->write_errors = atomic_read(&p->write_errors);
}

static long vdsplex_ctl_query(void __user *ubuf)
{
	struct vdsplex_ioc_query_plexes q;
	struct vdsplex_plex_info *info = NULL;
	struct vdsplex_volume *vol;
	unsigned int i, nr = 0;
	unsigned long flags;
	long r;
	u32 hr = VDS_S_OK;

	r = vdsplex_copy_struct_in(&q, sizeof(q), ubuf);
	if (r)
		return r;
	if (!vdsplex_ioc_query_valid(&q))
		return -EINVAL;
	vol = vdsplex_ctl_find("QUERY_PLEXES", q.vol_major, q.vol_minor);
	if (!vol) {
		hr = VDS_E_INVALID_OPERATION;
		goto out;
	}
	info = kcalloc(VDSPLEX_MAX_PLEXES, sizeof(*info), GFP_KERNEL);
	if (!info) {
		vdsplex_volume_unref(vol);
		return -ENOMEM;
	}
	mutex_lock(&vol->lock);
	if (vol->active) {
		struct vdsplex_ctx *ctx = vol->active;
		int src;

		spin_lock_irqsave(&vol->state_lock, flags);
		src = vdsplex_source_leg(ctx);
		nr = ctx->nr_legs;
		for (i = 0; i < nr; i++)
			vdsplex_plex_info_fill(ctx, i, src, &info[i]);
		spin_unlock_irqrestore(&vol->state_lock, flags);
	} else {
		hr = VDS_E_VOLUME_NOT_ONLINE;
	}
	q.region_size = vol->region_size;
	q.len = vol->len;
	mutex_unlock(&vol->lock);
	vdsplex_volume_unref(vol);
	if (copy_to_user(u64_to_user_ptr(q.plexes), info,
			 min(nr, q.nr_plexes) * sizeof(*info))) {
		kfree(info);
		return -EFAULT;
	}
	q.nr_plexes = nr;
out:
	kfree(info);
	q.hresult = hr;
	if (copy_to_user(ubuf, &q, sizeof(q)))
		return -EFAULT;
	return vdsplex_hresult_errno(hr);
}

static long vdsplex_ctl_plex(void __user *ubuf, bool set_identity)
{
	const char *cmd = set_identity ? "SET_IDENTITY" : "REMOVE_PLEX";
	struct vdsplex_ioc_plex p;
	struct vdsplex_volume *vol;
	long r;
	u32 hr;

	r = vdsplex_copy_struct_in(&p, sizeof(p), ubuf);
	if (r)
		return r;
	if (!vdsplex_ioc_plex_valid(&p, set_identity))
		return -EINVAL;
	vol = vdsplex_ctl_find(cmd, p.vol_major, p.vol_minor);
	if (!vol) {
		hr = VDS_E_INVALID_OPERATION;
	} else {
		mutex_lock(&vol->lock);
		if (!vol->active)
			hr = VDS_E_VOLUME_NOT_ONLINE;
		else if (set_identity)
			hr = __vdsplex_set_identity(vol->active, p.index,
						    (const char *)p.identity);
		else
			hr = __vdsplex_remove_plex(vol->active, p.index);
		mutex_unlock(&vol->lock);
		vdsplex_volume_unref(vol);
	}
	p.hresult = hr;
	if (copy_to_user(ubuf, &p, sizeof(p)))
		return -EFAULT;
	return vdsplex_hresult_errno(hr);
}

static long vdsplex_ctl_open_async(void __user *ubuf)
{
	struct vdsplex_ioc_open_async o;
	struct vdsplex_volume *vol;
	struct vdsplex_op *op = NULL;
	struct vdsplex_handle h;
	unsigned long flags;
	long r;
	u32 hr = VDS_S_OK;

	r = vdsplex_copy_struct_in(&o, sizeof(o), ubuf);
	if (r)
		return r;
	if (!vdsplex_ioc_open_async_valid(&o))
		return -EINVAL;
	o.fd = ~0U;
	vol = vdsplex_ctl_find("OPEN_ASYNC", o.vol_major, o.vol_minor);
	if (vol) {
		spin_lock_irqsave(&vol->state_lock, flags);
		op = vol->op ? vol->op : vol->last_op;
		if (op)
			vdsplex_op_get(op);
		spin_unlock_irqrestore(&vol->state_lock, flags);
		vdsplex_volume_unref(vol);
	}
	if (!op) {
		if (vol)
			DMWARN("control: OPEN_ASYNC: %u:%u has run no AddPlex",
			       o.vol_major, o.vol_minor);
		hr = VDS_E_INVALID_OPERATION;
	} else {
		r = vdsplex_handle_prepare(&h, op);
		vdsplex_op_put(op);
		if (r)
			return r;
		o.fd = h.fd;
	}
	o.hresult = hr;
	if (copy_to_user(ubuf, &o, sizeof(o))) {
		if (op)
			vdsplex_handle_abort(&h);
		return -EFAULT;
	}
	if (op)
		fd_install(h.fd, h.file);
	return vdsplex_hresult_errno(hr);
}

static long vdsplex_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *ubuf = (void __user *)arg;

	switch (cmd) {
	case VDSPLEX_IOC_VERSION:
	case VDSPLEX_IOC_ADD_PLEX:
	case VDSPLEX_IOC_QUERY_PLEXES:
	case VDSPLEX_IOC_REMOVE_PLEX:
	case VDSPLEX_IOC_SET_IDENTITY:
	case VDSPLEX_IOC_OPEN_ASYNC:
		break;
	default:
		return -ENOTTY;
	}
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case VDSPLEX_IOC_VERSION:
		return vdsplex_ctl_version(ubuf);
	case VDSPLEX_IOC_ADD_PLEX:
		return vdsplex_ctl_add_plex(ubuf);
	case VDSPLEX_IOC_QUERY_PLEXES:
		return vdsplex_ctl_query(ubuf);
	case VDSPLEX_IOC_REMOVE_PLEX:
		return vdsplex_ctl_plex(ubuf, false);
	case VDSPLEX_IOC_SET_IDENTITY:
		return vdsplex_ctl_plex(ubuf, true);
	default:
		return vdsplex_ctl_open_async(ubuf);
	}
}

static const struct file_operations vdsplex_ctl_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = vdsplex_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vdsplex_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VDSPLEX_CONTROL_NAME,
	.fops = &vdsplex_ctl_fops,
	.mode = 0600,
};

/**
 * vdsplex_control_init() - register /dev/vdsplex-control.
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int vdsplex_control_init(void)
{
	return misc_register(&vdsplex_misc);
}

/**
 * vdsplex_control_exit() - unregister /dev/vdsplex-control.
 *
 * Context: module exit.
 */
void vdsplex_control_exit(void)
{
	misc_deregister(&vdsplex_misc);
}
