// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex wait VOLUME [--timeout S]   (IVdsAsync::Wait)
 * vdsplex cancel VOLUME               (IVdsAsync::Cancel)
 *
 * Both take a handle with OPEN_ASYNC: the volume's running AddPlex, or the
 * last one when none runs.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "ctl.h"
#include "vds.h"
#include "volume.h"

/*
 * A handle on @v's operation in *afd.  Return: 0; 1 when the volume has
 * run no AddPlex (said on stderr); EXIT_FAIL on errors (reported).
 */
static int open_handle(const struct volume *v, int *afd)
{
	char ctx[300];
	uint32_t hr;
	int ctl, r;

	ctl = ctl_open_or_report();
	if (ctl < 0)
		return EXIT_FAIL;
	r = ctl_open_async(ctl, v->dm.major, v->dm.minor, afd, &hr);
	close(ctl);
	if (hr == VDS_E_INVALID_OPERATION) {
		fprintf(stderr, "vdsplex: no AddPlex operation is running on '%s'\n", v->dm.name);
		return 1;
	}
	if (r || hr != VDS_S_OK) {
		snprintf(ctx, sizeof(ctx), "OPEN_ASYNC on volume '%s' (%u:%u)", v->dm.name,
			 v->dm.major, v->dm.minor);
		ctl_report("OPEN_ASYNC", r, hr, ctx);
		return EXIT_FAIL;
	}
	return 0;
}

int cmd_wait(const struct cmd_args *a)
{
	struct vdsplex_async_wait w;
	enum follow_end e;
	struct volume v;
	int afd, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	r = open_handle(&v, &afd);
	if (r)
		return r == 1 ? EXIT_OK : r;
	e = follow_async(afd, v.dm.name, a->timeout_ms, &w);
	close(afd);
	return follow_report(e, &v, &w, false);
}

int cmd_cancel(const struct cmd_args *a)
{
	struct volume v;
	char ctx[300];
	uint32_t hr;
	int afd, r;

	if (volume_open(a->volume, &v))
		return EXIT_FAIL;
	r = open_handle(&v, &afd);
	if (r)
		return EXIT_FAIL;
	r = async_cancel(afd, &hr);
	close(afd);
	if (hr == VDS_E_OPERATION_CANCELED) {
		char line[256];

		vds_format(line, sizeof(line), hr);
		printf("%s: AddPlex canceled: %s\n", v.dm.name, line);
		return EXIT_OK;
	}
	snprintf(ctx, sizeof(ctx), "cancel of the AddPlex on '%s'", v.dm.name);
	ctl_report("VDSPLEX_ASYNC_CANCEL", r, hr, ctx);
	return EXIT_FAIL;
}
