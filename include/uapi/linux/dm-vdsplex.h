/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * dm-vdsplex control device ABI: /dev/vdsplex-control and the async handle.
 *
 * Shared by the kernel module and the vdsplex CLI.  Every struct starts with
 * a size field (the caller sets it to sizeof the struct it was built with)
 * and a flags field; reserved fields must be zero.  Devices are passed as
 * major/minor pairs, pointers as __u64.  A call that fails returns -1 with
 * errno set and, when the struct was readable, the VDS HRESULT in its
 * hresult field.  See Documentation/ioctl.rst.
 */
#ifndef _UAPI_LINUX_DM_VDSPLEX_H
#define _UAPI_LINUX_DM_VDSPLEX_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VDSPLEX_CONTROL_NAME	"vdsplex-control"
#define VDSPLEX_ABI_VERSION	1
#define VDSPLEX_IOCTL_MAGIC	0xBD	/* unused in ioctl-number.rst */
#define VDSPLEX_IDENTITY_SIZE	64	/* NUL-padded */
#define VDSPLEX_MAX_EXTENTS	32	/* plexes per volume, too */

/*
 * VDS HRESULTs, with the errno each one is returned with.  The high bit is
 * set on every one, VDS_S_GPT_BOOT_MIRRORED_TO_MBR included: test codes by
 * name, never by sign.
 */
#define VDS_S_OK				0x00000000U	/* 0 */
#define VDS_E_INVALID_OPERATION			0x80042415U	/* EINVAL */
#define VDS_E_VOLUME_NOT_ONLINE			0x8004243DU	/* EAGAIN */
#define VDS_E_VOLUME_NOT_HEALTHY		0x8004243EU	/* EIO */
#define VDS_E_VOLUME_SPANS_DISKS		0x8004243FU	/* EXDEV */
#define VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE	0x80042440U	/* ERANGE */
#define VDS_E_DISK_IN_USE_BY_VOLUME		0x8004244CU	/* EEXIST */
#define VDS_E_DEVICE_IN_USE			0x80042413U	/* EBUSY */
#define VDS_E_ANOTHER_CALL_IN_PROGRESS		0x80042404U	/* EALREADY */
#define VDS_E_OBJECT_DELETED			0x8004240BU	/* ENODEV */
#define VDS_E_PLEX_LAST_ACTIVE			0x80042548U	/* EBUSY */
#define VDS_E_OPERATION_CANCELED		0x8004240DU	/* ECANCELED */
#define VDS_E_CANCEL_TOO_LATE			0x8004240CU	/* ESRCH */
#define VDS_S_GPT_BOOT_MIRRORED_TO_MBR		0x80042469U	/* 0: a warning */
/* Standard HRESULTs (HRESULT_FROM_WIN32) the kernel also returns. */
#define VDSPLEX_E_OUTOFMEMORY			0x8007000EU	/* ENOMEM */
#define VDSPLEX_E_IO_DEVICE			0x8007045DU	/* EIO in a result */

/**
 * struct vdsplex_ioc_version - VDSPLEX_IOC_VERSION.
 * @size: sizeof(struct vdsplex_ioc_version).
 * @flags: must be 0.
 * @abi: out: VDSPLEX_ABI_VERSION.
 * @major: out: module version, major.
 * @minor: out: module version, minor.
 * @patch: out: module version, patch level.
 * @max_plexes: out: most plexes a volume may have.
 * @reserved: must be 0.
 */
struct vdsplex_ioc_version {
	__u32 size;
	__u32 flags;
	__u32 abi;
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 max_plexes;
	__u32 reserved[5];
};

/**
 * struct vdsplex_extent - one plex to attach.
 * @major: device major.
 * @minor: device minor.
 * @offset: first sector of the plex on the device.
 * @identity: stable name (by-id name, PARTUUID, dm UUID), NUL-padded; may
 *	be empty.
 * @reserved: must be 0.
 */
struct vdsplex_extent {
	__u32 major;
	__u32 minor;
	__u64 offset;
	__u8 identity[VDSPLEX_IDENTITY_SIZE];
	__u64 reserved;
};

/**
 * struct vdsplex_ioc_add_plex - VDSPLEX_IOC_ADD_PLEX (IVdsVolume::AddPlex).
 * @size: sizeof(struct vdsplex_ioc_add_plex).
 * @flags: must be 0.
 * @vol_major: the volume (a vdsplex mapped device), major.
 * @vol_minor: the volume, minor.
 * @nr_extents: entries at @extents, 1..VDSPLEX_MAX_EXTENTS.
 * @extent_size: sizeof(struct vdsplex_extent).
 * @extents: user pointer to the extents.
 * @hresult: out: VDS_S_OK or the VDS error.
 * @fd: out: the async handle (close-on-exec), when @hresult is VDS_S_OK.
 * @first_index: out: table index of the first plex attached; the others
 *	follow it.
 * @bad_extent: out: on an error about one extent, its position in
 *	@extents; else ~0U.
 * @reserved: must be 0.
 */
