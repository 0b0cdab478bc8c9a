// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the CLI's parsers (tools/vdsplex): every parser that
 * takes text from a user or from the kernel (sizes, rates, indices, names,
 * DEV[:OFFSET], table lines, dmsetup status lines).  The first byte picks
 * the parser, the rest is the text.
 *
 * Beyond "no crash, no sanitizer report", every case has an oracle built
 * from the parser's documented contract (parse.h, status.h, tableline.h,
 * Documentation/dm-vdsplex.rst, vdsplex.8):
 *   - a refusal returns -EINVAL or -ERANGE and sets *why to a non-empty
 *     phrase; the parsers that compute into locals write no output then;
 *   - what is accepted lies in its documented range and agrees with a small
 *     reference reading of the grammar, written here independently;
 *   - what is accepted survives a round trip through its formatter (or a
 *     canonical spelling) to the same value;
 *   - for the simple grammars, what the reference accepts is not refused.
 * A broken oracle prints "fuzz-cli: <case>: <what>" and the input on stderr
 * and aborts, so libFuzzer reports it and keeps the input.
 *
 *   make -C tests/fuzz run      (see tests/fuzz/Makefile)
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "status.h"
#include "tableline.h"

/* The target's limits (Documentation/dm-vdsplex.rst, "Constructor"). */
#define REGION_MIN	8u		/* sectors: 4 KiB */
#define REGION_MAX	2097152u	/* sectors: 1 GiB */
#define MAJOR_LIMIT	(1u << 12)	/* the kernel's dev_t */
#define MINOR_LIMIT	(1u << 20)

#define SENTINEL	0x5a5a5a5a5a5a5a5aULL

static const char *cur_case;
static const char *cur_input;

static void oracle_failed(const char *what, int line)
{
	const unsigned char *p;

	fprintf(stderr, "fuzz-cli: %s: %s (fuzz-cli.c:%d); input \"", cur_case, what, line);
	for (p = (const unsigned char *)cur_input; *p; p++) {
		if (isprint(*p) && *p != '"' && *p != '\\')
			fputc(*p, stderr);
		else
			fprintf(stderr, "\\x%02x", *p);
	}
	fprintf(stderr, "\"\n");
	abort();
}

#define ORACLE(cond, what) \
	do { if (!(cond)) oracle_failed(what, __LINE__); } while (0)

/* A refusal: the documented error codes and a reason. */
static void check_refusal(int r, const char *why)
{
	ORACLE(r == -EINVAL || r == -ERANGE, "refusal returns neither -EINVAL nor -ERANGE");
	ORACLE(why && *why, "refusal without a why");
}

static void check_result(int r, const char *why)
{
	if (r)
		check_refusal(r, why);
}

static bool exists_if_dev(const char *path)
{
	return !strncmp(path, "/dev/", 5);
}

/*
 * Reference readings of the grammars, written from the documentation and
 * not from the parsers' code.
 */

/* @n characters of @s: a plain decimal number that fits 64 bits? */
static bool ref_u64(const char *s, size_t n, uint64_t *v)
{
	static const char max[] = "18446744073709551615";
	size_t i, z;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	for (z = 0; z + 1 < n && s[z] == '0'; z++)
		;
	if (n - z > sizeof(max) - 1 ||
	    (n - z == sizeof(max) - 1 && strncmp(s + z, max, n - z) > 0))
		return false;
	*v = 0;
	for (i = z; i < n; i++)
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	return true;
}

static size_t digits_len(const char *s)
{
	return strspn(s, "0123456789");
}

/* "K".."E" (any case), then nothing, "B" or "iB" (any case): the shift. */
static int ref_binary_unit(const char *u)
{
	static const char letters[] = "kmgtpe";
	const char *l;

	if (!u[0] || !(l = strchr(letters, tolower((unsigned char)u[0]))))
		return -1;
	if (u[1] && strcasecmp(u + 1, "B") && strcasecmp(u + 1, "iB"))
		return -1;
	return 10 * (int)(l - letters + 1);
}

/* parse.h: a size, in bytes. */
static bool ref_size_bytes(const char *s, uint64_t *bytes)
{
	size_t n = digits_len(s);
	const char *u = s + n;
	uint64_t d;
	int shift;

	if (!ref_u64(s, n, &d))
		return false;
	if (!*u || !strcmp(u, "s") || !strcmp(u, "S"))
		shift = 9;
	else if (!strcasecmp(u, "B"))
		shift = 0;
	else if ((shift = ref_binary_unit(u)) < 0)
		return false;
	if (shift && d > (UINT64_MAX >> shift))
		return false;
	*bytes = d << shift;
	return true;
}

