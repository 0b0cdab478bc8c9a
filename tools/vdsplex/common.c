// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex CLI: message helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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
