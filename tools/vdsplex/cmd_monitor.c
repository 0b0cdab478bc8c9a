// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex monitor [VOLUME...] [--program PROG] [--oneshot] [--json]
 *
 * Follows device-mapper events the way 'dmsetup wait' can, in one thread:
 * DM_DEV_ARM_POLL on a /dev/mapper/control descriptor of its own records
 * the kernel's global dm event counter, and poll() on that descriptor
 * wakes when the counter moves: a target's dm_table_event() (vdsplex
 * raises one for every state change: a plex failed, a resync started,
 * finished or was cancelled, the metadata failed), a device created,
 * removed, renamed, or given a new table.  The descriptor is armed again before
 * every look, so an event that comes while looking wakes the next poll().
 *
 * After a wake, each watched volume whose event counter (dmsetup info)
 * moved is looked at again: its status line, and its table for the plexes'
 * extents.  monitor.c compares the look with the previous one and names
 * the events.  Without VOLUME the vdsplex volumes are listed at every wake,
 * so volumes created later are watched too.  Every RECHECK_MS every volume
 * is looked at, whatever the counters say (a reload moves no counter).
 *
 * A volume that appears suspended is taken in at a later look: dm binds a
 * new device's table (a global event) before its first resume decides the
 * plexes' states, and a look in between would see every plex 'S' and
 * report a DegradedVolume that never was.  The resume raises another
 * event only sometimes, so it is looked for again every DEFERRED_MS; one
 * that stays suspended is taken in at the next look at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>

#include "cmd.h"
#include "common.h"
#include "devices.h"
#include "dm.h"
#include "monitor.h"
#include "tableline.h"
#include "volume.h"

#define CONTROL_PATH		"/dev/mapper/control"
#define RECHECK_MS		10000	/* every volume is looked at this often */
#define FALLBACK_MS		2000	/* ... when dm events cannot be followed */
#define DEFERRED_MS		200	/* ... and a new volume seen suspended */
#define PROGRAM_WAIT_MS		30000	/* how long --program is waited for */
#define ARM_POLL_MINOR		37	/* the dm ioctl version with DM_DEV_ARM_POLL */

struct watched {
	struct dmdev dm;	/* as last looked at (event_nr) */
	struct mon_snap snap;
	bool bad;		/* its status could not be parsed (said once) */
};

struct monitor {
	const struct cmd_args *a;
	struct dmdev *named;	/* the VOLUMEs given; none: every vdsplex volume */
	unsigned int nr_named;
	struct watched *w;
	unsigned int n;
	int ctl;		/* our /dev/mapper/control; -1: look every FALLBACK_MS */
	sigset_t run_mask;	/* the mask to wait in: the stop signals unblocked */
	sigset_t prog_mask;	/* the mask the monitor was started with, for --program */
	bool trouble;		/* a volume is degraded or its metadata failed */
	bool deferred;		/* a new volume was suspended: look again soon */
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct timespec ms_ts(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	return ts;
}

/*
 * SIGINT and SIGTERM end the monitor: they are blocked except while it
 * waits (ppoll() with run_mask), so none is lost between a check of
 * stop_signal and the wait.  run_mask is the mask the monitor was started
 * with less those signals: one blocked at the start is unblocked there
 * too, else ppoll() would never see it.  A SIGINT ignored at the start (a
 * background job of a script) stays ignored.
 */
static void signals_setup(struct monitor *m)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: ppoll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) ||
		    (sigs[i] == SIGINT && old.sa_handler == SIG_IGN))
			continue;
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &m->run_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigismember(&block, sigs[i]) == 1)
			sigdelset(&m->run_mask, sigs[i]);
}

/* DM_DEV_ARM_POLL: poll() on @fd wakes at the next dm event.  0 or -errno. */
static int arm_poll(int fd)
{
	struct dm_ioctl io;

	memset(&io, 0, sizeof(io));
	io.version[0] = DM_VERSION_MAJOR;
	io.version[1] = ARM_POLL_MINOR;
	io.data_size = sizeof(io);
	io.data_start = sizeof(io);
	return ioctl(fd, DM_DEV_ARM_POLL, &io) ? -errno : 0;
}

