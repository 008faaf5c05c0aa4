/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json_writer.h"
#include "utf8.h"

void json_writer_init(struct json_writer *w, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->pretty = pretty;
}

static void misuse(struct json_writer *w, const char *what)
{
    if (w->misuse == NULL)
        w->misuse = what;
}

static void newline_indent(struct json_writer *w)
{
    if (!w->pretty)
        return;
    strbuf_putc(&w->out, '\n');
    for (int i = 0; i < w->depth; i++)
        strbuf_putc(&w->out, '\t');
}

/* Everything that starts a value: separators, indentation, and checks. */
static bool before_value(struct json_writer *w)
{
    if (w->key_pending) {
        w->key_pending = false;
        return true;
    }
    if (w->depth == 0) {
        if (w->out.len > 0) {
            misuse(w, "more than one top-level value");
            return false;
        }
        return true;
    }
    if (w->in_object[w->depth]) {
        misuse(w, "a value without a key inside an object");
        return false;
    }
    if (w->has_items[w->depth])
        strbuf_putc(&w->out, ',');
    w->has_items[w->depth] = true;
    newline_indent(w);
    return true;
}

static void begin(struct json_writer *w, bool object)
{
    if (!before_value(w))
        return;
    if (w->depth == JSON_WRITER_MAX_DEPTH) {
        misuse(w, "nesting too deep");
        return;
    }
    strbuf_putc(&w->out, object ? '{' : '[');
    w->depth++;
    w->in_object[w->depth] = object;
    w->has_items[w->depth] = false;
}

static void end(struct json_writer *w, bool object)
{
    if (w->depth == 0 || w->in_object[w->depth] != object || w->key_pending) {
        misuse(w, "unbalanced end of object or array");
        return;
    }
    w->depth--;
    if (w->has_items[w->depth + 1])
        newline_indent(w);
    strbuf_putc(&w->out, object ? '}' : ']');
}

void json_writer_begin_object(struct json_writer *w)
{
    begin(w, true);
}

void json_writer_end_object(struct json_writer *w)
{
    end(w, true);
}

void json_writer_begin_array(struct json_writer *w)
{
    begin(w, false);
}

void json_writer_end_array(struct json_writer *w)
{
    end(w, false);
}

static void put_escaped(struct json_writer *w, const char *s)
{
    size_t len = strlen(s);

    if (!hutch_utf8_valid(s, len)) {
        misuse(w, "a string that is not valid UTF-8");
        return;
    }
    strbuf_putc(&w->out, '"');
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '"':
            strbuf_puts(&w->out, "\\\"");
            break;
        case '\\':
            strbuf_puts(&w->out, "\\\\");
            break;
        case '\n':
            strbuf_puts(&w->out, "\\n");
            break;
        case '\t':
            strbuf_puts(&w->out, "\\t");
            break;
        case '\r':
            strbuf_puts(&w->out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                strbuf_printf(&w->out, "\\u%04x", c);
            else
                strbuf_putc(&w->out, (char)c);
            break;
        }
    }
    strbuf_putc(&w->out, '"');
}

void json_writer_key(struct json_writer *w, const char *key)
{
    if (w->depth == 0 || !w->in_object[w->depth] || w->key_pending) {
        misuse(w, "a key outside an object");
        return;
    }
    if (w->has_items[w->depth])
        strbuf_putc(&w->out, ',');
    w->has_items[w->depth] = true;
    newline_indent(w);
    put_escaped(w, key);
    strbuf_puts(&w->out, w->pretty ? ": " : ":");
    w->key_pending = true;
}

void json_writer_string(struct json_writer *w, const char *value)
{
    if (before_value(w))
        put_escaped(w, value);
}

void json_writer_int(struct json_writer *w, int64_t value)
{
    if (before_value(w))
        strbuf_printf(&w->out, "%" PRId64, value);
}

void json_writer_uint(struct json_writer *w, uint64_t value)
{
    if (before_value(w))
        strbuf_printf(&w->out, "%" PRIu64, value);
}

void json_writer_bool(struct json_writer *w, bool value)
{
    if (before_value(w))
        strbuf_puts(&w->out, value ? "true" : "false");
}

void json_writer_null(struct json_writer *w)
{
    if (before_value(w))
        strbuf_puts(&w->out, "null");
}

void json_writer_strings(struct json_writer *w, const char *const *list)
{
    json_writer_begin_array(w);
    for (size_t i = 0; list[i] != NULL; i++)
        json_writer_string(w, list[i]);
    json_writer_end_array(w);
}

int json_writer_finish(struct json_writer *w, char **out, size_t *len, hutch_error *err)
{
    size_t n;

    if (w->misuse == NULL && (w->depth != 0 || w->key_pending || w->out.len == 0))
        misuse(w, "an incomplete document");
    if (w->misuse != NULL) {
        int ret = hutch_error_set(err, EINVAL, "write JSON: %s", w->misuse);
        json_writer_release(w);
        return ret;
    }
    if (w->pretty)
        strbuf_putc(&w->out, '\n');
    n = w->out.len;
    *out = strbuf_steal(&w->out);
    if (*out == NULL)
        return hutch_error_set(err, ENOMEM, "write JSON: out of memory");
    if (len != NULL)
        *len = n;
    return 0;
}

void json_writer_release(struct json_writer *w)
{
    strbuf_release(&w->out);
}
