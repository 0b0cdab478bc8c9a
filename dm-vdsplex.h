/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-vdsplex: one volume backed by N plexes (complete mirror copies).
 *
 * Shared definitions of the target (dm-vdsplex.c) and the volume object
 * (vdsplex-volume.c).  See Documentation/dm-vdsplex.rst for the interface.
 *
 * Objects and their lifetimes:
 *
 *  struct vdsplex_volume  one per mapped device, found through a registry by
 *                         every table instance of that device; owns the plex
 *                         state (health, sync bitmaps) so reloads keep it.
 *  struct vdsplex_plex    one per plex the volume knows; refcounted, shared
 *                         by the table instances that name the same
 *                         <dev> <offset>.
 *  struct vdsplex_ctx     one per table instance (ti->private): the opened
 *                         devices (legs) and the table's options.  Only the
 *                         resumed instance (vol->active) serves I/O.
 *
 * Locking: the lock inventory is above struct vdsplex_volume below.
 */
#ifndef DM_VDSPLEX_H
#define DM_VDSPLEX_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/dm-io.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vdsplex-compat.h"

struct vdsplex_op;
struct vdsplex_copy_job;
struct vdsplex_md;

#define VDSPLEX_VERSION_MAJOR	0
#define VDSPLEX_VERSION_MINOR	5
#define VDSPLEX_VERSION_PATCH	0

#define VDSPLEX_MAX_PLEXES		32
#define VDSPLEX_MIN_REGION_SIZE		8		/* sectors: 4 KiB */
#define VDSPLEX_MAX_REGION_SIZE		2097152U	/* sectors: 1 GiB */
#define VDSPLEX_MAX_REGIONS		BIT_ULL(28)	/* 32 MiB a bitmap */
#define VDSPLEX_IDENTITY_LEN		64
#define VDSPLEX_INFLIGHT_BUCKETS	256	/* power of two */
#define VDSPLEX_NO_REGION		U64_MAX
#define VDSPLEX_ADAPTIVE_FLOOR_KIBS	1024	/* resync floor under load */
#define VDSPLEX_COPY_DEPTH		16	/* resync chunks in flight */
#define VDSPLEX_COPY_BUF_SECTORS	4096	/* their buffer: 2 MiB */
#define VDSPLEX_CHECKPOINT_NS		(2ULL * NSEC_PER_SEC)
#define VDSPLEX_MAX_READ_ERRORS		20	/* then the plex fails (md's) */
#define VDSPLEX_SCRUB_CHUNK		512	/* sectors a check compares at once */

/**
 * enum vdsplex_plex_state - health of one plex, as shown in status.
 * @VDSPLEX_PLEX_NEW: internal: named by a table not yet resumed; its state
 *	is decided at takeover.  Shown as 'S'.
 * @VDSPLEX_PLEX_ALIVE: 'A', alive and in sync (but for the dirty regions of
 *	an unclean shutdown it still lacks: vdsplex_volume.unsynced).
 * @VDSPLEX_PLEX_RECOVERING: 'a', alive and being resynchronised.
 * @VDSPLEX_PLEX_STALE: 'S', out of sync and not being resynchronised.
 * @VDSPLEX_PLEX_DEAD: 'D', failed; comes back only through readd_plex.
 */
enum vdsplex_plex_state {
	VDSPLEX_PLEX_NEW,
	VDSPLEX_PLEX_ALIVE,
	VDSPLEX_PLEX_RECOVERING,
	VDSPLEX_PLEX_STALE,
	VDSPLEX_PLEX_DEAD,
};

/**
 * enum vdsplex_read_policy - how a read picks among the in-sync plexes.
 * @VDSPLEX_READ_LEAST_PENDING: the plex with the fewest reads and writes in
 *	flight; ties rotate.  The default.
 * @VDSPLEX_READ_ROUND_ROBIN: rotate over the eligible plexes.
 * @VDSPLEX_READ_PRIMARY: always the source plex while it can serve.
 */
enum vdsplex_read_policy {
	VDSPLEX_READ_LEAST_PENDING,
	VDSPLEX_READ_ROUND_ROBIN,
	VDSPLEX_READ_PRIMARY,
};

/**
 * enum vdsplex_sync_action - what the volume's background job is doing.
 */
