// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex-ioctl: a small test client that drives every ioctl of
 * /dev/vdsplex-control and of the async handle (Documentation/ioctl.rst).  The
 * scenario tests parse its key=value output; the administrator's tool is
 * tools/vdsplex.
 *
 *   vdsplex-ioctl version
 *   vdsplex-ioctl add VOL EXT [EXT...] [ACTION...]
 *   vdsplex-ioctl open VOL [ACTION...]
 *   vdsplex-ioctl plexes VOL
 *   vdsplex-ioctl remove VOL INDEX
 *   vdsplex-ioctl identity VOL INDEX NAME
 *   vdsplex-ioctl badstructs VOL DEV
 *   vdsplex-ioctl leakcheck VOL
 *
 * VOL and DEV: MAJOR:MINOR or a block device path.  EXT: DEV[@OFFSET][=ID].
 * ACTIONs on the handle, in order: --watch (poll + read until it ends,
 * checking the percent), --cancel-at PCT, --cancel, --wait [MS], --status,
 * --fdinfo, --sleep S (fractions too), --close, --drop-cap (CAP_SYS_ADMIN
 * leaves the effective set: the handle is used as by a monitor it was
 * handed to).
 *
 * leakcheck: every struct the kernel writes back is pre-filled with 0xa5
 * where the ABI lets the caller put anything; reserved fields, identity
 * tails and array entries past the count must come back zero or untouched.
 *
 * Exit: 0 when every call returned 0, 1 when one failed or a check failed,
 * 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/dm-vdsplex.h>
#include <sys/syscall.h>

static int failed;

static const struct {
	unsigned int hr;
	const char *name;
} names[] = {
	{ VDS_S_OK, "VDS_S_OK" },
	{ VDS_E_INVALID_OPERATION, "VDS_E_INVALID_OPERATION" },
	{ VDS_E_VOLUME_NOT_ONLINE, "VDS_E_VOLUME_NOT_ONLINE" },
	{ VDS_E_VOLUME_NOT_HEALTHY, "VDS_E_VOLUME_NOT_HEALTHY" },
	{ VDS_E_VOLUME_SPANS_DISKS, "VDS_E_VOLUME_SPANS_DISKS" },
	{ VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE, "VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE" },
	{ VDS_E_DISK_IN_USE_BY_VOLUME, "VDS_E_DISK_IN_USE_BY_VOLUME" },
	{ VDS_E_DEVICE_IN_USE, "VDS_E_DEVICE_IN_USE" },
	{ VDS_E_ANOTHER_CALL_IN_PROGRESS, "VDS_E_ANOTHER_CALL_IN_PROGRESS" },
	{ VDS_E_OBJECT_DELETED, "VDS_E_OBJECT_DELETED" },
	{ VDS_E_PLEX_LAST_ACTIVE, "VDS_E_PLEX_LAST_ACTIVE" },
	{ VDS_E_OPERATION_CANCELED, "VDS_E_OPERATION_CANCELED" },
	{ VDS_E_CANCEL_TOO_LATE, "VDS_E_CANCEL_TOO_LATE" },
	{ VDSPLEX_E_OUTOFMEMORY, "E_OUTOFMEMORY" },
	{ VDSPLEX_E_IO_DEVICE, "ERROR_IO_DEVICE" },
};

static const char *hr_name(unsigned int hr)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].hr == hr)
			return names[i].name;
	return "unknown";
}

static const char *state_name(unsigned int s)
{
	switch (s) {
	case VDSPLEX_ASYNC_RUNNING: return "running";
	case VDSPLEX_ASYNC_SUCCEEDED: return "succeeded";
	case VDSPLEX_ASYNC_FAILED: return "failed";
	case VDSPLEX_ASYNC_CANCELED: return "canceled";
	default: return "invalid";
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: vdsplex-ioctl version | add VOL EXT... [ACTION...] | open VOL [ACTION...]\n"
		"       | plexes VOL | remove VOL INDEX | identity VOL INDEX NAME | badstructs VOL DEV\n");
	exit(2);
}

static void parse_dev(const char *s, unsigned int *major, unsigned int *minor)
{
	struct stat st;

	if (sscanf(s, "%u:%u", major, minor) == 2)
		return;
	if (stat(s, &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "vdsplex-ioctl: '%s' is not a block device or MAJOR:MINOR\n", s);
		exit(2);
	}
	*major = major(st.st_rdev);
	*minor = minor(st.st_rdev);
}

