/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control device /dev/vdsplex-control and the async handle
 * (Documentation/ioctl.rst, "Control device commands" and "The
 * asynchronous handle").  Each call fills the struct of
 * <linux/dm-vdsplex.h> and returns 0 or -errno; *hr gets the VDS HRESULT
 * the kernel copied out (VDS_S_OK when it copied none, e.g. for a
 * malformed request).
 */
#ifndef VDSPLEX_CTL_H
#define VDSPLEX_CTL_H

#include <stdint.h>

#include <linux/dm-vdsplex.h>

#define CTL_PATH	"/dev/" VDSPLEX_CONTROL_NAME

/* Open the control device: the fd, or -errno. */
int ctl_open(void);
/* Open it or say why not (module not loaded, not root): the fd or -1. */
int ctl_open_or_report(void);

int ctl_version(int fd, struct vdsplex_ioc_version *v);

/* The result of ADD_PLEX. */
struct add_result {
	uint32_t hr;
	int async_fd;		/* -1 unless hr is VDS_S_OK */
	uint32_t first_index;
	uint32_t bad_extent;	/* ~0U: not about one extent */
};

int ctl_add_plex(int fd, uint32_t vmajor, uint32_t vminor,
		 const struct vdsplex_extent *ext, unsigned int n, struct add_result *res);

/*
 * QUERY_PLEXES into @info[0..room); *n gets the volume's plex count (at
 * most @room are filled), *region and *len the volume's region size and
 * length in sectors.
 */
int ctl_query_plexes(int fd, uint32_t vmajor, uint32_t vminor,
		     struct vdsplex_plex_info *info, unsigned int room, unsigned int *n,
		     uint32_t *region, uint64_t *len, uint32_t *hr);

int ctl_remove_plex(int fd, uint32_t vmajor, uint32_t vminor, uint32_t index, uint32_t *hr);
int ctl_set_identity(int fd, uint32_t vmajor, uint32_t vminor, uint32_t index,
		     const char *identity, uint32_t *hr);
/* A handle on the running (or last) AddPlex in *afd. */
int ctl_open_async(int fd, uint32_t vmajor, uint32_t vminor, int *afd, uint32_t *hr);

int async_query(int afd, struct vdsplex_async_status *st);
/* -ETIMEDOUT while the operation still runs. */
int async_wait(int afd, uint64_t timeout_ms, struct vdsplex_async_wait *w);
int async_cancel(int afd, uint32_t *hr);

/*
 * Report a failed call: the VDS line when the kernel gave an HRESULT,
 * else "vdsplex: <what>: <strerror>" with a hint; then @context.
 */
void ctl_report(const char *what, int err, uint32_t hr, const char *context);

#endif /* VDSPLEX_CTL_H */
