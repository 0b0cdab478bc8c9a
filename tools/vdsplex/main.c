// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex: manage dm-vdsplex volumes (vdsplex(8), and
 * Documentation/dm-vdsplex.rst, "Command-line tool").
 *
 * main() parses the command line (args.c) and dispatches to the
 * subcommands (cmd_*.c).  Exit status: 0 success, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "dm.h"

int cmd_version(const struct cmd_args *a)
{
	struct vdsplex_ioc_version v;
	int fd, r;

	(void)a;
	printf("vdsplex %s (ABI %d)\n", VDSPLEX_CLI_VERSION, VDSPLEX_ABI_VERSION);
	fd = ctl_open();
	if (fd < 0) {
		printf("module: not available (%s: %s)\n", CTL_PATH, strerror(-fd));
		return EXIT_OK;
	}
	r = ctl_version(fd, &v);
	close(fd);
	if (r) {
		printf("module: VERSION failed: %s\n", strerror(-r));
		return EXIT_FAIL;
	}
	printf("module: dm_vdsplex %u.%u.%u (ABI %u, at most %u plexes)\n", v.major, v.minor,
	       v.patch, v.abi, v.max_plexes);
	if (v.abi != VDSPLEX_ABI_VERSION) {
		vx_warn("the module's ABI %u differs from the CLI's %d", v.abi,
			VDSPLEX_ABI_VERSION);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int dispatch(const struct cmd_args *a)
{
	switch (a->cmd) {
	case CMD_CREATE:
		return cmd_create(a);
	case CMD_ADD_PLEX:
		return cmd_add_plex(a);
	case CMD_PLEXES:
		return cmd_plexes(a);
	case CMD_STATUS:
		return cmd_status(a);
	case CMD_WAIT:
		return cmd_wait(a);
	case CMD_CANCEL:
		return cmd_cancel(a);
	case CMD_REMOVE_PLEX:
		return cmd_remove_plex(a);
	case CMD_BREAK_PLEX:
		return cmd_break_plex(a);
	case CMD_VERSION:
		return cmd_version(a);
	case CMD_DUMP_METADATA:
		return cmd_dump_metadata(a);
	case CMD_ACTIVATE:
		return cmd_activate(a);
	case CMD_MONITOR:
		return cmd_monitor(a);
	case CMD_HELP:
		args_help(stdout, a->help_topic);
		return EXIT_OK;
	case CMD_NONE:
		break;
	}
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cmd_args a;
	char err[512];
	int ret;

	ret = args_parse(argc, argv, &a, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vdsplex: %s\n", err);
		if (args_is_command(a.cmd_name))
			fprintf(stderr, "Try 'vdsplex help %s'.\n", a.cmd_name);
		else
			fprintf(stderr, "Try 'vdsplex --help'.\n");
	} else if (a.help) {
		args_help(stdout, a.cmd_name);
	} else {
		dmx_init();
		ret = dispatch(&a);
		dmx_exit();
	}
	args_free(&a);
	fflush(stdout);
	return ret;
}
