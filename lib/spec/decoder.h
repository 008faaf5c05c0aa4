/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding a JSON tree into the spec structs, with the JSON path of the
 * value at hand kept for messages: "config.json: process.args[1]: ...".
 */
#ifndef HUTCH_SPEC_DECODER_H
#define HUTCH_SPEC_DECODER_H

#include <hutch/error.h>
#include <hutch/export.h>

#include "../core/strbuf.h"
#include "json_tree.h"
#include "schema.h"

struct decoder {
    const char *origin;
    struct strbuf path;
    hutch_error *err;
};

/* Fail with "<origin>: <path>: <message>"; returns -EINVAL. */
int decoder_fail(struct decoder *d, const char *fmt, ...) HUTCH_PRINTF(2, 3);

/*
 * A value quoted for a message: escaped, cut to 48 bytes with "..." after
 * the closing quote when longer. Returns buf.
 */
const char *spec_quote(char *buf, size_t size, const char *value);

/* Size of a buffer that holds any spec_quote() result. */
#define SPEC_QUOTE_SIZE 256

/* Descend into a member or an element; returns the mark to pop back to. */
size_t decoder_push_key(struct decoder *d, const char *key);
size_t decoder_push_index(struct decoder *d, size_t index);
void decoder_pop(struct decoder *d, size_t mark);

/* Decode `node` of type `type` into `slot`. On failure `slot` holds what was built so far. */
int decode_value(struct decoder *d, const struct value_type *type, const struct json_node *node,
                 void *slot);

#endif
