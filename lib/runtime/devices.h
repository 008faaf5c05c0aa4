/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev of the container: the default devices (null, zero, full, random,
 * urandom, tty), linux.devices, and the usual links (/dev/fd, stdin, stdout,
 * stderr, ptmx). Nodes are made with mknod where the kernel allows it and
 * bound from the host's /dev otherwise (in a user namespace).
 */
#ifndef HUTCH_RUNTIME_DEVICES_H
#define HUTCH_RUNTIME_DEVICES_H

#include <hutch/error.h>
#include <hutch/spec.h>

int devices_create(const struct hutch_spec *spec, int rootfs_fd, hutch_error *err);

#endif