/* parse.h: a rate; *adaptive, *kibs. */
static bool ref_rate(const char *s, bool *adaptive, uint64_t *kibs)
{
	size_t n = digits_len(s), ul;
	char unit[64];
	uint64_t d;
	int shift = 0;

	*adaptive = !strcmp(s, "adaptive");
	if (*adaptive || !strcmp(s, "unlimited")) {
		*kibs = 0;
		return true;
	}
	if (!ref_u64(s, n, &d))
		return false;
	ul = strlen(s + n);
	if (ul >= 2 && !strcmp(s + n + ul - 2, "/s"))
		ul -= 2;
	if (ul >= sizeof(unit))
		return false;
	memcpy(unit, s + n, ul);
	unit[ul] = '\0';
	if (*unit) {
		shift = ref_binary_unit(unit);
		if (shift < 0 || shift > 30)
			return false;
		shift -= 10;
	}
	if (d > (UINT64_MAX >> shift) || (d << shift) > RATE_MAX_KIBS)
		return false;
	*kibs = d << shift;
	return true;
}

/* "MAJOR:MINOR", in the kernel's dev_t. */
static bool ref_devno(const char *s, uint32_t *ma, uint32_t *mi)
{
	const char *c = strchr(s, ':');
	uint64_t a, b;

	if (!c || !ref_u64(s, (size_t)(c - s), &a) || !ref_u64(c + 1, strlen(c + 1), &b) ||
	    a >= MAJOR_LIMIT || b >= MINOR_LIMIT)
		return false;
	*ma = (uint32_t)a;
	*mi = (uint32_t)b;
	return true;
}

/* parse.h: a new dm name. */
static bool ref_dm_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 127 && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..") && strcmp(s, "control");
}

/* The cases. */

static void case_u64(const char *text)
{
	const char *why = NULL;
	uint64_t v = SENTINEL, ref;
	int r = parse_u64(text, &v, &why);
	bool ok = ref_u64(text, strlen(text), &ref);

	check_result(r, why);
	if (r)
		ORACLE(!ok, "refused a decimal number that fits 64 bits");
	else
		ORACLE(ok && v == ref, "accepted something else than a decimal number, or misread it");
}

static void case_size_bytes(const char *text)
{
	const char *why = NULL;
	uint64_t v = SENTINEL, w, ref;
	char buf[64];
	int r = parse_size_bytes(text, &v, &why);
	bool ok = ref_size_bytes(text, &ref);

	check_result(r, why);
	if (r) {
		ORACLE(v == SENTINEL, "refusal wrote the output");
		ORACLE(!ok, "refused a valid size");
		return;
	}
	ORACLE(ok && v == ref, "accepted an invalid size, or misread it");
	snprintf(buf, sizeof(buf), "%" PRIu64 "B", v);
	ORACLE(!parse_size_bytes(buf, &w, &why) && w == v, "N B does not read back");
	if (!(v & 511)) {
		snprintf(buf, sizeof(buf), "%" PRIu64, v >> 9);
		ORACLE(!parse_size_bytes(buf, &w, &why) && w == v, "N sectors do not read back");
	}
}

static void case_size_sectors(const char *text)
{
	const char *why = NULL;
	uint64_t v = SENTINEL, w, bytes;
	char buf[64];
	int r = parse_size_sectors(text, &v, &why);
	bool ok = ref_size_bytes(text, &bytes) && !(bytes & 511);

	check_result(r, why);
	if (r) {
		ORACLE(v == SENTINEL, "refusal wrote the output");
		ORACLE(!ok, "refused a valid whole number of sectors");
		return;
	}
	ORACLE(ok && v == bytes >> 9, "accepted a size not whole sectors, or misread it");
	ORACLE(v <= UINT64_MAX / 512, "sectors overflow as bytes");
	snprintf(buf, sizeof(buf), "%" PRIu64 "s", v);
	ORACLE(!parse_size_sectors(buf, &w, &why) && w == v, "Ns does not read back");
}

