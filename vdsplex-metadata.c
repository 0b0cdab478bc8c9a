// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-vdsplex on-disk metadata: encoding, decoding and validation of the
 * blocks described in vdsplex-metadata.h.  Nothing here does I/O; the
 * dm-bufio side reads and writes the blocks these functions fill and check.
 *
 * Every decode function validates everything it returns and names the first
 * problem in *error, so a corrupt or foreign device fails the constructor
 * with a sentence an administrator can act on, and is never overwritten.
 */

#include <linux/crc32c.h>
#include <linux/ctype.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/string.h>

#include "dm-vdsplex.h"
#include "vdsplex-metadata.h"

/* Message prefixes. */
#define SB "metadata superblock"
#define PT "metadata plex table"

static_assert(sizeof(struct vdsplex_md_header) == VDSPLEX_MD_HEADER_SIZE);
static_assert(sizeof(struct vdsplex_disk_super) <= VDSPLEX_MD_BLOCK_SIZE);
static_assert(sizeof(struct vdsplex_disk_plex) == 120);
static_assert(VDSPLEX_MD_HEADER_SIZE +
	      VDSPLEX_MD_MAX_PLEXES * sizeof(struct vdsplex_disk_plex) +
	      sizeof(struct vdsplex_disk_plex_tag) <= VDSPLEX_MD_BLOCK_SIZE);

/**
 * vdsplex_md_layout() - where a volume's metadata blocks are.
 * @nr_regions: regions of the volume.
 * @l: filled in.
 *
 * Context: any.
 */
void vdsplex_md_layout(u64 nr_regions, struct vdsplex_md_layout *l)
{
	l->bitmap_blocks = DIV_ROUND_UP_ULL(nr_regions, VDSPLEX_MD_BITS_PER_BLOCK);
	l->write_intent = 2;
	l->discarded = l->write_intent + l->bitmap_blocks;
	l->in_sync = l->discarded + l->bitmap_blocks;
	l->nr_blocks = l->in_sync +
		       (u64)VDSPLEX_MD_MAX_PLEXES * l->bitmap_blocks;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_layout);

/**
 * vdsplex_md_in_sync_block() - first block of plex slot @slot's bitmap.
 * @l: the layout.
 * @slot: the plex slot, 0..31.
 *
 * Context: any.
 * Return: the block number.
 */
u64 vdsplex_md_in_sync_block(const struct vdsplex_md_layout *l,
			     unsigned int slot)
{
	return l->in_sync + (u64)slot * l->bitmap_blocks;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_in_sync_block);

/**
 * vdsplex_md_block_is_zero() - is the block all zeroes (a new device)?
 * @block: VDSPLEX_MD_BLOCK_SIZE bytes.
 *
 * Context: any.
 * Return: true when every byte is zero.
 */
