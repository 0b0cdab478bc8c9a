// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vdsplex INFO status line; see status.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "parse.h"
#include "status.h"

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

/* Next word of *s (at most @wlen - 1 characters) into @w. */
static bool take_word(const char **s, char *w, size_t wlen)
{
	const char *p = *s;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t\n");
	if (!n || n >= wlen)
		return false;
	memcpy(w, p, n);
	w[n] = '\0';
	*s = p + n;
	return true;
}

static bool take_u64(const char **s, uint64_t *v)
{
	char w[24];

	return take_word(s, w, sizeof(w)) && !parse_u64(w, v, NULL);
}

/* A lowercase word such as "idle" or "core"; unknown values are kept. */
static bool take_keyword(const char **s, char *w, size_t wlen)
{
	size_t i;

	if (!take_word(s, w, wlen))
		return false;
	for (i = 0; w[i]; i++)
		if (!islower((unsigned char)w[i]) && w[i] != '_')
			return false;
	return true;
}

static bool valid_health(const char *h, unsigned int n)
{
	return strlen(h) == n && strspn(h, "AaDS") == n;
}

static int parse_progress(const char **s, struct vdsplex_status *st, const char **why)
{
	char w[48], *slash;

	if (!take_word(s, w, sizeof(w)))
		return fail(why, "missing synced/total regions");
	slash = strchr(w, '/');
	if (!slash)
		return fail(why, "synced/total regions: no '/'");
	*slash = '\0';
	if (parse_u64(w, &st->synced_regions, NULL) ||
	    parse_u64(slash + 1, &st->total_regions, NULL))
		return fail(why, "synced/total regions: not numbers");
	if (st->synced_regions > st->total_regions)
		return fail(why, "synced regions exceed total regions");
	return 0;
}

int status_parse(const char *params, struct vdsplex_status *st, const char **why)
{
	const char *s = params;
	uint64_t n;
	int r;

	memset(st, 0, sizeof(*st));
	if (!s || !take_u64(&s, &n))
		return fail(why, "plex count: not a number");
	if (!n || n > VDSPLEX_MAX_EXTENTS)
		return fail(why, "plex count out of range");
	st->nr_plexes = (unsigned int)n;
	if (!take_word(&s, st->health, sizeof(st->health)) ||
	    !valid_health(st->health, st->nr_plexes))
		return fail(why, "health characters: not one of A, a, D, S per plex");
	r = parse_progress(&s, st, why);
	if (r)
		return r;
	if (!take_keyword(&s, st->sync_action, sizeof(st->sync_action)))
		return fail(why, "sync action: not a word");
	if (!take_u64(&s, &st->mismatch_cnt))
		return fail(why, "mismatch count: not a number");
	if (!take_keyword(&s, st->metadata_state, sizeof(st->metadata_state)))
		return fail(why, "metadata state: not a word");
	if (!take_u64(&s, &st->resync_rate_kibs))
		return fail(why, "resync rate: not a number");
	if (!take_u64(&s, &st->regions_resynced))
		return fail(why, "regions resynced: not a number");
	return 0;
}

bool status_all_in_sync(const struct vdsplex_status *st)
{
	size_t n = strlen(st->health);

	return n && n == st->nr_plexes && strspn(st->health, "A") == n &&
	       !strcmp(st->sync_action, "idle");
}
