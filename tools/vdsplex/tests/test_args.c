// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: args.c (subcommands, options, usage errors -> exit 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "common.h"

#define MAX_ARGS 100

/* Parse a command line given as one string of space-separated words. */
static int parse_line(const char *line, struct cmd_args *a, char *err, size_t errlen)
{
	static char buf[1024];
	char *argv[MAX_ARGS] = { (char *)"vdsplex" };
	int argc = 1;
	char *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w && argc < MAX_ARGS - 1; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return args_parse(argc, argv, a, err, errlen);
}

static void create_ok(void **state)
{
	struct cmd_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse_line("create vol --plex /dev/sdb --plex /dev/sdc:1M --meta /dev/sdd --region-size 4K --nosync",
				    &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_CREATE);
	assert_string_equal(a.volume, "vol");
	assert_int_equal(a.nr_specs, 2);
	assert_string_equal(a.specs[0].dev, "/dev/sdb");
	assert_true(a.specs[0].offset == 0);
	assert_string_equal(a.specs[1].dev, "/dev/sdc");
	assert_true(a.specs[1].offset == 2048);
	assert_string_equal(a.meta, "/dev/sdd");
	assert_true(a.region_sectors == 8);
	assert_true(a.nosync);
	args_free(&a);

	/* Defaults. */
	assert_int_equal(parse_line("create vol --plex 8:16", &a, err, sizeof(err)), 0);
	assert_string_equal(a.meta, "-");
	assert_true(a.region_sectors == DEFAULT_REGION_SECTORS);
	assert_false(a.nosync);
	args_free(&a);
}

