/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The error object of libhutch. Every function that can fail takes a
 * `hutch_error *` as its last argument, returns a negative errno value on
 * failure and fills the error. Callers add context on the way up with
 * hutch_error_wrap(); only front ends print the message. See
 * lib/core/ERRORS.md for the whole contract.
 */
#ifndef HUTCH_ERROR_H
#define HUTCH_ERROR_H

#include <stdbool.h>

#include <hutch/export.h>

typedef struct hutch_error {
    int code;  /* errno value (> 0) once set, 0 while clear */
    char *msg; /* the message; owned unless `static_msg` */
    bool static_msg;
} hutch_error;

#define HUTCH_ERROR_INIT                                                                           \
    {                                                                                              \
        0, NULL, false                                                                             \
    }

/*
 * Fill `err` with `code` and a formatted message; returns -code. A previous
 * message is released first. A code <= 0 is a bug in the caller and is
 * recorded as EIO so that the return value is always negative.
 */
HUTCH_API int hutch_error_set(hutch_error *err, int code, const char *fmt, ...) HUTCH_PRINTF(3, 4);

/* Like hutch_error_set(), and appends ": <strerror(code)>" to the message. */
HUTCH_API int hutch_error_syscall(hutch_error *err, int code, const char *fmt, ...)
        HUTCH_PRINTF(3, 4);

/* Prepend "<context>: " to the message; returns -code. */
HUTCH_API int hutch_error_wrap(hutch_error *err, const char *fmt, ...) HUTCH_PRINTF(2, 3);

/* Release the message and clear the code. Safe on a clear error. */
HUTCH_API void hutch_error_clear(hutch_error *err);

/* The message, or "" for a clear error. Valid until the error changes. */
HUTCH_API const char *hutch_error_message(const hutch_error *err);

static inline bool hutch_error_is_set(const hutch_error *err)
{
    return err->code != 0;
}

/* For hutch_autoerror: clears the error when it goes out of scope. */
#define hutch_autoerror __attribute__((cleanup(hutch_error_clear))) hutch_error

#endif
