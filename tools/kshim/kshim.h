/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The little of the kernel's API that vdsplex-metadata.c uses, in userspace,
 * so the CLI (dump-metadata) and the host fuzzer run the module's own decoder.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef uint8_t __u8;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef uint32_t __le32;
typedef unsigned long long __le64;
typedef u64 sector_t;
typedef struct { long counter; } atomic64_t;
struct mutex { int unused; };
struct delayed_work { int unused; };
struct bio_list { void *head, *tail; };
struct dm_bufio_client;
struct vdsplex_volume;

#define __packed __attribute__((packed))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define U32_MAX UINT32_MAX
#define U64_MAX UINT64_MAX
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) ((u64)htole64(x))
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) ((u64)le64toh(x))
#define DIV_ROUND_UP_ULL(x, d) (((unsigned long long)(x) + (d) - 1) / (d))
#define div_u64(a, b) ((u64)(a) / (b))
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define EXPORT_SYMBOL_IF_KUNIT(s)
#define VISIBLE_IF_KUNIT

/* The kernel's ctype is Latin-1: 0xa1..0xff are graphic too. */
static inline int kshim_isgraph(unsigned char c)
{
	return (c > 0x20 && c < 0x7f) || c >= 0xa1;
}
#define isgraph(c) kshim_isgraph((unsigned char)(c))

static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *s = p;

	for (; n; n--, s++)
		if (*s != (unsigned char)c)
			return (void *)s;
	return NULL;
}

static inline size_t strscpy_pad(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return len;
}

#include "crc32c.h"

#endif
