// SPDX-License-Identifier: GPL-2.0-only
/*
 * dump-metadata's reader: blocks from the device, checked and decoded by
 * vdsplex-metadata.c (a build-time copy, compiled against tools/kshim).
 */
#include <stdlib.h>
#include <unistd.h>

#include "dm-vdsplex.h"
#include "vdsplex-metadata.h"
#include "mdread.h"

_Static_assert((int)MD_ALIVE == (int)VDSPLEX_MD_ALIVE &&
	       (int)MD_RECOVER == (int)VDSPLEX_MD_RECOVER &&
	       (int)MD_STALE == (int)VDSPLEX_MD_STALE && (int)MD_DEAD == (int)VDSPLEX_MD_DEAD,
	       "enum md_state is the module's record state");

const char *md_state_name(uint32_t state)
{
	switch (state) {
	case VDSPLEX_MD_ALIVE: return "alive";
	case VDSPLEX_MD_RECOVER: return "recover";
	case VDSPLEX_MD_STALE: return "stale";
	case VDSPLEX_MD_DEAD: return "dead";
	default: return "invalid";
	}
}

static int read_block(int fd, uint64_t nr, unsigned char *blk, char *err, size_t errlen)
{
	ssize_t r = pread(fd, blk, VDSPLEX_MD_BLOCK_SIZE, (off_t)(nr * VDSPLEX_MD_BLOCK_SIZE));
	int e = r < 0 ? errno : EIO;

	if (r == VDSPLEX_MD_BLOCK_SIZE)
		return 0;
	snprintf(err, errlen, "cannot read metadata block %llu: %s", (unsigned long long)nr,
		 r < 0 ? strerror(e) : "the device ends before it");
	return -e;
}

/* Regions set in the bitmap of @nr_blocks blocks from @start. */
static int count_bitmap(int fd, uint64_t start, const struct vdsplex_md_super *sb,
			unsigned char *blk, uint64_t *count, char *err, size_t errlen)
{
	uint64_t b, r, first, n;
	char *why = NULL;
	int ret;

	*count = 0;
	for (b = 0; b < sb->bitmap_blocks; b++) {
		ret = read_block(fd, start + b, blk, err, errlen);
		if (ret)
			return ret;
		ret = vdsplex_md_bitmap_check(blk, start + b, &why);
		if (ret) {
			snprintf(err, errlen, "%s", why);
			return ret;
		}
		first = b * VDSPLEX_MD_BITS_PER_BLOCK;
		n = sb->nr_regions - first;
		if (n > VDSPLEX_MD_BITS_PER_BLOCK)
			n = VDSPLEX_MD_BITS_PER_BLOCK;
		/* bit r: byte r / 8, bit r % 8 (little-endian words) */
		for (r = 0; r < n; r++)
			*count += (blk[VDSPLEX_MD_HEADER_SIZE + r / 8] >> (r % 8)) & 1;
	}
	return 0;
}

