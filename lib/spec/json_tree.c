/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "../core/utf8.h"
#include "json_tree.h"

/* State of one parse: the open containers from the root down. */
struct builder {
    struct json_node *root;
    struct json_node *stack[JSON_TREE_MAX_DEPTH + 1];
    int depth;
    char *pending_key;   /* key read, value not yet */
    const char *failure; /* why a callback stopped the parse */
    bool out_of_memory;
};

static struct json_node *node_new(struct builder *b, enum json_type type)
{
    struct json_node *node = calloc(1, sizeof(*node));

    if (node == NULL) {
        b->out_of_memory = true;
        b->failure = "out of memory";
        return NULL;
    }
    node->type = type;
    return node;
}

static bool grow(void **items, size_t *cap, size_t n, size_t item_size)
{
    size_t new_cap;
    void *grown;

    if (n < *cap)
        return true;
    new_cap = *cap == 0 ? 4 : *cap * 2;
    grown = reallocarray(*items, new_cap, item_size);
    if (grown == NULL)
        return false;
    *items = grown;
    *cap = new_cap;
    return true;
}

/* Attach a finished or just-opened node to its parent (or make it the root). */
static int attach(struct builder *b, struct json_node *node)
{
    struct json_node *parent;

    if (node == NULL)
        return 0;
    if (b->depth == 0) {
        b->root = node;
        return 1;
    }
    parent = b->stack[b->depth];
    if (parent->type == JSON_ARRAY) {
        if (!grow((void **)&parent->u.array.items, &parent->u.array.cap, parent->u.array.n,
                  sizeof(struct json_node *)))
            goto oom;
        parent->u.array.items[parent->u.array.n++] = node;
        return 1;
    }
    /* A repeated key keeps the last value, as Go's encoding/json does. */
    for (size_t i = 0; i < parent->u.object.n; i++) {
        struct json_member *m = &parent->u.object.members[i];
        if (strcmp(m->key, b->pending_key) == 0) {
            json_tree_free(m->value);
            m->value = node;
            free(b->pending_key);
            b->pending_key = NULL;
            return 1;
        }
    }
    if (!grow((void **)&parent->u.object.members, &parent->u.object.cap, parent->u.object.n,
              sizeof(struct json_member)))
        goto oom;
    parent->u.object.members[parent->u.object.n].key = b->pending_key;
    parent->u.object.members[parent->u.object.n].value = node;
    parent->u.object.n++;
    b->pending_key = NULL;
    return 1;
oom:
    json_tree_free(node);
    b->out_of_memory = true;
    b->failure = "out of memory";
    return 0;
}

static char *copy_text(struct builder *b, const unsigned char *text, size_t len, bool check_nul)
{
    char *copy;

    if (check_nul && memchr(text, '\0', len) != NULL) {
        b->failure = "a string contains a NUL character (\\u0000)";
        return NULL;
    }
    if (!hutch_utf8_valid((const char *)text, len)) {
        b->failure = "invalid JSON: a string is not valid UTF-8";
        return NULL;
    }
    copy = malloc(len + 1);
    if (copy == NULL) {
        b->out_of_memory = true;
        b->failure = "out of memory";
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

static int on_null(void *ctx)
{
    struct builder *b = ctx;
    return attach(b, node_new(b, JSON_NULL));
}

static int on_boolean(void *ctx, int value)
{
    struct builder *b = ctx;
    struct json_node *node = node_new(b, JSON_BOOL);

    if (node != NULL)
        node->u.boolean = value != 0;
    return attach(b, node);
}

static int on_number(void *ctx, const char *text, size_t len)
{
    struct builder *b = ctx;
    struct json_node *node = node_new(b, JSON_NUMBER);

    if (node == NULL)
        return 0;
    node->u.number = copy_text(b, (const unsigned char *)text, len, false);
    if (node->u.number == NULL) {
        free(node);
        return 0;
    }
    return attach(b, node);
}

static int on_string(void *ctx, const unsigned char *text, size_t len)
{
    struct builder *b = ctx;
    struct json_node *node = node_new(b, JSON_STRING);

    if (node == NULL)
        return 0;
    node->u.string = copy_text(b, text, len, true);
    if (node->u.string == NULL) {
        free(node);
        return 0;
    }
    return attach(b, node);
}

static int open_container(struct builder *b, enum json_type type)
{
    struct json_node *node;

    if (b->depth == JSON_TREE_MAX_DEPTH) {
        b->failure = "nesting is deeper than 64 levels";
        return 0;
    }
    node = node_new(b, type);
    if (node == NULL || !attach(b, node))
        return 0;
    b->stack[++b->depth] = node;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, JSON_OBJECT);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    struct builder *b = ctx;

    free(b->pending_key);
    b->pending_key = copy_text(b, key, len, true);
    return b->pending_key != NULL;
}

static int on_end_container(void *ctx)
{
    struct builder *b = ctx;

    b->depth--;
    return 1;
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, JSON_ARRAY);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_container,
};

