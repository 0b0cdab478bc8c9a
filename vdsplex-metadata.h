/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-vdsplex on-disk metadata format (Documentation/dm-vdsplex.rst,
 * "On-disk metadata format").
 *
 * The metadata device is read and written in 4 KiB blocks through dm-bufio.
 * Every block carries a crc32c of its contents and its own block number, so
 * a block written to the wrong place or torn is detected; every field is
 * little endian.  Layout, with B = bitmap blocks per bitmap (enough for one
 * bit per region):
 *
 *   block 0                superblock
 *   block 1                plex table (32 records, then the commit tag)
 *   blocks 2 .. 2+B-1      write-intent bitmap (regions that may differ)
 *   blocks 2+B .. 2+2B-1   discarded-region map
 *   blocks 2+(2+s)B ..     in-sync bitmap of plex slot s, s = 0..31
 *
 * This file holds the format and its encode/decode/validate functions,
 * which touch no device; see Documentation/dm-vdsplex.rst for the tables.
 */
#ifndef VDSPLEX_METADATA_H
#define VDSPLEX_METADATA_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct dm_bufio_client;
struct vdsplex_volume;
struct vdsplex_md_snap;

#define VDSPLEX_MD_BLOCK_SIZE		4096
#define VDSPLEX_MD_BLOCK_SECTORS	(VDSPLEX_MD_BLOCK_SIZE >> SECTOR_SHIFT)
/*
 * Version 2 adds the plex table's commit tag (struct vdsplex_disk_plex_tag);
 * version 1 devices are read (their tag is zero) and become version 2 at
 * the next full commit.
 */
#define VDSPLEX_MD_VERSION		2
#define VDSPLEX_MD_VERSION_MIN		1
#define VDSPLEX_MD_SUPER_MAGIC		0x50534456	/* "VDSP" */
#define VDSPLEX_MD_PLEXES_MAGIC		0x58454c50	/* "PLEX" */
#define VDSPLEX_MD_BITMAP_MAGIC		0x5054494d	/* "MITP" */
#define VDSPLEX_MD_MAX_PLEXES		32
#define VDSPLEX_MD_IDENTITY_LEN		64
#define VDSPLEX_MD_HEADER_SIZE		16
#define VDSPLEX_MD_CSUM_XOR		0x76647370U
#define VDSPLEX_MD_MAX_PLEX_ID		BIT_ULL(62)	/* unreachable by use; far from wrap */
#define VDSPLEX_MD_MAX_ERRORS		((u32)INT_MAX)	/* kept in an atomic_t */
#define VDSPLEX_MD_BITS_PER_BLOCK \
	((VDSPLEX_MD_BLOCK_SIZE - VDSPLEX_MD_HEADER_SIZE) * 8)

/* Superblock flags. */
#define VDSPLEX_MD_CLEAN		BIT(0)	/* shut down cleanly */

/* Plex record states. */
enum vdsplex_md_plex_state {
	VDSPLEX_MD_FREE = 0,		/* slot unused */
	VDSPLEX_MD_ALIVE = 1,
	VDSPLEX_MD_RECOVER = 2,		/* being resynchronised */
	VDSPLEX_MD_STALE = 3,
	VDSPLEX_MD_DEAD = 4,
};

/* Plex record flags. */
#define VDSPLEX_MD_PLEX_ADDED		BIT(0)	/* target of an AddPlex */
#define VDSPLEX_MD_PLEX_WRITE_MOSTLY	BIT(1)

/**
 * struct vdsplex_md_header - the first 16 bytes of every block.
 * @csum: crc32c of the block from byte 4 on, xor VDSPLEX_MD_CSUM_XOR.
 * @magic: what the block is (VDSPLEX_MD_*_MAGIC).
 * @blocknr: where the block lives on the device.
 */
struct vdsplex_md_header {
	__le32 csum;
	__le32 magic;
	__le64 blocknr;
} __packed;

/**
 * struct vdsplex_disk_super - block 0.
 * @hdr: header; blocknr 0.
 * @version: VDSPLEX_MD_VERSION.
 * @flags: VDSPLEX_MD_CLEAN.
 * @uuid: the volume's UUID, random at format.
 * @generation: incremented at every commit.
 * @volume_sectors: the volume length.
 * @region_size: region size in sectors.
 * @bitmap_blocks: blocks per bitmap (B above).
 * @nr_regions: regions of the volume.
 * @resync_cursor: the resync checkpoint: next region to look at.
 * @next_plex_id: the id the next new plex gets.
 * @nr_plexes: plex records in use.
 * @reserved: zero.
 */