/* Report a call: rc, errno name and the hresult when the struct carries one. */
static void report(const char *what, int rc, int err, int has_hr, unsigned int hr)
{
	printf("%s rc=%d errno=%s", what, rc, rc ? strerrorname_np(err) : "0");
	if (has_hr)
		printf(" hresult=0x%08x %s", hr, hr_name(hr));
	printf("\n");
	if (rc)
		failed = 1;
}

static int ctl(void)
{
	int fd = open("/dev/" VDSPLEX_CONTROL_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("vdsplex-ioctl: /dev/" VDSPLEX_CONTROL_NAME);
		exit(1);
	}
	return fd;
}

static int status(int fd, struct vdsplex_async_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, VDSPLEX_ASYNC_QUERY, st);
}

static void print_status(const char *what, const struct vdsplex_async_status *st)
{
	printf("%s state=%s hresult=0x%08x %s percent=%u done=%llu total=%llu rate=%llu\n",
	       what, state_name(st->state), st->hresult, hr_name(st->hresult), st->percent,
	       (unsigned long long)st->done_sectors, (unsigned long long)st->total_sectors,
	       (unsigned long long)st->rate);
}

static void do_cancel(int fd)
{
	struct vdsplex_async_cancel c = { .size = sizeof(c) };
	int rc = ioctl(fd, VDSPLEX_ASYNC_CANCEL, &c);

	report("cancel", rc, errno, 1, c.hresult);
}

/*
 * Follow the operation with poll() and read() until it ends; stop early to
 * cancel at @cancel_at percent (when >= 0).  Checks that the percent never
 * falls and is 100 only once the operation ended.
 */
static void watch(int fd, int cancel_at)
{
	struct vdsplex_async_status st;
	unsigned int last = 0, reads = 0, rises = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		int ended = poll(&p, 1, 250);
		ssize_t n = read(fd, &st, sizeof(st));

		if (n != (ssize_t)sizeof(st)) {
			printf("watch read=%zd errno=%s\n", n, strerrorname_np(errno));
			failed = 1;
			return;
		}
		reads++;
		if (st.percent < last) {
			printf("watch error: percent fell from %u to %u\n", last, st.percent);
			failed = 1;
		}
		if (st.percent > last)
			rises++;
		if (st.state == VDSPLEX_ASYNC_RUNNING && st.percent >= 100) {
			printf("watch error: percent 100 while running\n");
			failed = 1;
		}
		if (ended > 0 && st.state == VDSPLEX_ASYNC_RUNNING) {
			printf("watch error: poll readable while running\n");
			failed = 1;
		}
		last = st.percent;
		if (reads % 8 == 1)
			print_status("progress", &st);
		if (st.state != VDSPLEX_ASYNC_RUNNING)
			break;
		if (cancel_at >= 0 && st.percent >= (unsigned int)cancel_at) {
			print_status("progress", &st);
			do_cancel(fd);
			status(fd, &st);
			break;
		}
	}
	printf("watch reads=%u rises=%u\n", reads, rises);
	print_status("final", &st);
}

static void do_wait(int fd, unsigned long long ms)
{
	struct vdsplex_async_wait w = { .size = sizeof(w), .timeout_ms = ms };
	int rc = ioctl(fd, VDSPLEX_ASYNC_WAIT, &w), err = errno;
	unsigned int i;

	printf("wait rc=%d errno=%s state=%s hresult=0x%08x %s nr_plexes=%u nr_in_sync=%u ids=",
	       rc, rc ? strerrorname_np(err) : "0", state_name(w.state), w.hresult,
	       hr_name(w.hresult), w.nr_plexes, w.nr_in_sync);
	for (i = 0; i < w.nr_plexes && i < VDSPLEX_MAX_EXTENTS; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)w.plex_id[i]);
	printf(" indices=");
	for (i = 0; i < w.nr_plexes && i < VDSPLEX_MAX_EXTENTS; i++)
		printf("%s%u", i ? "," : "", w.plex_index[i]);
	printf("\n");
	if (rc)
		failed = 1;
}