/* Our own control descriptor, armed; -1 (and a warning) when it cannot be. */
static int control_open(void)
{
	int fd = open(CONTROL_PATH, O_RDWR | O_CLOEXEC), r;

	if (fd < 0) {
		r = -errno;
	} else {
		r = arm_poll(fd);
		if (!r)
			return fd;
		close(fd);
	}
	vx_warn("cannot follow dm events (%s: %s): looking at the volumes every %d s instead",
		fd < 0 ? CONTROL_PATH : "DM_DEV_ARM_POLL", strerror(-r), FALLBACK_MS / 1000);
	return -1;
}

static bool same_dev(const struct dmdev *a, const struct dmdev *b)
{
	return a->major == b->major && a->minor == b->minor && !strcmp(a->name, b->name);
}

/*
 * The plexes of @d's table into @s, which holds its status; the device
 * names are taken from @prev where the extent is the same.
 * Return: whether the table has as many plexes as the status.
 */
static bool read_plexes(const struct dmdev *d, struct mon_snap *s, const struct mon_snap *prev)
{
	struct vdsplex_params p;
	const char *why = NULL;
	struct dmtable t;
	unsigned int i, j;
	bool ok = false;

	if (dmx_table(d, false, &t))
		return false;
	if (t.n && !strcmp(t.seg[0].type, "vdsplex") &&
	    !vdsplex_params_parse(t.seg[0].params, &p, &why) &&
	    p.nr_plexes == s->st.nr_plexes) {
		for (i = 0; i < p.nr_plexes; i++) {
			struct mon_plex *mp = &s->plex[i];

			mp->major = p.plex[i].major;
			mp->minor = p.plex[i].minor;
			mp->offset = p.plex[i].offset;
			mp->device[0] = '\0';
			for (j = 0; prev && prev->have_plexes && j < prev->st.nr_plexes; j++)
				if (prev->plex[j].major == mp->major &&
				    prev->plex[j].minor == mp->minor)
					snprintf(mp->device, sizeof(mp->device), "%s",
						 prev->plex[j].device);
			if (!mp->device[0])
				devno_display(mp->major, mp->minor, mp->device,
					      sizeof(mp->device));
		}
		ok = true;
	}
	dmx_table_free(&t);
	return ok;
}

/*
 * One look at @d into @s (@prev: the previous look, or NULL).
 * Return: 0; -EMEDIUMTYPE when @d is not (or no longer) a vdsplex volume;
 * -EPROTO when its status cannot be parsed (*why says why); another
 * -errno when it could not be read (gone meanwhile).
 */
static int snap_read(const struct dmdev *d, struct mon_snap *s, const struct mon_snap *prev,
		     const char **why)
{
	unsigned int tries;
	int r = 0;

	for (tries = 0; tries < 3; tries++) {
		struct dmtable t;

		memset(s, 0, sizeof(*s));
		r = dmx_table(d, true, &t);
		if (r)
			return r;
		if (!t.n || strcmp(t.seg[0].type, "vdsplex")) {
			r = -EMEDIUMTYPE;
		} else {
			snprintf(s->line, sizeof(s->line), "%s", t.seg[0].params);
			if (status_parse(t.seg[0].params, &s->st, why))
				r = -EPROTO;
		}
		dmx_table_free(&t);
		if (r)
			return r;
		/* The plex set may change between the two reads: again. */
		s->have_plexes = read_plexes(d, s, prev);
		if (s->have_plexes)
			return 0;
	}
	return 0;	/* plexes matched by position */
}

/*
 * Wait up to PROGRAM_WAIT_MS for --program @pid (and reap it); a SIGINT or
 * SIGTERM stops waiting.  One still running is reaped later (reap()).
 */
