// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex-fuzz: the in-guest fuzzers of issue "reliability and security".
 * Each feeds the kernel random and mutated input through one interface and
 * checks what it can from userspace; the scenario that runs it checks the
 * kernel log (BUG, WARNING, lockdep, KASAN), kmemleak and hangs.
 *
 *   vdsplex-fuzz table SEED N META DEV...
 *	N table lines (random and mutated ctr strings: huge counts, negative
 *	and overflowing numbers, bad paths, duplicates, overlaps, junk
 *	options) loaded into a scratch device; a third of those the ctr
 *	accepts are resumed, queried and removed.
 *   vdsplex-fuzz message SEED N VOLUME DEV...
 *	N random and mutated messages to the live volume VOLUME (a dm name);
 *	DEV: devices add_plex may name.
 *   vdsplex-fuzz ioctl SEED N VOLDEV DEV...
 *	N random control-device and async-handle ioctls: random commands,
 *	sizes, flags, reserved fields, counts, pointers (NULL, unmapped,
 *	straddling a guard page), bogus major/minor, and async fds closed
 *	while another thread waits on them.  VOLDEV: the volume's node.
 *   vdsplex-fuzz metadata SEED N META DEV0 DEV1
 *	a volume on DEV0 and DEV1 with its metadata on META is created and
 *	removed cleanly; then N times: its metadata image is mutated (fields
 *	of the superblock and plex records, bitmap bytes, anywhere; with the
 *	checksums recomputed nine times in ten), written back and the volume
 *	activated from it, queried and removed.
 *
 * Prints one summary line per run:
 *   fuzz MODE: N executions, A accepted, R refused, F findings
 * and exits 1 when a userspace-visible check failed (a finding), 2 on
 * usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>
#include <linux/dm-vdsplex.h>

#include "../tools/kshim/crc32c.h"

#define SCRATCH "vdsplex-fuzz"

static uint64_t rng;
static unsigned long execs, accepted, refused, findings;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static int chance(unsigned int pct)
{
	return below(100) < pct;
}

