/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `mounts` of a spec, made in order under the rootfs before pivot_root. */
#ifndef HUTCH_RUNTIME_MOUNTS_H
#define HUTCH_RUNTIME_MOUNTS_H

#include <hutch/error.h>
#include <hutch/spec.h>

#include "lsm.h"

/*
 * Every mount of `spec`, under the rootfs open as `rootfs_fd`; tmpfs, devpts
 * and mqueue get the SELinux mount label of `lsm`.
 */
int mounts_apply(const struct hutch_spec *spec, int rootfs_fd, const struct lsm_plan *lsm,
                 hutch_error *err);

/*
 * Remount the mount at `fd` with `flags` (MS_RDONLY, ...), keeping the
 * nosuid/nodev/noexec/rdonly/atime flags it already has unless `clear`
 * names them: in a user namespace the kernel refuses to drop them anyway.
 */
int remount_keeping_locked(int fd, unsigned long flags, unsigned long clear, const char *what,
                           hutch_error *err);

#endif