static void actions(int fd, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--watch")) {
			watch(fd, -1);
		} else if (!strcmp(argv[i], "--cancel-at") && i + 1 < argc) {
			watch(fd, atoi(argv[++i]));
		} else if (!strcmp(argv[i], "--cancel")) {
			do_cancel(fd);
		} else if (!strcmp(argv[i], "--wait")) {
			unsigned long long ms = VDSPLEX_WAIT_FOREVER;

			if (i + 1 < argc && argv[i + 1][0] != '-')
				ms = strtoull(argv[++i], NULL, 10);
			do_wait(fd, ms);
		} else if (!strcmp(argv[i], "--status")) {
			struct vdsplex_async_status st;
			int rc = status(fd, &st);

			report("query", rc, errno, 0, 0);
			print_status("status", &st);
		} else if (!strcmp(argv[i], "--fdinfo")) {
			char path[64], line[256];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				if (!strncmp(line, "vdsplex-", 8))
					printf("fdinfo %s", line);
			if (f)
				fclose(f);
		} else if (!strcmp(argv[i], "--sleep") && i + 1 < argc) {
			usleep((useconds_t)(atof(argv[++i]) * 1e6));
		} else if (!strcmp(argv[i], "--drop-cap")) {
			struct __user_cap_header_struct h = {
				.version = _LINUX_CAPABILITY_VERSION_3,
			};
			struct __user_cap_data_struct d[2];
			int rc = (int)syscall(SYS_capget, &h, d);

			d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
			if (!rc)
				rc = (int)syscall(SYS_capset, &h, d);
			report("drop-cap", rc, errno, 0, 0);
		} else if (!strcmp(argv[i], "--close")) {
			close(fd);
			printf("closed\n");
			return;
		} else {
			usage();
		}
		fflush(stdout);
	}
}

static void parse_extent(const char *arg, struct vdsplex_extent *e)
{
	char buf[256], *at, *eq;

	snprintf(buf, sizeof(buf), "%s", arg);
	eq = strchr(buf, '=');
	if (eq) {
		*eq++ = '\0';
		strncpy((char *)e->identity, eq, sizeof(e->identity) - 1);
	}
	at = strchr(buf, '@');
	if (at) {
		*at++ = '\0';
		e->offset = strtoull(at, NULL, 10);
	}
	parse_dev(buf, &e->major, &e->minor);
}

static int cmd_add(int argc, char **argv)
{
	struct vdsplex_extent ext[VDSPLEX_MAX_EXTENTS + 1];
	struct vdsplex_ioc_add_plex a = { .size = sizeof(a) };
	int i, n = 0, rc, fd = ctl();

	memset(ext, 0, sizeof(ext));
	parse_dev(argv[0], &a.vol_major, &a.vol_minor);
	for (i = 1; i < argc && argv[i][0] != '-'; i++) {
		if (n == VDSPLEX_MAX_EXTENTS + 1)
			usage();
		parse_extent(argv[i], &ext[n++]);
	}
	a.nr_extents = n;
	a.extent_size = sizeof(ext[0]);
	a.extents = (uintptr_t)ext;
	rc = ioctl(fd, VDSPLEX_IOC_ADD_PLEX, &a);
	report("add", rc, errno, 1, a.hresult);
	printf("add fd=%d first_index=%d bad_extent=%d\n", rc ? -1 : (int)a.fd,
	       (int)a.first_index, (int)a.bad_extent);
	fflush(stdout);
	close(fd);
	if (!rc)
		actions(a.fd, argc - i, argv + i);
	return failed;
}

static int cmd_open(int argc, char **argv)
{
	struct vdsplex_ioc_open_async o = { .size = sizeof(o) };
	int rc, fd = ctl();

	parse_dev(argv[0], &o.vol_major, &o.vol_minor);
	rc = ioctl(fd, VDSPLEX_IOC_OPEN_ASYNC, &o);
	report("open", rc, errno, 1, o.hresult);
	close(fd);
	if (!rc)
		actions(o.fd, argc - 1, argv + 1);
	return failed;
}