static void finding(const char *fmt, ...)
{
	va_list ap;

	findings++;
	fprintf(stderr, "FINDING: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- device-mapper ioctls ---------------------------------------------- */

static int dm_fd = -1;

struct dm_buf {
	struct dm_ioctl io;
	char data[16384];
};

static void dm_init(struct dm_buf *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->io.version[0] = DM_VERSION_MAJOR;
	b->io.version[1] = 0;
	b->io.version[2] = 0;
	b->io.data_size = sizeof(*b);
	b->io.data_start = sizeof(b->io);
	snprintf(b->io.name, sizeof(b->io.name), "%s", name);
}

static int dm_call(unsigned long cmd, struct dm_buf *b)
{
	if (dm_fd < 0) {
		dm_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
		if (dm_fd < 0) {
			perror("vdsplex-fuzz: /dev/mapper/control");
			exit(1);
		}
	}
	return ioctl(dm_fd, cmd, b) ? -errno : 0;
}

static int dm_simple(unsigned long cmd, const char *name, uint32_t flags)
{
	struct dm_buf b;

	dm_init(&b, name);
	b.io.flags = flags;
	return dm_call(cmd, &b);
}

static int dm_load(const char *name, uint64_t len, const char *params)
{
	struct dm_buf b;
	struct dm_target_spec *spec;

	dm_init(&b, name);
	if (strlen(params) + 1 > sizeof(b.data) - sizeof(*spec))
		return -E2BIG;
	b.io.target_count = 1;
	spec = (struct dm_target_spec *)b.data;
	spec->sector_start = 0;
	spec->length = len;
	snprintf(spec->target_type, sizeof(spec->target_type), "vdsplex");
	strcpy((char *)(spec + 1), params);
	return dm_call(DM_TABLE_LOAD, &b);
}

/* The status INFO line of NAME's first target into @out. */
static int dm_status(const char *name, char *out, size_t n)
{
	struct dm_buf b;
	struct dm_target_spec *spec;
	int r;

	dm_init(&b, name);
	r = dm_call(DM_TABLE_STATUS, &b);
	if (r)
		return r;
	if (!b.io.target_count)
		return -ENODATA;
	spec = (struct dm_target_spec *)((char *)&b + b.io.data_start);
	snprintf(out, n, "%s", (char *)(spec + 1));
	return 0;
}

static int dm_message(const char *name, const char *msg)
{
	struct dm_buf b;
	struct dm_target_msg *m;

	dm_init(&b, name);
	m = (struct dm_target_msg *)b.data;
	m->sector = 0;
	if (strlen(msg) + 1 > sizeof(b.data) - sizeof(*m))
		return -E2BIG;
	strcpy(m->message, msg);
	return dm_call(DM_TARGET_MSG, &b);
}

/* ---- random tokens ----------------------------------------------------- */

static char pool[64][160];
static unsigned int pool_next;

/* A scratch string that lives for the next 63 calls. */
static char *scratch(void)
{
	return pool[pool_next++ % 64];
}

static const char *u2s(uint64_t v)
{
	char *s = scratch();

	snprintf(s, 160, "%" PRIu64, v);
	return s;
}

static const char *rnd_number(void)
{
	static const char *const odd[] = {
		"0", "-1", "-8", "1", "7", "8", "9", "4096", "2097152", "4194304",
		"4294967295", "4294967296", "4294967304", "9223372036854775807",
		"9223372036854775808", "18446744073709551615",
		"18446744073709551616", "99999999999999999999999", "0x10", "010",
		"1e3", "+8", " 8", "8 ", "", "abc", "1.5", "-0", "8k",
	};
	char *s = scratch();

	switch (below(4)) {
	case 0:
		return odd[below(sizeof(odd) / sizeof(odd[0]))];
	case 1:
		snprintf(s, 160, "%u", 1U << below(32));
		return s;
	case 2:
		snprintf(s, 160, "%" PRIu64, rnd() >> below(64));
		return s;
	default:
		snprintf(s, 160, "%u", below(64));
		return s;
	}
}

static const char *rnd_junk(void)
{
	char *s = scratch();
	unsigned int n = below(40), i;

	for (i = 0; i < n; i++) {
		char c = (char)(1 + below(255));

		s[i] = c == ' ' ? '_' : c;
	}
	s[n] = 0;
	return s;
}

static char **devs;
static unsigned int nr_devs;
static const char *meta_dev;

static const char *rnd_dev(void)
{
	static const char *const bad[] = {
		"/nonexistent", "/dev/null", "0:0", "999:999", "-", "7:4095",
		"1:1", "/dev/mapper/control", "/", "253:", ":1", "-1:-1",
		"4294967296:0", "/dev/vdsplex-control",
	};
	char *s;

	if (chance(70) && nr_devs)
		return devs[below(nr_devs)];
	if (chance(30) && meta_dev)
		return meta_dev;
	if (chance(30) && nr_devs) {
		struct stat st;

		s = scratch();
		if (!stat(devs[below(nr_devs)], &st)) {
			snprintf(s, 160, "%u:%u", major(st.st_rdev),
				 minor(st.st_rdev));
			return s;
		}
	}
	return bad[below(sizeof(bad) / sizeof(bad[0]))];
}

static const char *rnd_option(unsigned int *args)
{
	static const char *const opt[] = {
		"nosync", "rebuild", "read_policy", "write_mostly",
		"resync_rate", "nosync", "rebuild", "bogus",
	};
	static const char *const pol[] = {
		"round_robin", "least_pending", "primary", "random", "",
	};
	const char *o = opt[below(sizeof(opt) / sizeof(opt[0]))];
	char *s = scratch();

	*args = 1;
	if (!strcmp(o, "nosync") || !strcmp(o, "bogus"))
		return o;
	*args = 2;
	if (!strcmp(o, "read_policy"))
		snprintf(s, 160, "%s %s", o, pol[below(5)]);
	else if (chance(70))
		snprintf(s, 160, "%s %u", o, below(5));
	else
		snprintf(s, 160, "%s %s", o, rnd_number());
	return s;
}

/* Token-level mutations of a space-separated line, in place. */
static void mutate_tokens(char *line, size_t n)
{
	char *tok[96], copy[4096];
	unsigned int nt = 0, i, m;
	char *save, *t;

	snprintf(copy, sizeof(copy), "%s", line);
	for (t = strtok_r(copy, " ", &save); t && nt < 96;
	     t = strtok_r(NULL, " ", &save))
		tok[nt++] = t;
	for (m = 1 + below(3); m; m--) {
		if (!nt)
			break;
		i = below(nt);
		switch (below(6)) {
		case 0:	/* delete */
			memmove(&tok[i], &tok[i + 1], (nt - i - 1) * sizeof(*tok));
			nt--;
			break;
		case 1:	/* duplicate */
			if (nt < 96) {
				memmove(&tok[i + 1], &tok[i], (nt - i) * sizeof(*tok));
				nt++;
			}
			break;
		case 2:	/* swap */
			t = tok[i];
			m = below(nt);
			tok[i] = tok[m];
			tok[m] = t;
			m = 1;
			break;
		case 3:
			tok[i] = (char *)rnd_number();
			break;
		case 4:
			tok[i] = (char *)rnd_junk();
			break;
		default:
			tok[i] = (char *)rnd_dev();
			break;
		}
	}
	line[0] = 0;
	for (i = 0; i < nt; i++) {
		size_t l = strlen(line);

		snprintf(line + l, n - l, "%s%s", i ? " " : "", tok[i]);
	}
}

/* ---- table ------------------------------------------------------------- */

static uint64_t dev_sectors(const char *path)
{
	uint64_t bytes = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ioctl(fd, _IOR(0x12, 114, size_t), &bytes);	/* BLKGETSIZE64 */
		close(fd);
	}
	return bytes >> 9;
}

/* A table line the ctr should accept: distinct plexes, right counts. */
static void good_line(char *line, size_t n, uint64_t *len)
{
	unsigned int plexes = 1 + below(nr_devs < 4 ? nr_devs : 4), i;
	unsigned int first = below(nr_devs);
	size_t l;

	*len = dev_sectors(devs[0]);
	snprintf(line, n, "%s %s %u", chance(50) ? "-" : meta_dev,
		 (const char *[]){"8", "64", "2048", "128"}[below(4)], plexes);
	for (i = 0; i < plexes; i++) {
		l = strlen(line);
		snprintf(line + l, n - l, " %s 0", devs[(first + i) % nr_devs]);
	}
	l = strlen(line);
	switch (below(4)) {
	case 0:
		snprintf(line + l, n - l, " 1 nosync");
		break;
	case 1:
		snprintf(line + l, n - l, " 3 nosync resync_rate %u", below(100000));
		break;
	case 2:
		snprintf(line + l, n - l, " 2 read_policy %s",
			 (const char *[]){"round_robin", "least_pending", "primary"}[below(3)]);
		break;
	default:
		break;
	}
}

static void table_line(char *line, size_t n, uint64_t *len)
{
	unsigned int plexes, i, opts, args, k;
	uint64_t size = nr_devs ? dev_sectors(devs[0]) : 2048;
	size_t l;

	if (nr_devs && meta_dev && chance(40)) {
		good_line(line, n, len);
		if (chance(30))
			mutate_tokens(line, n);
		return;
	}

	plexes = chance(90) ? 1 + below(4) : below(40);
	snprintf(line, n, "%s %s %s",
		 chance(50) ? "-" : chance(80) ? meta_dev : rnd_dev(),
		 chance(70) ? (const char *[]){"8", "64", "2048", "128"}[below(4)]
			    : rnd_number(),
		 chance(85) ? u2s(plexes) : rnd_number());
	for (i = 0; i < plexes; i++) {
		l = strlen(line);
		snprintf(line + l, n - l, " %s %s", rnd_dev(),
			 chance(80) ? "0" : rnd_number());
	}
	opts = chance(50) ? 0 : 1 + below(4);
	for (i = 0, args = 0; i < opts; i++) {
		const char *o = rnd_option(&k);

		args += k;
		l = strlen(line);
		snprintf(line + l, n - l, "%s %s", i ? "" : " @", o);
	}
	if (opts) {
		/* the count before the options: right, or not */
		char *at = strstr(line, " @");
		char cnt[32];

		snprintf(cnt, sizeof(cnt), "%s",
			 chance(80) ? u2s(args) : rnd_number());
		if (at) {
			char rest[4096];

			snprintf(rest, sizeof(rest), "%s", at + 2);
			snprintf(at, n - (size_t)(at - line), " %s %s", cnt, rest);
		}
	}
	if (chance(25))
		mutate_tokens(line, n);
	if (chance(3))	/* very long */
		for (l = strlen(line); l + 8 < n && l < 3000; l = strlen(line))
			strcat(line, " 8");
	switch (below(10)) {
	case 0:
		*len = rnd() >> below(64);
		break;
	case 1:
		*len = size + 8;
		break;
	case 2:
		*len = 1 + below(64);
		break;
	default:
		*len = size ? size - 8 * below(4) : 2048;
		break;
	}
	if (!*len)
		*len = 8;
}

static void fuzz_table(unsigned long n)
{
	char line[4096], st[1024];
	uint64_t len;
	int r;

	dm_simple(DM_DEV_REMOVE, SCRATCH, 0);
	if ((r = dm_simple(DM_DEV_CREATE, SCRATCH, 0))) {
		fprintf(stderr, "vdsplex-fuzz: create %s: %s\n", SCRATCH, strerror(-r));
		exit(1);
	}
	while (n--) {
		table_line(line, sizeof(line), &len);
		execs++;
		r = dm_load(SCRATCH, len, line);
		if (r) {
			refused++;
			if (r != -EINVAL && r != -ENOMEM && r != -EBUSY &&
			    r != -ENXIO && r != -ENODEV && r != -ENOENT &&
			    r != -ENOTBLK && r != -E2BIG && r != -EIO &&
			    r != -EPERM && r != -ERANGE && r != -EOVERFLOW)
				finding("table '%s' (len %" PRIu64 "): unexpected %s",
					line, len, strerrorname_np(-r));
			continue;
		}
		accepted++;
		if (!chance(33)) {
			if ((r = dm_simple(DM_TABLE_CLEAR, SCRATCH, 0)))
				finding("table clear after '%s': %s", line,
					strerrorname_np(-r));
			continue;
		}
		/* resume, look, maybe poke, remove */
		r = dm_simple(DM_DEV_SUSPEND, SCRATCH, 0);
		if (!r) {
			if (dm_status(SCRATCH, st, sizeof(st)))
				finding("status after '%s' failed", line);
			else if (atoi(st) < 1 || atoi(st) > 32)
				finding("status '%s' after '%s'", st, line);
			if (chance(30))
				dm_message(SCRATCH, chance(50) ? "check" : "fail_plex 0");
		}
		if ((r = dm_simple(DM_DEV_REMOVE, SCRATCH, 0)))
			finding("remove after '%s': %s", line, strerrorname_np(-r));
		if ((r = dm_simple(DM_DEV_CREATE, SCRATCH, 0))) {
			finding("re-create: %s", strerrorname_np(-r));
			return;
		}
	}
	dm_simple(DM_DEV_REMOVE, SCRATCH, 0);
}

/* ---- messages ---------------------------------------------------------- */

static void message_line(char *line, size_t n)
{
	static const char *const verb[] = {
		"add_plex", "remove_plex", "fail_plex", "readd_plex",
		"resync_rate", "pause_resync", "resume_resync", "cancel",
		"check", "repair", "read_policy", "identity", "status",
		"", "ADD_PLEX",
	};
	const char *v = verb[below(sizeof(verb) / sizeof(verb[0]))];
	unsigned int extra = below(3), i;
	size_t l;

	if (!strcmp(v, "add_plex"))
		snprintf(line, n, "%s %s%s%s", v, rnd_dev(),
			 chance(50) ? " " : "", chance(50) ? rnd_number() : "");
	else if (!strcmp(v, "resync_rate"))
		snprintf(line, n, "%s %s", v,
			 chance(30) ? "adaptive" : rnd_number());
	else if (!strcmp(v, "read_policy"))
		snprintf(line, n, "%s %s", v,
			 (const char *[]){"round_robin", "least_pending", "primary",
					  "x"}[below(4)]);
	else if (!strcmp(v, "identity"))
		snprintf(line, n, "%s %u %s", v, below(5),
			 chance(80) ? rnd_junk() : "");
	else if (strstr(v, "plex"))
		snprintf(line, n, "%s %s", v,
			 chance(70) ? u2s(below(5)) : rnd_number());
	else
		snprintf(line, n, "%s", v);
	for (i = 0; i < extra && chance(20); i++) {
		l = strlen(line);
		snprintf(line + l, n - l, " %s", rnd_number());
	}
	if (chance(15))
		mutate_tokens(line, n);
	if (chance(2)) {	/* long */
		l = strlen(line);
		memset(line + l, 'x', n - l - 1);
		line[n - 1] = 0;
	}
}

static void fuzz_message(const char *vol, unsigned long n)
{
	char line[4096], st[1024];
	int r;

	while (n--) {
		message_line(line, sizeof(line));
		execs++;
		r = dm_message(vol, line);
		if (r) {
			refused++;
			if (r != -EINVAL && r != -EBUSY && r != -ENODEV &&
			    r != -EEXIST && r != -EALREADY && r != -ENOENT &&
			    r != -EAGAIN && r != -EIO && r != -ENOMEM &&
			    r != -ESRCH && r != -ENXIO && r != -ENOTBLK &&
			    r != -E2BIG && r != -EPERM && r != -ERANGE &&
			    r != -ECANCELED && r != -EXDEV && r != -EOPNOTSUPP)
				finding("message '%.200s': unexpected %s", line,
					strerrorname_np(-r));
		} else {
			accepted++;
		}
		if (dm_status(vol, st, sizeof(st))) {
			finding("status after message '%.200s' failed", line);
			return;
		}
	}
}

/* ---- ioctls ------------------------------------------------------------ */

static unsigned char *page;	/* two pages, the second PROT_NONE */
static long psz;
static unsigned int vol_major, vol_minor;
static int ctl_fd;

/* Where the struct goes: in the page, or straddling the guard page. */
static void *place(size_t size)
{
	memset(page, 0, (size_t)psz);
	if (chance(5) && size > 1)
		return page + psz - size / 2;
	return page;
}

static uint64_t rnd_ptr(void *good)
{
	static const uint64_t bad[] = {
		0, 1, 0x1000, 0xffff888000000000ULL, 0xffffffffffffffffULL,
		0x7ffffffff000ULL,
	};

	if (chance(70))
		return (uintptr_t)good;
	if (chance(30))
		return (uintptr_t)(page + psz - 8);
	return bad[below(sizeof(bad) / sizeof(bad[0]))];
}

static uint32_t rnd_u32(uint32_t good)
{
	if (chance(75))
		return good;
	switch (below(5)) {
	case 0: return 0;
	case 1: return ~0U;
	case 2: return good + 1;
	case 3: return good - 1;
	default: return (uint32_t)rnd();
	}
}

static void rnd_bytes(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = (unsigned char)rnd();
}

struct waiter {
	int fd;
	pthread_t t;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct vdsplex_async_wait wt;

	memset(&wt, 0, sizeof(wt));
	wt.size = sizeof(wt);
	wt.timeout_ms = 1 + below(200);
	ioctl(w->fd, VDSPLEX_ASYNC_WAIT, &wt);
	return NULL;
}

/* Random calls on an async handle, then close it (maybe mid-wait). */
static void poke_async(int fd)
{
	unsigned int k, calls = below(6);
	struct waiter w = { .fd = fd };
	int threaded = chance(30);
	char buf[512];

	if (threaded && pthread_create(&w.t, NULL, wait_thread, &w))
		threaded = 0;
	for (k = 0; k < calls; k++) {
		void *p;
		unsigned long cmd;
		size_t sz;
		int r;

		switch (below(6)) {
		case 0: cmd = VDSPLEX_ASYNC_QUERY; sz = sizeof(struct vdsplex_async_status); break;
		case 1: cmd = VDSPLEX_ASYNC_WAIT; sz = sizeof(struct vdsplex_async_wait); break;
		case 2: cmd = VDSPLEX_ASYNC_CANCEL; sz = sizeof(struct vdsplex_async_cancel); break;
		case 3:
			execs++;
			r = (int)read(fd, buf, below(sizeof(buf)));
			r < 0 ? refused++ : accepted++;
			continue;
		case 4: {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			execs++;
			accepted++;
			poll(&pfd, 1, 0);
			continue;
		}
		default:
			cmd = _IOC(below(4), VDSPLEX_IOCTL_MAGIC, below(0x50), below(512));
			sz = 512;
			break;
		}
		p = place(sz);
		if (chance(60)) {
			*(uint32_t *)p = rnd_u32((uint32_t)sz);
			if (cmd == VDSPLEX_ASYNC_WAIT)
				((struct vdsplex_async_wait *)p)->timeout_ms = below(20);
		} else {
			rnd_bytes(p, sz / 2 + 1 <= (size_t)(page + psz - (unsigned char *)p) ? sz / 2 + 1 : 1);
			if (cmd == VDSPLEX_ASYNC_WAIT)
				((struct vdsplex_async_wait *)p)->timeout_ms = below(20);
		}
		execs++;
		r = ioctl(fd, cmd, chance(5) ? (void *)rnd_ptr(p) : p);
		r ? refused++ : accepted++;
	}
	if (threaded && chance(50))
		usleep(below(2000));
	close(fd);
	if (threaded)
		pthread_join(w.t, NULL);
}

static void fuzz_one_ioctl(void)
{
	static struct vdsplex_extent ext[VDSPLEX_MAX_EXTENTS + 1];
	static struct vdsplex_plex_info info[VDSPLEX_MAX_EXTENTS + 1];
	unsigned long cmd;
	void *p;
	int r, fd = -1;
	unsigned int i, which = below(8);
	size_t sz;

	switch (which) {
	case 0: cmd = VDSPLEX_IOC_VERSION; sz = sizeof(struct vdsplex_ioc_version); break;
	case 1: case 2: cmd = VDSPLEX_IOC_ADD_PLEX; sz = sizeof(struct vdsplex_ioc_add_plex); break;
	case 3: cmd = VDSPLEX_IOC_QUERY_PLEXES; sz = sizeof(struct vdsplex_ioc_query_plexes); break;
	case 4: cmd = chance(20) ? VDSPLEX_IOC_REMOVE_PLEX : VDSPLEX_IOC_SET_IDENTITY;
		sz = sizeof(struct vdsplex_ioc_plex); break;
	case 5: cmd = VDSPLEX_IOC_OPEN_ASYNC; sz = sizeof(struct vdsplex_ioc_open_async); break;
	case 6: cmd = _IOC(below(4), VDSPLEX_IOCTL_MAGIC, below(0x50), below(1024)); sz = 1024; break;
	default: cmd = (unsigned long)rnd(); sz = 256; break;
	}
	if (chance(10)) {	/* the encoded size disagrees with the struct */
		cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), below(512));
	}
	p = place(sz);
	if (chance(10)) {
		rnd_bytes(p, (size_t)(page + psz - (unsigned char *)p) < sz ?
			  (size_t)(page + psz - (unsigned char *)p) : sz);
		goto call;
	}
	if ((unsigned char *)p + sz > page + psz)
		goto call;	/* straddling: only the first half is ours */
	/* a plausible struct, then a few fields broken */
	((uint32_t *)p)[0] = rnd_u32((uint32_t)sz);
	((uint32_t *)p)[1] = chance(85) ? 0 : (uint32_t)rnd();
	if (which >= 1 && which <= 5) {
		((uint32_t *)p)[2] = rnd_u32(vol_major);
		((uint32_t *)p)[3] = rnd_u32(vol_minor);
	}
	if (chance(10))	/* a reserved field (the last 16 bytes) */
		((uint64_t *)((char *)p + sz))[-1 - (int)below(2)] = rnd() | 1;
	switch (which) {
	case 1: case 2: {
		struct vdsplex_ioc_add_plex *a = p;
		unsigned int nr = chance(80) ? 1 + below(2) : rnd_u32(below(40));

		memset(ext, 0, sizeof(ext));
		for (i = 0; i < VDSPLEX_MAX_EXTENTS + 1; i++) {
			struct stat st;
			const char *d = nr_devs ? devs[below(nr_devs)] : "/";

			if (!stat(d, &st)) {
				ext[i].major = rnd_u32(major(st.st_rdev));
				ext[i].minor = rnd_u32(minor(st.st_rdev));
			}
			ext[i].offset = chance(85) ? 0 : rnd() >> below(64);
			if (chance(20))
				rnd_bytes(ext[i].identity, sizeof(ext[i].identity));
			if (chance(5))
				ext[i].reserved = rnd();
		}
		a->nr_extents = nr;
		a->extent_size = rnd_u32(sizeof(struct vdsplex_extent));
		a->extents = rnd_ptr(ext);
		break;
	}
	case 3: {
		struct vdsplex_ioc_query_plexes *q = p;

		q->nr_plexes = chance(70) ? below(34) : (uint32_t)rnd();
		q->plex_size = rnd_u32(sizeof(struct vdsplex_plex_info));
		q->plexes = rnd_ptr(info);
		break;
	}
	case 4: {
		struct vdsplex_ioc_plex *x = p;

		x->index = chance(80) ? below(6) : (uint32_t)rnd();
		if (chance(30))
			rnd_bytes(x->identity, sizeof(x->identity));
		else
			snprintf((char *)x->identity, sizeof(x->identity), "fuzz-%u", below(100));
		break;
	}
	default:
		break;
	}
