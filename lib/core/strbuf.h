/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable string. Allocation failure is sticky: once an append fails,
 * `failed` stays set and later appends do nothing, so a builder can check
 * once at the end instead of after every append.
 */
#ifndef HUTCH_CORE_STRBUF_H
#define HUTCH_CORE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include <hutch/export.h>

struct strbuf {
    char *buf; /* NUL-terminated when not NULL */
    size_t len;
    size_t cap;
    bool failed;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void strbuf_append(struct strbuf *sb, const char *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) HUTCH_PRINTF(2, 3);
/* Cut back to `len` bytes (no-op when already shorter). */
void strbuf_truncate(struct strbuf *sb, size_t len);
/* The contents ("" when empty). */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the buffer to the caller (NULL after a failure); the strbuf is reset. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

#endif
