/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_SYSTEMD_BUS_H
#define HUTCH_SYSTEMD_BUS_H

#include <stdbool.h>
#include <sys/types.h>

#include <hutch/error.h>

#include "runtime/cgroup_systemd.h"

/*
 * Start the transient scope `name` with `pid` in it, Delegate=yes and
 * `props`, on the system bus (the user's bus when `user`), wait for its job,
 * and return the cgroup `pid` is in then (relative to the cgroup2 mount).
 */
int bus_scope_start(bool user, const struct systemd_unit_name *name, pid_t pid,
                    const struct systemd_properties *props, char **cgroup, hutch_error *err);

/* Stop the scope and wait for its job; a scope that is gone already is no error. */
int bus_scope_stop(bool user, const char *scope, hutch_error *err);

#endif