static void case_region(const char *text)
{
	const char *why = NULL;
	uint64_t v = SENTINEL, w, bytes, ref = 0;
	char buf[64];
	int r = parse_region_size(text, &v, &why);
	bool ok;

	ok = ref_size_bytes(text, &bytes) && !(bytes & 511);
	if (ok)
		ref = bytes >> 9;
	ok = ok && ref >= REGION_MIN && ref <= REGION_MAX && !(ref & (ref - 1));
	check_result(r, why);
	if (r) {
		ORACLE(v == SENTINEL, "refusal wrote the output");
		ORACLE(!ok, "refused a power of two from 8 to 2097152 sectors");
		return;
	}
	ORACLE(v >= REGION_MIN && v <= REGION_MAX, "region size outside 8..2097152 sectors");
	ORACLE(!(v & (v - 1)), "region size not a power of two");
	ORACLE(ok && v == ref, "region size misread");
	snprintf(buf, sizeof(buf), "%" PRIu64 "s", v);
	ORACLE(!parse_region_size(buf, &w, &why) && w == v, "Ns does not read back");
}

static void case_rate(const char *text)
{
	const char *why = NULL;
	struct rate r, s, untouched;
	uint64_t kibs;
	bool adaptive, ok = ref_rate(text, &adaptive, &kibs);
	char buf[64];
	int ret;

	memset(&r, 0x5a, sizeof(r));
	memcpy(&untouched, &r, sizeof(r));
	ret = parse_rate(text, &r, &why);
	check_result(ret, why);
	if (ret) {
		ORACLE(!memcmp(&r, &untouched, sizeof(r)), "refusal wrote the output");
		ORACLE(!ok, "refused a valid rate");
		return;
	}
	ORACLE(r.kibs <= RATE_MAX_KIBS, "rate above its maximum");
	ORACLE(!(r.adaptive && r.kibs), "adaptive with a cap");
	ORACLE(ok && r.adaptive == adaptive && r.kibs == kibs, "accepted an invalid rate, or misread it");
	ORACLE(!rate_message(&r, buf, sizeof(buf)), "no message for the rate");
	/* the kernel message form is a rate the CLI reads back the same */
	ORACLE(!parse_rate(buf, &s, &why) && s.adaptive == r.adaptive && s.kibs == r.kibs,
	       "the message form does not read back");
	if (!r.adaptive && r.kibs) {
		strncat(buf, "K", sizeof(buf) - strlen(buf) - 1);
		ORACLE(!parse_rate(buf, &s, &why) && !s.adaptive && s.kibs == r.kibs,
		       "NK does not read back");
	}
}

static void case_index(const char *text)
{
	const char *why = NULL;
	uint32_t a = 0x5a5a5a5a, b;
	uint64_t ref;
	char buf[16];
	int r = parse_index(text, &a, &why);
	bool ok = ref_u64(text, strlen(text), &ref) && ref < VDSPLEX_MAX_EXTENTS;

	check_result(r, why);
	if (r) {
		ORACLE(a == 0x5a5a5a5a, "refusal wrote the output");
		ORACLE(!ok, "refused an index in 0..31");
		return;
	}
	ORACLE(a < VDSPLEX_MAX_EXTENTS, "index outside 0..31");
	ORACLE(ok && a == ref, "index misread");
	snprintf(buf, sizeof(buf), "%u", a);
	ORACLE(!parse_index(buf, &b, &why) && b == a, "index does not read back");
}

static void case_timeout(const char *text)
{
	const char *why = NULL;
	uint64_t ms = SENTINEL, ms2, d;
	size_t n = digits_len(text);
	char buf[32];
	int r = parse_timeout(text, &ms, &why);
	bool ok = ref_u64(text, n, &d) && (!text[n] || !strcmp(text + n, "s")) &&
		  d <= UINT64_MAX / 1000;

	check_result(r, why);
	if (r) {
		ORACLE(!ok, "refused a valid number of seconds");
		return;
	}
	ORACLE(ok && ms == d * 1000, "accepted an invalid timeout, or misread it");
	snprintf(buf, sizeof(buf), "%" PRIu64 "s", ms / 1000);
	ORACLE(!parse_timeout(buf, &ms2, &why) && ms2 == ms, "Ns does not read back");
}

static void case_dm_name(const char *text)
{
	const char *why = NULL;
	int r = parse_dm_name(text, &why);

	check_result(r, why);
	ORACLE(!r == ref_dm_name(text),
	       r ? "refused a valid dm name" : "accepted an invalid dm name");
}

