/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Output: aligned-column tables and JSON documents.
 */
#ifndef VDSPLEX_OUTPUT_H
#define VDSPLEX_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "common.h"

struct column {
	const char *header;
	bool right;		/* right-aligned (numbers) */
};

struct table;

/* A table with @n columns; NULL when out of memory. */
struct table *table_new(const struct column *cols, unsigned int n);
void table_free(struct table *t);

/*
 * Append a cell to the current row; a row ends after its n-th cell.
 * Return: 0, or -ENOMEM.
 */
int table_cell(struct table *t, const char *text);
int table_cellf(struct table *t, const char *fmt, ...) __printf(2, 3);

unsigned int table_rows(const struct table *t);

/*
 * Print the header and the rows, columns separated by two spaces, padded
 * to the widest cell; the last column is not padded (no trailing blanks).
 */
void table_print(const struct table *t, FILE *f);

/* JSON helpers: add a member to @obj; NULL @val gives null. */
void json_add_str(struct json_object *obj, const char *key, const char *val);
void json_add_u64(struct json_object *obj, const char *key, uint64_t val);
void json_add_int(struct json_object *obj, const char *key, int64_t val);
void json_add_bool(struct json_object *obj, const char *key, bool val);
void json_add_hresult(struct json_object *obj, const char *key, uint32_t hr);
/*
 * A string of at most @max bytes that need not end in a NUL (a NUL-padded
 * array the kernel filled); null when it is empty.
 */
void json_add_strn(struct json_object *obj, const char *key, const char *val, size_t max);

/* Print @obj as one pretty document and a newline.  Return: 0 or -EIO. */
int json_print(struct json_object *obj, FILE *f);

#endif /* VDSPLEX_OUTPUT_H */