enum vdsplex_sync_action {
	VDSPLEX_ACTION_IDLE,
	VDSPLEX_ACTION_RESYNC,
	VDSPLEX_ACTION_RECOVER,
	VDSPLEX_ACTION_CHECK,
	VDSPLEX_ACTION_REPAIR,
	VDSPLEX_ACTION_FROZEN,
};

/**
 * struct vdsplex_plex - one plex (mirror copy) of a volume.
 * @kref: references: each table instance naming the plex holds one.
 * @node: in vol->plexes; protected by vol->lock.
 * @vol: the volume.
 * @id: stable id, unique within the volume, never reused.
 * @devt: device the plex lives on.
 * @offset: first sector of the plex on @devt.
 * @identity: stable name given by userspace; protected by vol->lock.
 * @state: health; protected by vol->state_lock.
 * @in_sync: one bit per region, set when the region is in sync; consulted
 *	while @state is not ALIVE (while DEAD: clear for the regions written
 *	since, which readd_plex resyncs), and while ALIVE for the regions of
 *	vol->unsynced only; protected by vol->state_lock.
 * @added: a target of the running AddPlex operation (vol->op): attached
 *	at run time and not yet in sync, dead or detached; cancel detaches it;
 *	protected by vol->state_lock.
 * @synced: regions set in @in_sync (progress); protected by
 *	vol->state_lock.
 * @leaving: remove_plex or cancel is taking the plex out: every commit from
 *	now on leaves its record out of the metadata (the first one before
 *	it stops receiving writes), and it no longer counts as in sync for a
 *	failure decision or as the source; protected by vol->state_lock.
 * @removing: the plex is @leaving and draining: no new I/O is sent to it;
 *	protected by vol->state_lock.
 * @slot: its record in the metadata, or -1; assigned under
 *	vol->state_lock by a commit (vdsplex-persist.c).
 * @pending: reads and writes in flight to the plex.
 * @reads: reads completed by the plex (statistics).
 * @read_errors: failed reads seen on the plex.
 * @write_errors: failed writes seen on the plex.
 */
struct vdsplex_plex {
	struct kref kref;
	struct list_head node;
	struct vdsplex_volume *vol;
	u64 id;
	dev_t devt;
	sector_t offset;
	char identity[VDSPLEX_IDENTITY_LEN];
	enum vdsplex_plex_state state;
	unsigned long *in_sync;
	bool added;
	u64 synced;
	bool leaving;
	bool removing;
	int slot;
	atomic_t pending;
	atomic64_t reads;
	atomic_t read_errors;
	atomic_t write_errors;
};

/**
 * vdsplex_plex_counts() - does @p count as an in-sync plex that stays?
 * @p: the plex.
 *
 * ALIVE and not being taken out by remove_plex or cancel (@leaving): the
 * plexes that hold a write for the volume, may be the source, and keep
 * another plex from being the last in sync.
 *
 * Context: vol->state_lock held.
 * Return: true when it counts.
 */
static inline bool vdsplex_plex_counts(const struct vdsplex_plex *p)
{
	return p->state == VDSPLEX_PLEX_ALIVE && !p->leaving;
}