static void case_devno(const char *text)
{
	const char *why = NULL;
	uint32_t ma = 0x5a5a5a5a, mi = 0x5a5a5a5a, ma2, mi2, rma, rmi;
	char buf[32];
	int r = parse_devno(text, &ma, &mi, &why);
	bool ok = ref_devno(text, &rma, &rmi);

	check_result(r, why);
	if (r) {
		ORACLE(ma == 0x5a5a5a5a && mi == 0x5a5a5a5a, "refusal wrote the output");
		ORACLE(!ok, "refused a valid MAJOR:MINOR");
		return;
	}
	ORACLE(ma < MAJOR_LIMIT && mi < MINOR_LIMIT, "device number outside the kernel's dev_t");
	ORACLE(ok && ma == rma && mi == rmi, "accepted an invalid MAJOR:MINOR, or misread it");
	snprintf(buf, sizeof(buf), "%u:%u", ma, mi);
	ORACLE(!parse_devno(buf, &ma2, &mi2, &why) && ma2 == ma && mi2 == mi,
	       "MAJOR:MINOR does not read back");
}

static void case_dev_offset(const char *text)
{
	const char *why = NULL, *colon = strrchr(text, ':');
	char dev[64], dev2[sizeof(dev)], buf[sizeof(dev) + 32];
	uint64_t off = SENTINEL, off2, rest;
	size_t n = strlen(text);
	uint32_t ma, mi;
	int r;

	memset(dev, 0x5a, sizeof(dev));
	r = parse_dev_offset(text, exists_if_dev, dev, sizeof(dev), &off, &why);
	check_result(r, why);
	if (r) {
		/* nothing to name, too long, or an offset that is not a size */
		ORACLE(!n || n >= sizeof(dev) || colon == text ||
		       (colon && isdigit((unsigned char)colon[1]) &&
			parse_size_sectors(colon + 1, &rest, NULL)),
		       "refused a device");
		return;
	}
	ORACLE(memchr(dev, '\0', sizeof(dev)) && dev[0], "device empty or not terminated");
	ORACLE(off <= UINT64_MAX / 512, "offset overflows as bytes");
	if (!strcmp(dev, text)) {
		ORACLE(off == 0, "an offset without a ':'");
		/* a ':' separates an offset unless this is a device */
		ORACLE(!colon || ref_devno(text, &ma, &mi) || exists_if_dev(text) ||
		       parse_size_sectors(colon + 1, &rest, NULL),
		       "DEV:OFFSET taken whole");
	} else {
		ORACLE(colon && strlen(dev) == (size_t)(colon - text) &&
		       !strncmp(dev, text, strlen(dev)), "device is not the text before the last ':'");
		ORACLE(!ref_devno(text, &ma, &mi) && !exists_if_dev(text),
		       "a device split at its ':'");
		ORACLE(!parse_size_sectors(colon + 1, &rest, NULL) && rest == off,
		       "offset is not the size after the last ':'");
	}
	/* DEV:Ns names the same device and offset (unless DEV:Ns exists) */
	snprintf(buf, sizeof(buf), "%s:%" PRIu64 "s", dev, off);
	if (exists_if_dev(buf))
		return;
	ORACLE(!parse_dev_offset(buf, exists_if_dev, dev2, sizeof(dev2), &off2, &why) &&
	       !strcmp(dev, dev2) && off2 == off, "DEV:Ns does not read back");
}

static void check_extent(const struct extent *e)
{
	ORACLE(e->major < MAJOR_LIMIT && e->minor < MINOR_LIMIT,
	       "device number outside the kernel's dev_t");
}

