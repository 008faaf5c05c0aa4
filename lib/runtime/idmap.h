/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uid_map and gid_map of a new user namespace, and the subordinate ids that allow them. */
#ifndef HUTCH_RUNTIME_IDMAP_H
#define HUTCH_RUNTIME_IDMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/spec.h>

struct subid_range {
    uint32_t start;
    uint32_t count;
};

/*
 * The ranges /etc/subuid-style `file` grants to `user` (by name or by its
 * numeric uid). A missing file gives no ranges, not an error.
 */
int subid_ranges(const char *file, const char *user, uid_t uid, struct subid_range **out, size_t *n,
                 hutch_error *err);

/*
 * Check that the caller may map `maps`: its own id (`own`), and otherwise
 * only ids from `file`. The error names the file, the user, the missing
 * range and how to add it.
 */
int idmap_check_allowed(const hutch_spec_idmaps *maps, const char *what, uint32_t own,
                        const char *file, const char *user, uid_t uid, hutch_error *err);

/* One mapping of exactly the caller's own id: writable without newuidmap. */
bool idmap_is_own_single(const hutch_spec_idmaps *maps, uint32_t own);

/*
 * Write uid_map and gid_map of process `pid`: directly as root, or for the
 * caller's own single id (setgroups then denied); through newuidmap and
 * newgidmap otherwise, after idmap_check_allowed().
 */
int idmap_write(pid_t pid, const hutch_spec_idmaps *uids, const hutch_spec_idmaps *gids,
                hutch_error *err);

#endif