static void program_wait(struct monitor *m, pid_t pid, const char *what)
{
	uint64_t end = now_ms() + PROGRAM_WAIT_MS;
	int status, pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		struct timespec ts;
		uint64_t now;

		if (r == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status))
				vx_warn("--program: '%s' exited with status %d", what,
					WEXITSTATUS(status));
			else if (WIFSIGNALED(status))
				vx_warn("--program: '%s' was killed by signal %d", what,
					WTERMSIG(status));
			break;
		}
		if (r < 0)
			break;
		now = now_ms();
		if (now >= end || stop_signal) {
			if (!stop_signal)
				vx_warn("--program: '%s' still runs after %d s; going on without it",
					what, PROGRAM_WAIT_MS / 1000);
			break;
		}
		/* without a pidfd (before Linux 5.3): look again in 50 ms */
		ts = ms_ts(pfd >= 0 ? end - now : 50);
		ppoll(&p, pfd >= 0, &ts, &m->run_mask);
	}
	if (pfd >= 0)
		close(pfd);
}

/* Reap the programs that outlived program_wait(). */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * In a --program child: stdout onto stderr, or onto /dev/null when the
 * monitor has no stderr.  0 or -1.
 */
static int program_stdout(void)
{
	int fd;

	if (dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
		return 0;
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		return -1;
	if (fd != STDOUT_FILENO && dup2(fd, STDOUT_FILENO) < 0) {
		close(fd);
		return -1;
	}
	if (fd != STDOUT_FILENO)
		close(fd);
	return 0;
}

/*
 * --program PROG EVENT VOLUME [PLEX-INDEX], with VDSPLEX_EVENT,
 * VDSPLEX_VOLUME, VDSPLEX_PLEX, VDSPLEX_DEVICE and VDSPLEX_STATUS in its
 * environment; executed directly (execvp), never through a shell.  Its
 * stdout is the monitor's stderr: what it prints must not mix with the
 * events on stdout (under --json, one object a line).  It gets the signal
 * mask the monitor was started with.
 */
static void run_program(struct monitor *m, const struct dmdev *d, const struct mon_event *e,
			const struct mon_snap *s)
{
	const char *prog = m->a->program;
	char idx[16] = "", what[256];
	char *argv[5];
	unsigned int n = 0;
	pid_t pid;

	argv[n++] = (char *)prog;
	argv[n++] = (char *)mon_event_name(e->type);
	argv[n++] = (char *)d->name;
	if (e->plex >= 0) {
		snprintf(idx, sizeof(idx), "%d", e->plex);
		argv[n++] = idx;
	}
	argv[n] = NULL;
	snprintf(what, sizeof(what), "%s %s %s%s%s", prog, argv[1], d->name, *idx ? " " : "",
		 idx);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		vx_warn("--program: cannot run '%s': %s", what, strerror(errno));
		return;
	}
	if (!pid) {
		setenv("VDSPLEX_EVENT", argv[1], 1);
		setenv("VDSPLEX_VOLUME", d->name, 1);
		if (*idx)
			setenv("VDSPLEX_PLEX", idx, 1);
		else
			unsetenv("VDSPLEX_PLEX");
		if (e->device[0])
			setenv("VDSPLEX_DEVICE", e->device, 1);
		else
			unsetenv("VDSPLEX_DEVICE");
		if (s)
			setenv("VDSPLEX_STATUS", s->line, 1);
		else
			unsetenv("VDSPLEX_STATUS");
		if (program_stdout()) {
			fprintf(stderr, "vdsplex: --program: cannot redirect the stdout of '%s': %s\n",
				prog, strerror(errno));
			_exit(127);
		}
		sigprocmask(SIG_SETMASK, &m->prog_mask, NULL);
		execvp(prog, argv);
		fprintf(stderr, "vdsplex: --program: cannot run '%s': %s\n", prog,
			strerror(errno));
		_exit(127);
	}
	program_wait(m, pid, what);
}

/*
 * Print event @e of volume @d (snapshot @s, NULL when gone) and run
 * --program; nothing once SIGINT or SIGTERM came (while a program was
 * waited for): the monitor is ending.
 */
static void report(struct monitor *m, const struct dmdev *d, const struct mon_event *e,
		   const struct mon_snap *s)
{
	struct volume_ref ref = { d->name, d->uuid, d->major, d->minor };
	time_t now = time(NULL);

	if (stop_signal)
		return;
	if (m->a->json) {
		struct json_object *o = mon_event_json(now, &ref, e, s);

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		char line[MON_DEV_LEN + DMX_NAME_LEN + 128];

		mon_format_line(line, sizeof(line), now, d->name, e, s);
		printf("%s\n", line);
	}
	fflush(stdout);
	if (e->type == MON_DEGRADED_VOLUME || e->type == MON_METADATA_FAILED)
		m->trouble = true;
	if (m->a->program)
		run_program(m, d, e, s);
}