/*
 * Lock inventory: the one list of the module's locks, what each protects
 * and their order.  The other files point here; the fields' kernel-doc
 * names the lock that protects each.
 *
 * vdsplex_registry_lock (mutex, vdsplex-volume.c)
 *	Protects the registry of volumes.  Taken by ctr, dtr and the control
 *	device's volume lookup; may be held while taking vol->lock, never the
 *	other way round.
 * vol->lock (mutex)
 *	Serialises configuration of one volume: plex objects joining and
 *	leaving vol->plexes, takeover at preresume, dtr, messages and ioctls.
 *	Process context only; never held across a wait for a suspend or a
 *	resume.  It is held across waits for the volume's own I/O: metadata
 *	commits (their I/O and the plexes' flushes) and the drain of a plex
 *	that remove_plex or cancel detaches.  So nothing that I/O waits for
 *	takes it: bio completion never does, and the event work, which
 *	commits a plex failure and releases the writes held for it, runs
 *	without it.
 * md->sync_lock (mutex, struct vdsplex_md in vdsplex-metadata.h)
 *	Held by a full, sweep or clean commit from before it flushes the
 *	plexes until it has written the in-sync bitmaps, and by the resync
 *	thread while it sets a region's in-sync bits: the bits a commit
 *	writes describe copies that are stable.
 * md->commit_lock (mutex, struct vdsplex_md in vdsplex-metadata.h)
 *	Serialises commits; protects the in-core superblock, the commit
 *	snapshot, the dm-bufio buffers and the plexes' metadata slots.  No
 *	holder of it or of md->sync_lock waits for vol->lock; a commit pins
 *	the plexes it reads after its snapshot by their pending count.
 * vol->state_lock (spinlock, irqsave)
 *	Protects every plex's state and in_sync bitmap, the write-intent and
 *	discard bitmaps and the parked writes of the metadata, vol->action
 *	and the progress counters, the held writes and the change sequence,
 *	and the leg array of the active instance once it serves I/O.  Taken
 *	in map (process context) and in bio completion (any context); nothing
 *	that sleeps runs under it.  Also protects vol->op and the counters of
 *	its targets, so an operation ends in the same critical section as the
 *	plex state change that ends it.
 * op->lock (spinlock, irqsave; async/vdsplex-async.h)
 *	Protects one async operation's state, result and progress.  Nests
 *	inside vol->state_lock; nothing is taken under it.
 *
 * Lock order: vdsplex_registry_lock -> vol->lock -> md->sync_lock ->
 * md->commit_lock -> vol->state_lock -> op->lock.
 */
