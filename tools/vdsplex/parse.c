// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing of command-line values; see parse.h.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <linux/dm-vdsplex.h>

#include "common.h"
#include "parse.h"

static int fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* Leading decimal digits of @s into *out; *end after them. */
static int parse_digits(const char *s, uint64_t *out, const char **end,
			const char **why)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return fail(why, "not a number", -EINVAL);
	for (; isdigit((unsigned char)*p); p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return fail(why, "number too large", -ERANGE);
	}
	*out = v;
	*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *out, const char **why)
{
	const char *end;
	int r;

	if (!s)
		return fail(why, "missing", -EINVAL);
	r = parse_digits(s, out, &end, why);
	if (r)
		return r;
	if (*end)
		return fail(why, "trailing characters after the number", -EINVAL);
	return 0;
}

/* Multiplier for a binary suffix letter: K=2^10 .. E=2^60; 0 if none. */
static unsigned int binary_shift(char c)
{
	static const char letters[] = "KMGTPE";
	const char *p = strchr(letters, toupper((unsigned char)c));

	return c && p ? 10 * (unsigned int)(p - letters + 1) : 0;
}

/* Is @rest empty, or "iB" / "B" (any case)? */
static bool binary_tail(const char *rest)
{
	return !*rest || !strcasecmp(rest, "iB") || !strcasecmp(rest, "B");
}

int parse_size_bytes(const char *s, uint64_t *bytes, const char **why)
{
	unsigned int shift = 0;
	const char *end;
	uint64_t v;
	int r;

	if (!s || !*s)
		return fail(why, "empty size", -EINVAL);
	r = parse_digits(s, &v, &end, why);
	if (r)
		return r;
	if (!strcasecmp(end, "B")) {
		shift = 0;
	} else if (!*end || !strcmp(end, "s") || !strcmp(end, "S")) {
		/* a plain number counts sectors, as in dm tables */
		shift = SECTOR_SHIFT;
	} else {
		shift = binary_shift(*end);
		if (!shift || !binary_tail(end + 1))
			return fail(why, "unknown unit (use s, K, M, G, T, P or E)", -EINVAL);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return fail(why, "size too large", -ERANGE);
	*bytes = v << shift;
	return 0;
}

int parse_size_sectors(const char *s, uint64_t *sectors, const char **why)
{
	uint64_t bytes;
	int r = parse_size_bytes(s, &bytes, why);

	if (r)
		return r;
	if (bytes & ((1U << SECTOR_SHIFT) - 1))
		return fail(why, "not a multiple of 512 bytes (a sector)", -EINVAL);
	*sectors = bytes >> SECTOR_SHIFT;
	return 0;
}

int parse_region_size(const char *s, uint64_t *sectors, const char **why)
{
	uint64_t v;
	int r = parse_size_sectors(s, &v, why);

	if (r)
		return r;
	if (v < 8)
		return fail(why, "smaller than 4 KiB (8 sectors)", -EINVAL);
	if (v & (v - 1))
		return fail(why, "not a power of two", -EINVAL);
	if (v > REGION_MAX_SECTORS)
		return fail(why, "larger than 1 GiB (2097152 sectors)", -ERANGE);
	*sectors = v;
	return 0;
}

int parse_rate(const char *s, struct rate *r, const char **why)
{
	unsigned int shift = 0;
	const char *end;
	char unit[8];
	uint64_t v;
	size_t n;
	int ret;

	if (!s || !*s)
		return fail(why, "empty rate", -EINVAL);
	if (!strcmp(s, "adaptive") || !strcmp(s, "unlimited")) {
		r->adaptive = s[0] == 'a';
		r->kibs = 0;
		return 0;
	}
	ret = parse_digits(s, &v, &end, why);
	if (ret)
		return ret;
	/* The unit, without an optional "/s". */
	n = strlen(end);
	if (n >= 2 && !strcmp(end + n - 2, "/s"))
		n -= 2;
	if (n >= sizeof(unit))
		return fail(why, "unknown unit (use K, M or G per second)", -EINVAL);
	memcpy(unit, end, n);
	unit[n] = '\0';
	if (*unit) {
		shift = binary_shift(unit[0]);
		if (shift > 30 || !shift || !binary_tail(unit + 1))
			return fail(why, "unknown unit (use K, M or G per second)", -EINVAL);
		shift -= 10;	/* the number is in KiB/s already */
	}
	if (v > (RATE_MAX_KIBS >> shift))
		return fail(why, "rate too large (at most 4294967295 KiB/s)", -ERANGE);
	r->adaptive = false;
	r->kibs = v << shift;
	return 0;
}

int rate_message(const struct rate *r, char *buf, size_t len)
{
	if (r->adaptive)
		return vx_snprintf(buf, len, "adaptive");
	return vx_snprintf(buf, len, "%" PRIu64, r->kibs);
}

int parse_index(const char *s, uint32_t *index, const char **why)
{
	uint64_t v;
	int r = parse_u64(s, &v, why);

	if (r)
		return r;
	if (v >= VDSPLEX_MAX_EXTENTS)
		return fail(why, "plex index out of range (0..31)", -ERANGE);
	*index = (uint32_t)v;
	return 0;
}

int parse_timeout(const char *s, uint64_t *ms, const char **why)
{
	const char *end;
	uint64_t v;
	int r;

	if (!s || !*s)
		return fail(why, "empty timeout", -EINVAL);
	r = parse_digits(s, &v, &end, why);
	if (r)
		return r;
	if (*end && strcmp(end, "s"))
		return fail(why, "not a number of seconds", -EINVAL);
	if (__builtin_mul_overflow(v, 1000, ms) || *ms == UINT64_MAX)
		return fail(why, "timeout too large", -ERANGE);
	return 0;
}

int parse_dm_name(const char *s, const char **why)
{
	if (!*s)
		return fail(why, "empty", -EINVAL);
	if (strlen(s) > DM_NAME_MAX)
		return fail(why, "longer than 127 characters", -ERANGE);
	if (strchr(s, '/'))
		return fail(why, "contains '/'", -EINVAL);
	if (!strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "control"))
		return fail(why, "reserved ('.', '..' and 'control' are nodes of /dev/mapper)",
			    -EINVAL);
	return 0;
}

