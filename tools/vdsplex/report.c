// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reports of 'plexes' and 'status'; see report.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

const char *plex_state_name(uint32_t state)
{
	switch (state) {
	case VDSPLEX_STATE_ALIVE:
		return "alive";
	case VDSPLEX_STATE_RECOVERING:
		return "recovering";
	case VDSPLEX_STATE_STALE:
		return "stale";
	case VDSPLEX_STATE_DEAD:
		return "dead";
	default:
		return "unknown";
	}
}

unsigned int permille(uint64_t synced, uint64_t total)
{
	if (!total || synced >= total)
		return 1000;
	/* 128-bit: no overflow for any region count. */
	return (unsigned int)((unsigned __int128)synced * 1000 / total);
}

static void format_percent(char *buf, size_t len, uint64_t synced, uint64_t total)
{
	unsigned int pm = permille(synced, total);

	snprintf(buf, len, "%u.%u%%", pm / 10, pm % 10);
}

struct json_object *volume_json(const struct volume_ref *v)
{
	struct json_object *o = json_object_new_object();
	char dev[160];

	snprintf(dev, sizeof(dev), "/dev/mapper/%s", v->name);
	json_add_str(o, "name", v->name);
	json_add_str(o, "uuid", v->uuid && *v->uuid ? v->uuid : NULL);
	json_add_u64(o, "major", v->major);
	json_add_u64(o, "minor", v->minor);
	json_add_str(o, "device", dev);
	return o;
}

static struct json_object *plex_flags_json(uint32_t flags)
{
	struct json_object *a = json_object_new_array();

	if (flags & VDSPLEX_PLEX_SOURCE)
		json_object_array_add(a, json_object_new_string("source"));
	if (flags & VDSPLEX_PLEX_WRITE_MOSTLY)
		json_object_array_add(a, json_object_new_string("write_mostly"));
	if (flags & VDSPLEX_PLEX_ADDED)
		json_object_array_add(a, json_object_new_string("added"));
	return a;
}

static struct json_object *plex_json(const struct plex_row *row)
{
	const struct vdsplex_plex_info *p = &row->info;
	struct json_object *o = json_object_new_object();
	char health[2] = { (char)p->health, '\0' };
	unsigned int pm = permille(p->synced_regions, p->total_regions);

	json_add_u64(o, "index", p->index);
	json_add_u64(o, "id", p->id);
	json_add_str(o, "health", health);
	json_add_str(o, "state", plex_state_name(p->state));
	json_add_str(o, "device", row->device);
	json_add_u64(o, "major", p->major);
	json_add_u64(o, "minor", p->minor);
	json_add_u64(o, "offset_sectors", p->offset);
	json_add_u64(o, "synced_regions", p->synced_regions);
	json_add_u64(o, "total_regions", p->total_regions);
	json_object_object_add(o, "synced_percent", json_object_new_double(pm / 10.0));
	json_add_u64(o, "read_errors", p->read_errors);
	json_add_u64(o, "write_errors", p->write_errors);
	json_add_strn(o, "identity", (const char *)p->identity, VDSPLEX_IDENTITY_SIZE);
	json_object_object_add(o, "flags", plex_flags_json(p->flags));
	return o;
}

struct json_object *plexes_json(const struct volume_ref *v, uint64_t len_sectors,
				uint32_t region_sectors, const struct plex_row *rows,
				unsigned int n)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *vol = volume_json(v);
	struct json_object *arr = json_object_new_array();
	unsigned int i;

	json_add_u64(vol, "length_sectors", len_sectors);
	json_add_u64(vol, "region_size_sectors", region_sectors);
	json_add_u64(vol, "nr_plexes", n);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, plex_json(&rows[i]));
	json_object_object_add(doc, "volume", vol);
	json_object_object_add(doc, "plexes", arr);
	return doc;
}

static const struct column plex_columns[] = {
	{ "INDEX", true }, { "ID", true }, { "HEALTH", false }, { "STATE", false },
	{ "DEVICE", false }, { "OFFSET", true }, { "SYNCED", true },
	{ "READ_ERR", true }, { "WRITE_ERR", true }, { "IDENTITY", false },
};