call:
	execs++;
	r = ioctl(ctl_fd, cmd, chance(3) ? (void *)rnd_ptr(p) : p);
	if (r) {
		refused++;
		if (errno == ENOTTY && _IOC_TYPE(cmd) == VDSPLEX_IOCTL_MAGIC &&
		    (cmd == VDSPLEX_IOC_VERSION || cmd == VDSPLEX_IOC_ADD_PLEX ||
		     cmd == VDSPLEX_IOC_QUERY_PLEXES || cmd == VDSPLEX_IOC_OPEN_ASYNC))
			finding("ioctl %#lx: ENOTTY for a known command", cmd);
		return;
	}
	accepted++;
	if (cmd == VDSPLEX_IOC_ADD_PLEX)
		fd = (int)((struct vdsplex_ioc_add_plex *)p)->fd;
	else if (cmd == VDSPLEX_IOC_OPEN_ASYNC)
		fd = (int)((struct vdsplex_ioc_open_async *)p)->fd;
	else if (_IOC_TYPE(cmd) != VDSPLEX_IOCTL_MAGIC ||
		 _IOC_NR(cmd) > 5)
		finding("ioctl %#lx: unknown command accepted", cmd);
	if (fd >= 0) {
		if (fcntl(fd, F_GETFD) != FD_CLOEXEC)
			finding("async fd %d without close-on-exec", fd);
		/* a running AddPlex mostly gets cancelled, to keep going */
		if (cmd == VDSPLEX_IOC_ADD_PLEX && chance(80)) {
			struct vdsplex_async_cancel c = { .size = sizeof(c) };

			ioctl(fd, VDSPLEX_ASYNC_CANCEL, &c);
		}
		poke_async(fd);
	}
}

