/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

void runtime_log(const struct hutch_runtime *rt, enum hutch_log_level level, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;

    if (rt == NULL || rt->log == NULL || (level == HUTCH_LOG_DEBUG && !rt->debug))
        return;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg != NULL)
        rt->log(rt->log_data, level, msg);
    free(msg);
}
