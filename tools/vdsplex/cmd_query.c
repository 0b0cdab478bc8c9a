// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex plexes VOLUME [--json]      (QUERY_PLEXES: VDS's QueryPlexes)
 * vdsplex status [VOLUME] [--json]    (the dm INFO status,
 *                                     Documentation/dm-vdsplex.rst, "Status")
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "report.h"
#include "vds.h"
#include "volume.h"

int cmd_plexes(const struct cmd_args *a)
{
	struct plex_row rows[VDSPLEX_MAX_EXTENTS];
	struct volume_ref ref;
	struct volume v;
	unsigned int n;
	uint32_t region;
	uint64_t len;
	int ctl, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	ctl = ctl_open_or_report();
	if (ctl < 0)
		return EXIT_FAIL;
	r = volume_query(ctl, &v, rows, &n, &region, &len);
	close(ctl);
	if (r)
		return r;
	volume_ref(&v, &ref);
	if (a->json) {
		struct json_object *doc = plexes_json(&ref, len, region, rows, n);

		r = json_print(doc, stdout) ? EXIT_FAIL : EXIT_OK;
		json_object_put(doc);
	} else {
		struct table *t = plexes_table(rows, n);

		if (!t) {
			vx_err("out of memory");
			return EXIT_FAIL;
		}
		table_print(t, stdout);
		table_free(t);
	}
	return r;
}

/* Status of @d into @st and its length; reports problems.  0 or EXIT_FAIL. */
static int read_status(const struct dmdev *d, struct vdsplex_status *st, uint64_t *len)
{
	const char *why = NULL;
	struct dmtable t;
	int r = dmx_table(d, true, &t);

	if (r) {
		vx_err("'%s': cannot read its status: %s", d->name, dmx_strerror(r));
		return EXIT_FAIL;
	}
	if (!t.n || strcmp(t.seg[0].type, "vdsplex")) {
		vx_err("'%s' is no longer a vdsplex volume", d->name);
		r = EXIT_FAIL;
	} else if (status_parse(t.seg[0].params, st, &why)) {
		vx_err("'%s': cannot parse its status '%s': %s (is the module newer than the CLI?)",
		       d->name, t.seg[0].params, why);
		r = EXIT_FAIL;
	}
	*len = dmx_table_len(&t);
	dmx_table_free(&t);
	return r;
}

/* The volumes to show: VOLUME, or every vdsplex volume.  free() *devs. */
static int status_targets(const struct cmd_args *a, struct dmdev **devs, unsigned int *n)
{
	struct volume v;
	int r;

	if (!a->volume) {
		r = dmx_list("vdsplex", devs, n);
		if (r)
			vx_err("cannot list the mapped devices: %s", dmx_strerror(r));
		return r ? EXIT_FAIL : EXIT_OK;
	}
	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	*devs = malloc(sizeof(**devs));
	if (!*devs)
		return EXIT_FAIL;
	(*devs)[0] = v.dm;
	*n = 1;
	return EXIT_OK;
}

int cmd_status(const struct cmd_args *a)
{
	struct json_object *doc = NULL, *arr = NULL;
	struct table *t = NULL;
	struct dmdev *devs = NULL;
	unsigned int i, n = 0;
	int ret;

	ret = status_targets(a, &devs, &n);
	if (ret)
		return ret;
	if (a->json) {
		doc = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(doc, "volumes", arr);
	} else {
		t = status_table_new();
	}
	for (i = 0; i < n; i++) {
		struct volume_ref ref = { devs[i].name, devs[i].uuid, devs[i].major, devs[i].minor };
		struct vdsplex_status st;
		uint64_t len;

		if (read_status(&devs[i], &st, &len)) {
			ret = EXIT_FAIL;
			continue;
		}
		if (arr)
			json_object_array_add(arr, status_json(&ref, len, &st));
		else if (t)
			status_table_add(t, &ref, &st);
	}
	if (doc) {
		if (json_print(doc, stdout))
			ret = EXIT_FAIL;
		json_object_put(doc);
	} else if (t && table_rows(t)) {
		table_print(t, stdout);
	} else if (!a->volume) {
		fprintf(stderr, "vdsplex: no vdsplex volumes\n");
	}
	table_free(t);
	free(devs);
	return ret;
}