int parse_devno(const char *s, uint32_t *major, uint32_t *minor, const char **why)
{
	const char *end;
	uint64_t ma, mi;
	int r;

	if (!s)
		return fail(why, "missing", -EINVAL);
	r = parse_digits(s, &ma, &end, why);
	if (r)
		return r;
	if (*end != ':')
		return fail(why, "not MAJOR:MINOR", -EINVAL);
	r = parse_digits(end + 1, &mi, &end, why);
	if (r)
		return r;
	if (*end)
		return fail(why, "not MAJOR:MINOR", -EINVAL);
	/* The kernel's dev_t: 12 bits of major, 20 of minor. */
	if (ma >= (1U << 12) || mi >= (1U << 20))
		return fail(why, "device number out of range", -ERANGE);
	*major = (uint32_t)ma;
	*minor = (uint32_t)mi;
	return 0;
}

static int copy_dev(char *dev, size_t devlen, const char *s, size_t n,
		    const char **why)
{
	if (!n)
		return fail(why, "empty device", -EINVAL);
	if (n >= devlen)
		return fail(why, "device name too long", -ERANGE);
	memcpy(dev, s, n);
	dev[n] = '\0';
	return 0;
}

int parse_dev_offset(const char *arg, bool (*exists)(const char *path),
		     char *dev, size_t devlen, uint64_t *offset, const char **why)
{
	const char *colon;
	uint32_t ma, mi;
	uint64_t off;

	if (!arg || !*arg)
		return fail(why, "empty device", -EINVAL);
	*offset = 0;
	colon = strrchr(arg, ':');
	/* A bare MAJOR:MINOR, or an existing path containing ':'. */
	if (!colon || !parse_devno(arg, &ma, &mi, NULL) || (exists && exists(arg)))
		return copy_dev(dev, devlen, arg, strlen(arg), why);
	if (parse_size_sectors(colon + 1, &off, NULL)) {
		/* Not an offset: all of it is the device, unless it looks like one. */
		if (isdigit((unsigned char)colon[1]))
			return parse_size_sectors(colon + 1, &off, why);
		return copy_dev(dev, devlen, arg, strlen(arg), why);
	}
	*offset = off;
	return copy_dev(dev, devlen, arg, (size_t)(colon - arg), why);
}

bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
