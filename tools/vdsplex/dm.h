/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdevmapper wrappers: look mapped devices up, read their tables and
 * status, create, load, resume, remove them and send them messages.
 *
 * Functions return 0 or a negative errno (-ENXIO: libdevmapper could not
 * talk to the kernel); libdevmapper itself logs the failing ioctl on
 * stderr.
 */
#ifndef VDSPLEX_DM_H
#define VDSPLEX_DM_H

#include <stdbool.h>
#include <stdint.h>

#define DMX_NAME_LEN	128
#define DMX_UUID_LEN	129
#define DMX_TYPE_LEN	32
#define DMX_MAX_DEPS	64

struct dmdev {
	char name[DMX_NAME_LEN];
	char uuid[DMX_UUID_LEN];
	uint32_t major, minor;
	int open_count;
	uint32_t target_count;
	uint32_t event_nr;	/* dm events of the device so far (dmsetup info) */
	bool suspended;
	bool read_only;
	bool live_table;
	bool inactive_table;
};

struct dmseg {
	uint64_t start, len;
	char type[DMX_TYPE_LEN];
	char *params;
};

struct dmtable {
	unsigned int n;
	struct dmseg *seg;
};

/*
 * Info of the mapped device named @name, with UUID @uuid, or numbered
 * @major:@minor.  Return: 0, -ENODEV when there is no such mapped device.
 */
int dmx_info_name(const char *name, struct dmdev *d);
int dmx_info_uuid(const char *uuid, struct dmdev *d);
int dmx_info_devno(uint32_t major, uint32_t minor, struct dmdev *d);

/* The live table (@status false) or the INFO status (@status true). */
int dmx_table(const struct dmdev *d, bool status, struct dmtable *t);
void dmx_table_free(struct dmtable *t);
/* Sum of the segment lengths. */
uint64_t dmx_table_len(const struct dmtable *t);
/*
 * Is the first segment of @d's live table of @type?  Told from @d's status
 * (the target type comes with it), never from its table: that of another
 * target may hold a key (dm-crypt), which is not to be read into memory.
 */
bool dmx_is_type(const struct dmdev *d, const char *type);

/*
 * Every mapped device whose live table's first segment is @type, told as
 * dmx_is_type() does; free() *devs.
 */
int dmx_list(const char *type, struct dmdev **devs, unsigned int *n);

/* Create @name (with @uuid, may be NULL) from @t and resume it. */
int dmx_create(const char *name, const char *uuid, const struct dmtable *t);
/* Give @name, which has no UUID yet, the UUID @uuid. */
int dmx_set_uuid(const char *name, const char *uuid);
/*
 * Load @t as the inactive table of @d (read-only when @d is), then resume
 * @d, swapping it in.  When the resume fails, @d is not left suspended
 * (its I/O would hang): a table still waiting is dropped and @d resumed
 * once more.  *@live (may be NULL): whether @t is @d's live table now,
 * failure or not.
 */
int dmx_reload(const struct dmdev *d, const struct dmtable *t, bool *live);
/* Drop an inactive table loaded into @d. */
int dmx_clear(const struct dmdev *d);
/* Remove @d, retrying a few times while something briefly holds it open. */
int dmx_remove(const struct dmdev *d);
/* "dmsetup message @d 0 @msg". */
int dmx_message(const struct dmdev *d, const char *msg);

/* The devices @major:@minor's table uses (dmsetup deps). */
int dmx_deps(uint32_t major, uint32_t minor, uint32_t (*devs)[2], unsigned int max,
	     unsigned int *n);
/*
 * Does @major:@minor depend on @tmajor:@tminor, directly or through mapped
 * devices (or is it that device)?  Return: 1 yes, 0 no, -errno.
 */
int dmx_depends_on(uint32_t major, uint32_t minor, uint32_t tmajor, uint32_t tminor);

/* strerror() for these functions' errors. */
const char *dmx_strerror(int err);

/*
 * Call first: turns libdevmapper's udev synchronisation off when udevd
 * does not listen on /run/udev/control (it would wait for ever for a udev
 * that never answers; libdevmapper then makes the /dev/mapper nodes).
 */
void dmx_init(void);
/* Call before exiting. */
void dmx_exit(void);

#endif /* VDSPLEX_DM_H */
