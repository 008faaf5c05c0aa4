/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.sysctl: only settings that belong to a namespace of the container. */
#ifndef HUTCH_RUNTIME_SYSCTL_H
#define HUTCH_RUNTIME_SYSCTL_H

#include <hutch/error.h>
#include <hutch/spec.h>

/* Refuse keys that would change the host: not namespaced, or without the namespace. */
int sysctl_check(const struct hutch_spec *spec, int create_flags, hutch_error *err);

/* Write the values through /proc/sys (the caller is in the container's namespaces). */
int sysctl_apply(const struct hutch_spec *spec, hutch_error *err);

#endif