/* Line and column (both from 1) of the byte at `index`; `len` means just past the end. */
static void position(const char *data, size_t len, size_t index, size_t *line, size_t *column)
{
    size_t line_start = 0;

    *line = 1;
    if (index > len)
        index = len;
    for (size_t i = 0; i < index; i++) {
        if (data[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    }
    *column = index - line_start + 1;
}

/* yajl's own wording, first line only, without its trailing whitespace and period. */
static char *yajl_reason(yajl_handle h)
{
    unsigned char *text = yajl_get_error(h, 0, NULL, 0);
    char *reason;
    size_t n;

    if (text == NULL)
        return NULL;
    n = strcspn((const char *)text, "\n");
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '.'))
        n--;
    reason = strndup((const char *)text, n);
    yajl_free_error(h, text);
    return reason;
}

/*
 * Where the offending byte is, from yajl's count of bytes consumed, which
 * means different things for different errors (measured against yajl 2.1):
 * most lexical errors stop before the bad byte, two take it; token errors
 * stop after the unexpected token; "I expect ','" after a value stops
 * somewhere inside the token that came instead; trailing garbage may have
 * had its first bytes taken.
 */
static size_t error_index(const char *data, size_t len, size_t consumed, const char *reason)
{
    size_t i = consumed;

    if (reason == NULL)
        return i > 0 ? i - 1 : 0;
    if (strncmp(reason, "lexical error", 13) == 0) {
        /* the bad byte was taken for these two, not for the others */
        if (i > 0 && (strstr(reason, "invalid char in json text") != NULL ||
                      strstr(reason, "invalid bytes in UTF8 string") != NULL))
            return i - 1;
        return i;
    }
    if (strstr(reason, "I expect") != NULL) {
        /* yajl stops somewhere inside the unexpected token: go back to its start */
        size_t j = i < len ? i : len;
        while (j > 0 && strchr(" \t\r\n,:[{", data[j - 1]) == NULL)
            j--;
        return j;
    }
    if (strstr(reason, "trailing garbage") != NULL) {
        /* back to the first byte of the garbage, which yajl may have taken */
        while (i > 0 && strchr(" \t\r\n}]", data[i - 1]) == NULL)
            i--;
        return i;
    }
    return i > 0 ? i - 1 : 0;
}

/*
 * yajl decodes an unpaired UTF-16 surrogate escape (\ud800) into a wrong
 * character instead of refusing it. Find the first one: a high surrogate not
 * followed by a low one, or a low one alone. Returns its index, or len.
 */
static size_t find_lone_surrogate(const char *data, size_t len)
{
    bool in_string = false;
    size_t high = len; /* index of a high surrogate waiting for its low half */

    for (size_t i = 0; i < len; i++) {
        unsigned value = 0;

        if (!in_string) {
            in_string = data[i] == '"';
            continue;
        }
        if (data[i] == '\\' && i + 1 < len && data[i + 1] == 'u') {
            if (i + 6 > len || sscanf(data + i + 2, "%4x", &value) != 1)
                return len; /* not a complete escape: yajl reports it */
            if (high < len && !(value >= 0xDC00 && value <= 0xDFFF))
                return high;
            if (high == len && value >= 0xDC00 && value <= 0xDFFF)
                return i;
            high = value >= 0xD800 && value <= 0xDBFF ? i : len;
            i += 5;
            continue;
        }
        if (high < len)
            return high;
        if (data[i] == '\\')
            i++;
        else if (data[i] == '"')
            in_string = false;
    }
    return high;
}

