/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vdsplex volume named on the command line, and what the subcommands
 * share: resolving it, QUERY_PLEXES, following its async handle.
 */
#ifndef VDSPLEX_VOLUME_H
#define VDSPLEX_VOLUME_H

#include <stdint.h>

#include <linux/dm-vdsplex.h>

#include "dm.h"
#include "report.h"

struct volume {
	const char *arg;	/* as given */
	struct dmdev dm;
	uint64_t len;		/* sectors, from the live table */
};

/*
 * Resolve @arg to a vdsplex volume.  Reports what is wrong (no such
 * device; a basic volume: VDS_E_INVALID_OPERATION).
 * Return: 0 or EXIT_FAIL.
 */
int volume_open(const char *arg, struct volume *v);

void volume_ref(const struct volume *v, struct volume_ref *ref);

/*
 * QUERY_PLEXES of @v into @rows[VDSPLEX_MAX_EXTENTS], with device names.
 * Reports failures.  Return: 0 or EXIT_FAIL.
 */
int volume_query(int ctl, const struct volume *v, struct plex_row *rows, unsigned int *n,
		 uint32_t *region, uint64_t *len);

enum follow_end {
	FOLLOW_ENDED,		/* *w holds the final result */
	FOLLOW_INTERRUPTED,	/* SIGINT: the operation goes on */
	FOLLOW_TIMED_OUT,	/* still running after the timeout */
	FOLLOW_FAILED,		/* the handle failed (reported) */
};

/*
 * From now on a Ctrl-C (SIGINT) is only recorded, unless SIGINT is ignored:
 * follow_async() then stops waiting and says the operation goes on.
 */
void sigint_catch(void);

/*
 * Follow the operation of handle @afd, drawing the progress on stderr,
 * until it ends, SIGINT arrives (unless it is ignored) or @timeout_ms
 * (VDSPLEX_WAIT_FOREVER) passes.  When it did not see the end, *w holds
 * only the last state and hresult queried (VDSPLEX_ASYNC_RUNNING when
 * none was).
 */
enum follow_end follow_async(int afd, const char *label, uint64_t timeout_ms,
			     struct vdsplex_async_wait *w);

/*
 * Say how following ended (the final result on stdout unless @quiet, or
 * the error on stderr).  Return: the exit status.
 */
int follow_report(enum follow_end e, const struct volume *v, const struct vdsplex_async_wait *w,
		  bool quiet);

#endif /* VDSPLEX_VOLUME_H */