/* A block-sized, block-aligned buffer (O_DIRECT), or NULL with @err set. */
static unsigned char *block_alloc(char *err, size_t errlen)
{
	void *blk = NULL;

	if (posix_memalign(&blk, VDSPLEX_MD_BLOCK_SIZE, VDSPLEX_MD_BLOCK_SIZE)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return blk;
}

/*
 * Read and decode the superblock and the plex table, as the module does.
 * *@blank: block 0 is all zero (never formatted; @sb and @p are not set).
 * Return: 0 or -errno with the reason in @err.
 */
static int read_tables(int fd, unsigned char *blk, struct vdsplex_md_super *sb,
		       struct vdsplex_md_plex *p, bool *blank, char *err, size_t errlen)
{
	char *why = NULL;
	int ret;

	*blank = false;
	ret = read_block(fd, 0, blk, err, errlen);
	if (ret)
		return ret;
	if (vdsplex_md_block_is_zero(blk)) {
		*blank = true;
		return 0;
	}
	ret = vdsplex_md_super_decode(blk, sb, &why);
	if (!ret)
		ret = read_block(fd, 1, blk, err, errlen);
	else
		snprintf(err, errlen, "%s", why ? why : "invalid metadata");
	if (ret)
		return ret;
	ret = vdsplex_md_plexes_decode(blk, sb, p, &why);
	if (ret)
		snprintf(err, errlen, "%s", why ? why : "invalid metadata");
	return ret;
}

int md_read(int fd, struct md_info *info, char *err, size_t errlen)
{
	struct vdsplex_md_plex p[VDSPLEX_MD_MAX_PLEXES];
	struct vdsplex_md_layout l;
	struct vdsplex_md_super sb;
	unsigned char *blk = NULL;
	unsigned int i;
	int ret;

	memset(info, 0, sizeof(*info));
	blk = block_alloc(err, errlen);
	if (!blk)
		return -ENOMEM;
	ret = read_tables(fd, blk, &sb, p, &info->blank, err, errlen);
	if (ret || info->blank)
		goto out;
	info->version = sb.version;
	info->table_newer = sb.table_newer;
	info->clean = sb.flags & VDSPLEX_MD_CLEAN;
	memcpy(info->uuid, sb.uuid, sizeof(info->uuid));
	info->generation = sb.generation;
	info->volume_sectors = sb.volume_sectors;
	info->nr_regions = sb.nr_regions;
	info->resync_cursor = sb.resync_cursor;
	info->next_plex_id = sb.next_plex_id;
	info->region_size = sb.region_size;
	info->bitmap_blocks = sb.bitmap_blocks;
	vdsplex_md_layout(sb.nr_regions, &l);
	info->blocks = l.nr_blocks;

	ret = count_bitmap(fd, l.write_intent, &sb, blk, &info->dirty, err, errlen);
	if (!ret)
		ret = count_bitmap(fd, l.discarded, &sb, blk, &info->discarded, err, errlen);
	for (i = 0; !ret && i < VDSPLEX_MD_MAX_PLEXES; i++) {
		struct md_plex_info *o = &info->plex[info->nr_plexes];

		if (!p[i].id)
			continue;
		o->slot = i;
		o->id = p[i].id;
		memcpy(o->identity, p[i].identity, sizeof(p[i].identity));
		o->major = p[i].dev_major;
		o->minor = p[i].dev_minor;
		o->dev_sectors = p[i].dev_sectors;
		o->offset = p[i].offset;
		o->state = p[i].state;
		o->added = p[i].flags & VDSPLEX_MD_PLEX_ADDED;
		o->write_mostly = p[i].flags & VDSPLEX_MD_PLEX_WRITE_MOSTLY;
		o->read_errors = p[i].read_errors;
		o->write_errors = p[i].write_errors;
		o->checkpoint = p[i].checkpoint;
		/* the module keeps (and reads) the bitmap of a plex not alive only */
		if (o->state == VDSPLEX_MD_ALIVE)
			o->in_sync = sb.nr_regions;
		else
			ret = count_bitmap(fd, vdsplex_md_in_sync_block(&l, i), &sb, blk,
					   &o->in_sync, err, errlen);
		info->nr_plexes++;
	}
out:
	free(blk);
	return ret;
}

int md_set_hints(int fd, uint32_t mask, const uint32_t (*devno)[2], char *err, size_t errlen)
{
	struct vdsplex_md_plex p[VDSPLEX_MD_MAX_PLEXES];
	struct vdsplex_md_super sb;
	unsigned char *blk;
	char *why = NULL;
	unsigned int s;
	bool blank;
	int ret;

	blk = block_alloc(err, errlen);
	if (!blk)
		return -ENOMEM;
	ret = read_tables(fd, blk, &sb, p, &blank, err, errlen);
	if (!ret && blank) {
		snprintf(err, errlen, "the metadata device is blank");
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	for (s = 0; s < VDSPLEX_MD_MAX_PLEXES; s++) {
		if (!(mask & (1U << s)))
			continue;
		if (!p[s].id) {
			snprintf(err, errlen, "plex slot %u holds no record", s);
			ret = -EINVAL;
			goto out;
		}
		p[s].dev_major = devno[s][0];
		p[s].dev_minor = devno[s][1];
	}
	vdsplex_md_plexes_encode(p, &sb, blk);
	/* what the module would accept, before it goes to the device */
	ret = vdsplex_md_plexes_decode(blk, &sb, p, &why);
	if (ret)
		goto bad;
	{
		ssize_t w = pwrite(fd, blk, VDSPLEX_MD_BLOCK_SIZE, VDSPLEX_MD_BLOCK_SIZE);

		ret = w < 0 ? -errno : w != VDSPLEX_MD_BLOCK_SIZE ? -EIO : 0;
		if (!ret && fdatasync(fd))
			ret = -errno;
		if (ret)
			snprintf(err, errlen, "cannot write metadata block 1: %s", strerror(-ret));
	}
	goto out;
bad:
	snprintf(err, errlen, "%s", why ? why : "invalid metadata");
out:
	free(blk);
	return ret;
}
