/* SPDX-License-Identifier: GPL-2.0-only */
/* What vdsplex-metadata.c takes from dm-vdsplex.h, for its userspace builds. */
#ifndef DM_VDSPLEX_H
#define DM_VDSPLEX_H
#include "kshim.h"

#define VDSPLEX_MIN_REGION_SIZE		8
#define VDSPLEX_MAX_REGION_SIZE		2097152U

char *vdsplex_errorf(const char *fmt, ...) __printf(1, 2);
u64 vdsplex_nr_regions(sector_t len, u32 region_size);
bool vdsplex_devno_valid(u32 major, u32 minor);
#endif
