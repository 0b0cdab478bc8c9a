// SPDX-License-Identifier: GPL-2.0-only
/*
 * The progress line; see progress.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"
#include "progress.h"

/* @v units of 1024^@shift bytes as "12.3 GiB", picking the unit. */
static void format_binary(char *buf, size_t len, uint64_t v, unsigned int shift,
			  const char *suffix)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = shift / 10;
	uint64_t whole = v, tenths = 0;

	while (whole >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		tenths = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (u == shift / 10)
		snprintf(buf, len, "%" PRIu64 " %s%s", whole, units[u], suffix);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s%s", whole, tenths, units[u], suffix);
}

void format_rate(char *buf, size_t len, uint64_t kibs)
{
	if (!kibs)
		snprintf(buf, len, "-");
	else
		format_binary(buf, len, kibs, 10, "/s");
}

void format_eta(char *buf, size_t len, uint64_t secs, bool known)
{
	if (!known)
		snprintf(buf, len, "--:--");
	else if (secs >= 3600)
		snprintf(buf, len, "%" PRIu64 ":%02u:%02u", secs / 3600,
			 (unsigned int)(secs / 60 % 60), (unsigned int)(secs % 60));
	else
		snprintf(buf, len, "%u:%02u", (unsigned int)(secs / 60), (unsigned int)(secs % 60));
}

int progress_format(char *buf, size_t len, const char *label,
		    const struct vdsplex_async_status *st)
{
	uint64_t left = st->total_sectors > st->done_sectors ?
			st->total_sectors - st->done_sectors : 0;
	char done[32], total[32], rate[32], eta[32];

	format_binary(done, sizeof(done), st->done_sectors * 512, 0, "");
	format_binary(total, sizeof(total), st->total_sectors * 512, 0, "");
	format_rate(rate, sizeof(rate), st->rate);
	/* left / 2 KiB at st->rate KiB/s */
	format_eta(eta, sizeof(eta), st->rate ? left / 2 / st->rate : 0, st->rate != 0);
	return vx_snprintf(buf, len, "%s: %3u%%  %s of %s  %s  ETA %s", label,
			   st->percent, done, total, rate, eta);
}

void progress_init(struct progress *p, const char *label)
{
	p->label = label;
	p->tty = isatty(STDERR_FILENO);
	p->drawn = false;
	p->last_time = 0;
	p->last_percent = -1;
}

void progress_update(struct progress *p, const struct vdsplex_async_status *st)
{
	time_t now = time(NULL);
	char line[256];

	progress_format(line, sizeof(line), p->label, st);
	if (p->tty) {
		/* Redraw in place; ESC[K clears what a longer line left. */
		fprintf(stderr, "\r%s\033[K", line);
		fflush(stderr);
		p->drawn = true;
		return;
	}
	if ((int)st->percent == p->last_percent ||
	    (p->last_percent >= 0 && now - p->last_time < PROGRESS_PLAIN_INTERVAL))
		return;
	fprintf(stderr, "%s\n", line);
	p->last_time = now;
	p->last_percent = (int)st->percent;
}

void progress_end(struct progress *p)
{
	if (p->drawn)
		fputc('\n', stderr);
	p->drawn = false;
}