/**
 * struct vdsplex_volume - the state of one mapped device, shared by all its
 * table instances.
 * @node: in the registry; protected by vdsplex_registry_lock.
 * @kref: one reference per table instance; the last one unregisters the
 *	volume and drops @users' reference.
 * @users: references to the memory: one for all table instances together,
 *	one per control-device call or cancel working on the volume.
 * @md: the mapped device; the registry key.  NULL once unregistered.
 * @devt: the mapped device's device number (how ioctls name the volume).
 * @lock: serialises configuration changes (the inventory above).
 * @state_lock: protects plex states and bitmaps and @active's legs (the
 *	inventory above).
 * @len: volume length in sectors.
 * @region_size: region size in sectors (a power of two).
 * @region_shift: log2(@region_size).
 * @nr_regions: regions in the volume; the last may be partial.
 * @instances: the table instances (struct vdsplex_ctx) of the volume;
 *	protected by @lock.
 * @plexes: every plex object some table instance names; protected by @lock.
 * @next_plex_id: id of the next new plex; protected by @lock.
 * @active: the resumed table instance or NULL; written under @lock and
 *	@state_lock, so either is enough to read it.
 * @ever_resumed: a table instance was resumed once; later plexes that the
 *	volume does not know are stale.  Protected by @lock.
 * @rr: round-robin cursor for reads.
 * @action: what the background job does; protected by @state_lock.
 * @synced_regions: progress of the running job; protected by @state_lock.
 * @regions_resynced: regions copied since the volume object was created.
 * @mismatch_cnt: regions found different by the last check or repair;
 *	protected by @state_lock.
 * @scrub: VDSPLEX_ACTION_CHECK or _REPAIR while a scrub is asked for (it
 *	runs when no plex needs a resync), else VDSPLEX_ACTION_IDLE;
 *	protected by @state_lock.
 * @scrub_cursor: the next region the scrub compares; protected by
 *	@state_lock.
 * @scrub_buf: two VDSPLEX_SCRUB_CHUNK buffers (vmalloc) the scrub reads
 *	into; allocated by the first check under @lock, used by the resync
 *	thread only, freed with the volume.
 * @event_work: raises a dm event (dm_table_event() sleeps, so never from
 *	bio completion).
 * @resync_task: the resync thread while the active instance is resumed;
 *	protected by @lock.
 * @resync_job: the thread's working memory, allocated with it; protected by
 *	@lock.
 * @resync_wait: the resync thread sleeps here for work, or for its rate.
 * @drain_wait: waiters for writes of a region or I/O of a plex to drain.
 * @locked_region: the region the resync is copying: writes to it wait;
 *	VDSPLEX_NO_REGION when none; protected by @state_lock.
 * @deferred: writes to @locked_region waiting for the copy; protected by
 *	@state_lock.
 * @inflight: writes in flight per epoch and hash bucket of regions.
 * @epoch: the epoch new writes of each bucket count in; flipped when the
 *	resync locks a region of the bucket; protected by @state_lock.
 * @cursor: the next region the resync looks at; protected by @state_lock.
 * @checkpoint: the cursor as of the last checkpoint; protected by
 *	@state_lock (kept in memory in core mode).
 * @targets_flushed: the recovering plexes had every region and were
 *	flushed since: the next pass calls them in sync; protected by
 *	@state_lock.
 * @rescan: a plex joined the resync: the next pass starts at region 0
 *	(regions other targets have are skipped); protected by @state_lock.
 * @paused: pause_resync is in force; protected by @state_lock.
 * @stalled: the resync lost its last source: stale plexes wait for a new
 *	kick; protected by @state_lock.
 * @kick: new resync work or a rate change; protected by @state_lock.
 * @fg_ios: foreground reads and writes mapped (for the adaptive rate).
 * @rate_kibs: the copy rate the resync measured over its last seconds;
 *	protected by @state_lock.
 * @op: the running AddPlex operation, or NULL; a reference is held;
 *	written under @lock and @state_lock, or under @state_lock alone when
 *	the operation ends; read under @state_lock.
 * @last_op: the last operation that ended (OPEN_ASYNC reports it); as @op.
 * @op_pending: targets of @op not yet in sync, dead or detached; as @op.
 * @op_ok: targets of @op that reached in sync; as @op.
 * @op_canceled: targets of @op detached before they were in sync; as @op.
 * @meta: the metadata device's state (vdsplex-persist.c), NULL in core
 *	mode; set by the first instance's constructor under @lock.
 * @unclean: @unsynced is not empty: the resync is a "resync", not a
 *	"recover"; protected by @state_lock.
 * @unsynced: the regions dirty at an activation after an unclean shutdown
 *	(or a clean one in the middle of their resync) that some in-sync plex
 *	still lacks: an ALIVE plex holds such a region only when its in_sync
 *	bit is set (the source's is; the others' once the resync copied it),
 *	and their write-intent bits stay on disk until the resync is done
 *	with them (Documentation/design.rst, "Dirty regions after an unclean
 *	shutdown"); protected by @state_lock.
 * @nr_unsynced: the regions set in @unsynced; protected by @state_lock.
 * @held: writes completed by the plexes while a plex state change was not
 *	yet on the metadata device; the event work completes them once it is
 *	(md's MD_SB_CHANGE_PENDING); protected by @state_lock.
 * @change_seq: plex state changes the metadata must record before any
 *	write is acknowledged (a plex failed); counted under @state_lock,
 *	read without it by the write completion's fast path.
 * @committed_seq: @change_seq as of the last full commit that succeeded;
 *	while the two differ, writes are held (failed once the metadata has
 *	failed) and no sweep clears a write-intent bit; written under
 *	@state_lock, read as @change_seq.
 * @discarded: regions wholly discarded since their last write:
 *	a resync passes the discard on instead of copying them; protected by
 *	@state_lock.
 * @discarding: regions with a whole-region discard in flight and no write
 *	admitted since; its completion marks them @discarded; protected by
 *	@state_lock.
 * @regions_discarded: regions a resync passed a discard for instead of
 *	copying them.
 * @read_retry: reads that failed, to be sent to another plex; protected by
 *	@state_lock.
 * @zeroes_retry: WRITE_ZEROES that plexes lack (attached at run time) or
 *	failed (loop on a file system without FALLOC_FL_ZERO_RANGE refuses
 *	it): zero pages go to those plexes instead; protected by @state_lock.
 * @retry_work: sends both (vdsplex_retry_reads(), vdsplex_retry_zeroes()).
 */
struct vdsplex_volume {
	struct list_head node;
	struct kref kref;
	refcount_t users;
	struct mapped_device *md;
	dev_t devt;
	struct mutex lock;		/* configuration, see above */
	spinlock_t state_lock;		/* plex states, bitmaps, legs */

	sector_t len;
	u32 region_size;
	unsigned int region_shift;
	u64 nr_regions;

	struct list_head instances;
	struct list_head plexes;
	u64 next_plex_id;
	struct vdsplex_ctx *active;
	bool ever_resumed;

