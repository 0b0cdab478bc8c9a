// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex CLI: message helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>

#include "common.h"

static void vx_vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "vdsplex: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vx_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vx_vmsg("", fmt, ap);
	va_end(ap);
}

void vx_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vx_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int vx_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

uint64_t u64_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void sig_block_fatal(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, old);
}

void sig_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

int volume_uuid(const uint8_t *g, char *buf, size_t len)
{
	uint8_t r[16];

	if (!g) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -errno;
		r[6] = (r[6] & 0x0f) | 0x40;	/* version 4 */
		r[8] = (r[8] & 0x3f) | 0x80;	/* variant 1 */
		g = r;
	}
	return vx_snprintf(buf, len,
			   "VDSPLEX-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			   g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9],
			   g[10], g[11], g[12], g[13], g[14], g[15]);
}