struct vdsplex_ioc_add_plex {
	__u32 size;
	__u32 flags;
	__u32 vol_major;
	__u32 vol_minor;
	__u32 nr_extents;
	__u32 extent_size;
	__u64 extents;
	__u32 hresult;
	__u32 fd;
	__u32 first_index;
	__u32 bad_extent;
	__u64 reserved[2];
};

/* struct vdsplex_plex_info.state */
enum vdsplex_plex_state_abi {
	VDSPLEX_STATE_ALIVE = 1,	/* 'A' */
	VDSPLEX_STATE_RECOVERING = 2,	/* 'a' */
	VDSPLEX_STATE_STALE = 3,	/* 'S' */
	VDSPLEX_STATE_DEAD = 4,		/* 'D' */
};

#define VDSPLEX_PLEX_WRITE_MOSTLY	(1U << 0)
#define VDSPLEX_PLEX_SOURCE		(1U << 1)	/* the resync source */
#define VDSPLEX_PLEX_ADDED		(1U << 2)	/* target of the AddPlex */

/**
 * struct vdsplex_plex_info - one plex, as VDSPLEX_IOC_QUERY_PLEXES reports.
 * @index: position in the table.
 * @state: enum vdsplex_plex_state_abi.
 * @id: stable id, unique within the volume, never reused.
 * @identity: stable name, NUL-padded; empty when none was set.
 * @major: device major.
 * @minor: device minor.
 * @offset: first sector on the device.
 * @health: the status character: 'A', 'a', 'S' or 'D'.
 * @flags: VDSPLEX_PLEX_*.
 * @synced_regions: regions of the plex in sync.
 * @total_regions: regions of the volume.
 * @read_errors: read errors seen on the plex.
 * @write_errors: write errors seen on the plex.
 * @reserved: 0.
 */
struct vdsplex_plex_info {
	__u32 index;
	__u32 state;
	__u64 id;
	__u8 identity[VDSPLEX_IDENTITY_SIZE];
	__u32 major;
	__u32 minor;
	__u64 offset;
	__u32 health;
	__u32 flags;
	__u64 synced_regions;
	__u64 total_regions;
	__u64 read_errors;
	__u64 write_errors;
	__u64 reserved[2];
};

/**
 * struct vdsplex_ioc_query_plexes - VDSPLEX_IOC_QUERY_PLEXES.
 * @size: sizeof(struct vdsplex_ioc_query_plexes).
 * @flags: must be 0.
 * @vol_major: the volume, major.
 * @vol_minor: the volume, minor.
 * @nr_plexes: in: room at @plexes; out: plexes of the volume (may exceed
 *	the room; only the room is filled).
 * @plex_size: sizeof(struct vdsplex_plex_info).
 * @plexes: user pointer to the array.
 * @hresult: out.
 * @region_size: out: region size in sectors.
 * @len: out: volume length in sectors.
 * @reserved: must be 0.
 */
struct vdsplex_ioc_query_plexes {
	__u32 size;
	__u32 flags;
	__u32 vol_major;
	__u32 vol_minor;
	__u32 nr_plexes;
	__u32 plex_size;
	__u64 plexes;
	__u32 hresult;
	__u32 region_size;
	__u64 len;
	__u64 reserved[2];
};

/**
 * struct vdsplex_ioc_plex - VDSPLEX_IOC_REMOVE_PLEX, VDSPLEX_IOC_SET_IDENTITY.
 * @size: sizeof(struct vdsplex_ioc_plex).
 * @flags: must be 0.
 * @vol_major: the volume, major.
 * @vol_minor: the volume, minor.
 * @index: the plex's table index.
 * @hresult: out.
 * @identity: SET_IDENTITY: the name, 1..63 printable characters without
 *	spaces, NUL-padded; REMOVE_PLEX: must be zero.
 * @reserved: must be 0.
 */
struct vdsplex_ioc_plex {
	__u32 size;
	__u32 flags;
	__u32 vol_major;
	__u32 vol_minor;
	__u32 index;
	__u32 hresult;
	__u8 identity[VDSPLEX_IDENTITY_SIZE];
	__u64 reserved[2];
};

/**
 * struct vdsplex_ioc_open_async - VDSPLEX_IOC_OPEN_ASYNC.
 * @size: sizeof(struct vdsplex_ioc_open_async).
 * @flags: must be 0.
 * @vol_major: the volume, major.
 * @vol_minor: the volume, minor.
 * @hresult: out: VDS_S_OK, or VDS_E_INVALID_OPERATION when the volume never
 *	had an AddPlex.
 * @fd: out: a new handle on the running operation, or on the last one,
 *	ended.
 * @reserved: must be 0.
 */
