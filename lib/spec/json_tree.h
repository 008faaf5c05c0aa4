/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory JSON document, built with yajl's event parser. This is the
 * only place hutch talks to yajl: the rest of lib/spec sees these nodes.
 *
 * Limits the parser enforces, each reported with the line and column:
 * nesting deeper than JSON_TREE_MAX_DEPTH, strings or keys containing NUL,
 * and invalid UTF-8. A key that appears twice in one object keeps its last
 * value, like most JSON decoders.
 */
#ifndef HUTCH_SPEC_JSON_TREE_H
#define HUTCH_SPEC_JSON_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include <hutch/error.h>

#define JSON_TREE_MAX_DEPTH 64

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_node;

struct json_member {
    char *key;
    struct json_node *value;
};

struct json_node {
    enum json_type type;
    union {
        bool boolean;
        char *number; /* the number's text, as written */
        char *string;
        struct {
            struct json_node **items;
            size_t n, cap;
        } array;
        struct {
            struct json_member *members;
            size_t n, cap;
        } object;
    } u;
};

/* Parse `len` bytes; `origin` names the document in error messages. */
int json_tree_parse(const char *data, size_t len, const char *origin, struct json_node **out,
                    hutch_error *err);

void json_tree_free(struct json_node *node);

/* The member named `key` of an object, or NULL. */
const struct json_node *json_tree_get(const struct json_node *object, const char *key);

/* "a string", "a number", "an object", ... for messages. */
const char *json_type_name(enum json_type type);

/* Structural equality: same types, same members in any order, same numbers by value text. */
bool json_tree_equal(const struct json_node *a, const struct json_node *b);

#endif
