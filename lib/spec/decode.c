/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/spec.h>

#include "decoder.h"

/* Longest piece of a bad value quoted back in a message. */
#define QUOTE_MAX 48

static void append_quoted(struct strbuf *sb, const char *s)
{
    size_t i;

    strbuf_putc(sb, '"');
    for (i = 0; s[i] != '\0' && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            strbuf_printf(sb, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            strbuf_printf(sb, "\\x%02x", c);
        else
            strbuf_putc(sb, (char)c);
    }
    strbuf_putc(sb, '"');
    if (s[i] != '\0')
        strbuf_puts(sb, "...");
}

const char *spec_quote(char *buf, size_t size, const char *value)
{
    struct strbuf sb = STRBUF_INIT;

    append_quoted(&sb, value);
    snprintf(buf, size, "%s", sb.failed ? "\"...\"" : strbuf_str(&sb));
    strbuf_release(&sb);
    return buf;
}

int decoder_fail(struct decoder *d, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    int n;
    int ret;

    va_start(ap, fmt);
    n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
    if (d->path.failed)
        ret = hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
    else if (d->path.len > 0)
        ret = hutch_error_set(d->err, EINVAL, "%s: %s: %s", d->origin, strbuf_str(&d->path), text);
    else
        ret = hutch_error_set(d->err, EINVAL, "%s: %s", d->origin, text);
    free(text);
    return ret;
}

static bool is_plain_key(const char *key)
{
    if (!isalpha((unsigned char)key[0]) && key[0] != '_')
        return false;
    for (const char *p = key; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

size_t decoder_push_key(struct decoder *d, const char *key)
{
    size_t mark = d->path.len;

    if (is_plain_key(key)) {
        if (mark > 0)
            strbuf_putc(&d->path, '.');
        strbuf_puts(&d->path, key);
    } else {
        strbuf_putc(&d->path, '[');
        append_quoted(&d->path, key);
        strbuf_putc(&d->path, ']');
    }
    return mark;
}

size_t decoder_push_index(struct decoder *d, size_t index)
{
    size_t mark = d->path.len;

    strbuf_printf(&d->path, "[%zu]", index);
    return mark;
}

void decoder_pop(struct decoder *d, size_t mark)
{
    strbuf_truncate(&d->path, mark);
}

/* "expected X, found a string"; a number out of range is quoted itself. */
static int fail_expected(struct decoder *d, const char *expected, const struct json_node *node,
                         bool quote_number)
{
    struct strbuf found = STRBUF_INIT;
    int ret;

    if (node->type == JSON_NUMBER && quote_number) {
        strbuf_append(&found, node->u.number, strnlen(node->u.number, QUOTE_MAX));
        if (strlen(node->u.number) > QUOTE_MAX)
            strbuf_puts(&found, "...");
    } else {
        strbuf_puts(&found, json_type_name(node->type));
    }
    ret = decoder_fail(d, "expected %s, found %s", expected, strbuf_str(&found));
    strbuf_release(&found);
    return ret;
}

static const char *int_kind_name(enum int_kind kind)
{
    switch (kind) {
    case I_U16:
        return "an unsigned 16-bit integer";
    case I_I32:
        return "a 32-bit integer";
    case I_U32:
        return "an unsigned 32-bit integer";
    case I_I64:
        return "a 64-bit integer";
    case I_U64:
    default:
        return "an unsigned 64-bit integer";
    }
}

/* JSON integer syntax only: an optional minus and digits (no fraction or exponent). */
static bool is_integer_text(const char *text)
{
    const char *p = text[0] == '-' ? text + 1 : text;

    if (*p == '\0')
        return false;
    for (; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static int decode_int(struct decoder *d, const struct value_type *type,
                      const struct json_node *node, void *slot)
{
    const char *expected = int_kind_name(type->int_kind);
    bool is_unsigned =
            type->int_kind == I_U16 || type->int_kind == I_U32 || type->int_kind == I_U64;
    uint64_t u = 0;
    int64_t s = 0;
    char *end;

    if (node->type != JSON_NUMBER || !is_integer_text(node->u.number))
        return fail_expected(d, expected, node, true);
    errno = 0;
    if (is_unsigned) {
        if (node->u.number[0] == '-')
            return fail_expected(d, expected, node, true);
        u = strtoull(node->u.number, &end, 10);
        if (errno == ERANGE || (type->int_kind == I_U16 && u > UINT16_MAX) ||
            (type->int_kind == I_U32 && u > UINT32_MAX))
            return fail_expected(d, expected, node, true);
    } else {
        s = strtoll(node->u.number, &end, 10);
        if (errno == ERANGE || (type->int_kind == I_I32 && (s < INT32_MIN || s > INT32_MAX)))
            return fail_expected(d, expected, node, true);
    }

#define STORE(opt_type, c_type, v)                                                                 \
    do {                                                                                           \
        if (type->optional) {                                                                      \
            opt_type *o = slot;                                                                    \
            o->set = true;                                                                         \
            o->value = (c_type)(v);                                                                \
        } else {                                                                                   \
            *(c_type *)slot = (c_type)(v);                                                         \
        }                                                                                          \
    } while (0)

    switch (type->int_kind) {
    case I_U16:
        STORE(hutch_opt_u16, uint16_t, u);
        break;
    case I_I32:
        STORE(hutch_opt_i32, int32_t, s);
        break;
    case I_U32:
        STORE(hutch_opt_u32, uint32_t, u);
        break;
    case I_I64:
        STORE(hutch_opt_i64, int64_t, s);
        break;
    case I_U64:
    default:
        STORE(hutch_opt_u64, uint64_t, u);
        break;
    }
#undef STORE
    return 0;
}

static int fail_not_allowed(struct decoder *d, const struct value_type *type, const char *value)
{
    struct strbuf msg = STRBUF_INIT;
    int ret;

    if (type->allowed_what != NULL) {
        strbuf_printf(&msg, "unknown %s ", type->allowed_what);
        append_quoted(&msg, value);
        if (type->allowed[0] == NULL)
            strbuf_puts(&msg, " (none are defined)");
    } else {
        strbuf_puts(&msg, "expected one of ");
        for (size_t i = 0; type->allowed[i] != NULL; i++)
            strbuf_printf(&msg, "%s%s", i > 0 ? ", " : "", type->allowed[i]);
        strbuf_puts(&msg, "; found ");
        append_quoted(&msg, value);
    }
    ret = decoder_fail(d, "%s", strbuf_str(&msg));
    strbuf_release(&msg);
    return ret;
}

static int decode_string(struct decoder *d, const struct value_type *type,
                         const struct json_node *node, char **slot)
{
    if (node->type != JSON_STRING)
        return fail_expected(d, "a string", node, false);
    if (type->allowed != NULL) {
        size_t i;
        for (i = 0; type->allowed[i] != NULL; i++)
            if (strcmp(type->allowed[i], node->u.string) == 0)
                break;
        if (type->allowed[i] == NULL)
            return fail_not_allowed(d, type, node->u.string);
    }
    if (type->check != NULL && type->check(d, node->u.string) < 0)
        return -EINVAL;
    *slot = strdup(node->u.string);
    if (*slot == NULL)
        return hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
    return 0;
}

static int decode_fields(struct decoder *d, const struct field *fields,
                         const struct json_node *node, char *base)
{
    if (node->type != JSON_OBJECT)
        return fail_expected(d, "an object", node, false);
    for (const struct field *f = fields; f->name != NULL; f++) {
        const struct json_node *child = json_tree_get(node, f->name);
        size_t mark;
        int ret;

        /* null is taken as absent, as Go-based tools write it for unset pointers;
         * a required member that is null gets the type error below */
        if (child == NULL || (child->type == JSON_NULL && !(f->flags & F_REQUIRED))) {
            if (!(f->flags & F_REQUIRED))
                continue;
            mark = decoder_push_key(d, f->name);
            ret = decoder_fail(d, "required but missing");
            decoder_pop(d, mark);
            return ret;
        }
        mark = decoder_push_key(d, f->name);
        ret = decode_value(d, f->type, child, base + f->offset);
        decoder_pop(d, mark);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int decode_array(struct decoder *d, const struct value_type *type,
                        const struct json_node *node, void *slot)
{
    struct raw_array arr = { NULL, 0 };

    if (node->type != JSON_ARRAY)
        return fail_expected(d, "an array", node, false);
    if (node->u.array.n == 0)
        return 0;
    arr.items = calloc(node->u.array.n, type->elem_size);
    if (arr.items == NULL)
        return hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
    for (size_t i = 0; i < node->u.array.n; i++) {
        size_t mark;
        int ret;

        /* count the element first, so that a failure releases what it holds */
        arr.n = i + 1;
        raw_array_set(slot, &arr);
        mark = decoder_push_index(d, i);
        ret = decode_value(d, type->elem, node->u.array.items[i],
                           (char *)arr.items + i * type->elem_size);
        decoder_pop(d, mark);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int decode_map(struct decoder *d, const struct value_type *type,
                      const struct json_node *node, void *slot)
{
    struct raw_array arr = { NULL, 0 };

    if (node->type != JSON_OBJECT)
        return fail_expected(d, "an object", node, false);
    if (node->u.object.n == 0)
        return 0;
    arr.items = calloc(node->u.object.n, type->elem_size);
    if (arr.items == NULL)
        return hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
    for (size_t i = 0; i < node->u.object.n; i++) {
        const struct json_member *m = &node->u.object.members[i];
        char *entry = (char *)arr.items + i * type->elem_size;
        size_t mark;
        int ret = 0;

        arr.n = i + 1;
        raw_array_set(slot, &arr);
        mark = decoder_push_key(d, m->key);
        if (type->key_check != NULL)
            ret = type->key_check(d, m->key);
        if (ret == 0) {
            *(char **)entry = strdup(m->key);
            if (*(char **)entry == NULL)
                ret = hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
        }
        if (ret == 0)
            ret = decode_value(d, type->elem, m->value, entry + type->value_offset);
        decoder_pop(d, mark);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int decode_value(struct decoder *d, const struct value_type *type, const struct json_node *node,
                 void *slot)
{
    switch (type->kind) {
    case V_STRING:
        return decode_string(d, type, node, slot);
    case V_BOOL:
    case V_OPT_BOOL:
        if (node->type != JSON_BOOL)
            return fail_expected(d, "a boolean", node, false);
        if (type->kind == V_BOOL) {
            *(bool *)slot = node->u.boolean;
        } else {
            hutch_opt_bool *o = slot;
            o->set = true;
            o->value = node->u.boolean;
        }
        return 0;
    case V_INT:
        return decode_int(d, type, node, slot);
    case V_OBJECT: {
        void **ptr = slot;
        if (node->type != JSON_OBJECT)
            return fail_expected(d, "an object", node, false);
        *ptr = calloc(1, type->object_size);
        if (*ptr == NULL)
            return hutch_error_set(d->err, ENOMEM, "%s: out of memory", d->origin);
        return decode_fields(d, type->object, node, *ptr);
    }
    case V_INLINE:
        return decode_fields(d, type->object, node, slot);
    case V_ARRAY:
        return decode_array(d, type, node, slot);
    case V_MAP:
        return decode_map(d, type, node, slot);
    default:
        return hutch_error_set(d->err, EINVAL, "%s: internal error: unknown value kind", d->origin);
    }
}