struct vdsplex_ioc_open_async {
	__u32 size;
	__u32 flags;
	__u32 vol_major;
	__u32 vol_minor;
	__u32 hresult;
	__u32 fd;
	__u64 reserved[2];
};

/* Control device commands. */
#define VDSPLEX_IOC_VERSION \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x00, struct vdsplex_ioc_version)
#define VDSPLEX_IOC_ADD_PLEX \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x01, struct vdsplex_ioc_add_plex)
#define VDSPLEX_IOC_QUERY_PLEXES \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x02, struct vdsplex_ioc_query_plexes)
#define VDSPLEX_IOC_REMOVE_PLEX \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x03, struct vdsplex_ioc_plex)
#define VDSPLEX_IOC_SET_IDENTITY \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x04, struct vdsplex_ioc_plex)
#define VDSPLEX_IOC_OPEN_ASYNC \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x05, struct vdsplex_ioc_open_async)

/* The async handle (IVdsAsync).  Its states: */
enum vdsplex_async_state {
	VDSPLEX_ASYNC_RUNNING = 1,
	VDSPLEX_ASYNC_SUCCEEDED = 2,
	VDSPLEX_ASYNC_FAILED = 3,	/* hresult says why */
	VDSPLEX_ASYNC_CANCELED = 4,	/* hresult VDS_E_OPERATION_CANCELED */
};

/**
 * struct vdsplex_async_status - read() and VDSPLEX_ASYNC_QUERY.
 * @size: sizeof(struct vdsplex_async_status).
 * @state: enum vdsplex_async_state.
 * @hresult: VDS_S_OK while running and on success, else the final error.
 * @percent: 0..99 while running, 100 once ended.
 * @done_sectors: sectors copied to the new plexes, averaged over them.
 * @total_sectors: sectors to copy per plex (the volume length).
 * @rate: copy rate in KiB/s over the last seconds.
 * @vol_major: the volume, major.
 * @vol_minor: the volume, minor.
 * @reserved: 0.
 */
struct vdsplex_async_status {
	__u32 size;
	__u32 state;
	__u32 hresult;
	__u32 percent;
	__u64 done_sectors;
	__u64 total_sectors;
	__u64 rate;
	__u32 vol_major;
	__u32 vol_minor;
	__u64 reserved[2];
};

#define VDSPLEX_WAIT_FOREVER	(~0ULL)

/**
 * struct vdsplex_async_wait - VDSPLEX_ASYNC_WAIT.
 * @size: sizeof(struct vdsplex_async_wait).
 * @flags: must be 0.
 * @timeout_ms: how long to wait; 0 = do not wait, VDSPLEX_WAIT_FOREVER.
 * @state: out: enum vdsplex_async_state.
 * @hresult: out: the final result once ended.
 * @nr_plexes: out: plexes the operation attached.
 * @nr_in_sync: out: of those, the plexes now in sync.
 * @plex_id: out: their stable ids.
 * @plex_index: out: their table indices when they were attached (indices
 *	move down when a plex before them is removed; ids do not change).
 * @reserved: must be 0.
 */
struct vdsplex_async_wait {
	__u32 size;
	__u32 flags;
	__u64 timeout_ms;
	__u32 state;
	__u32 hresult;
	__u32 nr_plexes;
	__u32 nr_in_sync;
	__u64 plex_id[VDSPLEX_MAX_EXTENTS];
	__u32 plex_index[VDSPLEX_MAX_EXTENTS];
	__u64 reserved[2];
};

/**
 * struct vdsplex_async_cancel - VDSPLEX_ASYNC_CANCEL.
 * @size: sizeof(struct vdsplex_async_cancel).
 * @flags: must be 0.
 * @hresult: out: VDS_E_OPERATION_CANCELED, or VDS_E_CANCEL_TOO_LATE.
 * @reserved0: must be 0.
 * @reserved: must be 0.
 */
struct vdsplex_async_cancel {
	__u32 size;
	__u32 flags;
	__u32 hresult;
	__u32 reserved0;
	__u64 reserved[2];
};

/* Async handle commands. */
#define VDSPLEX_ASYNC_QUERY \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x40, struct vdsplex_async_status)
#define VDSPLEX_ASYNC_WAIT \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x41, struct vdsplex_async_wait)
#define VDSPLEX_ASYNC_CANCEL \
	_IOWR(VDSPLEX_IOCTL_MAGIC, 0x42, struct vdsplex_async_cancel)

#endif /* _UAPI_LINUX_DM_VDSPLEX_H */
