/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/error.h>

/* Used when formatting the message itself fails for lack of memory. */
static const char oom_message[] = "out of memory while reporting an error";

static void release_message(hutch_error *err)
{
    if (!err->static_msg)
        free(err->msg);
    err->msg = NULL;
    err->static_msg = false;
}

static void set_static_oom(hutch_error *err)
{
    release_message(err);
    err->msg = (char *)oom_message;
    err->static_msg = true;
}

static int normalize_code(int code)
{
    return code > 0 ? code : EIO;
}

static int set_formatted(hutch_error *err, int code, const char *suffix, const char *fmt,
                         va_list ap) HUTCH_PRINTF(4, 0);
static int set_formatted(hutch_error *err, int code, const char *suffix, const char *fmt,
                         va_list ap)
{
    char *text = NULL;
    char *msg = NULL;

    err->code = normalize_code(code);
    if (vasprintf(&text, fmt, ap) < 0) {
        set_static_oom(err);
        return -err->code;
    }
    if (suffix != NULL) {
        if (asprintf(&msg, "%s: %s", text, suffix) < 0)
            msg = NULL;
        free(text);
    } else {
        msg = text;
    }
    if (msg == NULL) {
        set_static_oom(err);
        return -err->code;
    }
    release_message(err);
    err->msg = msg;
    return -err->code;
}

int hutch_error_set(hutch_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = set_formatted(err, code, NULL, fmt, ap);
    va_end(ap);
    return ret;
}

int hutch_error_syscall(hutch_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = set_formatted(err, code, strerror(normalize_code(code)), fmt, ap);
    va_end(ap);
    return ret;
}

int hutch_error_wrap(hutch_error *err, const char *fmt, ...)
{
    char *context = NULL;
    char *msg = NULL;
    va_list ap;

    err->code = normalize_code(err->code);
    va_start(ap, fmt);
    if (vasprintf(&context, fmt, ap) < 0)
        context = NULL;
    va_end(ap);
    if (context == NULL)
        return -err->code; /* keep the inner message rather than lose it */
    if (err->msg == NULL || err->msg[0] == '\0') {
        msg = context;
    } else {
        if (asprintf(&msg, "%s: %s", context, err->msg) < 0)
            msg = NULL;
        free(context);
        if (msg == NULL)
            return -err->code;
    }
    release_message(err);
    err->msg = msg;
    return -err->code;
}

void hutch_error_clear(hutch_error *err)
{
    if (err == NULL)
        return;
    release_message(err);
    err->code = 0;
}

const char *hutch_error_message(const hutch_error *err)
{
    return err->msg != NULL ? err->msg : "";
}