	atomic_t rr;
	enum vdsplex_sync_action action;
	u64 synced_regions;
	atomic64_t regions_resynced;
	u64 mismatch_cnt;
	enum vdsplex_sync_action scrub;
	u64 scrub_cursor;
	void *scrub_buf;

	struct work_struct event_work;

	struct task_struct *resync_task;
	struct vdsplex_copy_job *resync_job;
	wait_queue_head_t resync_wait;
	wait_queue_head_t drain_wait;
	u64 locked_region;
	struct bio_list deferred;
	atomic_t inflight[2][VDSPLEX_INFLIGHT_BUCKETS];
	u8 epoch[VDSPLEX_INFLIGHT_BUCKETS];
	u64 cursor;
	u64 checkpoint;
	bool targets_flushed;
	bool rescan;
	bool paused;
	bool stalled;
	bool kick;
	atomic64_t fg_ios;
	u64 rate_kibs;

	struct vdsplex_op *op;
	struct vdsplex_op *last_op;
	unsigned int op_pending;
	unsigned int op_ok;
	unsigned int op_canceled;

	struct vdsplex_md *meta;
	bool unclean;
	unsigned long *unsynced;
	u64 nr_unsynced;
	struct bio_list held;
	unsigned long change_seq;
	unsigned long committed_seq;
	unsigned long *discarded;
	unsigned long *discarding;
	atomic64_t regions_discarded;
	struct bio_list read_retry;
	struct bio_list zeroes_retry;
	struct work_struct retry_work;
};

/**
 * struct vdsplex_leg - one plex as opened by one table instance.
 * @dev: the device, from dm_get_device(); NULL only in KUnit fixtures.
 * @plex: the volume's plex object (a reference is held).
 * @write_mostly: never read from this plex unless no other can serve.
 * @rebuild: the table asked for this plex to be resynchronised.
 */
struct vdsplex_leg {
	struct dm_dev *dev;
	struct vdsplex_plex *plex;
	bool write_mostly;
	bool rebuild;
};

/**
 * struct vdsplex_ctx - one table instance of a vdsplex volume (ti->private).
 * @ti: the target.
 * @node: in vol->instances; protected by vol->lock.
 * @vol: the volume object (a reference is held).
 * @io_client: dm-io client for the zero pages written in place of a
 *	WRITE_ZEROES (vdsplex_retry_zeroes()), the scrub and the discards
 *	the resync passes on; never used from ->map.
 * @bios: the plexes' copies of a write (a rescuer: they are allocated in
 *	->map); front pad struct vdsplex_clone.
 * @nr_legs: number of plexes in this table; protected by vol->state_lock
 *	once the instance is active.
 * @legs: the plexes in table order; as @nr_legs.
 * @read_policy: as set by the table or the read_policy message; written
 *	under vol->lock and vol->state_lock.
 * @rate_set: resync_rate is set (table or message); as @read_policy.
 * @resync_rate: the cap in KiB/s (0 = unlimited) when @rate_set; as
 *	@read_policy.
 * @nosync: the table carried nosync.
 * @quiesced: between presuspend and resume (or presuspend_undo): the plex
 *	set may not change; protected by vol->lock.
 * @meta_dev: the metadata device, NULL in core mode.
 */
struct vdsplex_ctx {
	struct dm_target *ti;
	struct list_head node;
	struct vdsplex_volume *vol;
	struct dm_io_client *io_client;
	struct bio_set bios;
	unsigned int nr_legs;
	struct vdsplex_leg legs[VDSPLEX_MAX_PLEXES];
	enum vdsplex_read_policy read_policy;
	bool rate_set;
	u32 resync_rate;
	bool nosync;
	bool quiesced;
	struct dm_dev *meta_dev;
};

/**
 * struct vdsplex_args - a parsed table line, before any device is opened.
 * @metadata: the metadata device argument, or NULL for core mode ("-").
 * @region_size: region size in sectors.
 * @nr_plexes: number of plexes.
 * @dev: device argument of each plex (points into argv).
 * @offset: start sector of each plex.
 * @nosync: trust all plexes as in sync at first activation.
 * @rebuild: bit i set: plex i needs a resync.
 * @write_mostly: bit i set: plex i is read only when no other can serve.
 * @read_policy: the read policy.
 * @read_policy_set: the table named a read policy.
 * @rate_set: the table carried resync_rate.
 * @resync_rate: KiB/s, 0 = unlimited.
 */
