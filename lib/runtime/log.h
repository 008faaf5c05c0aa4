/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages to the front end's log callback (the library never prints). */
#ifndef HUTCH_RUNTIME_LOG_H
#define HUTCH_RUNTIME_LOG_H

#include <hutch/export.h>
#include <hutch/runtime.h>

void runtime_log(const struct hutch_runtime *rt, enum hutch_log_level level, const char *fmt, ...)
        HUTCH_PRINTF(3, 4);

#define runtime_debug(rt, ...) runtime_log(rt, HUTCH_LOG_DEBUG, __VA_ARGS__)
#define runtime_warn(rt, ...)  runtime_log(rt, HUTCH_LOG_WARNING, __VA_ARGS__)

#endif
