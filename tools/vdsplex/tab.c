// SPDX-License-Identifier: GPL-2.0-only
/*
 * /etc/vdsplextab parsing (see tab.h and vdsplextab(5)).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tab.h"

static int tab_err(char *err, size_t errlen, unsigned int line, const char *fmt, ...)
	__printf(4, 5);

static int tab_err(char *err, size_t errlen, unsigned int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(err, errlen, "line %u: ", line);
	if (n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *const read_policies[] = { "round_robin", "least_pending", "primary" };

/* One OPTIONS word @o of entry @e. */
static int tab_option(struct tab_entry *e, char *o, char *err, size_t errlen)
{
	char *val = strchr(o, '=');
	const char *why = NULL;
	uint32_t idx;
	size_t i;

	if (val)
		*val++ = '\0';
	if (!val && !strcmp(o, "noauto"))
		e->noauto = true;
	else if (!val && !strcmp(o, "nofail"))
		e->nofail = true;
	else if (!val && !strcmp(o, "nosync"))
		e->nosync = true;
	else if (!val && !strcmp(o, "initramfs"))
		e->initramfs = true;
	else if (val && !strcmp(o, "region-size")) {
		if (parse_region_size(val, &e->region_sectors, &why))
			return tab_err(err, errlen, e->line, "region-size '%s': %s", val, why);
	} else if (val && !strcmp(o, "rate")) {
		if (parse_rate(val, &e->rate, &why))
			return tab_err(err, errlen, e->line, "rate '%s': %s", val, why);
		e->rate_set = true;
	} else if (val && !strcmp(o, "read-policy")) {
		e->read_policy = NULL;
		for (i = 0; i < ARRAY_SIZE(read_policies); i++)
			if (!strcmp(val, read_policies[i]))
				e->read_policy = read_policies[i];
		if (!e->read_policy)
			return tab_err(err, errlen, e->line,
				       "read-policy '%s': not round_robin, least_pending or primary",
				       val);
	} else if (val && !strcmp(o, "write-mostly")) {
		if (parse_index(val, &idx, &why))
			return tab_err(err, errlen, e->line, "write-mostly '%s': %s", val, why);
		e->write_mostly |= 1U << idx;
	} else {
		return tab_err(err, errlen, e->line, "unknown option '%s%s%s'", o,
			       val ? "=" : "", val ? val : "");
	}
	return 0;
}

/* The fields @f[0..nf) of line @line into @e. */
static int tab_entry(struct tab_entry *e, unsigned int line, char **f, unsigned int nf,
		     char *err, size_t errlen)
{
	const char *why = NULL;
	char *tok, *save = NULL;

	memset(e, 0, sizeof(*e));
	e->line = line;
	e->region_sectors = DEFAULT_TAB_REGION_SECTORS;
	if (nf < 2)
		return tab_err(err, errlen, line, "'%s': expected NAME METADATA [PLEXES [OPTIONS]]",
			       f[0]);
	if (nf > 4)
		return tab_err(err, errlen, line, "unexpected field '%s' after OPTIONS", f[4]);
	if (parse_dm_name(f[0], &why))
		return tab_err(err, errlen, line, "NAME '%s': %s", f[0], why);
	e->name = f[0];
	e->meta = f[1];
	if (nf > 2 && strcmp(f[2], "-")) {
		for (tok = strtok_r(f[2], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (e->nr_plexes == VDSPLEX_MAX_EXTENTS)
				return tab_err(err, errlen, line, "more than %d PLEXES",
					       VDSPLEX_MAX_EXTENTS);
			e->plexes[e->nr_plexes++] = tok;
		}
		if (!e->nr_plexes)
			return tab_err(err, errlen, line, "PLEXES '%s': no device", f[2]);
	}
	if (strcmp(e->meta, "-") && e->nr_plexes)
		return tab_err(err, errlen, line,
			       "PLEXES must be '-' with a metadata device: the metadata names the plexes");
	if (!strcmp(e->meta, "-") && !e->nr_plexes)
		return tab_err(err, errlen, line,
			       "a core-mode volume (METADATA '-') needs its PLEXES");
	if (nf > 3 && strcmp(f[3], "-") && strcmp(f[3], "defaults")) {
		save = NULL;
		for (tok = strtok_r(f[3], ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (tab_option(e, tok, err, errlen))
				return -EINVAL;
	}
	/* table indices shift when a plex is missing; the metadata keeps the flag */
	if (strcmp(e->meta, "-") && e->write_mostly)
		return tab_err(err, errlen, line,
			       "write-mostly is for core-mode lines: with a metadata device the metadata records it");
	if (e->nr_plexes && (uint64_t)e->write_mostly >> e->nr_plexes)
		return tab_err(err, errlen, line, "write-mostly names a plex index past PLEXES");
	return 0;
}

int tab_parse(const char *text, struct tab *t, char *err, size_t errlen)
{
	char *line, *next, *f[5], *save, *tok;
	unsigned int lineno = 0, nf, i;
	int r;

	memset(t, 0, sizeof(*t));
	err[0] = '\0';
	t->text = strdup(text);
	if (!t->text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (line = t->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		tok = strchr(line, '#');
		if (tok)
			*tok = '\0';
		nf = 0;
		save = NULL;
		for (tok = strtok_r(line, " \t\r", &save); tok && nf < 5;
		     tok = strtok_r(NULL, " \t\r", &save))
			f[nf++] = tok;
		if (!nf)
			continue;
		if (t->n == TAB_MAX_ENTRIES) {
			snprintf(err, errlen, "line %u: more than %d volumes", lineno,
				 TAB_MAX_ENTRIES);
			return -E2BIG;
		}
		r = tab_entry(&t->e[t->n], lineno, f, nf, err, errlen);
		if (r)
			return r;
		for (i = 0; i < t->n; i++)
			if (!strcmp(t->e[i].name, t->e[t->n].name))
				return tab_err(err, errlen, lineno, "NAME '%s' again (first on line %u)",
					       t->e[i].name, t->e[i].line);
		t->n++;
	}
	return 0;
}

void tab_free(struct tab *t)
{
	free(t->text);
	t->text = NULL;
	t->n = 0;
}

const struct tab_entry *tab_find(const struct tab *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}
