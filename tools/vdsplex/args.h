/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line parsing: the subcommands, their options and help texts.
 * Pure: parses into struct cmd_args and never touches a device.
 */
#ifndef VDSPLEX_ARGS_H
#define VDSPLEX_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/dm-vdsplex.h>

#include "parse.h"

enum cmd_id {
	CMD_NONE,
	CMD_CREATE,
	CMD_ADD_PLEX,
	CMD_PLEXES,
	CMD_STATUS,
	CMD_WAIT,
	CMD_CANCEL,
	CMD_REMOVE_PLEX,
	CMD_BREAK_PLEX,
	CMD_HELP,
	CMD_VERSION,
	CMD_DUMP_METADATA,
	CMD_ACTIVATE,
	CMD_MONITOR,
};

/* create --plex DEV[:OFFSET] */
struct plex_spec {
	char *dev;
	uint64_t offset;	/* sectors */
};

#define DEFAULT_REGION_SECTORS	2048	/* 1 MiB */
#define MONITOR_MAX_VOLUMES	1024	/* monitor VOLUME... */

struct cmd_args {
	enum cmd_id cmd;
	const char *cmd_name;
	bool help;			/* print the command's help, exit 0 */
	const char *help_topic;		/* help CMD */

	const char *volume;		/* VOLUME, or create's NAME */
	const char *new_name;		/* break-plex NEW_NAME */
	uint32_t index;			/* remove-plex, break-plex INDEX */

	/* add-plex PLEX... */
	unsigned int nr_plex_args;
	const char *plex_args[VDSPLEX_MAX_EXTENTS];

	/* create */
	unsigned int nr_specs;
	struct plex_spec specs[VDSPLEX_MAX_EXTENTS];
	const char *meta;		/* "-": core mode */
	uint64_t region_sectors;
	bool nosync;

	bool json, wait, stack;
	bool rate_set;
	struct rate rate;
	uint64_t timeout_ms;		/* VDSPLEX_WAIT_FOREVER without --timeout */

	/* activate */
	bool all;
	const char *tab;		/* --tab FILE; NULL: VDSPLEXTAB_PATH */

	/* monitor [VOLUME...] (into argv) */
	const char *const *volumes;
	unsigned int nr_volumes;
	const char *program;		/* --program PROG */
	bool oneshot;
};

/*
 * Parse argv (argv[0] is the program) into @a.  On a usage error writes a
 * message naming the bad argument into @err.
 * Return: 0, or EXIT_USAGE.  Call args_free() in both cases.
 */
int args_parse(int argc, char **argv, struct cmd_args *a, char *err, size_t errlen);
void args_free(struct cmd_args *a);

/* The help of one command (@name NULL or unknown: the overview). */
void args_help(FILE *f, const char *name);
/* Is @name a command? */
bool args_is_command(const char *name);

#endif /* VDSPLEX_ARGS_H */
