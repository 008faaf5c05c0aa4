/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static bool reserve(struct strbuf *sb, size_t extra)
{
    size_t need, cap;
    char *grown;

    if (sb->failed)
        return false;
    if (extra > (size_t)-1 - sb->len - 1)
        goto fail;
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    cap = sb->cap == 0 ? 64 : sb->cap;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    grown = realloc(sb->buf, cap);
    if (grown == NULL)
        goto fail;
    sb->buf = grown;
    sb->cap = cap;
    return true;
fail:
    sb->failed = true;
    return false;
}

void strbuf_append(struct strbuf *sb, const char *data, size_t len)
{
    if (!reserve(sb, len))
        return;
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if (!reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void strbuf_truncate(struct strbuf *sb, size_t len)
{
    if (sb->buf != NULL && len < sb->len) {
        sb->len = len;
        sb->buf[len] = '\0';
    }
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->buf != NULL ? sb->buf : "";
}

char *strbuf_steal(struct strbuf *sb)
{
    char *out = NULL;

    if (!sb->failed)
        out = sb->buf != NULL ? sb->buf : strdup("");
    else
        free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
    return out;
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
}
