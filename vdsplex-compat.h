/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where differences between the supported kernels (6.1 LTS and
 * 6.12 LTS, and what follows) are handled.  Nothing else in the module looks
 * at the kernel version.
 *
 * VDSPLEX_KVER is VERSION * 256 + PATCHLEVEL of the kernel built against,
 * passed by Kbuild.
 */
#ifndef VDSPLEX_COMPAT_H
#define VDSPLEX_COMPAT_H

#include <kunit/visibility.h>

#define VDSPLEX_KV(major, minor) ((major) * 256 + (minor))
/* True when building for kernel major.minor or later. */
#define VDSPLEX_KVER_AT_LEAST(major, minor) \
	(VDSPLEX_KV(major, minor) <= VDSPLEX_KVER)

/*
 * MODULE_IMPORT_NS() takes a bare word up to 6.12 and a string literal from
 * 6.13 on.
 */
#if VDSPLEX_KVER_AT_LEAST(6, 13)
#define VDSPLEX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define VDSPLEX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* VDSPLEX_COMPAT_H */
