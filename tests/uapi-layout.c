// SPDX-License-Identifier: GPL-2.0-only
/*
 * One object of every struct in include/uapi/linux/dm-vdsplex.h, so that
 * scripts/check-uapi can show their layout with pahole and fail on any hole
 * or tail padding (the kernel copies these structs out whole).
 */
#include <linux/dm-vdsplex.h>

struct vdsplex_ioc_version v;
struct vdsplex_extent e;
struct vdsplex_ioc_add_plex a;
struct vdsplex_plex_info i;
struct vdsplex_ioc_query_plexes q;
struct vdsplex_ioc_plex p;
struct vdsplex_ioc_open_async o;
struct vdsplex_async_status s;
struct vdsplex_async_wait w;
struct vdsplex_async_cancel c;