struct vdsplex_args {
	const char *metadata;
	u32 region_size;
	unsigned int nr_plexes;
	const char *dev[VDSPLEX_MAX_PLEXES];
	sector_t offset[VDSPLEX_MAX_PLEXES];
	bool nosync;
	u32 rebuild;
	u32 write_mostly;
	enum vdsplex_read_policy read_policy;
	bool read_policy_set;
	bool rate_set;
	u32 resync_rate;
};

/**
 * struct vdsplex_new_plex - one plex to attach (add_plex message, ADD_PLEX).
 * @path: the device, as dm_get_device() takes it (path or "major:minor").
 * @offset: first sector of the plex on the device.
 * @identity: stable name, or "" for none.
 */
struct vdsplex_new_plex {
	const char *path;
	sector_t offset;
	const char *identity;
};

/* vdsplex-volume.c */
extern struct workqueue_struct *vdsplex_wq;
int vdsplex_registry_init(void);
void vdsplex_registry_exit(void);
struct vdsplex_volume *vdsplex_volume_get(struct mapped_device *md,
					  sector_t len, u32 region_size,
					  char **error);
void vdsplex_volume_put(struct vdsplex_volume *vol);
struct vdsplex_volume *vdsplex_volume_find(dev_t devt);
void vdsplex_volume_unref(struct vdsplex_volume *vol);
struct vdsplex_plex *vdsplex_plex_get(struct vdsplex_volume *vol, dev_t devt,
				      sector_t offset);
struct vdsplex_plex *__vdsplex_plex_get(struct vdsplex_volume *vol,
					dev_t devt, sector_t offset);
void vdsplex_plex_put(struct vdsplex_plex *plex);
void __vdsplex_plex_put(struct vdsplex_plex *plex);
int vdsplex_attach_instance(struct vdsplex_ctx *ctx, char **error);
void vdsplex_takeover(struct vdsplex_ctx *ctx);
void vdsplex_release(struct vdsplex_ctx *ctx);
int vdsplex_source_leg(const struct vdsplex_ctx *ctx);
int vdsplex_choose_read_leg(const struct vdsplex_ctx *ctx, u64 region,
			    unsigned int rr);
bool vdsplex_leg_can_read(const struct vdsplex_ctx *ctx, unsigned int i,
			  u64 region);
u64 vdsplex_nr_regions(sector_t len, u32 region_size);
char vdsplex_health_char(enum vdsplex_plex_state state);
const char *vdsplex_action_name(enum vdsplex_sync_action action);
const char *vdsplex_policy_name(enum vdsplex_read_policy policy);
int vdsplex_policy_parse(const char *name, enum vdsplex_read_policy *policy);
void vdsplex_raise_event(struct vdsplex_volume *vol);
bool vdsplex_hold_for_commit(struct vdsplex_volume *vol, struct bio *bio);
void __vdsplex_change(struct vdsplex_volume *vol);
bool __vdsplex_change_pending(struct vdsplex_volume *vol);
void __vdsplex_region_stale(struct vdsplex_volume *vol, struct vdsplex_plex *p,
			    u64 region);
void __vdsplex_region_missed(struct vdsplex_volume *vol,
			     struct vdsplex_plex *p, u64 region);
void vdsplex_plex_io_done(struct vdsplex_plex *plex);
void __vdsplex_in_sync_all(struct vdsplex_volume *vol, struct vdsplex_plex *p);
int __vdsplex_unsynced_holder(struct vdsplex_ctx *ctx, u64 region);
unsigned int __vdsplex_alive_count(struct vdsplex_volume *vol);
void __vdsplex_plex_fail(struct vdsplex_volume *vol, struct vdsplex_plex *p);
void __vdsplex_op_target_done(struct vdsplex_volume *vol,
			      struct vdsplex_plex *p, u32 outcome);
void __vdsplex_op_finish(struct vdsplex_ctx *ctx, u32 hresult);
void __vdsplex_op_progress(struct vdsplex_ctx *ctx);

