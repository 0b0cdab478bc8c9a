/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /etc/vdsplextab: the volumes `vdsplex activate` brings up, one a line, in
 * the spirit of crypttab(5):
 *
 *   # NAME   METADATA             PLEXES                    OPTIONS
 *   data     PARTUUID=5d1e…       -                         rate=50M
 *   scratch  -                    /dev/sdb1,/dev/sdc1:2048   nosync,noauto
 *
 * NAME: the mapped device.  METADATA: the metadata device (a path,
 * UUID=, PARTUUID=, LABEL=, PARTLABEL=, a dm name or UUID, MAJOR:MINOR), or
 * '-' for a core-mode volume.  PLEXES: '-' (the metadata names them), or,
 * for core mode only, DEV[:OFFSET] separated by commas.  OPTIONS (may be
 * left out, or '-'): comma-separated, see struct tab_entry.  '#' starts a
 * comment; fields are separated by blanks.  Pure: parses text only.
 */
#ifndef VDSPLEX_TAB_H
#define VDSPLEX_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dm-vdsplex.h>

#include "parse.h"

#define VDSPLEXTAB_PATH		"/etc/vdsplextab"
#define TAB_MAX_ENTRIES		256
#define DEFAULT_TAB_REGION_SECTORS	2048	/* 1 MiB, as create's default */

struct tab_entry {
	unsigned int line;		/* 1-based, for messages */
	char *name;
	char *meta;			/* "-": core mode */
	unsigned int nr_plexes;		/* core mode: the PLEXES field */
	char *plexes[VDSPLEX_MAX_EXTENTS];
	bool noauto;			/* not activated by --all */
	bool nofail;			/* a failure is a warning: exit 0 */
	bool nosync;			/* core mode: trust the plexes as in sync */
	bool initramfs;			/* activated by the initramfs too */
	uint64_t region_sectors;	/* core mode; default 2048 */
	bool rate_set;
	struct rate rate;		/* rate=RATE: resync_rate */
	const char *read_policy;	/* read-policy=P, or NULL */
	uint32_t write_mostly;		/* core mode: write-mostly=IDX, a bit per plex */
};

struct tab {
	unsigned int n;
	struct tab_entry e[TAB_MAX_ENTRIES];
	char *text;			/* the owned copy the entries point into */
};

/*
 * Parse the whole file text @text into @t.  On an error, @err names the
 * line and the bad field ("line 3: unknown option 'nosnyc'").
 * Return: 0, -EINVAL, -ENOMEM, -E2BIG (more than TAB_MAX_ENTRIES lines).
 * Call tab_free() in every case.
 */
int tab_parse(const char *text, struct tab *t, char *err, size_t errlen);
void tab_free(struct tab *t);
/* The entry named @name, or NULL. */
const struct tab_entry *tab_find(const struct tab *t, const char *name);

#endif /* VDSPLEX_TAB_H */
