/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a helper program and taking its one line of output. */
#ifndef HUTCH_CORE_SPAWN_H
#define HUTCH_CORE_SPAWN_H

#include <stddef.h>

/*
 * Run argv[0] (a path, or a name looked up in $PATH) with `argv`, stdin from
 * /dev/null, stdout and stderr into one pipe and no signal blocked, and wait
 * for it. Its output up to the first newline (at most size - 1 bytes) goes
 * into `out`, NUL-terminated; the rest is read and dropped. Returns its wait
 * status, or -errno when it could not be run (-ENOENT: no such program).
 */
int hutch_spawn_output(char *const argv[], char *out, size_t size);

#endif
