/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The processes of a container without a cgroup, found through its pid namespace. */
#ifndef HUTCH_RUNTIME_PIDS_H
#define HUTCH_RUNTIME_PIDS_H

#include <stddef.h>
#include <sys/types.h>

#include <hutch/error.h>

#include "state.h"

/*
 * Every process whose pid namespace is the one of the container's init
 * (same st_dev and st_ino of /proc/PID/ns/pid), in ascending order, in a new
 * array in *pids. An init that is gone gives an empty list.
 */
int pid_namespace_members(const struct state_record *r, pid_t **pids, size_t *n, hutch_error *err);

#endif
