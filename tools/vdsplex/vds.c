// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDS HRESULTs: names, values, errnos and what they mean
 * (Documentation/ioctl.rst, "VDS result codes").
 *
 * Every code of <linux/dm-vdsplex.h> is here; tests/test_vds.c reads the
 * header and fails when one is missing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <linux/dm-vdsplex.h>

#include "vds.h"

#define VDS(code, nm, e, s) { .hr = code, .name = nm, .macro = #code, .err = e, .sentence = s }

static const struct vds_code vds_codes[] = {
	VDS(VDS_S_OK, "VDS_S_OK", 0,
	    "The operation succeeded."),
	VDS(VDS_E_INVALID_OPERATION, "VDS_E_INVALID_OPERATION", EINVAL,
	    "The operation is not valid for this volume or device."),
	VDS(VDS_E_VOLUME_NOT_ONLINE, "VDS_E_VOLUME_NOT_ONLINE", EAGAIN,
	    "The volume is not online: it is suspended, has an inactive table loaded, or its metadata failed."),
	VDS(VDS_E_VOLUME_NOT_HEALTHY, "VDS_E_VOLUME_NOT_HEALTHY", EIO,
	    "The volume is not healthy: it has no healthy in-sync plex to copy from, or (a vdsplex PLEX) not every plex is in sync."),
	VDS(VDS_E_VOLUME_SPANS_DISKS, "VDS_E_VOLUME_SPANS_DISKS", EXDEV,
	    "The device spans several disks; a plex must lie on one disk."),
	VDS(VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, "VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE", ERANGE,
	    "The device is made of several separate extents of one disk; a plex needs contiguous disk space."),
	VDS(VDS_E_DISK_IN_USE_BY_VOLUME, "VDS_E_DISK_IN_USE_BY_VOLUME", EEXIST,
	    "The device is already used by this volume: it is the volume, one of its plexes, or built on the volume."),
	VDS(VDS_E_DEVICE_IN_USE, "VDS_E_DEVICE_IN_USE", EBUSY,
	    "The device is in use: open, mounted, or used by another mapped device."),
	VDS(VDS_E_ANOTHER_CALL_IN_PROGRESS, "VDS_E_ANOTHER_CALL_IN_PROGRESS", EALREADY,
	    "Another AddPlex operation is already running on this volume."),
	VDS(VDS_E_OBJECT_DELETED, "VDS_E_OBJECT_DELETED", ENODEV,
	    "The volume was removed while the operation ran."),
	VDS(VDS_E_PLEX_LAST_ACTIVE, "VDS_E_PLEX_LAST_ACTIVE", EBUSY,
	    "The plex is the last in-sync plex or the only resync source and cannot be removed."),
	VDS(VDS_E_OPERATION_CANCELED, "VDS_E_OPERATION_CANCELED", ECANCELED,
	    "The operation was canceled."),
	VDS(VDS_E_CANCEL_TOO_LATE, "VDS_E_CANCEL_TOO_LATE", ESRCH,
	    "The operation can no longer be canceled: it has ended or is committing its result."),
	VDS(VDS_S_GPT_BOOT_MIRRORED_TO_MBR, "VDS_S_GPT_BOOT_MIRRORED_TO_MBR", 0,
	    "The boot volume was mirrored onto a disk with another partition-table type (GPT vs MBR); the new plex cannot boot the machine."),
	VDS(VDSPLEX_E_OUTOFMEMORY, "E_OUTOFMEMORY", ENOMEM,
	    "The kernel ran out of memory."),
	VDS(VDSPLEX_E_IO_DEVICE, "ERROR_IO_DEVICE", EIO,
	    "The operation failed because every new plex failed with I/O errors."),
};

size_t vds_count(void)
{
	return ARRAY_SIZE(vds_codes);
}

const struct vds_code *vds_at(size_t i)
{
	return i < ARRAY_SIZE(vds_codes) ? &vds_codes[i] : NULL;
}

const struct vds_code *vds_lookup(uint32_t hr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vds_codes); i++)
		if (vds_codes[i].hr == hr)
			return &vds_codes[i];
	return NULL;
}

const char *vds_name(uint32_t hr)
{
	const struct vds_code *c = vds_lookup(hr);

	return c ? c->name : "UNKNOWN_HRESULT";
}

int vds_format(char *buf, size_t len, uint32_t hr)
{
	const struct vds_code *c = vds_lookup(hr);

	if (!c)
		return vx_snprintf(buf, len,
				   "UNKNOWN_HRESULT (0x%08X): The kernel returned a result code this vdsplex does not know; check that the CLI and the module versions match.",
				   hr);
	return vx_snprintf(buf, len, "%s (0x%08X): %s", c->name, hr, c->sentence);
}

static void vds_vreport(const char *prefix, uint32_t hr, const char *fmt, va_list ap)
{
	char line[512];

	vds_format(line, sizeof(line), hr);
	fflush(stdout);
	fprintf(stderr, "vdsplex: %s%s\n", prefix, line);
	if (fmt) {
		fprintf(stderr, "vdsplex:   ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

void vds_report(uint32_t hr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vds_vreport("", hr, fmt, ap);
	va_end(ap);
}

void vds_warn(uint32_t hr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vds_vreport("warning: ", hr, fmt, ap);
	va_end(ap);
}
