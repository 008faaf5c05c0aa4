/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside the container's rootfs, resolved as the container will see
 * them: symlinks and ".." never lead out of the rootfs (openat2 with
 * RESOLVE_IN_ROOT), so a link such as /data -> /etc in an image points at
 * the image's /etc, never at the host's.
 */
#ifndef HUTCH_RUNTIME_ROOTFS_PATH_H
#define HUTCH_RUNTIME_ROOTFS_PATH_H

#include <stdbool.h>

#include <hutch/error.h>

/* Open `path` inside the rootfs with `flags` (O_PATH and O_CLOEXEC are added). */
int rootfs_open(int rootfs_fd, const char *path, int flags, hutch_error *err);

/*
 * Open `path` inside the rootfs as an O_PATH fd, creating what is missing:
 * directories, and the last component as an empty file when `as_file`.
 */
int rootfs_open_or_create(int rootfs_fd, const char *path, bool as_file, hutch_error *err);

/* "/proc/self/fd/N", through which mount(2) reaches the file `fd` is open on. */
void fd_path(int fd, char *buf, size_t size);

#endif