struct vdsplex_disk_super {
	struct vdsplex_md_header hdr;
	__le32 version;
	__le32 flags;
	__u8 uuid[16];
	__le64 generation;
	__le64 volume_sectors;
	__le32 region_size;
	__le32 bitmap_blocks;
	__le64 nr_regions;
	__le64 resync_cursor;
	__le64 next_plex_id;
	__le32 nr_plexes;
	__le32 reserved;
} __packed;

/**
 * struct vdsplex_disk_plex - one plex record (block 1 holds 32 after its
 * header).
 * @id: stable id, never reused within the volume.
 * @identity: stable name from userspace, NUL-padded.
 * @dev_major: device hint: the major number when last seen.
 * @dev_minor: device hint: the minor number.
 * @dev_sectors: device hint: its size.
 * @offset: first sector of the plex on its device.
 * @state: enum vdsplex_md_plex_state.
 * @flags: VDSPLEX_MD_PLEX_*.
 * @read_errors: read errors seen.
 * @write_errors: write errors seen.
 * @checkpoint: regions of this plex known in sync below this one.
 */
struct vdsplex_disk_plex {
	__le64 id;
	__u8 identity[VDSPLEX_MD_IDENTITY_LEN];
	__le32 dev_major;
	__le32 dev_minor;
	__le64 dev_sectors;
	__le64 offset;
	__le32 state;
	__le32 flags;
	__le32 read_errors;
	__le32 write_errors;
	__le64 checkpoint;
} __packed;

/**
 * struct vdsplex_disk_plex_tag - block 1's commit tag, right after the
 * 32 records (format version 2).
 * @generation: the superblock generation of the commit that wrote the
 *	table.  A full commit writes and flushes block 1 before block 0, so
 *	on disk the tag equals the superblock's generation, or is one ahead
 *	when a crash came between the two writes: the table then holds the
 *	newer plex set and is taken over the superblock.
 * @next_plex_id: the superblock's next_plex_id as of that commit.
 */
struct vdsplex_disk_plex_tag {
	__le64 generation;
	__le64 next_plex_id;
} __packed;

/**
 * struct vdsplex_md_super - the superblock in core.
 * @version: the format version as read (2 once a newer plex table was
 *	taken); a full commit writes VDSPLEX_MD_VERSION.  Block 1 gets its
 *	commit tag only from version 2 on.
 * @table_newer: set by vdsplex_md_plexes_decode() when block 1 is one
 *	commit ahead of block 0 and the fields it implies were taken from it.
 * @flags: VDSPLEX_MD_CLEAN.
 * @uuid: the volume's UUID.
 * @generation: the commit count.
 * @volume_sectors: the volume length.
 * @region_size: region size in sectors.
 * @bitmap_blocks: blocks per bitmap.
 * @nr_regions: regions of the volume.
 * @resync_cursor: the resync checkpoint.
 * @next_plex_id: the id of the next new plex.
 * @nr_plexes: plex records in use.
 */
struct vdsplex_md_super {
	u32 version;
	bool table_newer;
	u32 flags;
	u8 uuid[16];
	u64 generation;
	u64 volume_sectors;
	u32 region_size;
	u32 bitmap_blocks;
	u64 nr_regions;
	u64 resync_cursor;
	u64 next_plex_id;
	u32 nr_plexes;
};

/**
 * struct vdsplex_md_plex - a plex record in core.
 * @id: stable id (0: the slot is free).
 * @identity: stable name, NUL-terminated.
 * @dev_major: device hint.
 * @dev_minor: device hint.
 * @dev_sectors: device hint.
 * @offset: first sector on the device.
 * @state: enum vdsplex_md_plex_state.
 * @flags: VDSPLEX_MD_PLEX_*.
 * @read_errors: read errors seen.
 * @write_errors: write errors seen.
 * @checkpoint: regions known in sync below this one.
 */
struct vdsplex_md_plex {
	u64 id;
	char identity[VDSPLEX_MD_IDENTITY_LEN];
	u32 dev_major;
	u32 dev_minor;
	u64 dev_sectors;
	u64 offset;
	u32 state;
	u32 flags;
	u32 read_errors;
	u32 write_errors;
	u64 checkpoint;
};