static void report_all(struct monitor *m, const struct dmdev *d, const struct mon_event *ev,
		       unsigned int n, const struct mon_snap *s)
{
	unsigned int i;

	for (i = 0; i < n && !stop_signal; i++)
		report(m, d, &ev[i], s);
}

static void report_bad(struct watched *w, int r, const char *why)
{
	if (r == -EPROTO && !w->bad)
		vx_warn("'%s': cannot parse its status '%s': %s (is the module newer than the CLI?)",
			w->dm.name, w->snap.line, why);
	w->bad = r == -EPROTO;
}

/* A volume not watched so far: NewVolume (unless @first), then its state. */
static void volume_new(struct monitor *m, const struct dmdev *d, bool first)
{
	struct mon_event ev[MON_MAX_EVENTS];
	struct mon_event nv = { .type = MON_NEW_VOLUME, .plex = -1 };
	const char *why = NULL;
	struct watched *w, *grown;
	int r;

	grown = realloc(m->w, (m->n + 1) * sizeof(*m->w));
	if (!grown) {
		vx_err("out of memory");
		return;
	}
	m->w = grown;
	w = &m->w[m->n];
	memset(w, 0, sizeof(*w));
	w->dm = *d;
	r = snap_read(d, &w->snap, NULL, &why);
	if (r && r != -EPROTO)
		return;		/* gone, or not vdsplex after all: next time */
	m->n++;
	report_bad(w, r, why);
	if (!first)
		report(m, d, &nv, r ? NULL : &w->snap);
	if (!r)
		report_all(m, d, ev, mon_first_sight(&w->snap, ev, MON_MAX_EVENTS), &w->snap);
}

/* Look at watched volume @i again (its info now: @d). */
static void volume_update(struct monitor *m, unsigned int i, const struct dmdev *d)
{
	struct mon_event ev[MON_MAX_EVENTS];
	struct watched *w = &m->w[i];
	const char *why = NULL;
	struct mon_snap s;
	unsigned int n;
	int r;

	r = snap_read(d, &s, w->bad ? NULL : &w->snap, &why);
	if (r == -EPROTO) {
		w->snap = s;
		report_bad(w, r, why);
		w->dm = *d;
		return;
	}
	if (r)
		return;		/* gone meanwhile: the next look says so */
	if (w->bad) {
		/* readable again: as if first seen */
		w->bad = false;
		w->snap = s;
		w->dm = *d;
		report_all(m, d, ev, mon_first_sight(&w->snap, ev, MON_MAX_EVENTS), &w->snap);
		return;
	}
	n = mon_classify(&w->snap, &s, ev, MON_MAX_EVENTS);
	w->snap = s;
	w->dm = *d;
	report_all(m, d, ev, n, &w->snap);
}

/* The volumes there are now: the VOLUMEs given that exist, or every vdsplex volume. */
static int list_now(struct monitor *m, struct dmdev **devs, unsigned int *n)
{
	unsigned int i;

	if (!m->nr_named)
		return dmx_list("vdsplex", devs, n);
	*n = 0;
	*devs = calloc(m->nr_named, sizeof(**devs));
	if (!*devs)
		return -ENOMEM;
	for (i = 0; i < m->nr_named; i++) {
		struct dmdev d;

		if (!dmx_info_name(m->named[i].name, &d) && dmx_is_type(&d, "vdsplex"))
			(*devs)[(*n)++] = d;
	}
	return 0;
}

/*
 * Look at the volumes: report those gone and those new (@first: the
 * first look, no NewVolume), and look again at those whose event counter
 * moved, or at all with @all.
 */
