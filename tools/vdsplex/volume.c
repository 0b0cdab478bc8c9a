// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vdsplex volume named on the command line; see volume.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "ctl.h"
#include "devices.h"
#include "progress.h"
#include "vds.h"
#include "volume.h"

#define POLL_MS	500

int volume_open(const char *arg, struct volume *v)
{
	struct dmtable t;
	struct bdev b;
	int r = bdev_resolve(arg, &b);

	memset(v, 0, sizeof(*v));
	v->arg = arg;
	if (r) {
		bdev_report("VOLUME", arg, r);
		return EXIT_FAIL;
	}
	if (!b.is_dm) {
		vds_report(VDS_E_INVALID_OPERATION,
			   "VOLUME '%s' (%u:%u) is not a mapped device: a basic volume cannot be managed as a vdsplex volume",
			   arg, b.major, b.minor);
		return EXIT_FAIL;
	}
	v->dm = b.dm;
	r = dmx_table(&v->dm, false, &t);
	if (r) {
		vx_err("VOLUME '%s': cannot read its table: %s", arg, dmx_strerror(r));
		return EXIT_FAIL;
	}
	if (!t.n || strcmp(t.seg[0].type, "vdsplex")) {
		vds_report(VDS_E_INVALID_OPERATION,
			   "VOLUME '%s' is a '%s' device, not a vdsplex volume (a basic volume)",
			   arg, t.n ? t.seg[0].type : "table-less");
		dmx_table_free(&t);
		return EXIT_FAIL;
	}
	v->len = dmx_table_len(&t);
	dmx_table_free(&t);
	return 0;
}

void volume_ref(const struct volume *v, struct volume_ref *ref)
{
	ref->name = v->dm.name;
	ref->uuid = v->dm.uuid;
	ref->major = v->dm.major;
	ref->minor = v->dm.minor;
}

int volume_query(int ctl, const struct volume *v, struct plex_row *rows, unsigned int *n,
		 uint32_t *region, uint64_t *len)
{
	struct vdsplex_plex_info info[VDSPLEX_MAX_EXTENTS];
	char ctx[300];
	unsigned int i;
	uint32_t hr;
	int r;

	r = ctl_query_plexes(ctl, v->dm.major, v->dm.minor, info, VDSPLEX_MAX_EXTENTS, n,
			     region, len, &hr);
	if (r || hr != VDS_S_OK) {
		snprintf(ctx, sizeof(ctx), "QUERY_PLEXES of volume '%s' (%u:%u)", v->dm.name,
			 v->dm.major, v->dm.minor);
		ctl_report("QUERY_PLEXES", r, hr, ctx);
		return EXIT_FAIL;
	}
	for (i = 0; i < *n; i++) {
		rows[i].info = info[i];
		devno_display(info[i].major, info[i].minor, rows[i].device,
			      sizeof(rows[i].device));
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll @afd until it is readable, @ms pass, or a signal arrives. */
static void poll_handle(int afd, uint64_t ms)
{
	struct pollfd p = { .fd = afd, .events = POLLIN };

	poll(&p, 1, (int)(ms < POLL_MS ? ms : POLL_MS));
}

/* What *w says when following stops before the end: the last state seen. */
static void last_seen(struct vdsplex_async_wait *w, const struct vdsplex_async_status *st)
{
	memset(w, 0, sizeof(*w));
	w->state = st->state;
	w->hresult = st->hresult;
}

static enum follow_end follow_loop(int afd, const char *label, uint64_t timeout_ms,
				   struct vdsplex_async_wait *w)
{
	/* Saturated: a huge --timeout must not wrap into the past. */
	uint64_t deadline = timeout_ms == VDSPLEX_WAIT_FOREVER ? UINT64_MAX :
			    u64_add_sat(now_ms(), timeout_ms);
	struct vdsplex_async_status st = { .state = VDSPLEX_ASYNC_RUNNING };
	struct progress p;
	int r;

	progress_init(&p, label);
	last_seen(w, &st);
	for (;;) {
		r = async_query(afd, &st);
		if (r) {
			progress_end(&p);
			ctl_report("VDSPLEX_ASYNC_QUERY", r, 0, NULL);
			return FOLLOW_FAILED;
		}
		last_seen(w, &st);
		progress_update(&p, &st);
		if (st.state != VDSPLEX_ASYNC_RUNNING)
			break;
		if (interrupted || now_ms() >= deadline) {
			progress_end(&p);
			return interrupted ? FOLLOW_INTERRUPTED : FOLLOW_TIMED_OUT;
		}
		poll_handle(afd, deadline - now_ms());
	}
	progress_end(&p);
	r = async_wait(afd, 0, w);
	if (r) {
		last_seen(w, &st);
		ctl_report("VDSPLEX_ASYNC_WAIT", r, 0, NULL);
		return FOLLOW_FAILED;
	}
	return FOLLOW_ENDED;
}

void sigint_catch(void)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;

	sigaction(SIGINT, NULL, &old);
	/* Started with SIGINT ignored (nohup, a background job): keep it so. */
	if (old.sa_handler == SIG_IGN || old.sa_handler == on_sigint)
		return;
	/* No SA_RESTART: poll() returns at once on Ctrl-C. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

enum follow_end follow_async(int afd, const char *label, uint64_t timeout_ms,
			     struct vdsplex_async_wait *w)
{
	/* A Ctrl-C caught before (during the attach) ends the wait at once. */
	sigint_catch();
	return follow_loop(afd, label, timeout_ms, w);
}

/* "2, 3" */
static void format_indices(const struct vdsplex_async_wait *w, char *buf, size_t len)
{
	unsigned int i;
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < w->nr_plexes && i < VDSPLEX_MAX_EXTENTS && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? ", " : "",
					 w->plex_index[i]);
}

int follow_report(enum follow_end e, const struct volume *v, const struct vdsplex_async_wait *w,
		  bool quiet)
{
	char idx[160];

	switch (e) {
	case FOLLOW_INTERRUPTED:
		vx_err("interrupted: the operation on '%s' continues in the kernel; follow it with 'vdsplex wait %s', stop it with 'vdsplex cancel %s'",
		       v->dm.name, v->dm.name, v->dm.name);
		return EXIT_FAIL;
	case FOLLOW_TIMED_OUT:
		vx_err("timed out: the operation on '%s' is still running in the kernel ('vdsplex wait %s' follows it)",
		       v->dm.name, v->dm.name);
		return EXIT_FAIL;
	case FOLLOW_FAILED:
		return EXIT_FAIL;
	case FOLLOW_ENDED:
		break;
	}
	format_indices(w, idx, sizeof(idx));
	if (w->hresult != VDS_S_OK) {
		vds_report(w->hresult, "the AddPlex on '%s' (plex %s) ended without success",
			   v->dm.name, idx[0] ? idx : "-");
		return EXIT_FAIL;
	}
	if (!quiet)
		printf("%s: AddPlex succeeded: %u of %u new plex%s in sync (index %s)\n",
		       v->dm.name, w->nr_in_sync, w->nr_plexes, w->nr_plexes == 1 ? "" : "es",
		       idx[0] ? idx : "-");
	return EXIT_OK;
}