/**
 * struct vdsplex_md_layout - where the blocks of a volume's metadata are.
 * @bitmap_blocks: blocks per bitmap.
 * @write_intent: first block of the write-intent bitmap.
 * @discarded: first block of the discarded-region map.
 * @in_sync: first block of plex slot 0's in-sync bitmap.
 * @nr_blocks: blocks the metadata needs in all.
 */
struct vdsplex_md_layout {
	u32 bitmap_blocks;
	u64 write_intent;
	u64 discarded;
	u64 in_sync;
	u64 nr_blocks;
};

/**
 * struct vdsplex_md - a volume's metadata device in core.
 * @bufio: the dm-bufio client on the metadata device.
 * @devt: the metadata device (every table instance must name it).
 * @layout: where the blocks are.
 * @sb: the superblock as last written; protected by @commit_lock.
 * @commit_lock: serialises commits; see the lock inventory in dm-vdsplex.h.
 * @sync_lock: full commits vs the resync thread setting in-sync bits.
 * @snap: what a commit writes, gathered under vol->state_lock;
 *	@commit_lock.
 * @commit_work: writes requested write-intent bits, sweeps, retries.
 * @wi_disk: regions whose write-intent bit is on disk; vol->state_lock.
 * @wi_want: regions parked writes wait for; vol->state_lock.
 * @wi_touched: regions written since the last sweep; vol->state_lock.
 * @wi_commit: the bits a commit is writing; @commit_lock.
 * @wi_image: the write-intent bitmap a commit writes; @commit_lock.
 * @wi_cleared: the bits the commit's sweep took off the disk set, given
 *	back when a plex fails the flush before they go; @commit_lock.
 * @disc_disk: the discarded-region map as on disk; vol->state_lock.
 * @disc_image: the map a commit writes; @commit_lock.
 * @disc_write: the commit writes @disc_image; vol->state_lock and
 *	@commit_lock.
 * @parked: writes waiting for their region's bit; vol->state_lock.
 * @last_sweep: time of the last sweep; @commit_lock.
 * @failed: a metadata write or read failed; vol->state_lock to write.
 * @commits: metadata writes issued (statistics).
 * @vol: the volume.
 */
struct vdsplex_md {
	struct vdsplex_volume *vol;
	struct dm_bufio_client *bufio;
	dev_t devt;
	struct vdsplex_md_layout layout;
	struct vdsplex_md_super sb;
	struct mutex commit_lock;	/* commits, sb, bufio, slots */
	struct mutex sync_lock;		/* in-sync bits vs full commits */
	struct vdsplex_md_snap *snap;
	struct delayed_work commit_work;
	unsigned long *wi_disk;
	unsigned long *wi_want;
	unsigned long *wi_touched;
	unsigned long *wi_commit;
	unsigned long *wi_image;
	unsigned long *wi_cleared;
	unsigned long *disc_disk;
	unsigned long *disc_image;
	bool disc_write;
	struct bio_list parked;
	u64 last_sweep;
	bool failed;
	atomic64_t commits;
};

void vdsplex_md_layout(u64 nr_regions, struct vdsplex_md_layout *l);
u64 vdsplex_md_in_sync_block(const struct vdsplex_md_layout *l,
			     unsigned int slot);
bool vdsplex_md_block_is_zero(const void *block);
void vdsplex_md_super_encode(const struct vdsplex_md_super *sb, void *block);
int vdsplex_md_super_decode(const void *block, struct vdsplex_md_super *sb,
			    char **error);
int vdsplex_md_super_check_table(const struct vdsplex_md_super *sb,
				 u64 volume_sectors, u32 region_size,
				 char **error);
void vdsplex_md_plexes_encode(const struct vdsplex_md_plex *p,
			      const struct vdsplex_md_super *sb, void *block);
int vdsplex_md_plexes_decode(const void *block, struct vdsplex_md_super *sb,
			     struct vdsplex_md_plex *p, char **error);
void vdsplex_md_bitmap_seal(void *block, u64 blocknr);
int vdsplex_md_bitmap_check(const void *block, u64 blocknr, char **error);
unsigned long *vdsplex_md_bitmap_bits(void *block);

#endif /* VDSPLEX_METADATA_H */