/* vdsplex-plexes.c */
u32 vdsplex_check_online(struct vdsplex_ctx *ctx, const char *what);
bool vdsplex_last_in_sync(struct vdsplex_ctx *ctx, unsigned int idx);
u32 __vdsplex_add_plexes(struct vdsplex_ctx *ctx,
			 const struct vdsplex_new_plex *np, unsigned int n,
			 struct vdsplex_op *op, unsigned int *first,
			 unsigned int *bad);
u32 __vdsplex_remove_plex(struct vdsplex_ctx *ctx, unsigned int idx);
u32 __vdsplex_cancel(struct vdsplex_ctx *ctx, struct vdsplex_op *op);
u32 __vdsplex_set_identity(struct vdsplex_ctx *ctx, unsigned int idx,
			   const char *identity);
bool vdsplex_identity_valid(const char *name, size_t size, bool may_be_empty);
u32 vdsplex_cancel_op(struct vdsplex_op *op);

/* vdsplex-persist.c */
#define VDSPLEX_COMMIT_FULL		BIT(0)	/* records, superblock, bitmaps */
#define VDSPLEX_COMMIT_SWEEP	BIT(1)	/* clear idle write-intent bits */
#define VDSPLEX_COMMIT_CLEAN	BIT(2)	/* no I/O in flight: mark clean */
int vdsplex_md_open(struct vdsplex_ctx *ctx, struct dm_dev *dev,
		    const char *path, char **error);
void vdsplex_md_destroy(struct vdsplex_volume *vol);
int vdsplex_md_commit(struct vdsplex_volume *vol, unsigned int flags);
bool vdsplex_md_write_admit(struct vdsplex_volume *vol, u64 region,
			    struct bio *bio);
void __vdsplex_md_lost_cache(struct vdsplex_volume *vol,
			     struct vdsplex_plex *p);
void vdsplex_md_quiesce(struct vdsplex_volume *vol);
void vdsplex_md_bits_lock(struct vdsplex_volume *vol);
void vdsplex_md_bits_unlock(struct vdsplex_volume *vol);
bool vdsplex_md_failed(struct vdsplex_volume *vol);
int vdsplex_md_revive(struct vdsplex_volume *vol);
u64 vdsplex_md_commits(struct vdsplex_volume *vol);
dev_t vdsplex_md_devt(struct vdsplex_volume *vol);
sector_t vdsplex_md_extent(u64 nr_regions);

/* vdsplex-control.c */
int vdsplex_control_init(void);
void vdsplex_control_exit(void);
/* vdsplex-resync.c */
bool vdsplex_write_admit(struct vdsplex_volume *vol, u64 region,
			 struct bio *bio, u8 *epoch);
void vdsplex_write_finish(struct vdsplex_volume *vol, u64 region, u8 epoch);
void vdsplex_region_lock(struct vdsplex_volume *vol, u64 region);
bool vdsplex_region_drained(struct vdsplex_volume *vol, u64 region);
bool vdsplex_region_idle(struct vdsplex_volume *vol, u64 region);
void vdsplex_region_unlock(struct vdsplex_volume *vol,
			   struct bio_list *deferred);
u64 vdsplex_throttle_ns(bool adaptive, u32 rate_kibs, bool fg_active,
			u64 bytes, u64 elapsed_ns);
unsigned int vdsplex_percent(u64 done, u64 total, bool finished);
int vdsplex_resync_start(struct vdsplex_ctx *ctx);
void vdsplex_resync_stop(struct vdsplex_volume *vol);
void vdsplex_resync_kick(struct vdsplex_volume *vol);
void vdsplex_checkpoint(struct vdsplex_volume *vol);

/**
 * enum vdsplex_next - what the resync thread does next
 * (__vdsplex_resync_next()).
 * @VDSPLEX_NEXT_IDLE: nothing to do, or paused.
 * @VDSPLEX_NEXT_COPY: a region is locked and described in the job.
 * @VDSPLEX_NEXT_SCRUB: as COPY, but the targets are compared.
 * @VDSPLEX_NEXT_CHANGED: the state changed (started, finished, failed):
 *	checkpoint and raise an event.
 * @VDSPLEX_NEXT_FLUSH: every region copied: flush the job's targets.
 * @VDSPLEX_NEXT_AGAIN: dirty regions released: call again, unlocked.
 */
