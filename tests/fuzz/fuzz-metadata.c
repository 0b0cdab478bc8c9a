// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the module's metadata decoder (vdsplex-metadata.c,
 * compiled unchanged against tools/kshim): hostile superblock and plex
 * table blocks.
 *
 * Input: byte 0 picks the mode.  Even: the rest is the two blocks as read
 * (short input is zero-padded).  Odd: a valid superblock and plex table are
 * built, the rest of the input is (offset, byte) edits applied to them, and
 * both blocks are resealed, so the checks behind the checksum are reached.
 *
 * Checked: no sanitizer report; what a decode accepts satisfies the format's
 * invariants; an accepted image re-encodes to blocks that decode to the same
 * values; every refusal names its reason.
 */
#include <stdlib.h>

#include "dm-vdsplex.h"
#include "vdsplex-metadata.h"

#define CHECK(c) do { \
	if (!(c)) { \
		fprintf(stderr, "fuzz-metadata: %s:%d: %s\n", __FILE__, __LINE__, #c); \
		abort(); \
	} \
} while (0)

static void valid_image(unsigned char *sb_blk, unsigned char *pt_blk)
{
	struct vdsplex_md_super sb = {
		.version = VDSPLEX_MD_VERSION,
		.volume_sectors = 1000000, .region_size = 2048, .next_plex_id = 9,
		.nr_plexes = 2, .generation = 7, .resync_cursor = 12,
	};
	struct vdsplex_md_plex p[VDSPLEX_MD_MAX_PLEXES];
	struct vdsplex_md_layout l;

	sb.nr_regions = vdsplex_nr_regions(sb.volume_sectors, sb.region_size);
	vdsplex_md_layout(sb.nr_regions, &l);
	sb.bitmap_blocks = l.bitmap_blocks;
	vdsplex_md_super_encode(&sb, sb_blk);
	memset(p, 0, sizeof(p));
	p[0] = (struct vdsplex_md_plex){ .id = 1, .dev_major = 8, .dev_minor = 16,
					 .dev_sectors = 2000000,
					 .state = VDSPLEX_MD_ALIVE };
	strcpy(p[0].identity, "wwn-0x5000c500a1b2c3d4");
	p[3] = (struct vdsplex_md_plex){ .id = 8, .dev_major = 253, .dev_minor = 4,
					 .offset = 2048, .state = VDSPLEX_MD_RECOVER,
					 .flags = VDSPLEX_MD_PLEX_ADDED, .checkpoint = 100 };
	vdsplex_md_plexes_encode(p, &sb, pt_blk);
}

/* Recompute a block's checksum after edits (vdsplex_md_seal()'s rule). */
static void reseal(unsigned char *blk)
{
	u32 c = crc32c(~0U, blk + 4, VDSPLEX_MD_BLOCK_SIZE - 4) ^
		VDSPLEX_MD_CSUM_XOR;

	c = cpu_to_le32(c);
	memcpy(blk, &c, 4);
}

