// SPDX-License-Identifier: GPL-2.0-only
/*
 * log-replay: replay a dm-log-writes log onto a device, up to a mark.
 *
 *   log-replay LOGDEV DEV MARK   replay every entry before the mark MARK
 *   log-replay LOGDEV DEV MARK N then on up to the Nth flush after it: the
 *                                power cuts between MARK and the next one
 *   log-replay LOGDEV --marks    list the marks
 *
 * dm-log-writes logs a write only once a flush (or its FUA) made it stable,
 * so every prefix of the log is a state the device could have been left in
 * by a power cut with a volatile cache (Documentation/admin-guide/
 * device-mapper/log-writes.rst).  A discard is replayed as zeroes.
 *
 * Exit: 0 (mark found), 1 (error), 2 (usage), 3 (no such mark: all
 * replayed; with N: the next mark or the end came before the Nth flush).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITE_LOG_MAGIC		0x6a736677736872ULL
#define WRITE_LOG_VERSION	1ULL
#define LOG_FLUSH_FLAG		(1 << 0)
#define LOG_FUA_FLAG		(1 << 1)
#define LOG_DISCARD_FLAG	(1 << 2)
#define LOG_MARK_FLAG		(1 << 3)

struct log_write_super {
	uint64_t magic;
	uint64_t version;
	uint64_t nr_entries;
	uint32_t sectorsize;
} __attribute__((packed));

struct log_write_entry {
	uint64_t sector;
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_len;
} __attribute__((packed));

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		fprintf(stderr, "log-replay: short read at %lld\n", (long long)off);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct log_write_super super;
	const char *mark = NULL;
	int log, dev = -1, list = 0, found = 0;
	uint64_t i, nr, applied = 0, want_flushes = 0, flushes = 0;
	uint32_t ss;
	char *buf, *data = NULL;
	size_t data_cap = 0;
	off_t pos;

	if (argc == 3 && !strcmp(argv[2], "--marks")) {
		list = 1;
	} else if (argc == 4 || argc == 5) {
		mark = argv[3];
		if (argc == 5) {
			char *end;

			want_flushes = strtoull(argv[4], &end, 10);
			if (*end || !*argv[4]) {
				fprintf(stderr, "log-replay: bad flush count '%s'\n", argv[4]);
				return 2;
			}
		}
	} else {
		fprintf(stderr, "usage: log-replay LOGDEV DEV MARK [N] | log-replay LOGDEV --marks\n");
		return 2;
	}
	log = open(argv[1], O_RDONLY);
	if (log < 0)
		die(argv[1]);
	if (!list) {
		dev = open(argv[2], O_WRONLY);
		if (dev < 0)
			die(argv[2]);
	}
	read_at(log, &super, sizeof(super), 0);
	if (le64toh(super.magic) != WRITE_LOG_MAGIC ||
	    le64toh(super.version) != WRITE_LOG_VERSION) {
		fprintf(stderr, "log-replay: %s is not a dm-log-writes log\n", argv[1]);
		return 1;
	}
	nr = le64toh(super.nr_entries);
	ss = le32toh(super.sectorsize);
	if (ss < 512 || ss > 65536 || (ss & (ss - 1))) {
		fprintf(stderr, "log-replay: bad sector size %u\n", ss);
		return 1;
	}
	buf = malloc(ss);
	if (!buf)
		die("malloc");
	pos = ss;
	for (i = 0; i < nr; i++) {
		struct log_write_entry e;
		uint64_t sector, count, flags, dlen;

		read_at(log, buf, ss, pos);
		memcpy(&e, buf, sizeof(e));
		sector = le64toh(e.sector);
		count = le64toh(e.nr_sectors);
		flags = le64toh(e.flags);
		dlen = le64toh(e.data_len);
		pos += ss;
		if (flags & LOG_MARK_FLAG) {
			size_t n = dlen < ss - sizeof(e) ? dlen : ss - sizeof(e);
			char name[256];

			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, buf + sizeof(e), n);
			name[n] = '\0';
			if (list) {
				printf("%s entry=%" PRIu64 "\n", name, i);
			} else if (found) {
				fsync(dev);
				fprintf(stderr, "log-replay: mark '%s' came before flush %" PRIu64 " after '%s'\n",
					name, want_flushes, mark);
				return 3;
			} else if (!strcmp(name, mark)) {
				found = 1;
			}
			if (found && !want_flushes) {
				if (fsync(dev))
					die("fsync");
				printf("replayed %" PRIu64 " writes up to mark %s\n", applied, mark);
				return 0;
			}
			continue;
		}
		if (!count) {	/* a flush */
			if (found && (flags & LOG_FLUSH_FLAG) && ++flushes == want_flushes) {
				if (fsync(dev))
					die("fsync");
				printf("replayed %" PRIu64 " writes up to flush %" PRIu64 " after mark %s\n",
				       applied, flushes, mark);
				return 0;
			}
			continue;
		}
		if (count * ss > data_cap) {
			data_cap = count * ss;
			data = realloc(data, data_cap);
			if (!data)
				die("realloc");
		}
		if (flags & LOG_DISCARD_FLAG) {
			memset(data, 0, count * ss);
		} else {
			read_at(log, data, count * ss, pos);
			pos += count * ss;
		}
		if (!list && pwrite(dev, data, count * ss, sector * ss) != (ssize_t)(count * ss))
			die("pwrite");
		applied++;
	}
	if (list)
		return 0;
	fsync(dev);
	if (found)
		fprintf(stderr, "log-replay: the log ended before flush %" PRIu64 " after mark '%s'\n",
			want_flushes, mark);
	else
		fprintf(stderr, "log-replay: mark '%s' not found; replayed all %" PRIu64 " writes\n",
			mark, applied);
	return 3;
}
