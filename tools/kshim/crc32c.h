/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux's crc32c() in userspace: reflected Castagnoli polynomial, the seed as
 * given, no final xor.  The metadata checksum is crc32c(~0, block + 4, 4092)
 * ^ VDSPLEX_MD_CSUM_XOR (vdsplex-metadata.c).
 */
#ifndef KSHIM_CRC32C_H
#define KSHIM_CRC32C_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	const unsigned char *s = p;
	uint32_t i, k, c;

	if (!table[1])
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = (c >> 1) ^ (c & 1 ? 0x82f63b78U : 0);
			table[i] = c;
		}
	while (n--)
		crc = (crc >> 8) ^ table[(crc ^ *s++) & 0xff];
	return crc;
}

#endif
