/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdsplex CLI: definitions every file shares.
 */
#ifndef VDSPLEX_COMMON_H
#define VDSPLEX_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VDSPLEX_CLI_VERSION
#define VDSPLEX_CLI_VERSION "0.5.0"
#endif

/* Exit status (vdsplex(8) EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SECTOR_SHIFT	9

#define __printf(a, b)	__attribute__((format(printf, a, b)))

/* "vdsplex: <message>" on stderr. */
void vx_err(const char *fmt, ...) __printf(1, 2);
/* "vdsplex: warning: <message>" on stderr. */
void vx_warn(const char *fmt, ...) __printf(1, 2);

/* snprintf that reports truncation: 0, or -ENAMETOOLONG. */
int vx_snprintf(char *buf, size_t len, const char *fmt, ...) __printf(3, 4);

#endif /* VDSPLEX_COMMON_H */
