// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output: aligned-column tables and JSON documents.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "vds.h"

struct table {
	const struct column *cols;
	unsigned int nr_cols;
	unsigned int nr_cells;	/* cells[] in use: row-major */
	unsigned int room;
	char **cells;
};

struct table *table_new(const struct column *cols, unsigned int n)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cols = cols;
	t->nr_cols = n;
	return t;
}

void table_free(struct table *t)
{
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->nr_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* Take ownership of @s as the next cell. */
static int table_push(struct table *t, char *s)
{
	if (!s)
		return -ENOMEM;
	if (t->nr_cells == t->room) {
		unsigned int room = t->room ? 2 * t->room : 8 * t->nr_cols;
		char **cells = realloc(t->cells, room * sizeof(*cells));

		if (!cells) {
			free(s);
			return -ENOMEM;
		}
		t->cells = cells;
		t->room = room;
	}
	t->cells[t->nr_cells++] = s;
	return 0;
}

int table_cell(struct table *t, const char *text)
{
	return table_push(t, strdup(text ? text : "-"));
}

int table_cellf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return table_push(t, n < 0 ? NULL : s);
}

unsigned int table_rows(const struct table *t)
{
	return t->nr_cells / t->nr_cols;
}

static void print_row(const struct table *t, const char *const *cells,
		      const size_t *width, FILE *f)
{
	unsigned int c;

	for (c = 0; c < t->nr_cols; c++) {
		int w = (int)width[c];
		bool last = c + 1 == t->nr_cols;

		if (c)
			fputs("  ", f);
		if (t->cols[c].right)
			fprintf(f, "%*s", w, cells[c]);
		else if (last)
			fputs(cells[c], f);
		else
			fprintf(f, "%-*s", w, cells[c]);
	}
	fputc('\n', f);
}

void table_print(const struct table *t, FILE *f)
{
	const char *header[32] = { NULL };
	size_t width[32] = { 0 };
	unsigned int r, c, rows = table_rows(t);

	if (t->nr_cols > ARRAY_SIZE(width))
		return;
	for (c = 0; c < t->nr_cols; c++) {
		header[c] = t->cols[c].header;
		width[c] = strlen(header[c]);
		for (r = 0; r < rows; r++) {
			size_t n = strlen(t->cells[r * t->nr_cols + c]);

			if (n > width[c])
				width[c] = n;
		}
	}
	print_row(t, header, width, f);
	for (r = 0; r < rows; r++)
		print_row(t, (const char *const *)&t->cells[r * t->nr_cols], width, f);
}

void json_add_str(struct json_object *obj, const char *key, const char *val)
{
	json_object_object_add(obj, key, val ? json_object_new_string(val) : NULL);
}

void json_add_strn(struct json_object *obj, const char *key, const char *val, size_t max)
{
	size_t n = strnlen(val, max);

	json_object_object_add(obj, key, n ? json_object_new_string_len(val, (int)n) : NULL);
}

void json_add_u64(struct json_object *obj, const char *key, uint64_t val)
{
	json_object_object_add(obj, key, json_object_new_uint64(val));
}

void json_add_int(struct json_object *obj, const char *key, int64_t val)
{
	json_object_object_add(obj, key, json_object_new_int64(val));
}

void json_add_bool(struct json_object *obj, const char *key, bool val)
{
	json_object_object_add(obj, key, json_object_new_boolean(val));
}

/* {"name": "VDS_E_...", "code": "0x8004....", "value": 2147755029} */
void json_add_hresult(struct json_object *obj, const char *key, uint32_t hr)
{
	struct json_object *o = json_object_new_object();
	char hex[16];

	snprintf(hex, sizeof(hex), "0x%08X", hr);
	json_add_str(o, "name", vds_name(hr));
	json_add_str(o, "code", hex);
	json_add_u64(o, "value", hr);
	json_object_object_add(obj, key, o);
}

int json_print(struct json_object *obj, FILE *f)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s || fprintf(f, "%s\n", s) < 0)
		return -EIO;
	return 0;
}
