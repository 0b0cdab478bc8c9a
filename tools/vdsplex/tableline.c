// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-mapper table lines; see tableline.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "parse.h"
#include "tableline.h"

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

int vdsplex_params_format(const struct vdsplex_params *p, char *buf, size_t len)
{
	size_t used;
	unsigned int i;
	int r;

	if (!p->nr_plexes || p->nr_plexes > VDSPLEX_MAX_EXTENTS)
		return -EINVAL;
	r = vx_snprintf(buf, len, "%s %" PRIu64 " %u", p->meta[0] ? p->meta : "-",
			p->region_sectors, p->nr_plexes);
	for (i = 0; !r && i < p->nr_plexes; i++) {
		used = strlen(buf);
		r = vx_snprintf(buf + used, len - used, " %u:%u %" PRIu64,
				p->plex[i].major, p->plex[i].minor, p->plex[i].offset);
	}
	if (!r && p->nosync) {
		used = strlen(buf);
		r = vx_snprintf(buf + used, len - used, " 1 nosync");
	}
	return r;
}

int table_line_format(uint64_t start, uint64_t len, const char *type,
		      const char *params, char *buf, size_t buflen)
{
	return vx_snprintf(buf, buflen, "%" PRIu64 " %" PRIu64 " %s %s", start, len,
			   type, params);
}

/* Next space-separated word of *s into @w; advances *s.  false at the end. */
static bool next_word(const char **s, char *w, size_t wlen)
{
	const char *p = *s;
	size_t n;

	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (!n || n >= wlen)
		return false;
	memcpy(w, p, n);
	w[n] = '\0';
	*s = p + n;
	return true;
}

static int word_u64(const char **s, uint64_t *v, const char **why, const char *what)
{
	char w[32];

	if (!next_word(s, w, sizeof(w)) || parse_u64(w, v, NULL))
		return fail(why, what);
	return 0;
}

static int word_extent(const char **s, struct extent *e, const char **why)
{
	char w[DEVNAME_LEN];

	if (!next_word(s, w, sizeof(w)) ||
	    parse_devno(w, &e->major, &e->minor, NULL))
		return fail(why, "a plex device is not MAJOR:MINOR");
	return word_u64(s, &e->offset, why, "a plex offset is not a number");
}

int vdsplex_params_parse(const char *params, struct vdsplex_params *p, const char **why)
{
	const char *s = params;
	uint64_t n;
	unsigned int i;
	int r;

	memset(p, 0, sizeof(*p));
	if (!next_word(&s, p->meta, sizeof(p->meta)))
		return fail(why, "no metadata device");
	r = word_u64(&s, &p->region_sectors, why, "region size is not a number");
	if (!r)
		r = word_u64(&s, &n, why, "plex count is not a number");
	if (r)
		return r;
	if (!n || n > VDSPLEX_MAX_EXTENTS)
		return fail(why, "plex count out of range");
	p->nr_plexes = (unsigned int)n;
	for (i = 0; i < p->nr_plexes; i++) {
		r = word_extent(&s, &p->plex[i], why);
		if (r)
			return r;
	}
	while (*s == ' ')
		s++;
	p->extra = s;
	return 0;
}

int linear_params_parse(const char *params, struct extent *e, const char **why)
{
	const char *s = params;

	if (word_extent(&s, e, why))
		return fail(why, "not 'MAJOR:MINOR OFFSET'");
	while (*s == ' ')
		s++;
	return *s ? fail(why, "trailing words after the offset") : 0;
}

int linear_params_format(const struct extent *e, char *buf, size_t len)
{
	return vx_snprintf(buf, len, "%u:%u %" PRIu64, e->major, e->minor, e->offset);
}

int create_length(const struct plex_geometry *g, unsigned int n, uint64_t *len,
		  unsigned int *bad)
{
	uint64_t min = UINT64_MAX;
	uint32_t lbs = 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (g[i].offset >= g[i].dev_sectors) {
			*bad = i;
			return -ENOSPC;
		}
		if (g[i].dev_sectors - g[i].offset < min)
			min = g[i].dev_sectors - g[i].offset;
		if (g[i].lbs_sectors > lbs)
			lbs = g[i].lbs_sectors;
	}
	if (!n)
		return -EINVAL;
	min -= min % lbs;
	if (!min) {
		*bad = 0;
		for (i = 1; i < n; i++)
			if (g[i].dev_sectors - g[i].offset < g[*bad].dev_sectors - g[*bad].offset)
				*bad = i;
		return -ENOSPC;
	}
	*len = min;
	return 0;
}

static bool same_dev(const struct extent *a, const struct extent *b)
{
	return a->major == b->major && a->minor == b->minor;
}

enum segs_kind segments_classify(const struct segment *s, unsigned int n, struct extent *ext)
{
	bool contiguous = true;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!s[i].linear)
			return SEGS_NOT_LINEAR;
	if (!n)
		return SEGS_NOT_LINEAR;
	for (i = 1; i < n; i++) {
		if (!same_dev(&s[i].ext, &s[0].ext))
			return SEGS_SPANS_DISKS;
		/* Segment i continues segment i-1 on the device and in the volume. */
		if (s[i].start != s[i - 1].start + s[i - 1].len ||
		    s[i].ext.offset != s[i - 1].ext.offset + s[i - 1].len)
			contiguous = false;
	}
	if (!contiguous)
		return SEGS_NOT_CONTIGUOUS;
	*ext = s[0].ext;
	return SEGS_ONE_EXTENT;
}