static void fuzz_ioctl(const char *voldev, unsigned long n)
{
	struct stat st;

	if (stat(voldev, &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "vdsplex-fuzz: %s is not a block device\n", voldev);
		exit(2);
	}
	vol_major = major(st.st_rdev);
	vol_minor = minor(st.st_rdev);
	psz = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, (size_t)psz * 2, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + psz, (size_t)psz, PROT_NONE)) {
		perror("vdsplex-fuzz: mmap");
		exit(1);
	}
	ctl_fd = open("/dev/" VDSPLEX_CONTROL_NAME, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0) {
		perror("vdsplex-fuzz: /dev/" VDSPLEX_CONTROL_NAME);
		exit(1);
	}
	while (n--)
		fuzz_one_ioctl();
	close(ctl_fd);
}

/* ---- metadata -------------------------------------------------------- */

#define MD_BLOCK	4096
#define MD_BLOCKS	36	/* 2 + 34 bitmap blocks: up to 32640 regions */

/* vdsplex_md_seal()'s checksum: crc32c from byte 4 on, xor "vdsp". */
static void md_reseal(unsigned char *blk)
{
	uint32_t c = crc32c(~0U, blk + 4, MD_BLOCK - 4) ^ 0x76647370U;

	memcpy(blk, &c, 4);	/* little-endian hosts */
}