int json_tree_parse(const char *data, size_t len, const char *origin, struct json_node **out,
                    hutch_error *err)
{
    struct builder b = { 0 };
    size_t surrogate, line, column;
    yajl_handle h;
    yajl_status status;
    int ret = 0;

    surrogate = find_lone_surrogate(data, len);
    if (surrogate < len) {
        position(data, len, surrogate, &line, &column);
        return hutch_error_set(err, EINVAL,
                               "%s:%zu:%zu: invalid JSON: a \\u escape is an unpaired UTF-16 "
                               "surrogate",
                               origin, line, column);
    }
    h = yajl_alloc(&callbacks, NULL, &b);
    if (h == NULL)
        return hutch_error_set(err, ENOMEM, "%s: out of memory", origin);
    status = yajl_parse(h, (const unsigned char *)data, len);
    if (status != yajl_status_ok) {
        size_t consumed = yajl_get_bytes_consumed(h);
        char *reason = b.failure == NULL ? yajl_reason(h) : NULL;

        if (b.out_of_memory) {
            ret = hutch_error_set(err, ENOMEM, "%s: out of memory", origin);
        } else if (b.failure != NULL) {
            position(data, len, consumed > 0 ? consumed - 1 : 0, &line, &column);
            ret = hutch_error_set(err, EINVAL, "%s:%zu:%zu: %s", origin, line, column, b.failure);
        } else {
            position(data, len, error_index(data, len, consumed, reason), &line, &column);
            ret = hutch_error_set(err, EINVAL, "%s:%zu:%zu: invalid JSON: %s", origin, line, column,
                                  reason != NULL ? reason : "parse error");
        }
        free(reason);
    } else if (yajl_complete_parse(h) != yajl_status_ok) {
        /* all of the input was taken, and a value is still open: it was cut short */
        position(data, len, len, &line, &column);
        ret = hutch_error_set(err, EINVAL, "%s:%zu:%zu: invalid JSON: unexpected end of input",
                              origin, line, column);
    }
    if (ret < 0) {
        json_tree_free(b.root);
        b.root = NULL;
    }
    free(b.pending_key);
    yajl_free(h);
    if (ret == 0)
        *out = b.root;
    return ret;
}

void json_tree_free(struct json_node *node)
{
    if (node == NULL)
        return;
    switch (node->type) {
    case JSON_NUMBER:
        free(node->u.number);
        break;
    case JSON_STRING:
        free(node->u.string);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < node->u.array.n; i++)
            json_tree_free(node->u.array.items[i]);
        free(node->u.array.items);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < node->u.object.n; i++) {
            free(node->u.object.members[i].key);
            json_tree_free(node->u.object.members[i].value);
        }
        free(node->u.object.members);
        break;
    case JSON_NULL:
    case JSON_BOOL:
    default:
        break;
    }
    free(node);
}

const struct json_node *json_tree_get(const struct json_node *object, const char *key)
{
    if (object == NULL || object->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->u.object.n; i++)
        if (strcmp(object->u.object.members[i].key, key) == 0)
            return object->u.object.members[i].value;
    return NULL;
}

const char *json_type_name(enum json_type type)
{
    switch (type) {
    case JSON_NULL:
        return "null";
    case JSON_BOOL:
        return "a boolean";
    case JSON_NUMBER:
        return "a number";
    case JSON_STRING:
        return "a string";
    case JSON_ARRAY:
        return "an array";
    case JSON_OBJECT:
        return "an object";
    default:
        return "an unknown value";
    }
}

bool json_tree_equal(const struct json_node *a, const struct json_node *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JSON_NULL:
        return true;
    case JSON_BOOL:
        return a->u.boolean == b->u.boolean;
    case JSON_NUMBER:
        return strcmp(a->u.number, b->u.number) == 0;
    case JSON_STRING:
        return strcmp(a->u.string, b->u.string) == 0;
    case JSON_ARRAY:
        if (a->u.array.n != b->u.array.n)
            return false;
        for (size_t i = 0; i < a->u.array.n; i++)
            if (!json_tree_equal(a->u.array.items[i], b->u.array.items[i]))
                return false;
        return true;
    case JSON_OBJECT:
        if (a->u.object.n != b->u.object.n)
            return false;
        for (size_t i = 0; i < a->u.object.n; i++) {
            const struct json_member *m = &a->u.object.members[i];
            if (!json_tree_equal(m->value, json_tree_get(b, m->key)))
                return false;
        }
        return true;
    default:
        return false;
    }
}