static void add_plex_ok(void **state)
{
	struct cmd_args a;
	char err[256];

	(void)state;
	/* Options anywhere. */
	assert_int_equal(parse_line("add-plex --wait vol lv1 --rate 20M lv2 --json --stack",
				    &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_ADD_PLEX);
	assert_string_equal(a.volume, "vol");
	assert_int_equal(a.nr_plex_args, 2);
	assert_string_equal(a.plex_args[0], "lv1");
	assert_string_equal(a.plex_args[1], "lv2");
	assert_true(a.wait && a.json && a.stack && a.rate_set);
	assert_true(a.rate.kibs == 20480);
	args_free(&a);

	/* "--" ends the options. */
	assert_int_equal(parse_line("add-plex vol -- --odd-name", &a, err, sizeof(err)), 0);
	assert_string_equal(a.plex_args[0], "--odd-name");
	args_free(&a);
}

static void others_ok(void **state)
{
	struct cmd_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse_line("status", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_STATUS);
	assert_null(a.volume);
	assert_int_equal(parse_line("status vol --json", &a, err, sizeof(err)), 0);
	assert_string_equal(a.volume, "vol");
	assert_true(a.json);
	assert_int_equal(parse_line("plexes vol", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_PLEXES);
	assert_int_equal(parse_line("wait vol", &a, err, sizeof(err)), 0);
	assert_true(a.timeout_ms == VDSPLEX_WAIT_FOREVER);
	assert_int_equal(parse_line("wait vol --timeout 5", &a, err, sizeof(err)), 0);
	assert_true(a.timeout_ms == 5000);
	assert_int_equal(parse_line("cancel vol", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_CANCEL);
	assert_int_equal(parse_line("remove-plex vol 3", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_REMOVE_PLEX);
	assert_int_equal(a.index, 3);
	assert_int_equal(parse_line("break-plex vol 1 snap", &a, err, sizeof(err)), 0);
	assert_int_equal(a.index, 1);
	assert_string_equal(a.new_name, "snap");
	assert_int_equal(parse_line("help add-plex", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_HELP);
	assert_string_equal(a.help_topic, "add-plex");
	assert_int_equal(parse_line("--version", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_VERSION);
	assert_int_equal(parse_line("--help", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_HELP);
	assert_int_equal(parse_line("plexes --help", &a, err, sizeof(err)), 0);
	assert_true(a.help);
	assert_int_equal(parse_line("activate --all", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_ACTIVATE);
	assert_true(a.all);
	assert_null(a.volume);
	assert_null(a.tab);
	assert_int_equal(parse_line("activate data --tab /etc/other", &a, err, sizeof(err)), 0);
	assert_false(a.all);
	assert_string_equal(a.volume, "data");
	assert_string_equal(a.tab, "/etc/other");
	assert_int_equal(parse_line("monitor", &a, err, sizeof(err)), 0);
	assert_int_equal(a.cmd, CMD_MONITOR);
	assert_int_equal(a.nr_volumes, 0);
	assert_null(a.program);
	assert_false(a.oneshot || a.json);
	assert_int_equal(parse_line("monitor v0 --program /usr/sbin/handler /dev/mapper/v1 --oneshot --json",
				    &a, err, sizeof(err)), 0);
	assert_int_equal(a.nr_volumes, 2);
	assert_string_equal(a.volumes[0], "v0");
	assert_string_equal(a.volumes[1], "/dev/mapper/v1");
	assert_string_equal(a.program, "/usr/sbin/handler");
	assert_true(a.oneshot && a.json);
}

/* Each line is a usage error (exit 2) whose message contains a word. */
static void usage_errors(void **state)
{
	static const struct {
		const char *line;
		const char *needle;
	} cases[] = {
		{ "", "no command" },
		{ "frobnicate", "frobnicate" },
		{ "--bogus", "--bogus" },
		{ "status --bogus", "--bogus" },
		{ "status -x", "-x" },
		{ "add-plex vol", "missing argument" },
		{ "add-plex vol lv1 --rate", "--rate" },
		{ "add-plex vol lv1 --rate 12Q", "12Q" },
		{ "add-plex vol lv1 --rate -5", "-5" },
		{ "add-plex vol lv1 --rate 99999999999999999999", "too large" },
		{ "plexes vol --wait", "--wait" },
		{ "plexes", "missing argument" },
		{ "plexes a b", "'b'" },
		{ "create vol", "--plex" },
		{ "create vol --plex /dev/sdb:12Q", "12Q" },
		{ "create vol --plex /dev/sdb --region-size 3K", "3K" },
		{ "create vol --plex /dev/sdb --region-size 12K", "power of two" },
		{ "create vol --plex /dev/sdb --rate 5", "--rate" },
		{ "create --plex /dev/sdb", "missing argument" },
		{ "wait vol --timeout soon", "soon" },
		{ "wait vol --timeout", "--timeout" },
		{ "remove-plex vol x", "'x'" },
		{ "remove-plex vol 32", "out of range" },
		{ "remove-plex vol", "missing argument" },
		{ "break-plex vol 1", "missing argument" },
		{ "break-plex vol -1 new", "-1" },
		{ "break-plex vol 1 a/b", "'/'" },
		{ "break-plex vol 1 ..", "reserved" },
		{ "break-plex vol 1 control", "reserved" },
		{ "help nothing", "nothing" },
		{ "version extra", "'extra'" },
		{ "activate", "either NAME or --all" },
		{ "activate data --all", "either NAME or --all" },
		{ "activate a b", "'b'" },
		{ "activate --all --tab", "--tab" },
		{ "activate --all --tab=", "empty file name" },
		{ "activate --all --json", "--json" },
		{ "status --all", "--all" },
		{ "monitor --program", "--program" },
		{ "monitor --program=", "empty program name" },
		{ "monitor --wait", "--wait" },
		{ "status --oneshot", "--oneshot" },
		{ "plexes v --program x", "--program" },
	};
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cmd_args a;
		int r = parse_line(cases[i].line, &a, err, sizeof(err));

		if (r != EXIT_USAGE || !strstr(err, cases[i].needle))
			fail_msg("'%s': exit %d, message '%s' (wanted 2 and '%s')", cases[i].line, r,
				 err, cases[i].needle);
		args_free(&a);
	}
}

static void too_many_plexes(void **state)
{
	char line[1024] = "create vol";
	struct cmd_args a;
	char err[256];
	int i;

	(void)state;
	for (i = 0; i < 33; i++)
		strcat(line, " --plex 8:16");
	assert_int_equal(parse_line(line, &a, err, sizeof(err)), EXIT_USAGE);
	assert_non_null(strstr(err, "too many"));
	args_free(&a);
}

static void help_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	args_help(f, "add-plex");
	fclose(f);
	assert_non_null(strstr(buf, "Usage: vdsplex add-plex VOLUME PLEX..."));
	assert_non_null(strstr(buf, "--rate"));
	free(buf);
	assert_true(args_is_command("break-plex"));
	assert_false(args_is_command("break"));
	assert_false(args_is_command(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_ok),
		cmocka_unit_test(add_plex_ok),
		cmocka_unit_test(others_ok),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(too_many_plexes),
		cmocka_unit_test(help_text),
	};

	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
