/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The progress line on stderr: on a terminal one line redrawn in place
 * ("\r"), otherwise plain lines now and then.
 */
#ifndef VDSPLEX_PROGRESS_H
#define VDSPLEX_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/dm-vdsplex.h>

#define PROGRESS_PLAIN_INTERVAL	5	/* seconds between plain lines */

struct progress {
	const char *label;
	bool tty;
	bool drawn;		/* a redrawable line is on the terminal */
	time_t last_time;	/* plain mode: when the last line was printed */
	int last_percent;	/* -1: nothing printed yet */
};

/* "12.3 MiB/s", "512 KiB/s", "-" when @kibs is 0. */
void format_rate(char *buf, size_t len, uint64_t kibs);

/* "1:02:03", "2:03", "--:--" when unknown. */
void format_eta(char *buf, size_t len, uint64_t secs, bool known);

/*
 * "<label>: 42% 1.2 GiB of 2.0 GiB, 12.3 MiB/s, ETA 1:05" for @st.
 * Pure.  Return: 0 or -ENAMETOOLONG.
 */
int progress_format(char *buf, size_t len, const char *label,
		    const struct vdsplex_async_status *st);

/* Start: decides terminal or plain from stderr. */
void progress_init(struct progress *p, const char *label);
void progress_update(struct progress *p, const struct vdsplex_async_status *st);
/* End the redrawn line (if any) so later messages start on a new line. */
void progress_end(struct progress *p);

#endif /* VDSPLEX_PROGRESS_H */
