// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the CLI's parsers (tools/vdsplex): every parser that
 * takes text from a user or from the kernel (sizes, rates, indices, names,
 * DEV[:OFFSET], table lines, dmsetup status lines).  The first byte picks
 * the parser, the rest is the text.  Beyond "no crash, no sanitizer report",
 * what a parser accepts must survive a round trip through its formatter.
 *
 *   make -C tests/fuzz run      (see tests/fuzz/Makefile)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "status.h"
#include "tableline.h"

static bool exists_if_dev(const char *path)
{
	return !strncmp(path, "/dev/", 5);
}

static void check_params_round_trip(const char *text)
{
	struct vdsplex_params p, q;
	const char *why = NULL;
	char buf[8192];

	memset(&p, 0, sizeof(p));
	if (vdsplex_params_parse(text, &p, &why)) {
		if (!why)
			abort();	/* an error names its field */
		return;
	}
	/* the optional args are kept verbatim: format only the positionals */
	p.extra = "";
	if (vdsplex_params_format(&p, buf, sizeof(buf)) < 0)
		return;
	memset(&q, 0, sizeof(q));
	if (vdsplex_params_parse(buf, &q, &why))
		abort();	/* what was accepted formats to a valid line */
	if (strcmp(p.meta, q.meta) || p.region_sectors != q.region_sectors ||
	    p.nr_plexes != q.nr_plexes ||
	    memcmp(p.plex, q.plex, p.nr_plexes * sizeof(p.plex[0])))
		abort();
}

static void check_linear(const char *text)
{
	struct extent e, f;
	const char *why = NULL;
	char buf[128];

	if (linear_params_parse(text, &e, &why))
		return;
	if (linear_params_format(&e, buf, sizeof(buf)) < 0)
		abort();
	if (linear_params_parse(buf, &f, &why) || memcmp(&e, &f, sizeof(e)))
		abort();
}

static void check_rate(const char *text)
{
	struct rate r, s;
	const char *why = NULL;
	char buf[64];

	if (parse_rate(text, &r, &why))
		return;
	if (rate_message(&r, buf, sizeof(buf)) < 0)
		abort();
	/* the kernel message form is a rate the CLI reads back the same */
	if (!r.adaptive && r.kibs) {
		strncat(buf, "K", sizeof(buf) - strlen(buf) - 1);
		if (parse_rate(buf, &s, &why) || s.kibs != r.kibs)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdsplex_status st;
	const char *why = NULL;
	char *text, dev[256];
	uint64_t v;
	uint32_t a, b;

	if (!size)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 12) {
	case 0: parse_u64(text, &v, &why); break;
	case 1: parse_size_bytes(text, &v, &why); break;
	case 2:
		if (!parse_size_sectors(text, &v, &why) && v > UINT64_MAX / 512)
			abort();
		break;
	case 3:
		if (!parse_region_size(text, &v, &why) && (v < 8 || (v & (v - 1))))
			abort();
		break;
	case 4: check_rate(text); break;
	case 5: parse_index(text, &a, &why); break;
	case 6: parse_timeout(text, &v, &why); break;
	case 7: parse_dm_name(text, &why); break;
	case 8: parse_devno(text, &a, &b, &why); break;
	case 9:
		parse_dev_offset(text, exists_if_dev, dev, sizeof(dev), &v, &why);
		break;
	case 10: check_params_round_trip(text); check_linear(text); break;
	case 11:
		if (!status_parse(text, &st, &why) &&
		    (strlen(st.health) != st.nr_plexes ||
		     st.synced_regions > st.total_regions))
			abort();
		break;
	}
	free(text);
	return 0;
}
