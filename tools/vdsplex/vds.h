/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VDS HRESULTs: names, values, errnos and what they mean
 * (Documentation/ioctl.rst, "VDS result codes").
 */
#ifndef VDSPLEX_VDS_H
#define VDSPLEX_VDS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

struct vds_code {
	uint32_t hr;
	const char *name;	/* the VDS / Windows name, e.g. VDS_E_DEVICE_IN_USE */
	const char *macro;	/* its macro in <linux/dm-vdsplex.h> */
	int err;		/* the errno the kernel returns with it; 0: none */
	const char *sentence;	/* one sentence: what it means */
};

/* The table, in header order. */
size_t vds_count(void);
const struct vds_code *vds_at(size_t i);

/* The entry for @hr, or NULL when the code is unknown. */
const struct vds_code *vds_lookup(uint32_t hr);

/* The name of @hr, "UNKNOWN_HRESULT" when unknown. */
const char *vds_name(uint32_t hr);

/*
 * "NAME (0xXXXXXXXX): sentence" into @buf.
 * Return: 0, or -ENAMETOOLONG when truncated.
 */
int vds_format(char *buf, size_t len, uint32_t hr);

/*
 * Report @hr on stderr as "vdsplex: NAME (0xXXXXXXXX): sentence", then,
 * when @fmt is not NULL, a second line naming the input it is about.
 */
void vds_report(uint32_t hr, const char *fmt, ...) __printf(2, 3);

/* As vds_report(), as a warning ("vdsplex: warning: NAME ..."). */
void vds_warn(uint32_t hr, const char *fmt, ...) __printf(2, 3);

#endif /* VDSPLEX_VDS_H */
