// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-line parsing: the subcommands, their options and help texts.
 *
 *   vdsplex [--help | --version]
 *   vdsplex COMMAND [OPTION...] ARG...
 *   vdsplex help [COMMAND]
 *
 * Options may come before, between or after the arguments (getopt_long
 * permutes them); "--" ends the options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "common.h"

enum opt_bit {
	OPT_PLEX	= 1 << 0,
	OPT_META	= 1 << 1,
	OPT_REGION	= 1 << 2,
	OPT_NOSYNC	= 1 << 3,
	OPT_WAIT	= 1 << 4,
	OPT_RATE	= 1 << 5,
	OPT_STACK	= 1 << 6,
	OPT_JSON	= 1 << 7,
	OPT_TIMEOUT	= 1 << 8,
	OPT_ALL		= 1 << 9,
	OPT_TAB		= 1 << 10,
	OPT_PROGRAM	= 1 << 11,
	OPT_ONESHOT	= 1 << 12,
};

/* getopt_long's return values for the long-only options. */
enum {
	LOPT_PLEX = 0x100,
	LOPT_META,
	LOPT_REGION,
	LOPT_NOSYNC,
	LOPT_WAIT,
	LOPT_RATE,
	LOPT_STACK,
	LOPT_JSON,
	LOPT_TIMEOUT,
	LOPT_ALL,
	LOPT_TAB,
	LOPT_PROGRAM,
	LOPT_ONESHOT,
	LOPT_END,	/* after the last; keep last */
};

