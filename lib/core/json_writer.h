/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer. Calls append to an internal buffer; misuse
 * (a value where a key is due, unbalanced containers, invalid UTF-8 in a
 * string, nesting too deep) and allocation failure are recorded and
 * reported once by json_writer_finish().
 */
#ifndef HUTCH_CORE_JSON_WRITER_H
#define HUTCH_CORE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hutch/error.h>

#include "strbuf.h"

#define JSON_WRITER_MAX_DEPTH 64

struct json_writer {
    struct strbuf out;
    bool pretty;
    int depth;
    bool in_object[JSON_WRITER_MAX_DEPTH + 1]; /* per level: object (key due) or array */
    bool has_items[JSON_WRITER_MAX_DEPTH + 1];
    bool key_pending;   /* a key was written, its value is due */
    const char *misuse; /* first misuse seen, or NULL */
};

void json_writer_init(struct json_writer *w, bool pretty);
void json_writer_begin_object(struct json_writer *w);
void json_writer_end_object(struct json_writer *w);
void json_writer_begin_array(struct json_writer *w);
void json_writer_end_array(struct json_writer *w);
void json_writer_key(struct json_writer *w, const char *key);
void json_writer_string(struct json_writer *w, const char *value);
void json_writer_int(struct json_writer *w, int64_t value);
void json_writer_uint(struct json_writer *w, uint64_t value);
void json_writer_bool(struct json_writer *w, bool value);
void json_writer_null(struct json_writer *w);
/* An array of the strings of a NULL-terminated list. */
void json_writer_strings(struct json_writer *w, const char *const *list);

/*
 * Hand out the finished document (NUL-terminated, with a final newline when
 * pretty) or fail with what went wrong. The writer is released either way.
 */
int json_writer_finish(struct json_writer *w, char **out, size_t *len, hutch_error *err);

/* Release a writer that will not be finished. */
void json_writer_release(struct json_writer *w);

#endif