static int scan(struct monitor *m, bool first, bool all)
{
	struct mon_event gone = { .type = MON_VOLUME_REMOVED, .plex = -1 };
	struct dmdev *devs = NULL;
	unsigned int i, j, n = 0;
	int r = list_now(m, &devs, &n);

	m->deferred = false;
	if (r) {
		vx_err("cannot list the mapped devices: %s", dmx_strerror(r));
		return r;
	}
	for (i = 0; i < m->n;) {
		for (j = 0; j < n && !same_dev(&m->w[i].dm, &devs[j]); j++)
			;
		if (j < n) {
			i++;
			continue;
		}
		report(m, &m->w[i].dm, &gone, NULL);
		memmove(&m->w[i], &m->w[i + 1], (m->n - i - 1) * sizeof(*m->w));
		m->n--;
	}
	for (j = 0; j < n && !stop_signal; j++) {
		for (i = 0; i < m->n && !same_dev(&m->w[i].dm, &devs[j]); i++)
			;
		if (i == m->n && !first && !all && devs[j].suspended) {
			m->deferred = true;	/* still being created */
			continue;
		}
		if (i == m->n)
			volume_new(m, &devs[j], first);
		else if (all || m->w[i].dm.event_nr != devs[j].event_nr)
			volume_update(m, i, &devs[j]);
	}
	free(devs);
	return 0;
}

/* The VOLUMEs given, checked (each must be a vdsplex volume) and deduplicated. */
static int resolve_named(struct monitor *m)
{
	unsigned int i, j;

	if (!m->a->nr_volumes)
		return 0;
	m->named = calloc(m->a->nr_volumes, sizeof(*m->named));
	if (!m->named) {
		vx_err("out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < m->a->nr_volumes; i++) {
		struct volume v;

		if (volume_open(m->a->volumes[i], &v))
			return EXIT_FAIL;
		for (j = 0; j < m->nr_named && !same_dev(&m->named[j], &v.dm); j++)
			;
		if (j == m->nr_named)
			m->named[m->nr_named++] = v.dm;
	}
	return 0;
}

/* A --program given as a path must be there to run. */
static int check_program(const char *prog)
{
	if (prog && strchr(prog, '/') && access(prog, X_OK)) {
		vx_err("--program '%s': %s", prog, strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static int follow(struct monitor *m)
{
	uint64_t last_all;

	signals_setup(m);
	m->ctl = control_open();
	if (scan(m, true, true))
		return EXIT_FAIL;
	last_all = now_ms();
	while (!stop_signal) {
		struct pollfd p = { .fd = m->ctl, .events = POLLIN };
		uint64_t period = m->ctl >= 0 ? RECHECK_MS : FALLBACK_MS, now = now_ms();
		uint64_t wait = now - last_all >= period ? 0 : period - (now - last_all);
		struct timespec ts = ms_ts(m->deferred && wait > DEFERRED_MS ? DEFERRED_MS : wait);
		bool all;
		int r;

		r = ppoll(&p, m->ctl >= 0, &ts, &m->run_mask);
		if (stop_signal)
			break;
		if (r < 0 && errno != EINTR) {
			vx_err("waiting for dm events: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (r < 0)
			continue;
		if (m->ctl >= 0) {
			r = arm_poll(m->ctl);
			if (r) {
				vx_warn("DM_DEV_ARM_POLL: %s: looking at the volumes every %d s instead",
					strerror(-r), FALLBACK_MS / 1000);
				close(m->ctl);
				m->ctl = -1;
			}
		}
		all = now_ms() - last_all >= (m->ctl >= 0 ? RECHECK_MS : FALLBACK_MS);
		if (all)
			last_all = now_ms();
		scan(m, false, all);	/* a failure is said; go on */
		reap();
	}
	return EXIT_OK;
}

int cmd_monitor(const struct cmd_args *a)
{
	struct monitor m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.a = a;
	m.ctl = -1;
	sigprocmask(SIG_BLOCK, NULL, &m.run_mask);
	m.prog_mask = m.run_mask;
	ret = check_program(a->program);
	if (!ret)
		ret = resolve_named(&m);
	if (!ret && a->oneshot)
		ret = scan(&m, true, true) || m.trouble ? EXIT_FAIL : EXIT_OK;
	else if (!ret)
		ret = follow(&m);
	reap();
	if (m.ctl >= 0)
		close(m.ctl);
	free(m.w);
	free(m.named);
	return ret;
}
