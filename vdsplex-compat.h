/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where differences between the supported kernels (6.1 LTS and
 * 6.12 LTS) are handled.  Nothing else in the module tests
 * LINUX_VERSION_CODE.
 */
#ifndef VDSPLEX_COMPAT_H
#define VDSPLEX_COMPAT_H

#include <linux/version.h>
#include <kunit/visibility.h>

/*
 * MODULE_IMPORT_NS() takes a bare word up to 6.12 and a string literal from
 * 6.13 on.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VDSPLEX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define VDSPLEX_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* VDSPLEX_COMPAT_H */
