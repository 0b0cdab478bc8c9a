// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control device and the async handle; see ctl.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "ctl.h"
#include "vds.h"

/* ioctl() as 0 / -errno. */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int ctl_open(void)
{
	int fd = open(CTL_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ctl_open_or_report(void)
{
	int fd = ctl_open();

	if (fd >= 0)
		return fd;
	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		vx_err("%s: %s: is the dm_vdsplex module loaded? (modprobe dm_vdsplex)",
		       CTL_PATH, strerror(-fd));
	else if (fd == -EACCES || fd == -EPERM)
		vx_err("%s: %s: vdsplex needs root (CAP_SYS_ADMIN)", CTL_PATH, strerror(-fd));
	else
		vx_err("%s: %s", CTL_PATH, strerror(-fd));
	return -1;
}

int ctl_version(int fd, struct vdsplex_ioc_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return xioctl(fd, VDSPLEX_IOC_VERSION, v);
}

int ctl_add_plex(int fd, uint32_t vmajor, uint32_t vminor,
		 const struct vdsplex_extent *ext, unsigned int n, struct add_result *res)
{
	struct vdsplex_ioc_add_plex a = {
		.size = sizeof(a),
		.vol_major = vmajor,
		.vol_minor = vminor,
		.nr_extents = n,
		.extent_size = sizeof(*ext),
		.extents = (uintptr_t)ext,
	};
	int r = xioctl(fd, VDSPLEX_IOC_ADD_PLEX, &a);

	res->hr = a.hresult;
	res->async_fd = !r && a.hresult == VDS_S_OK ? (int)a.fd : -1;
	res->first_index = a.first_index;
	res->bad_extent = a.bad_extent;
	return r;
}

int ctl_query_plexes(int fd, uint32_t vmajor, uint32_t vminor,
		     struct vdsplex_plex_info *info, unsigned int room, unsigned int *n,
		     uint32_t *region, uint64_t *len, uint32_t *hr)
{
	struct vdsplex_ioc_query_plexes q = {
		.size = sizeof(q),
		.vol_major = vmajor,
		.vol_minor = vminor,
		.nr_plexes = room,
		.plex_size = sizeof(*info),
		.plexes = (uintptr_t)info,
	};
	int r;

	memset(info, 0, room * sizeof(*info));
	r = xioctl(fd, VDSPLEX_IOC_QUERY_PLEXES, &q);
	*hr = q.hresult;
	*n = q.nr_plexes < room ? q.nr_plexes : room;
	*region = q.region_size;
	*len = q.len;
	return r;
}

static int plex_call(int fd, unsigned long cmd, uint32_t vmajor, uint32_t vminor,
		     uint32_t index, const char *identity, uint32_t *hr)
{
	struct vdsplex_ioc_plex p = {
		.size = sizeof(p),
		.vol_major = vmajor,
		.vol_minor = vminor,
		.index = index,
	};
	int r;

	if (identity) {
		if (strlen(identity) >= sizeof(p.identity))
			return -ENAMETOOLONG;
		memcpy(p.identity, identity, strlen(identity));
	}
	r = xioctl(fd, cmd, &p);
	*hr = p.hresult;
	return r;
}

int ctl_remove_plex(int fd, uint32_t vmajor, uint32_t vminor, uint32_t index, uint32_t *hr)
{
	return plex_call(fd, VDSPLEX_IOC_REMOVE_PLEX, vmajor, vminor, index, NULL, hr);
}

int ctl_set_identity(int fd, uint32_t vmajor, uint32_t vminor, uint32_t index,
		     const char *identity, uint32_t *hr)
{
	return plex_call(fd, VDSPLEX_IOC_SET_IDENTITY, vmajor, vminor, index, identity, hr);
}

int ctl_open_async(int fd, uint32_t vmajor, uint32_t vminor, int *afd, uint32_t *hr)
{
	struct vdsplex_ioc_open_async o = {
		.size = sizeof(o),
		.vol_major = vmajor,
		.vol_minor = vminor,
	};
	int r = xioctl(fd, VDSPLEX_IOC_OPEN_ASYNC, &o);

	*hr = o.hresult;
	*afd = !r && o.hresult == VDS_S_OK ? (int)o.fd : -1;
	return r;
}

int async_query(int afd, struct vdsplex_async_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return xioctl(afd, VDSPLEX_ASYNC_QUERY, st);
}

int async_wait(int afd, uint64_t timeout_ms, struct vdsplex_async_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->timeout_ms = timeout_ms;
	return xioctl(afd, VDSPLEX_ASYNC_WAIT, w);
}

int async_cancel(int afd, uint32_t *hr)
{
	struct vdsplex_async_cancel c = { .size = sizeof(c) };
	int r = xioctl(afd, VDSPLEX_ASYNC_CANCEL, &c);

	*hr = c.hresult;
	return r;
}

static const char *errno_hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return "vdsplex needs root (CAP_SYS_ADMIN)";
	case EINVAL:
		return "the kernel refused the request as malformed: do the CLI and the module match? (vdsplex --version)";
	case ENOTTY:
		return "the kernel does not know this request: do the CLI and the module match? (vdsplex --version)";
	default:
		return NULL;
	}
}

void ctl_report(const char *what, int err, uint32_t hr, const char *context)
{
	const char *hint;

	if (hr != VDS_S_OK) {
		if (context)
			vds_report(hr, "%s", context);
		else
			vds_report(hr, NULL);
		return;
	}
	hint = errno_hint(-err);
	vx_err("%s: %s%s%s", what, strerror(-err), hint ? ": " : "", hint ? hint : "");
	if (context)
		vx_err("  %s", context);
}