static int plex_row_cells(struct table *t, const struct plex_row *row)
{
	const struct vdsplex_plex_info *p = &row->info;
	/* The kernel's array need not end in a NUL. */
	int id_len = (int)strnlen((const char *)p->identity, VDSPLEX_IDENTITY_SIZE);
	char pct[16];
	int r;

	format_percent(pct, sizeof(pct), p->synced_regions, p->total_regions);
	r = table_cellf(t, "%u", p->index);
	r = r ?: table_cellf(t, "%" PRIu64, (uint64_t)p->id);
	r = r ?: table_cellf(t, "%c", (char)p->health);
	r = r ?: table_cell(t, plex_state_name(p->state));
	r = r ?: table_cell(t, row->device);
	r = r ?: table_cellf(t, "%" PRIu64, (uint64_t)p->offset);
	r = r ?: table_cell(t, pct);
	r = r ?: table_cellf(t, "%" PRIu64, (uint64_t)p->read_errors);
	r = r ?: table_cellf(t, "%" PRIu64, (uint64_t)p->write_errors);
	if (id_len)
		r = r ?: table_cellf(t, "%.*s", id_len, (const char *)p->identity);
	else
		r = r ?: table_cell(t, "-");
	return r;
}

struct table *plexes_table(const struct plex_row *rows, unsigned int n)
{
	struct table *t = table_new(plex_columns, ARRAY_SIZE(plex_columns));
	unsigned int i;

	for (i = 0; t && i < n; i++) {
		if (plex_row_cells(t, &rows[i])) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

void status_fields_json(struct json_object *o, const struct vdsplex_status *st)
{
	json_add_u64(o, "nr_plexes", st->nr_plexes);
	json_add_str(o, "health", st->health);
	json_add_u64(o, "synced_regions", st->synced_regions);
	json_add_u64(o, "total_regions", st->total_regions);
	json_add_str(o, "sync_action", st->sync_action);
	json_add_u64(o, "mismatch_cnt", st->mismatch_cnt);
	json_add_str(o, "metadata_state", st->metadata_state);
	json_add_u64(o, "resync_rate_kibs", st->resync_rate_kibs);
	json_add_u64(o, "regions_resynced", st->regions_resynced);
}

struct json_object *status_json(const struct volume_ref *v, uint64_t len_sectors,
				const struct vdsplex_status *st)
{
	struct json_object *o = volume_json(v);

	json_add_u64(o, "length_sectors", len_sectors);
	status_fields_json(o, st);
	return o;
}

static const struct column status_columns[] = {
	{ "NAME", false }, { "PLEXES", true }, { "HEALTH", false }, { "SYNCED", true },
	{ "ACTION", false }, { "MISMATCH", true }, { "METADATA", false },
	{ "RATE", true }, { "RESYNCED", true },
};

struct table *status_table_new(void)
{
	return table_new(status_columns, ARRAY_SIZE(status_columns));
}

int status_table_add(struct table *t, const struct volume_ref *v,
		     const struct vdsplex_status *st)
{
	char pct[16];
	int r;

	format_percent(pct, sizeof(pct), st->synced_regions, st->total_regions);
	r = table_cell(t, v->name);
	r = r ?: table_cellf(t, "%u", st->nr_plexes);
	r = r ?: table_cell(t, st->health);
	r = r ?: table_cell(t, pct);
	r = r ?: table_cell(t, st->sync_action);
	r = r ?: table_cellf(t, "%" PRIu64, st->mismatch_cnt);
	r = r ?: table_cell(t, st->metadata_state);
	if (st->resync_rate_kibs)
		r = r ?: table_cellf(t, "%" PRIu64 "K/s", st->resync_rate_kibs);
	else
		r = r ?: table_cell(t, "-");	/* no cap */
	r = r ?: table_cellf(t, "%" PRIu64, st->regions_resynced);
	return r;
}