static void md_io(const char *dev, unsigned char *img, int write)
{
	int fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	ssize_t r;

	if (fd < 0) {
		perror(dev);
		exit(1);
	}
	r = write ? pwrite(fd, img, MD_BLOCK * MD_BLOCKS, 0) :
		    pread(fd, img, MD_BLOCK * MD_BLOCKS, 0);
	if (r != MD_BLOCK * MD_BLOCKS) {
		fprintf(stderr, "vdsplex-fuzz: %s %s: %zd\n", write ? "write" : "read", dev, r);
		exit(1);
	}
	close(fd);
}

static void md_mutate(unsigned char *img)
{
	static const uint64_t vals[] = {
		0, 1, 2, 4, 8, 31, 32, 33, 255, 0x7fffffff, 0x80000000, 0xffffffff,
		1ULL << 48, ~0ULL, 0x8000000000000000ULL,
	};
	unsigned int edits = 1 + below(6), i;

	for (i = 0; i < edits; i++) {
		size_t off;
		uint64_t v;

		switch (below(4)) {
		case 0:	/* a superblock field */
			off = 16 + below(80);
			break;
		case 1:	/* a field of one of the first plex records */
			off = MD_BLOCK + 16 + below(3) * 120 + below(120);
			break;
		case 2:	/* bitmap bytes */
			off = 2 * MD_BLOCK + below(MD_BLOCK * (MD_BLOCKS - 2));
			break;
		default:
			off = below(MD_BLOCK * MD_BLOCKS);
			break;
		}
		off &= chance(70) ? ~(size_t)3 : ~(size_t)0;
		v = chance(60) ? vals[below(sizeof(vals) / sizeof(vals[0]))] : rnd();
		if (off + 8 <= MD_BLOCK * MD_BLOCKS && chance(70))
			memcpy(img + off, &v, chance(50) ? 4 : 8);
		else
			img[off] = (unsigned char)v;
	}
	if (chance(90))
		for (i = 0; i < MD_BLOCKS; i++)
			md_reseal(img + (size_t)i * MD_BLOCK);
}

