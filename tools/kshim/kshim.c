// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helpers vdsplex-metadata.c takes from the rest of the module, for its
 * userspace builds (the CLI's dump-metadata, the host fuzzer).  They follow
 * dm-vdsplex.c, vdsplex-volume.c and vdsplex-control.c.
 */
#include "dm-vdsplex.h"

static char kshim_err[512];

char *vdsplex_errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kshim_err, sizeof(kshim_err), fmt, ap);
	va_end(ap);
	return kshim_err;
}

u64 vdsplex_nr_regions(sector_t len, u32 region_size)
{
	return div_u64(len + region_size - 1, region_size);
}

bool vdsplex_devno_valid(u32 major, u32 minor)
{
	/* MINORBITS 20: a dev_t holds 12 bits of major */
	return major < (1U << 12) && minor <= 0xfffff && (major || minor);
}