static void check_accepted(const struct vdsplex_md_super *sb)
{
	struct vdsplex_md_layout l;

	CHECK(sb->region_size >= VDSPLEX_MIN_REGION_SIZE &&
	      sb->region_size <= VDSPLEX_MAX_REGION_SIZE &&
	      is_power_of_2(sb->region_size));
	CHECK(sb->volume_sectors && sb->nr_regions ==
	      vdsplex_nr_regions(sb->volume_sectors, sb->region_size));
	vdsplex_md_layout(sb->nr_regions, &l);
	CHECK(l.bitmap_blocks == sb->bitmap_blocks);
	CHECK(l.nr_blocks > l.in_sync);
	CHECK(sb->resync_cursor <= sb->nr_regions);
	CHECK(sb->nr_plexes <= VDSPLEX_MD_MAX_PLEXES);
	CHECK(sb->next_plex_id && sb->next_plex_id <= VDSPLEX_MD_MAX_PLEX_ID);
	CHECK(!(sb->flags & ~VDSPLEX_MD_CLEAN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char blk[2][VDSPLEX_MD_BLOCK_SIZE], again[VDSPLEX_MD_BLOCK_SIZE];
	struct vdsplex_md_plex p[VDSPLEX_MD_MAX_PLEXES], q[VDSPLEX_MD_MAX_PLEXES];
	struct vdsplex_md_super sb, sb2;
	unsigned int i, used = 0;
	char *error = NULL;
	size_t k;
	int r;

	if (!size)
		return 0;
	memset(blk, 0, sizeof(blk));
	if (!(data[0] & 1)) {
		memcpy(blk, data + 1, size - 1 < sizeof(blk) ? size - 1 : sizeof(blk));
	} else {
		valid_image(blk[0], blk[1]);
		for (k = 1; k + 2 < size; k += 3) {
			unsigned int off = (data[k] | data[k + 1] << 8) % (2 * VDSPLEX_MD_BLOCK_SIZE);

			if (off % VDSPLEX_MD_BLOCK_SIZE < 4)
				continue;	/* the checksum is recomputed */
			blk[off / VDSPLEX_MD_BLOCK_SIZE][off % VDSPLEX_MD_BLOCK_SIZE] = data[k + 2];
		}
		reseal(blk[0]);
		reseal(blk[1]);
	}

	/* padding: decode sets the fields only */
	memset(&sb, 0, sizeof(sb));
	memset(&sb2, 0, sizeof(sb2));
	r = vdsplex_md_super_decode(blk[0], &sb, &error);
	if (r) {
		CHECK(r == -EINVAL || r == -EILSEQ);
		CHECK(error && *error);
		return 0;
	}
	check_accepted(&sb);
	/* the superblock round-trips */
	vdsplex_md_super_encode(&sb, again);
	CHECK(!vdsplex_md_super_decode(again, &sb2, &error));
	/* written as the current version, whatever it was read as */
	CHECK(sb2.version == VDSPLEX_MD_VERSION);
	sb2.version = sb.version;
	CHECK(!memcmp(&sb, &sb2, sizeof(sb)));
	CHECK(!vdsplex_md_super_check_table(&sb, sb.volume_sectors, sb.region_size, &error));
	CHECK(vdsplex_md_super_check_table(&sb, sb.volume_sectors + 1, sb.region_size, &error) == -EINVAL);

	r = vdsplex_md_plexes_decode(blk[1], &sb, p, &error);
	if (r) {
		CHECK(r == -EINVAL || r == -EILSEQ);
		CHECK(error && *error);
		return 0;
	}
	for (i = 0; i < VDSPLEX_MD_MAX_PLEXES; i++) {
		if (!p[i].id)
			continue;
		used++;
		CHECK(p[i].id < sb.next_plex_id);
		CHECK(p[i].state >= VDSPLEX_MD_ALIVE && p[i].state <= VDSPLEX_MD_DEAD);
		CHECK(memchr(p[i].identity, 0, sizeof(p[i].identity)));
		CHECK(p[i].checkpoint <= sb.nr_regions);
		CHECK(vdsplex_devno_valid(p[i].dev_major, p[i].dev_minor));
		CHECK(p[i].read_errors <= INT_MAX && p[i].write_errors <= INT_MAX);
	}
	CHECK(used == sb.nr_plexes);
	/* a table a commit ahead was taken: the superblock now agrees with it */
	if (sb.table_newer)
		CHECK(!(sb.flags & VDSPLEX_MD_CLEAN));
	/* the plex table round-trips, tagged with the (updated) superblock */
	vdsplex_md_plexes_encode(p, &sb, again);
	sb.table_newer = false;
	CHECK(!vdsplex_md_plexes_decode(again, &sb, q, &error));
	CHECK(!sb.table_newer);
	CHECK(!memcmp(p, q, sizeof(p)));
	return 0;
}
