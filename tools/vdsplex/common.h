/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdsplex CLI: definitions every file shares.
 */
#ifndef VDSPLEX_COMMON_H
#define VDSPLEX_COMMON_H

#include <signal.h>
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

/*
 * A volume's dm UUID (VDS's VolumeId): "VDSPLEX-" and the GUID @g, or a
 * random one (version 4) when @g is NULL.  Return: 0 or -errno.
 */
int volume_uuid(const uint8_t *g, char *buf, size_t len);

/* @a + @b, or UINT64_MAX when the sum does not fit. */
uint64_t u64_add_sat(uint64_t a, uint64_t b);

/*
 * Block SIGINT, SIGTERM and SIGHUP, saving the previous mask in @old:
 * around steps that must not stop half-way (a PLEX holding an error table,
 * a frozen filesystem).  A signal that arrives meanwhile is delivered by
 * sig_restore(), once the step is complete or undone.
 */
void sig_block_fatal(sigset_t *old);
void sig_restore(const sigset_t *old);

#endif /* VDSPLEX_COMMON_H */