static int cmd_plexes(const char *vol)
{
	struct vdsplex_plex_info info[VDSPLEX_MAX_EXTENTS];
	struct vdsplex_ioc_query_plexes q = { .size = sizeof(q) };
	unsigned int i;
	int rc, fd = ctl();

	parse_dev(vol, &q.vol_major, &q.vol_minor);
	q.nr_plexes = VDSPLEX_MAX_EXTENTS;
	q.plex_size = sizeof(info[0]);
	q.plexes = (uintptr_t)info;
	rc = ioctl(fd, VDSPLEX_IOC_QUERY_PLEXES, &q);
	report("plexes", rc, errno, 1, q.hresult);
	if (rc)
		return 1;
	printf("volume nr_plexes=%u region_size=%u len=%llu\n", q.nr_plexes, q.region_size,
	       (unsigned long long)q.len);
	for (i = 0; i < q.nr_plexes && i < VDSPLEX_MAX_EXTENTS; i++)
		printf("plex index=%u id=%llu health=%c state=%u dev=%u:%u offset=%llu flags=0x%x synced=%llu/%llu read_errors=%llu write_errors=%llu identity=%s\n",
		       info[i].index, (unsigned long long)info[i].id, info[i].health,
		       info[i].state, info[i].major, info[i].minor,
		       (unsigned long long)info[i].offset, info[i].flags,
		       (unsigned long long)info[i].synced_regions,
		       (unsigned long long)info[i].total_regions,
		       (unsigned long long)info[i].read_errors,
		       (unsigned long long)info[i].write_errors,
		       info[i].identity[0] ? (char *)info[i].identity : "-");
	return 0;
}

static int cmd_plex(const char *vol, const char *idx, const char *name)
{
	struct vdsplex_ioc_plex p = { .size = sizeof(p) };
	int rc, fd = ctl();

	parse_dev(vol, &p.vol_major, &p.vol_minor);
	p.index = strtoul(idx, NULL, 10);
	if (name)
		strncpy((char *)p.identity, name, sizeof(p.identity) - 1);
	rc = ioctl(fd, name ? VDSPLEX_IOC_SET_IDENTITY : VDSPLEX_IOC_REMOVE_PLEX, &p);
	report(name ? "identity" : "remove", rc, errno, 1, p.hresult);
	return failed;
}

/* One malformed request: it must fail with @want and leave no handle. */
static void bad(const char *what, int fd, unsigned long cmd, void *arg, int want)
{
	int rc = ioctl(fd, cmd, arg), err = errno;

	printf("bad %s rc=%d errno=%s %s\n", what, rc, rc ? strerrorname_np(err) : "0",
	       rc && err == want ? "ok" : "WRONG");
	if (!rc || err != want)
		failed = 1;
}