bool vdsplex_md_block_is_zero(const void *block)
{
	return !memchr_inv(block, 0, VDSPLEX_MD_BLOCK_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_block_is_zero);

static u32 vdsplex_md_csum(const void *block)
{
	return crc32c(~0U, block + sizeof(__le32),
		      VDSPLEX_MD_BLOCK_SIZE - sizeof(__le32)) ^
	       VDSPLEX_MD_CSUM_XOR;
}

static void vdsplex_md_seal(void *block, u32 magic, u64 blocknr)
{
	struct vdsplex_md_header *h = block;

	h->magic = cpu_to_le32(magic);
	h->blocknr = cpu_to_le64(blocknr);
	h->csum = cpu_to_le32(vdsplex_md_csum(block));
}

/* The header checks every block shares; @what names the block. */
static int vdsplex_md_check_header(const void *block, u32 magic, u64 blocknr,
				   const char *what, char **error)
{
	const struct vdsplex_md_header *h = block;

	if (le32_to_cpu(h->magic) != magic) {
		*error = vdsplex_errorf("%s: bad magic %08x (want %08x): not ours, or corrupt",
					what, le32_to_cpu(h->magic), magic);
		return -EINVAL;
	}
	if (le32_to_cpu(h->csum) != vdsplex_md_csum(block)) {
		*error = vdsplex_errorf("%s: checksum mismatch (stored %08x, computed %08x)",
					what, le32_to_cpu(h->csum),
					vdsplex_md_csum(block));
		return -EILSEQ;
	}
	if (le64_to_cpu(h->blocknr) != blocknr) {
		*error = vdsplex_errorf("%s: written for block %llu, found at block %llu",
					what, le64_to_cpu(h->blocknr), blocknr);
		return -EILSEQ;
	}
	return 0;
}

/**
 * vdsplex_md_super_encode() - fill block 0 from the in-core superblock.
 * @sb: the superblock.
 * @block: VDSPLEX_MD_BLOCK_SIZE bytes; zeroed first.
 *
 * Context: any.
 */
void vdsplex_md_super_encode(const struct vdsplex_md_super *sb, void *block)
{
	struct vdsplex_disk_super *d = block;

	memset(block, 0, VDSPLEX_MD_BLOCK_SIZE);
	d->version = cpu_to_le32(VDSPLEX_MD_VERSION);
	d->flags = cpu_to_le32(sb->flags);
	memcpy(d->uuid, sb->uuid, sizeof(d->uuid));
	d->generation = cpu_to_le64(sb->generation);
	d->volume_sectors = cpu_to_le64(sb->volume_sectors);
	d->region_size = cpu_to_le32(sb->region_size);
	d->bitmap_blocks = cpu_to_le32(sb->bitmap_blocks);
	d->nr_regions = cpu_to_le64(sb->nr_regions);
	d->resync_cursor = cpu_to_le64(sb->resync_cursor);
	d->next_plex_id = cpu_to_le64(sb->next_plex_id);
	d->nr_plexes = cpu_to_le32(sb->nr_plexes);
	vdsplex_md_seal(block, VDSPLEX_MD_SUPER_MAGIC, 0);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_super_encode);

/**
 * vdsplex_md_super_decode() - validate block 0 and decode it.
 * @block: the block as read.
 * @sb: filled in on success.
 * @error: set to a sentence naming the first problem on failure.
 *
 * Checks the magic, checksum, block number and version, then that every
 * field is in range and agrees with the others.
 *
 * Context: any.
 * Return: 0, -EINVAL (foreign or inconsistent) or -EILSEQ (corrupt).
 */
int vdsplex_md_super_decode(const void *block, struct vdsplex_md_super *sb,
			    char **error)
{
	const struct vdsplex_disk_super *d = block;
	struct vdsplex_md_layout l;
	u32 version, unknown;
	int r;

	r = vdsplex_md_check_header(block, VDSPLEX_MD_SUPER_MAGIC, 0,
				    SB, error);
	if (r)
		return r;
	version = le32_to_cpu(d->version);
	if (version < VDSPLEX_MD_VERSION_MIN || version > VDSPLEX_MD_VERSION) {
		*error = vdsplex_errorf(SB ": version %u is not supported (reads %u to %u)",
					version, VDSPLEX_MD_VERSION_MIN,
					VDSPLEX_MD_VERSION);
		return -EINVAL;
	}
	sb->version = version;
	sb->table_newer = false;
	sb->flags = le32_to_cpu(d->flags);
	memcpy(sb->uuid, d->uuid, sizeof(sb->uuid));
	sb->generation = le64_to_cpu(d->generation);
	sb->volume_sectors = le64_to_cpu(d->volume_sectors);
	sb->region_size = le32_to_cpu(d->region_size);
	sb->bitmap_blocks = le32_to_cpu(d->bitmap_blocks);
	sb->nr_regions = le64_to_cpu(d->nr_regions);
	sb->resync_cursor = le64_to_cpu(d->resync_cursor);
	sb->next_plex_id = le64_to_cpu(d->next_plex_id);
	sb->nr_plexes = le32_to_cpu(d->nr_plexes);

	unknown = sb->flags & ~VDSPLEX_MD_CLEAN;
	if (unknown) {
		*error = vdsplex_errorf(SB ": unknown flags %#x",
					unknown);
		return -EINVAL;
	}
	if (sb->region_size < VDSPLEX_MIN_REGION_SIZE ||
	    sb->region_size > VDSPLEX_MAX_REGION_SIZE ||
	    !is_power_of_2(sb->region_size)) {
		*error = vdsplex_errorf(SB ": invalid region size %u",
					sb->region_size);
		return -EINVAL;
	}
	if (!sb->volume_sectors ||
	    sb->volume_sectors > U64_MAX - sb->region_size ||
	    sb->nr_regions != vdsplex_nr_regions(sb->volume_sectors,
						 sb->region_size)) {
		*error = vdsplex_errorf(SB ": %llu regions do not cover %llu sectors of %u",
					sb->nr_regions, sb->volume_sectors,
					sb->region_size);
		return -EINVAL;
	}
	vdsplex_md_layout(sb->nr_regions, &l);
	if (sb->bitmap_blocks != l.bitmap_blocks ||
	    DIV_ROUND_UP_ULL(sb->nr_regions, VDSPLEX_MD_BITS_PER_BLOCK) >
	    U32_MAX) {
		*error = vdsplex_errorf(SB ": %u bitmap blocks, %llu regions need %u",
					sb->bitmap_blocks, sb->nr_regions,
					l.bitmap_blocks);
		return -EINVAL;
	}
	if (sb->resync_cursor > sb->nr_regions) {
		*error = vdsplex_errorf(SB ": resync checkpoint %llu beyond %llu regions",
					sb->resync_cursor, sb->nr_regions);
		return -EINVAL;
	}
	if (d->reserved || memchr_inv(d + 1, 0, VDSPLEX_MD_BLOCK_SIZE - sizeof(*d))) {
		*error = SB ": reserved bytes are not zero";
		return -EINVAL;
	}
	if (sb->nr_plexes > VDSPLEX_MD_MAX_PLEXES || !sb->next_plex_id ||
	    sb->next_plex_id > VDSPLEX_MD_MAX_PLEX_ID) {
		*error = vdsplex_errorf(SB ": %u plexes, next id %llu",
					sb->nr_plexes, sb->next_plex_id);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_super_decode);

/**
 * vdsplex_md_super_check_table() - does the metadata belong to this table?
 * @sb: the decoded superblock.
 * @volume_sectors: the table's length.
 * @region_size: the table's region size.
 * @error: set to a sentence on failure.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int vdsplex_md_super_check_table(const struct vdsplex_md_super *sb,
				 u64 volume_sectors, u32 region_size,
				 char **error)
{
	if (sb->volume_sectors != volume_sectors) {
		*error = vdsplex_errorf("metadata is for a volume of %llu sectors, table: %llu",
					sb->volume_sectors, volume_sectors);
		return -EINVAL;
	}
	if (sb->region_size != region_size) {
		*error = vdsplex_errorf("metadata has region_size %u, the table %u",
					sb->region_size, region_size);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_super_check_table);

/**
 * vdsplex_md_plexes_encode() - fill block 1 from the plex records.
 * @p: VDSPLEX_MD_MAX_PLEXES records (id 0: free slot).
 * @sb: the superblock of the same commit: its generation and next id go
 *	into the commit tag.
 * @block: VDSPLEX_MD_BLOCK_SIZE bytes; zeroed first.
 *
 * Context: any.
 */
void vdsplex_md_plexes_encode(const struct vdsplex_md_plex *p,
			      const struct vdsplex_md_super *sb, void *block)
{
	struct vdsplex_disk_plex *d = block + VDSPLEX_MD_HEADER_SIZE;
	struct vdsplex_disk_plex_tag *tag = (void *)(d + VDSPLEX_MD_MAX_PLEXES);
	unsigned int i;

	memset(block, 0, VDSPLEX_MD_BLOCK_SIZE);
	/* a version 1 device keeps its format (vdsplex activate's hints) */
	if (sb->version >= 2) {
		tag->generation = cpu_to_le64(sb->generation);
		tag->next_plex_id = cpu_to_le64(sb->next_plex_id);
	}
	for (i = 0; i < VDSPLEX_MD_MAX_PLEXES; i++, p++, d++) {
		if (!p->id)
			continue;
		d->id = cpu_to_le64(p->id);
		strscpy_pad((char *)d->identity, p->identity,
			    sizeof(d->identity));
		d->dev_major = cpu_to_le32(p->dev_major);
		d->dev_minor = cpu_to_le32(p->dev_minor);
		d->dev_sectors = cpu_to_le64(p->dev_sectors);
		d->offset = cpu_to_le64(p->offset);
		d->state = cpu_to_le32(p->state);
		d->flags = cpu_to_le32(p->flags);
		d->read_errors = cpu_to_le32(p->read_errors);
		d->write_errors = cpu_to_le32(p->write_errors);
		d->checkpoint = cpu_to_le64(p->checkpoint);
	}
	vdsplex_md_seal(block, VDSPLEX_MD_PLEXES_MAGIC, 1);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_plexes_encode);

/* One record's rules (@next_id: the table's next id); NULL when valid. */
static char *vdsplex_md_plex_invalid(const struct vdsplex_md_plex *p,
				     const struct vdsplex_md_super *sb,
				     u64 next_id, unsigned int slot)
{
	unsigned int i;

	if (p->state < VDSPLEX_MD_ALIVE || p->state > VDSPLEX_MD_DEAD)
		return vdsplex_errorf("plex record %u: invalid state %u",
				      slot, p->state);
	if (p->id >= next_id)
		return vdsplex_errorf("plex record %u: id %llu not below the next id %llu",
				      slot, p->id, next_id);
	if (p->flags & ~(VDSPLEX_MD_PLEX_ADDED | VDSPLEX_MD_PLEX_WRITE_MOSTLY))
		return vdsplex_errorf("plex record %u: unknown flags %#x",
				      slot, p->flags);
	if (p->checkpoint > sb->nr_regions)
		return vdsplex_errorf("plex record %u: checkpoint %llu beyond %llu regions",
				      slot, p->checkpoint, sb->nr_regions);
	if (!vdsplex_devno_valid(p->dev_major, p->dev_minor))
		return vdsplex_errorf("plex record %u: invalid device %u:%u",
				      slot, p->dev_major, p->dev_minor);
	if (p->read_errors > VDSPLEX_MD_MAX_ERRORS ||
	    p->write_errors > VDSPLEX_MD_MAX_ERRORS)
		return vdsplex_errorf("plex record %u: error counts %u/%u out of range",
				      slot, p->read_errors, p->write_errors);
	for (i = 0; p->identity[i]; i++)
		if (!isgraph(p->identity[i]))
			return vdsplex_errorf("plex record %u: identity has a character %#x",
					      slot, (u8)p->identity[i]);
	return NULL;
}

/*
 * Block 1's commit tag against the superblock: is the table of the same
 * commit, or of the next one (block 0 of that commit never landed)?
 * Sets *@next_id to the next plex id that goes with the table.
 */
static int vdsplex_md_check_tag(const struct vdsplex_disk_plex_tag *tag,
				const struct vdsplex_md_super *sb,
				bool *newer, u64 *next_id, char **error)
{
	u64 gen = le64_to_cpu(tag->generation);
	u64 next = le64_to_cpu(tag->next_plex_id);

	*newer = false;
	*next_id = sb->next_plex_id;
	/* version 1 wrote no tag */
	if (sb->version < 2 && !gen && !next)
		return 0;
	/* (also the first full commit on a version 1 device, cut short) */
	if (sb->generation != U64_MAX && gen == sb->generation + 1) {
		if (next > VDSPLEX_MD_MAX_PLEX_ID) {
			*error = vdsplex_errorf(PT ": next id %llu out of range",
						next);
			return -EINVAL;
		}
		/* ids are never reused: the next id only grows */
		if (next < sb->next_plex_id) {
			*error = vdsplex_errorf(PT ": next id %llu, the superblock has %llu",
						next, sb->next_plex_id);
			return -EINVAL;
		}
		*newer = true;
		*next_id = next;
		return 0;
	}
	/* (a version 1 superblock too, after vdsplex activate's hints) */
	if (gen != sb->generation || next != sb->next_plex_id) {
		*error = vdsplex_errorf(PT ": commit %llu (next id %llu), superblock: %llu (%llu)",
					gen, next, sb->generation,
					sb->next_plex_id);
		return -EINVAL;
	}
	return 0;
}

/**
 * vdsplex_md_plexes_decode() - validate block 1 and decode the records.
 * @block: the block as read.
 * @sb: the decoded superblock (for the id and region limits).  When the
 *	table is one commit ahead of it (a crash between the two writes of a
 *	full commit), the table wins: @sb takes its generation, next id and
 *	record count, loses VDSPLEX_MD_CLEAN, and gets @sb->table_newer.
 * @p: VDSPLEX_MD_MAX_PLEXES records, filled in (free slots zeroed).
 * @error: set to a sentence naming the first problem on failure.
 *
 * Context: any.
 * Return: 0, -EINVAL or -EILSEQ.
 */
int vdsplex_md_plexes_decode(const void *block, struct vdsplex_md_super *sb,
			     struct vdsplex_md_plex *p, char **error)
{
	const struct vdsplex_disk_plex *d = block + VDSPLEX_MD_HEADER_SIZE;
	const struct vdsplex_disk_plex_tag *tag =
		(const void *)(d + VDSPLEX_MD_MAX_PLEXES);
	unsigned int i, j, used = 0;
	bool newer;
	u64 next_id;
	size_t len;
	int r;

	r = vdsplex_md_check_header(block, VDSPLEX_MD_PLEXES_MAGIC, 1,
				    PT, error);
	if (r)
		return r;
	if (memchr_inv(tag + 1, 0, VDSPLEX_MD_BLOCK_SIZE -
		       VDSPLEX_MD_HEADER_SIZE -
		       VDSPLEX_MD_MAX_PLEXES * sizeof(*d) - sizeof(*tag))) {
		*error = PT ": bytes after the commit tag are not zero";
		return -EINVAL;
	}
	r = vdsplex_md_check_tag(tag, sb, &newer, &next_id, error);
	if (r)
		return r;
	memset(p, 0, VDSPLEX_MD_MAX_PLEXES * sizeof(*p));
	for (i = 0; i < VDSPLEX_MD_MAX_PLEXES; i++) {
		p[i].id = le64_to_cpu(d[i].id);
		if (!p[i].id) {
			if (memchr_inv(&d[i], 0, sizeof(d[i]))) {
				*error = vdsplex_errorf("plex record %u: free but not zeroed",
							i);
				return -EINVAL;
			}
			continue;
		}
		used++;
		len = strnlen(d[i].identity, sizeof(d[i].identity));
		if (len == sizeof(d[i].identity)) {
			*error = vdsplex_errorf("plex record %u: identity is not terminated",
						i);
			return -EINVAL;
		}
		if (memchr_inv(d[i].identity + len, 0,
			       sizeof(d[i].identity) - len)) {
			*error = vdsplex_errorf("plex record %u: identity is not NUL-padded",
						i);
			return -EINVAL;
		}
		memcpy(p[i].identity, d[i].identity, sizeof(p[i].identity));
		p[i].dev_major = le32_to_cpu(d[i].dev_major);
		p[i].dev_minor = le32_to_cpu(d[i].dev_minor);
		p[i].dev_sectors = le64_to_cpu(d[i].dev_sectors);
		p[i].offset = le64_to_cpu(d[i].offset);
		p[i].state = le32_to_cpu(d[i].state);
		p[i].flags = le32_to_cpu(d[i].flags);
		p[i].read_errors = le32_to_cpu(d[i].read_errors);
		p[i].write_errors = le32_to_cpu(d[i].write_errors);
		p[i].checkpoint = le64_to_cpu(d[i].checkpoint);
		*error = vdsplex_md_plex_invalid(&p[i], sb, next_id, i);
		if (*error)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (p[j].id == p[i].id) {
				*error = vdsplex_errorf("plex records %u and %u share id %llu",
							j, i, p[i].id);
				return -EINVAL;
			}
			if (p[j].id && p[j].dev_major == p[i].dev_major &&
			    p[j].dev_minor == p[i].dev_minor &&
			    p[j].offset == p[i].offset) {
				*error = vdsplex_errorf(PT ": records %u and %u: same plex %u:%u",
							j, i, p[i].dev_major,
							p[i].dev_minor);
				return -EINVAL;
			}
		}
	}
	if (newer) {
		/* block 1 was written by a version 2 commit */
		sb->version = VDSPLEX_MD_VERSION;
		sb->generation++;
		sb->next_plex_id = next_id;
		sb->nr_plexes = used;
		/* the writes of the cut commit's time may be in the log */
		sb->flags &= ~VDSPLEX_MD_CLEAN;
		sb->table_newer = true;
	} else if (used != sb->nr_plexes) {
		*error = vdsplex_errorf(PT ": %u records in use, the superblock says %u",
					used, sb->nr_plexes);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_plexes_decode);

/**
 * vdsplex_md_bitmap_bits() - the bits of a bitmap block.
 * @block: the block.
 *
 * Context: any.
 * Return: VDSPLEX_MD_BITS_PER_BLOCK bits, after the header.
 */
unsigned long *vdsplex_md_bitmap_bits(void *block)
{
	return block + VDSPLEX_MD_HEADER_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_bitmap_bits);

/**
 * vdsplex_md_bitmap_seal() - set the header of a bitmap block before it is
 * written.
 * @block: the block, its bits filled in.
 * @blocknr: where it is written.
 *
 * Context: any.
 */
void vdsplex_md_bitmap_seal(void *block, u64 blocknr)
{
	vdsplex_md_seal(block, VDSPLEX_MD_BITMAP_MAGIC, blocknr);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_bitmap_seal);

/**
 * vdsplex_md_bitmap_check() - validate a bitmap block as read.
 * @block: the block.
 * @blocknr: where it was read from.
 * @error: set to a sentence on failure.
 *
 * Context: any.
 * Return: 0, -EINVAL or -EILSEQ.
 */
int vdsplex_md_bitmap_check(const void *block, u64 blocknr, char **error)
{
	return vdsplex_md_check_header(block, VDSPLEX_MD_BITMAP_MAGIC, blocknr,
				       "metadata bitmap block", error);
}
EXPORT_SYMBOL_IF_KUNIT(vdsplex_md_bitmap_check);