static const struct option long_opts[] = {
	{ "plex",	 required_argument, NULL, LOPT_PLEX },
	{ "meta",	 required_argument, NULL, LOPT_META },
	{ "region-size", required_argument, NULL, LOPT_REGION },
	{ "nosync",	 no_argument,	    NULL, LOPT_NOSYNC },
	{ "wait",	 no_argument,	    NULL, LOPT_WAIT },
	{ "rate",	 required_argument, NULL, LOPT_RATE },
	{ "stack",	 no_argument,	    NULL, LOPT_STACK },
	{ "json",	 no_argument,	    NULL, LOPT_JSON },
	{ "timeout",	 required_argument, NULL, LOPT_TIMEOUT },
	{ "all",	 no_argument,	    NULL, LOPT_ALL },
	{ "tab",	 required_argument, NULL, LOPT_TAB },
	{ "program",	 required_argument, NULL, LOPT_PROGRAM },
	{ "oneshot",	 no_argument,	    NULL, LOPT_ONESHOT },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct command {
	const char *name;
	enum cmd_id id;
	unsigned int opts;	/* enum opt_bit: the options it takes */
	unsigned int min_pos, max_pos;
	const char *synopsis;
	const char *summary;
	const char *details;
};

static const struct command commands[] = {
	{ "create", CMD_CREATE, OPT_PLEX | OPT_META | OPT_REGION | OPT_NOSYNC, 1, 1,
	  "create NAME --plex DEV[:OFFSET]... [--meta DEV|-] [--region-size SIZE] [--nosync]",
	  "create a vdsplex volume",
	  "Creates the mapped device NAME over the plexes given with --plex (1 to 32),\n"
	  "as long as the smallest plex (its size minus its offset), then records each\n"
	  "plex's identity.  OFFSET and SIZE: sectors, or with a unit: B (bytes), K, M,\n"
	  "G, T.  --meta DEV keeps the state on DEV; '-' (the default) keeps it in\n"
	  "memory.  --region-size defaults to 1M.  --nosync trusts every plex as in sync.\n" },
	{ "add-plex", CMD_ADD_PLEX, OPT_WAIT | OPT_RATE | OPT_STACK | OPT_JSON, 2,
	  1 + VDSPLEX_MAX_EXTENTS,
	  "add-plex VOLUME PLEX... [--wait] [--rate RATE] [--stack] [--json]",
	  "attach plexes to a live volume (IVdsVolume::AddPlex)",
	  "Attaches every PLEX in one operation and resynchronises it in the kernel.\n"
	  "A PLEX that is a mapped device of one linear segment is consumed: its\n"
	  "extent becomes the plex and the mapped device is removed.  A PLEX that is a\n"
	  "vdsplex volume gives all its plexes.  --stack attaches mapped devices as they\n"
	  "are.  --rate caps the resync (KiB/s, or K/M/G per second, 'adaptive',\n"
	  "'unlimited').  --wait shows the progress and returns the result; without it\n"
	  "the command prints the new plex indices and returns at once.\n" },
	{ "plexes", CMD_PLEXES, OPT_JSON, 1, 1,
	  "plexes VOLUME [--json]",
	  "list the plexes of a volume (QueryPlexes)",
	  "Shows every plex: index, stable id, health, state, device, offset, sync\n"
	  "progress, error counts and identity.\n" },
	{ "status", CMD_STATUS, OPT_JSON, 0, 1,
	  "status [VOLUME] [--json]",
	  "show the status of one or all vdsplex volumes",
	  "Shows the fields of 'dmsetup status' of VOLUME, or of every vdsplex volume.\n" },
	{ "wait", CMD_WAIT, OPT_TIMEOUT, 1, 1,
	  "wait VOLUME [--timeout S]",
	  "wait for the volume's AddPlex to end",
	  "Follows the volume's running (or last) AddPlex, showing its progress, and\n"
	  "returns its result.  Ctrl-C stops waiting; the operation goes on.\n" },
	{ "cancel", CMD_CANCEL, 0, 1, 1,
	  "cancel VOLUME",
	  "cancel the volume's running AddPlex",
	  "Cancels the running AddPlex: the plexes it attached are detached.\n" },
	{ "remove-plex", CMD_REMOVE_PLEX, 0, 2, 2,
	  "remove-plex VOLUME INDEX",
	  "detach a plex",
	  "Detaches plex INDEX (see 'vdsplex plexes'); indices after it move down.\n" },
	{ "break-plex", CMD_BREAK_PLEX, 0, 3, 3,
	  "break-plex VOLUME INDEX NEW_NAME",
	  "split a plex off as a new linear device",
	  "Detaches the in-sync plex INDEX, freezing a mounted filesystem around the\n"
	  "split, and maps its data as the linear device NEW_NAME (1 to 127\n"
	  "characters, no '/', not '.', '..' or 'control').\n" },
	{ "activate", CMD_ACTIVATE, OPT_ALL | OPT_TAB | OPT_TIMEOUT, 0, 1,
	  "activate [NAME|--all] [--tab FILE] [--timeout S]",
	  "activate volumes listed in /etc/vdsplextab",
	  "Activates volume NAME, or with --all every volume without 'noauto', as\n"
	  "/etc/vdsplextab (or --tab FILE) describes it.  With a metadata device the\n"
	  "plexes are found by the identities the metadata records (dm UUID, by-id\n"
	  "name, PARTUUID), wherever the devices are now; a plex not found leaves the\n"
	  "volume degraded, with a warning, after waiting up to --timeout seconds\n"
	  "for it (default 0).  An active volume is left as it is.\n"
	  "See vdsplextab(5).\n" },
	{ "dump-metadata", CMD_DUMP_METADATA, OPT_JSON, 1, 1,
	  "dump-metadata DEV [--json]",
	  "show what a metadata device holds",
	  "Reads the vdsplex metadata on DEV (a device or an image file) and checks it as\n"
	  "the kernel module does: the superblock, every plex record (state, device,\n"
	  "offset, regions in sync, error counts, identity) and the regions the\n"
	  "write-intent log and the discard map hold.  Corrupt or foreign metadata\n"
	  "fails with the reason.  Safe on a live volume's device (read-only).\n" },
	{ "monitor", CMD_MONITOR, OPT_PROGRAM | OPT_ONESHOT | OPT_JSON, 0, MONITOR_MAX_VOLUMES,
	  "monitor [VOLUME...] [--program PROG] [--oneshot] [--json]",
	  "report plex failures and finished resyncs as they happen",
	  "Follows device-mapper events and prints one line per event, timestamped:\n"
	  "PlexFailed, PlexAdded, PlexRemoved, PlexInSync, RebuildStarted,\n"
	  "RebuildFinished, RebuildFailed, RebuildCanceled (also Resync*, Check*,\n"
	  "Repair*), Mismatches, MetadataFailed, DegradedVolume, NewVolume,\n"
	  "VolumeRemoved, ...  Without VOLUME it watches every vdsplex volume, also\n"
	  "those created later.  --program runs PROG EVENT VOLUME [PLEX-INDEX] for\n"
	  "each event.  --oneshot reports degraded and failed volumes once and exits\n"
	  "(1 when there is one).  --json prints one JSON object per line.\n"
	  "SIGINT or SIGTERM end it (exit 0).\n" },
	{ "help", CMD_HELP, 0, 0, 1,
	  "help [COMMAND]",
	  "show help",
	  NULL },
	{ "version", CMD_VERSION, 0, 0, 0,
	  "version",
	  "show the CLI's and the kernel module's versions",
	  NULL },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

bool args_is_command(const char *name)
{
	return name && find_command(name);
}

void args_help(FILE *f, const char *name)
{
	const struct command *c = name ? find_command(name) : NULL;
	size_t i;

	if (c) {
		fprintf(f, "Usage: vdsplex %s\n\n%s.\n", c->synopsis, c->summary);
		if (c->details)
			fprintf(f, "\n%s", c->details);
		fprintf(f, "\nSee vdsplex(8).\n");
		return;
	}
	fprintf(f, "Usage: vdsplex COMMAND [OPTION...] ARG...\n\n"
		"Manage dm-vdsplex volumes: mirrors whose plexes can be added live.\n\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nVOLUME and PLEX: a device-mapper name, a /dev path or a dm UUID.\n"
		"Options: vdsplex help COMMAND.  Also: vdsplex --help, vdsplex --version.\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int usage_err(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static int usage_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static const char *opt_name(int opt)
{
	size_t i;

	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == opt)
			return long_opts[i].name;
	return "?";
}

static unsigned int opt_bit(int opt)
{
	return opt >= LOPT_PLEX && opt < LOPT_END ? 1U << (opt - LOPT_PLEX) : 0;
}

static int add_spec(struct cmd_args *a, const char *arg, char *err, size_t errlen)
{
	struct plex_spec *s;
	const char *why = NULL;
	char dev[4096];

	if (a->nr_specs == VDSPLEX_MAX_EXTENTS)
		return usage_err(err, errlen, "too many --plex options (at most %d)",
				 VDSPLEX_MAX_EXTENTS);
	s = &a->specs[a->nr_specs];
	if (parse_dev_offset(arg, path_exists, dev, sizeof(dev), &s->offset, &why))
		return usage_err(err, errlen, "option '--plex': invalid DEV[:OFFSET] '%s': %s",
				 arg, why);
	s->dev = strdup(dev);
	if (!s->dev)
		return usage_err(err, errlen, "out of memory");
	a->nr_specs++;
	return 0;
}

/* One option @opt with @arg; usage error text into @err. */
static int apply_opt(struct cmd_args *a, int opt, const char *arg, char *err, size_t errlen)
{
	const char *why = NULL;

	switch (opt) {
	case LOPT_PLEX:
		return add_spec(a, arg, err, errlen);
	case LOPT_META:
		a->meta = arg;
		return 0;
	case LOPT_REGION:
		if (parse_region_size(arg, &a->region_sectors, &why))
			break;
		return 0;
	case LOPT_NOSYNC:
		a->nosync = true;
		return 0;
	case LOPT_WAIT:
		a->wait = true;
		return 0;
	case LOPT_RATE:
		if (parse_rate(arg, &a->rate, &why))
			break;
		a->rate_set = true;
		return 0;
	case LOPT_STACK:
		a->stack = true;
		return 0;
	case LOPT_JSON:
		a->json = true;
		return 0;
	case LOPT_TIMEOUT:
		if (parse_timeout(arg, &a->timeout_ms, &why))
			break;
		return 0;
	case LOPT_ALL:
		a->all = true;
		return 0;
	case LOPT_TAB:
		a->tab = arg;
		return 0;
	case LOPT_PROGRAM:
		a->program = arg;
		return 0;
	case LOPT_ONESHOT:
		a->oneshot = true;
		return 0;
	}
	return usage_err(err, errlen, "option '--%s': invalid value '%s': %s",
			 opt_name(opt), arg, why);
}

static int parse_options(const struct command *c, int argc, char **argv,
			 struct cmd_args *a, char *err, size_t errlen)
{
	int opt, r;

	opterr = 0;
	optind = 0;	/* glibc: full reinitialisation (tests parse many times) */
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			a->help = true;
			continue;
		}
		if (opt == '?') {
			if (optopt)
				return usage_err(err, errlen, "%s: unknown option '-%c'",
						 c->name, optopt);
			return usage_err(err, errlen, "%s: unknown option '%s'",
					 c->name, argv[optind - 1]);
		}
		if (opt == ':')
			return usage_err(err, errlen, "%s: option '%s' needs an argument",
					 c->name, argv[optind - 1]);
		if (!(c->opts & opt_bit(opt)))
			return usage_err(err, errlen, "%s: option '--%s' does not apply here",
					 c->name, opt_name(opt));
		r = apply_opt(a, opt, optarg, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

/* Assign the positional arguments @pos[0..n) of command @c. */
static int parse_positional(const struct command *c, char **pos, unsigned int n,
			    struct cmd_args *a, char *err, size_t errlen)
{
	const char *why = NULL;
	unsigned int i;

	if (n < c->min_pos)
		return usage_err(err, errlen, "%s: missing argument (usage: vdsplex %s)",
				 c->name, c->synopsis);
	if (n > c->max_pos)
		return usage_err(err, errlen, "%s: unexpected argument '%s' (usage: vdsplex %s)",
				 c->name, pos[c->max_pos], c->synopsis);
	switch (c->id) {
	case CMD_HELP:
		a->help_topic = n ? pos[0] : NULL;
		if (a->help_topic && !find_command(a->help_topic))
			return usage_err(err, errlen, "help: unknown command '%s'", pos[0]);
		return 0;
	case CMD_ADD_PLEX:
		for (i = 1; i < n; i++)
			a->plex_args[a->nr_plex_args++] = pos[i];
		break;
	case CMD_MONITOR:
		for (i = 0; i < n; i++)
			if (!*pos[i])
				return usage_err(err, errlen, "%s: empty volume name", c->name);
		a->volumes = (const char *const *)pos;
		a->nr_volumes = n;
		break;
	case CMD_REMOVE_PLEX:
	case CMD_BREAK_PLEX:
		if (parse_index(pos[1], &a->index, &why))
			return usage_err(err, errlen, "%s: invalid INDEX '%s': %s",
					 c->name, pos[1], why);
		if (n > 2)
			a->new_name = pos[2];
		break;
	default:
		break;
	}
	a->volume = n ? pos[0] : NULL;
	if (a->volume && !*a->volume)
		return usage_err(err, errlen, "%s: empty volume name", c->name);
	return 0;
}

/* Requirements between options, checked once all are known. */
static int check_combination(const struct cmd_args *a, char *err, size_t errlen)
{
	const char *why = NULL;

	if (a->cmd == CMD_CREATE && !a->nr_specs)
		return usage_err(err, errlen, "create: at least one --plex DEV[:OFFSET] is needed");
	if (a->cmd == CMD_ACTIVATE && !a->all == !a->volume)
		return usage_err(err, errlen, "activate: give either NAME or --all");
	if (a->cmd == CMD_ACTIVATE && a->tab && !*a->tab)
		return usage_err(err, errlen, "activate: option '--tab': empty file name");
	if (a->cmd == CMD_MONITOR && a->program && !*a->program)
		return usage_err(err, errlen, "monitor: option '--program': empty program name");
	if (a->cmd == CMD_BREAK_PLEX && parse_dm_name(a->new_name, &why))
		return usage_err(err, errlen, "break-plex: invalid NEW_NAME '%s': %s",
				 a->new_name, why);
	return 0;
}

static void args_defaults(struct cmd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->meta = "-";
	a->region_sectors = DEFAULT_REGION_SECTORS;
	a->timeout_ms = VDSPLEX_WAIT_FOREVER;
}

/* "vdsplex --help", "vdsplex --version", "vdsplex -x". */
static int parse_global(const char *arg, struct cmd_args *a, char *err, size_t errlen)
{
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		a->cmd = CMD_HELP;
		return 0;
	}
	if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
		a->cmd = CMD_VERSION;
		return 0;
	}
	return usage_err(err, errlen, "unknown option '%s'", arg);
}

int args_parse(int argc, char **argv, struct cmd_args *a, char *err, size_t errlen)
{
	const struct command *c;
	int r;

	args_defaults(a);
	err[0] = '\0';
	if (argc < 2)
		return usage_err(err, errlen, "no command given");
	if (argv[1][0] == '-') {
		if (argc > 2)
			return usage_err(err, errlen, "unexpected argument '%s' after '%s'",
					 argv[2], argv[1]);
		return parse_global(argv[1], a, err, errlen);
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_err(err, errlen, "unknown command '%s'", argv[1]);
	a->cmd = c->id;
	a->cmd_name = c->name;
	/* The command's own argv: argv[0] is the command name. */
	r = parse_options(c, argc - 1, argv + 1, a, err, errlen);
	if (r || a->help)
		return r;
	r = parse_positional(c, argv + 1 + optind, (unsigned int)(argc - 1 - optind),
			     a, err, errlen);
	if (r)
		return r;
	return check_combination(a, err, errlen);
}

void args_free(struct cmd_args *a)
{
	unsigned int i;

	for (i = 0; i < a->nr_specs; i++)
		free(a->specs[i].dev);
	a->nr_specs = 0;
}
