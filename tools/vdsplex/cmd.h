/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subcommands.  Each returns the exit status (EXIT_OK, EXIT_FAIL) and
 * reports its own errors on stderr.
 */
#ifndef VDSPLEX_CMD_H
#define VDSPLEX_CMD_H

#include "args.h"

int cmd_create(const struct cmd_args *a);
int cmd_add_plex(const struct cmd_args *a);
int cmd_plexes(const struct cmd_args *a);
int cmd_status(const struct cmd_args *a);
int cmd_wait(const struct cmd_args *a);
int cmd_cancel(const struct cmd_args *a);
int cmd_remove_plex(const struct cmd_args *a);
int cmd_break_plex(const struct cmd_args *a);
int cmd_version(const struct cmd_args *a);
int cmd_dump_metadata(const struct cmd_args *a);
int cmd_activate(const struct cmd_args *a);
int cmd_monitor(const struct cmd_args *a);

#endif /* VDSPLEX_CMD_H */