static void fuzz_metadata(const char *meta, const char *d0, const char *d1,
			  unsigned long n)
{
	unsigned char *good, *img;
	char line[512], st[1024];
	uint64_t len = dev_sectors(d0);
	int r;

	if (len > dev_sectors(d1))
		len = dev_sectors(d1);
	len &= ~(uint64_t)127;
	if (posix_memalign((void **)&good, MD_BLOCK, MD_BLOCK * MD_BLOCKS) ||
	    posix_memalign((void **)&img, MD_BLOCK, MD_BLOCK * MD_BLOCKS))
		exit(1);
	/* a valid image: format, activate, remove cleanly */
	memset(good, 0, MD_BLOCK * MD_BLOCKS);
	md_io(meta, good, 1);
	snprintf(line, sizeof(line), "%s 128 2 %s 0 %s 0", meta, d0, d1);
	dm_simple(DM_DEV_REMOVE, SCRATCH, 0);
	if (dm_simple(DM_DEV_CREATE, SCRATCH, 0) || dm_load(SCRATCH, len, line) ||
	    dm_simple(DM_DEV_SUSPEND, SCRATCH, 0)) {
		fprintf(stderr, "vdsplex-fuzz: cannot build the valid image\n");
		exit(1);
	}
	/* a plex missing some regions gives the bitmaps content */
	dm_message(SCRATCH, "fail_plex 1");
	dm_message(SCRATCH, "readd_plex 1");
	dm_simple(DM_DEV_REMOVE, SCRATCH, 0);
	md_io(meta, good, 0);
	while (n--) {
		memcpy(img, good, MD_BLOCK * MD_BLOCKS);
		md_mutate(img);
		md_io(meta, img, 1);
		execs++;
		if ((r = dm_simple(DM_DEV_CREATE, SCRATCH, 0))) {
			finding("create: %s", strerrorname_np(-r));
			return;
		}
		r = dm_load(SCRATCH, len, line);
		if (r) {
			refused++;
			if (r != -EINVAL && r != -EILSEQ && r != -ENOMEM && r != -EIO)
				finding("metadata image refused with %s", strerrorname_np(-r));
		} else {
			accepted++;
			if (!dm_simple(DM_DEV_SUSPEND, SCRATCH, 0) &&
			    (dm_status(SCRATCH, st, sizeof(st)) || atoi(st) != 2))
				finding("status of a volume from mutated metadata: '%s'", st);
		}
		if ((r = dm_simple(DM_DEV_REMOVE, SCRATCH, 0)))
			finding("remove: %s", strerrorname_np(-r));
	}
	free(good);
	free(img);
}

static void usage(void)
{
	fprintf(stderr, "usage: vdsplex-fuzz table SEED N META DEV... | message SEED N VOLUME DEV...\n"
		"       | ioctl SEED N VOLDEV DEV... | metadata SEED N META DEV0 DEV1\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n;

	if (argc < 5)
		usage();
	rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ULL | 1;
	n = strtoul(argv[3], NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "table")) {
		meta_dev = argv[4];
		devs = argv + 5;
		nr_devs = (unsigned int)(argc - 5);
		fuzz_table(n);
	} else if (!strcmp(argv[1], "message")) {
		devs = argv + 5;
		nr_devs = (unsigned int)(argc - 5);
		fuzz_message(argv[4], n);
	} else if (!strcmp(argv[1], "metadata") && argc == 7) {
		fuzz_metadata(argv[4], argv[5], argv[6], n);
	} else if (!strcmp(argv[1], "ioctl")) {
		devs = argv + 5;
		nr_devs = (unsigned int)(argc - 5);
		fuzz_ioctl(argv[4], n);
	} else {
		usage();
	}
	printf("fuzz %s: %lu executions, %lu accepted, %lu refused, %lu findings\n",
	       argv[1], execs, accepted, refused, findings);
	return findings ? 1 : 0;
}
