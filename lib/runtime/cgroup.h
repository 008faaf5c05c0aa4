/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's cgroup (cgroup v2 only): whether this host can give it one,
 * where it goes (linux.cgroupsPath as runc's cgroupfs driver reads it), making
 * it with the controllers it needs, and what the lifecycle does with it
 * afterwards (kill, freeze, list, remove). Paths are absolute host paths; the
 * mount is a parameter so that the tests can use a directory laid out alike.
 */
#ifndef HUTCH_RUNTIME_CGROUP_H
#define HUTCH_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/runtime.h>
#include <hutch/spec.h>

#include "cgroup_resources.h"

#define CGROUP_MOUNT "/sys/fs/cgroup"

/* The default parent of relative and empty cgroupsPaths, under the root hutch may write. */
#define CGROUP_DEFAULT_PARENT "hutch"

/* Whether `mount` is a cgroup2 file system (a pure v2 host). */
bool cgroup_v2_mounted(const char *mount);

/* The cgroup v2 path ("/user.slice/...") in a /proc/PID/cgroup file's "0::" line. */
int cgroup_of_process(const char *proc_cgroup_file, char **out, hutch_error *err);

/*
 * The delegated subtree of `uid`: from `self` (relative to `mount`) up, the
 * highest cgroup owned by uid whose cgroup.procs and cgroup.subtree_control
 * it owns too. *out is relative to the mount, or NULL when there is none.
 */
int cgroup_delegated_root(const char *mount, const char *self, uid_t uid, char **out,
                          hutch_error *err);

/*
 * linux.cgroupsPath as runc's cgroupfs driver: absolute is under the mount;
 * relative and empty are under `top`/hutch (top: "" for the mount's root, or
 * the delegated root), empty naming the container by `id`. A ".." component
 * is refused. *out is relative to the mount, starting with '/'.
 */
int cgroup_resolve_path(const char *cgroups_path, const char *top, const char *id, char **out,
                        hutch_error *err);

/*
 * Make the cgroup `rel` (relative to `mount`) with the directories above it
 * up to `top`, and enable in every one from `top` down to its parent the
 * `needed` controllers (a controller that is not available or cannot be
 * enabled is an error naming it) and, where they can be, the `wanted` ones.
 * An existing cgroup is taken if it holds no process. *created_top is the
 * highest directory made (absolute), NULL when none was.
 */
int cgroup_make(const char *mount, const char *top, const char *rel, unsigned int needed,
                unsigned int wanted, char **created_top, hutch_error *err);

/* Signal every process of the cgroup at `path`; SIGKILL through cgroup.kill. */
int cgroup_signal_all(const char *path, int signo, hutch_error *err);

/* Kill what is left, wait until it is empty, remove it and the directories above
 * it up to `created_top` that are empty (never above it). */
int cgroup_remove(const char *path, const char *created_top, hutch_error *err);

/* cgroup.freeze, waiting for cgroup.events to say it is done. */
int cgroup_freeze(const char *path, bool frozen, hutch_error *err);
bool cgroup_is_frozen(const char *path);

/* The pids in cgroup.procs, sorted, in a new array. */
int cgroup_procs(const char *path, pid_t **pids, size_t *n, hutch_error *err);

/* What create decided and made; release with cgroup_setup_release. */
struct cgroup_setup {
    char *path;        /* the container's cgroup (absolute), NULL: none */
    char *created_top; /* the highest directory hutch made for it, or NULL */
    char *scope;       /* systemd driver: the scope unit */
    bool systemd;      /* --systemd-cgroup */
    bool rootless;
    bool devices_applied; /* the device program is attached: no nodev needed */
    int fd;               /* open on path (for CLONE_INTO_CGROUP), -1 */
    struct cgroup_writes writes;
};

#define CGROUP_SETUP_INIT                                                                          \
    {                                                                                              \
        .fd = -1                                                                                   \
    }

/*
 * Decide the container's cgroup and, with the cgroupfs driver, make it with
 * its limits and device rules, and open it. On a host or for a user without
 * what a limit needs, a container with limits is refused (naming the
 * controller and why) and one without gets no cgroup. `config` names the
 * configuration in messages.
 */
int cgroup_setup_prepare(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                         const char *config, const char *id, struct cgroup_setup *s,
                         hutch_error *err);

/*
 * Systemd driver: after the clone, while the process waits for it, the scope
 * with `pid` in it, then the limits and device rules in its cgroup.
 */
int cgroup_setup_place(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                       const char *id, pid_t pid, struct cgroup_setup *s, hutch_error *err);

/* A failed create: remove what cgroup_setup_prepare (or _place) made. */
void cgroup_setup_abort(struct cgroup_setup *s);
void cgroup_setup_release(struct cgroup_setup *s);

#endif