enum vdsplex_next {
	VDSPLEX_NEXT_IDLE,
	VDSPLEX_NEXT_COPY,
	VDSPLEX_NEXT_SCRUB,
	VDSPLEX_NEXT_CHANGED,
	VDSPLEX_NEXT_FLUSH,
	VDSPLEX_NEXT_AGAIN,
};

/* dm-vdsplex.c */
void vdsplex_retry_reads(struct vdsplex_volume *vol);
void vdsplex_retry_zeroes(struct vdsplex_volume *vol);
void vdsplex_submit_deferred(struct vdsplex_ctx *ctx, struct bio_list *bios);
int vdsplex_parse_args(struct vdsplex_args *a, unsigned int argc, char **argv,
		       char **error);
int vdsplex_check_overlap(const dev_t *devt, const sector_t *offset,
			  unsigned int nr, sector_t len, unsigned int *first,
			  unsigned int *second);
char *vdsplex_errorf(const char *fmt, ...) __printf(1, 2);
char *vdsplex_check_leg(struct dm_target *ti, unsigned int i,
			const char *path, struct block_device *bdev,
			sector_t offset, dev_t self, unsigned int vol_lbs);

/* vdsplex-control.c */
bool vdsplex_devno_valid(u32 major, u32 minor);

#if IS_ENABLED(CONFIG_KUNIT)
/* Entry points only the KUnit module uses. */
void vdsplex_status(struct dm_target *ti, status_type_t type,
		    unsigned int status_flags, char *result,
		    unsigned int maxlen);
struct vdsplex_volume *vdsplex_volume_alloc(sector_t len, u32 region_size);
blk_opf_t vdsplex_write_opf(const struct bio *bio);
void vdsplex_volume_free(struct vdsplex_volume *vol);
struct vdsplex_plex *vdsplex_plex_alloc(struct vdsplex_volume *vol,
					dev_t devt, sector_t offset);
struct vdsplex_ioc_version;
struct vdsplex_ioc_add_plex;
struct vdsplex_extent;
struct vdsplex_ioc_query_plexes;
struct vdsplex_ioc_plex;
struct vdsplex_ioc_open_async;
bool vdsplex_ioc_version_valid(const struct vdsplex_ioc_version *v);
bool vdsplex_ioc_add_plex_valid(const struct vdsplex_ioc_add_plex *a);
bool vdsplex_extent_valid(const struct vdsplex_extent *e);
bool vdsplex_ioc_query_valid(const struct vdsplex_ioc_query_plexes *q);
bool vdsplex_ioc_plex_valid(const struct vdsplex_ioc_plex *p,
			    bool set_identity);
bool vdsplex_ioc_open_async_valid(const struct vdsplex_ioc_open_async *o);
struct vdsplex_md *vdsplex_md_alloc(struct vdsplex_volume *vol);
void vdsplex_md_free(struct vdsplex_md *md);
bool vdsplex_md_fill_block(void *block, const unsigned long *bits, u64 nr,
			   u64 b);
bool __vdsplex_md_prepare(struct vdsplex_volume *vol, unsigned int flags,
			  bool *cleared);
struct vdsplex_ctx *__vdsplex_md_done(struct vdsplex_volume *vol, bool ok,
				      struct bio_list *ready);
u32 vdsplex_md_recorded_slots(struct vdsplex_volume *vol);
void vdsplex_md_mark_dirty(struct vdsplex_ctx *ctx, const unsigned long *dirty,
			   int src);
bool __vdsplex_source_read_error(struct vdsplex_ctx *ctx,
				 struct vdsplex_plex *source,
				 struct vdsplex_plex *const *targets,
				 unsigned int nr_targets, u64 region);
int vdsplex_resync_next_kunit(struct vdsplex_ctx *ctx, u64 *region,
			      struct vdsplex_plex **source,
			      unsigned long *targets);
void vdsplex_resync_done_kunit(struct vdsplex_ctx *ctx,
			       struct bio_list *deferred);
void vdsplex_resync_flushed_kunit(struct vdsplex_ctx *ctx);
void vdsplex_resync_free_kunit(struct vdsplex_volume *vol);
#endif

#endif /* DM_VDSPLEX_H */
