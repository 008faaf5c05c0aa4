/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The file descriptors a process that enters a container may keep. */
#ifndef HUTCH_RUNTIME_FDS_H
#define HUTCH_RUNTIME_FDS_H

#include <stddef.h>

#include <hutch/error.h>

/*
 * Close every inherited fd from `first` on but `keep` (at most 8): nothing
 * of the caller's (a directory above all, which a cwd of /proc/self/fd/N
 * would walk out of) may be reachable while the config and the image steer
 * this process. `first` is 3, or above the fds passed on (--preserve-fds).
 */
int close_inherited_fds(unsigned int first, const int *keep, size_t n, hutch_error *err);

#endif
