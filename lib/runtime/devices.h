/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev of the container: the default devices (null, zero, full, random,
 * urandom, tty), linux.devices, and the usual links (/dev/fd, stdin, stdout,
 * stderr, ptmx). Nodes are made with mknod where the kernel allows it and
 * bound from the host's /dev otherwise (in a user namespace).
 */
#ifndef HUTCH_RUNTIME_DEVICES_H
#define HUTCH_RUNTIME_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/spec.h>

/*
 * Make the nodes and links under the rootfs open as `rootfs_fd`. With
 * `enforce_rules`, each node of an allowed device becomes a mount of its
 * own, so that devices_enforce_rules() can leave it usable.
 */
int devices_create(const struct hutch_spec *spec, int rootfs_fd, bool enforce_rules,
                   hutch_error *err);

/*
 * Whether linux.resources.devices allows every device (the last rule for
 * reading or writing all devices allows, and no deny follows; no rule at all
 * allows everything): then there is nothing to enforce.
 */
bool devices_all_allowed(const struct hutch_spec *spec);

/*
 * The device rules without a cgroup (a container that can mknod, with no
 * user namespace): every mount of the rootfs becomes nodev, then the nodes
 * made for the default devices and linux.devices (which runc allows
 * whatever the rules say) and the devpts mount get their devices back. A
 * node the container makes itself, or one of the image or of a bound host
 * directory, cannot be opened: a stricter reading of the rules than a
 * cgroup's, which could allow such a node by its numbers.
 */
int devices_enforce_rules(const struct hutch_spec *spec, int rootfs_fd, hutch_error *err);

#endif
