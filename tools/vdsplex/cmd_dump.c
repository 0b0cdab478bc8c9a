// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdsplex dump-metadata DEV [--json]: what a metadata device holds, checked
 * as the module checks it: the superblock, each plex record with its sync
 * progress, and the regions the write-intent log and the discard map hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "common.h"
#include "mdread.h"
#include "output.h"

static struct json_object *dump_json(const char *dev, const struct md_info *m)
{
	struct json_object *doc = json_object_new_object(), *arr;
	char uuid[33];
	unsigned int i;

	json_add_str(doc, "device", dev);
	json_add_bool(doc, "blank", m->blank);
	if (m->blank)
		return doc;
	for (i = 0; i < 16; i++)
		snprintf(uuid + 2 * i, 3, "%02x", m->uuid[i]);
	json_add_u64(doc, "version", m->version);
	json_add_bool(doc, "clean", m->clean);
	json_add_str(doc, "uuid", uuid);
	json_add_u64(doc, "generation", m->generation);
	json_add_u64(doc, "volume_sectors", m->volume_sectors);
	json_add_u64(doc, "region_size", m->region_size);
	json_add_u64(doc, "nr_regions", m->nr_regions);
	json_add_u64(doc, "resync_cursor", m->resync_cursor);
	json_add_u64(doc, "next_plex_id", m->next_plex_id);
	json_add_u64(doc, "metadata_blocks", m->blocks);
	json_add_u64(doc, "dirty_regions", m->dirty);
	json_add_u64(doc, "discarded_regions", m->discarded);
	json_add_bool(doc, "table_newer", m->table_newer);
	arr = json_object_new_array();
	for (i = 0; i < m->nr_plexes; i++) {
		const struct md_plex_info *p = &m->plex[i];
		struct json_object *o = json_object_new_object();

		json_add_u64(o, "slot", p->slot);
		json_add_u64(o, "id", p->id);
		json_add_str(o, "state", md_state_name(p->state));
		json_add_u64(o, "major", p->major);
		json_add_u64(o, "minor", p->minor);
		json_add_u64(o, "offset", p->offset);
		json_add_u64(o, "dev_sectors", p->dev_sectors);
		json_add_u64(o, "in_sync_regions", p->in_sync);
		json_add_u64(o, "checkpoint", p->checkpoint);
		json_add_u64(o, "read_errors", p->read_errors);
		json_add_u64(o, "write_errors", p->write_errors);
		json_add_bool(o, "added", p->added);
		json_add_bool(o, "write_mostly", p->write_mostly);
		json_add_str(o, "identity", p->identity[0] ? p->identity : NULL);
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "plexes", arr);
	return doc;
}

static const struct column dump_cols[] = {
	{ "SLOT", true }, { "ID", true }, { "STATE", false }, { "DEVICE", false },
	{ "OFFSET", true }, { "SECTORS", true }, { "IN-SYNC", true }, { "ERR(R/W)", true },
	{ "FLAGS", false }, { "IDENTITY", false },
};

static int dump_text(const char *dev, const struct md_info *m)
{
	struct table *t;
	unsigned int i;

	if (m->blank) {
		printf("%s: blank (block 0 is all zero): no vdsplex metadata yet\n", dev);
		return EXIT_OK;
	}
	printf("%s: vdsplex metadata version %u, %s, generation %llu\n", dev, m->version,
	       m->clean ? "clean" : "not clean (in use, or an unclean shutdown)",
	       (unsigned long long)m->generation);
	printf("volume: %llu sectors in %llu regions of %u sectors; resync checkpoint %llu\n",
	       (unsigned long long)m->volume_sectors, (unsigned long long)m->nr_regions,
	       m->region_size, (unsigned long long)m->resync_cursor);
	printf("write-intent log: %llu regions dirty; discarded: %llu regions\n",
	       (unsigned long long)m->dirty, (unsigned long long)m->discarded);
	printf("plexes: %u recorded, next id %llu; %llu metadata blocks\n", m->nr_plexes,
	       (unsigned long long)m->next_plex_id, (unsigned long long)m->blocks);
	if (m->table_newer)
		printf("note: a commit was cut short after the plex table: the table (generation %llu) is newer than the superblock and is used, as the module does\n",
		       (unsigned long long)m->generation);
	t = table_new(dump_cols, ARRAY_SIZE(dump_cols));
	if (!t) {
		vx_err("out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < m->nr_plexes; i++) {
		const struct md_plex_info *p = &m->plex[i];

		table_cellf(t, "%u", p->slot);
		table_cellf(t, "%llu", (unsigned long long)p->id);
		table_cell(t, md_state_name(p->state));
		table_cellf(t, "%u:%u", p->major, p->minor);
		table_cellf(t, "%llu", (unsigned long long)p->offset);
		table_cellf(t, "%llu", (unsigned long long)p->dev_sectors);
		table_cellf(t, "%llu/%llu", (unsigned long long)p->in_sync,
			    (unsigned long long)m->nr_regions);
		table_cellf(t, "%u/%u", p->read_errors, p->write_errors);
		table_cellf(t, "%s%s%s", p->added ? "added" : "",
			    p->added && p->write_mostly ? "," : "",
			    p->write_mostly ? "write_mostly" : (p->added ? "" : "-"));
		table_cell(t, p->identity[0] ? p->identity : "-");
	}
	table_print(t, stdout);
	table_free(t);
	return EXIT_OK;
}

int cmd_dump_metadata(const struct cmd_args *a)
{
	struct md_info *m;
	char err[512];
	int fd, r;

	fd = open(a->volume, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vx_err("%s: %s", a->volume, strerror(errno));
		return EXIT_FAIL;
	}
	/* the module writes through dm-bufio: read past the page cache */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	m = calloc(1, sizeof(*m));
	if (!m) {
		close(fd);
		vx_err("out of memory");
		return EXIT_FAIL;
	}
	r = md_read(fd, m, err, sizeof(err));
	close(fd);
	if (r) {
		vx_err("%s: not valid vdsplex metadata: %s", a->volume, err);
		free(m);
		return EXIT_FAIL;
	}
	if (a->json) {
		struct json_object *doc = dump_json(a->volume, m);

		r = json_print(doc, stdout) ? EXIT_FAIL : EXIT_OK;
		json_object_put(doc);
	} else {
		r = dump_text(a->volume, m);
	}
	free(m);
	return r;
}
