/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_SIGNALS_H
#define HUTCH_SIGNALS_H

#include <hutch/error.h>
#include <hutch/export.h>

/*
 * Parse a signal as `kill` commands take it: a name with or without "SIG"
 * in any case ("TERM", "SIGTERM", "sigkill"), a real-time signal relative to
 * its ends ("RTMIN+2", "SIGRTMAX-1"), or a number (1 to SIGRTMAX).
 */
HUTCH_API int hutch_signal_parse(const char *text, int *signo, hutch_error *err);

/* "SIGTERM" for 15; "SIGRTMIN+2" for real-time signals; NULL when out of range. */
HUTCH_API const char *hutch_signal_name(int signo);

#endif