static void case_params(const char *text)
{
	struct vdsplex_params p, q;
	const char *why = NULL;
	char buf[8192];
	unsigned int i;
	int r;

	r = vdsplex_params_parse(text, &p, &why);
	check_result(r, why);
	if (r)
		return;
	ORACLE(p.nr_plexes >= 1 && p.nr_plexes <= VDSPLEX_MAX_EXTENTS, "plex count outside 1..32");
	ORACLE(p.meta[0] && memchr(p.meta, '\0', sizeof(p.meta)) && !strchr(p.meta, ' '),
	       "metadata device not one word");
	for (i = 0; i < p.nr_plexes; i++)
		check_extent(&p.plex[i]);
	ORACLE(p.extra >= text && p.extra <= text + strlen(text) && *p.extra != ' ',
	       "optional args not the rest of the line");
	/* the positionals format to a line that reads back the same */
	ORACLE(!vdsplex_params_format(&p, buf, sizeof(buf)), "an accepted table does not format");
	ORACLE(!vdsplex_params_parse(buf, &q, &why), "a formatted table is refused");
	ORACLE(!strcmp(p.meta, q.meta) && p.region_sectors == q.region_sectors &&
	       p.nr_plexes == q.nr_plexes &&
	       !memcmp(p.plex, q.plex, p.nr_plexes * sizeof(p.plex[0])) && !*q.extra,
	       "table does not read back");
	/* and with the optional args after them, those are kept verbatim */
	strncat(buf, " ", sizeof(buf) - strlen(buf) - 1);
	if (strlen(buf) + strlen(p.extra) >= sizeof(buf))
		return;
	strcat(buf, p.extra);
	ORACLE(!vdsplex_params_parse(buf, &q, &why) && !strcmp(q.extra, p.extra),
	       "optional args do not read back");
}

/* Space-separated words (the separator of dm tables). */
static unsigned int words(const char *s)
{
	unsigned int n = 0;

	for (;;) {
		s += strspn(s, " ");
		if (!*s)
			return n;
		n++;
		s += strcspn(s, " ");
	}
}

static void case_linear(const char *text)
{
	struct extent e, f;
	const char *why = NULL;
	char buf[128];
	int r;

	r = linear_params_parse(text, &e, &why);
	check_result(r, why);
	if (r)
		return;
	check_extent(&e);
	ORACLE(words(text) == 2, "not two words");
	ORACLE(!linear_params_format(&e, buf, sizeof(buf)), "an accepted extent does not format");
	ORACLE(!linear_params_parse(buf, &f, &why) && !memcmp(&e, &f, sizeof(e)),
	       "extent does not read back");
}

static bool keyword(const char *w)
{
	return *w && strspn(w, "abcdefghijklmnopqrstuvwxyz_") == strlen(w);
}

static void case_status(const char *text)
{
	struct vdsplex_status st, st2;
	const char *why = NULL;
	char buf[512];
	int r = status_parse(text, &st, &why);

	check_result(r, why);
	if (r)
		return;
	ORACLE(st.nr_plexes >= 1 && st.nr_plexes <= VDSPLEX_MAX_EXTENTS, "plex count outside 1..32");
	ORACLE(strlen(st.health) == st.nr_plexes &&
	       strspn(st.health, "AaDS") == st.nr_plexes, "health not one of A, a, D, S per plex");
	ORACLE(st.synced_regions <= st.total_regions, "more regions synced than there are");
	ORACLE(keyword(st.sync_action) && keyword(st.metadata_state), "sync action or metadata state not a word");
	/* the canonical line reads back the same */
	snprintf(buf, sizeof(buf), "%u %s %" PRIu64 "/%" PRIu64 " %s %" PRIu64 " %s %" PRIu64 " %" PRIu64,
		 st.nr_plexes, st.health, st.synced_regions, st.total_regions, st.sync_action,
		 st.mismatch_cnt, st.metadata_state, st.resync_rate_kibs, st.regions_resynced);
	ORACLE(!status_parse(buf, &st2, &why) && !memcmp(&st, &st2, sizeof(st)),
	       "status does not read back");
}

static const struct {
	const char *name;
	void (*run)(const char *text);
} cases[] = {
	{ "parse_u64", case_u64 },
	{ "parse_size_bytes", case_size_bytes },
	{ "parse_size_sectors", case_size_sectors },
	{ "parse_region_size", case_region },
	{ "parse_rate", case_rate },
	{ "parse_index", case_index },
	{ "parse_timeout", case_timeout },
	{ "parse_dm_name", case_dm_name },
	{ "parse_devno", case_devno },
	{ "parse_dev_offset", case_dev_offset },
	{ "vdsplex_params_parse", case_params },	/* both on the same text */
	{ "status_parse", case_status },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int c;
	char *text;

	if (!size)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	c = data[0] % 12;
	cur_case = cases[c].name;
	cur_input = text;
	cases[c].run(text);
	if (c == 10) {
		cur_case = "linear_params_parse";
		case_linear(text);
	}
	free(text);
	return 0;
}