static int cmd_badstructs(const char *vol, const char *dev)
{
	struct vdsplex_extent e = { 0 };
	struct vdsplex_ioc_add_plex a, good = { .size = sizeof(a) };
	struct vdsplex_ioc_version v = { .size = sizeof(v) };
	struct vdsplex_ioc_plex p = { .size = sizeof(p) };
	struct vdsplex_ioc_query_plexes q = { .size = sizeof(q) };
	struct vdsplex_ioc_open_async o = { .size = sizeof(o) };
	int fd = ctl();

	parse_dev(vol, &good.vol_major, &good.vol_minor);
	parse_dev(dev, &e.major, &e.minor);
	good.nr_extents = 1;
	good.extent_size = sizeof(e);
	good.extents = (uintptr_t)&e;

	a = good; a.size--;
	bad("add.size", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.flags = 1;
	bad("add.flags", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.reserved[1] = 1;
	bad("add.reserved", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.nr_extents = 0;
	bad("add.nr_extents=0", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.nr_extents = VDSPLEX_MAX_EXTENTS + 1;
	bad("add.nr_extents=33", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.extent_size = 8;
	bad("add.extent_size", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.extents = 0;
	bad("add.extents=NULL", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	a = good; a.extents = 8;
	bad("add.extents=bad-pointer", fd, VDSPLEX_IOC_ADD_PLEX, &a, EFAULT);
	a = good; e.reserved = 1;
	bad("extent.reserved", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	e.reserved = 0;
	memset(e.identity, 'x', sizeof(e.identity));
	bad("extent.identity-unterminated", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	memset(e.identity, 0, sizeof(e.identity));
	strcpy((char *)e.identity, "has space");
	bad("extent.identity-space", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	memset(e.identity, 0, sizeof(e.identity));
	e.identity[10] = 'x';
	bad("extent.identity-garbage-after-nul", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);
	memset(e.identity, 0, sizeof(e.identity));
	a = good; a.vol_major = 1 << 12;
	bad("add.vol_major", fd, VDSPLEX_IOC_ADD_PLEX, &a, EINVAL);

	v.flags = 1;
	bad("version.flags", fd, VDSPLEX_IOC_VERSION, &v, EINVAL);
	v.flags = 0; v.reserved[4] = 1;
	bad("version.reserved", fd, VDSPLEX_IOC_VERSION, &v, EINVAL);
	v.reserved[4] = 0; v.size = 4;
	bad("version.size", fd, VDSPLEX_IOC_VERSION, &v, EINVAL);

	p.vol_major = good.vol_major; p.vol_minor = good.vol_minor;
	p.identity[0] = 'x';
	bad("remove.identity-not-zero", fd, VDSPLEX_IOC_REMOVE_PLEX, &p, EINVAL);
	p.identity[0] = 0;
	bad("identity.empty", fd, VDSPLEX_IOC_SET_IDENTITY, &p, EINVAL);
	p.reserved[0] = 1;
	bad("remove.reserved", fd, VDSPLEX_IOC_REMOVE_PLEX, &p, EINVAL);

	q.vol_major = good.vol_major; q.vol_minor = good.vol_minor;
	q.plex_size = 7;
	bad("query.plex_size", fd, VDSPLEX_IOC_QUERY_PLEXES, &q, EINVAL);
	q.plex_size = sizeof(struct vdsplex_plex_info); q.nr_plexes = 4;
	bad("query.plexes=NULL", fd, VDSPLEX_IOC_QUERY_PLEXES, &q, EINVAL);

	o.vol_major = good.vol_major; o.vol_minor = good.vol_minor; o.flags = 2;
	bad("open_async.flags", fd, VDSPLEX_IOC_OPEN_ASYNC, &o, EINVAL);

	bad("unknown-command", fd, _IOWR(VDSPLEX_IOCTL_MAGIC, 0x3f, struct vdsplex_ioc_version),
	    &v, ENOTTY);
	bad("foreign-command", fd, _IO(0x12, 0x60), &v, ENOTTY);
	bad("async-command-on-control", fd, VDSPLEX_ASYNC_QUERY, &v, ENOTTY);
	return failed;
}

/* leakcheck: LEN bytes at P must be zero. */
static void zero(const char *what, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i]) {
			printf("leak %s: byte %zu is 0x%02x\n", what, i, c[i]);
			failed = 1;
			return;
		}
}

/* An identity: NUL-terminated and NUL-padded. */
static void padded(const char *what, const unsigned char *id)
{
	size_t n = strnlen((const char *)id, VDSPLEX_IDENTITY_SIZE);

	if (n == VDSPLEX_IDENTITY_SIZE) {
		printf("leak %s: identity not terminated\n", what);
		failed = 1;
		return;
	}
	zero(what, id + n, VDSPLEX_IDENTITY_SIZE - n);
}

static int cmd_leakcheck(const char *vol)
{
	struct vdsplex_ioc_version v;
	struct vdsplex_ioc_query_plexes q;
	struct vdsplex_plex_info info[VDSPLEX_MAX_EXTENTS];
	struct vdsplex_ioc_open_async o;
	struct vdsplex_async_status st;
	struct vdsplex_async_wait w;
	unsigned char buf[2 * sizeof(st)];
	unsigned int i, nr, n;
	int fd = ctl(), afd, rc;
	char what[64];

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	v.flags = 0;
	memset(v.reserved, 0, sizeof(v.reserved));
	rc = ioctl(fd, VDSPLEX_IOC_VERSION, &v);
	report("leak version", rc, errno, 0, 0);
	zero("version.reserved", v.reserved, sizeof(v.reserved));

	memset(&q, 0xa5, sizeof(q));
	memset(info, 0xa5, sizeof(info));
	q.size = sizeof(q);
	q.flags = 0;
	parse_dev(vol, &q.vol_major, &q.vol_minor);
	q.nr_plexes = 2;	/* room for two: the third is left alone */
	q.plex_size = sizeof(info[0]);
	q.plexes = (uintptr_t)info;
	memset(q.reserved, 0, sizeof(q.reserved));
	rc = ioctl(fd, VDSPLEX_IOC_QUERY_PLEXES, &q);
	report("leak query", rc, errno, 1, q.hresult);
	zero("query.reserved", q.reserved, sizeof(q.reserved));
	nr = q.nr_plexes;
	n = nr < 2 ? nr : 2;
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "plex[%u].reserved", i);
		zero(what, info[i].reserved, sizeof(info[i].reserved));
		snprintf(what, sizeof(what), "plex[%u].identity", i);
		padded(what, info[i].identity);
	}
	if (nr > 2 && ((unsigned char *)&info[2])[0] != 0xa5) {
		printf("leak query: entry 2 written without room\n");
		failed = 1;
	}

	memset(&o, 0xa5, sizeof(o));
	o.size = sizeof(o);
	o.flags = 0;
	parse_dev(vol, &o.vol_major, &o.vol_minor);
	memset(o.reserved, 0, sizeof(o.reserved));
	rc = ioctl(fd, VDSPLEX_IOC_OPEN_ASYNC, &o);
	report("leak open", rc, errno, 1, o.hresult);
	zero("open.reserved", o.reserved, sizeof(o.reserved));
	if (rc)
		return failed;
	afd = (int)o.fd;

	memset(buf, 0xa5, sizeof(buf));
	rc = (int)read(afd, buf, sizeof(buf));
	if (rc != (int)sizeof(st)) {
		printf("leak read: returned %d, want %zu\n", rc, sizeof(st));
		failed = 1;
	}
	memcpy(&st, buf, sizeof(st));
	zero("read.reserved", st.reserved, sizeof(st.reserved));
	for (i = sizeof(st); i < sizeof(buf); i++)
		if (buf[i] != 0xa5) {
			printf("leak read: byte %u past the status written\n", i);
			failed = 1;
			break;
		}

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	rc = ioctl(afd, VDSPLEX_ASYNC_QUERY, &st);
	report("leak async query", rc, errno, 0, 0);
	zero("query.reserved", st.reserved, sizeof(st.reserved));

	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.timeout_ms = VDSPLEX_WAIT_FOREVER;
	rc = ioctl(afd, VDSPLEX_ASYNC_WAIT, &w);
	report("leak wait", rc, errno, 1, w.hresult);
	zero("wait.reserved", w.reserved, sizeof(w.reserved));
	if (w.nr_plexes <= VDSPLEX_MAX_EXTENTS) {
		zero("wait.plex_id tail", w.plex_id + w.nr_plexes,
		     (VDSPLEX_MAX_EXTENTS - w.nr_plexes) * sizeof(w.plex_id[0]));
		zero("wait.plex_index tail", w.plex_index + w.nr_plexes,
		     (VDSPLEX_MAX_EXTENTS - w.nr_plexes) * sizeof(w.plex_index[0]));
	}
	close(afd);
	printf("leakcheck %s: %u plexes, done\n", failed ? "failed" : "ok", nr);
	return failed;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "version") && argc == 2) {
		struct vdsplex_ioc_version v = { .size = sizeof(v) };
		int rc = ioctl(ctl(), VDSPLEX_IOC_VERSION, &v);

		report("version", rc, errno, 0, 0);
		printf("abi=%u module=%u.%u.%u max_plexes=%u\n", v.abi, v.major, v.minor,
		       v.patch, v.max_plexes);
		return failed;
	}
	if (!strcmp(argv[1], "add") && argc >= 4)
		return cmd_add(argc - 2, argv + 2);
	if (!strcmp(argv[1], "open") && argc >= 3)
		return cmd_open(argc - 2, argv + 2);
	if (!strcmp(argv[1], "plexes") && argc == 3)
		return cmd_plexes(argv[2]);
	if (!strcmp(argv[1], "remove") && argc == 4)
		return cmd_plex(argv[2], argv[3], NULL);
	if (!strcmp(argv[1], "identity") && argc == 5)
		return cmd_plex(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "badstructs") && argc == 4)
		return cmd_badstructs(argv[2], argv[3]);
	if (!strcmp(argv[1], "leakcheck") && argc == 3)
		return cmd_leakcheck(argv[2]);
	usage();
	return 2;
}
