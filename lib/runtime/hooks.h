/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OCI hooks (config.md, "POSIX-platform Hooks"): programs run at points of
 * the lifecycle with the container's state document on their stdin. Where
 * each kind runs, and what its failure does, is up to the caller:
 *   prestart, createRuntime  hutch-oci create, after the container's mounts
 *   createContainer          the container process, after its mounts, before pivot_root
 *   startContainer           the container process, at start, before the program
 *   poststart                hutch-oci start, once the program runs
 *   poststop                 hutch-oci delete, once the container is gone
 */
#ifndef HUTCH_RUNTIME_HOOKS_H
#define HUTCH_RUNTIME_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/runtime.h>
#include <hutch/spec.h>

enum hook_kind {
    HOOK_PRESTART,
    HOOK_CREATE_RUNTIME,
    HOOK_CREATE_CONTAINER,
    HOOK_START_CONTAINER,
    HOOK_POSTSTART,
    HOOK_POSTSTOP,
};

/*
 * What the container process answers on the exec socket, besides "0" (the
 * program is being executed): startContainer hooks run now (start waits for
 * them without its usual limit: they have timeouts of their own), or an
 * error follows (lib/core/error_channel.h) and the process exits.
 */
#define START_ANSWER_HOOKS 'h'
#define START_ANSWER_ERROR 'e'

/* How many hooks of `kind` there are; `hooks` may be NULL. */
size_t hooks_count(const struct hutch_spec_hooks *hooks, enum hook_kind kind);

/* Whether create pauses after the mounts: prestart, createRuntime or createContainer hooks. */
bool hooks_after_mounts(const struct hutch_spec_hooks *hooks);

/* The state a hook reads, as `hutch-oci state` would print it at that point. */
struct hutch_container_state hooks_state(const char *id, const char *bundle,
                                         const hutch_spec_map *annotations,
                                         enum hutch_container_status status, pid_t pid);

/*
 * Run the hooks of `kind` in order, each with the state document of `state`
 * on its stdin, and stop at the first that fails: its error names it,
 * `hooks.createRuntime[0] /usr/bin/x: exited with status 3`.
 */
int hooks_run(const struct hutch_spec_hooks *hooks, enum hook_kind kind,
              const struct hutch_container_state *state, hutch_error *err);

/*
 * In the container process `pid` (as the host sees it), once start has
 * asked: the startContainer hooks of `spec`, announced to start on `conn`
 * (START_ANSWER_HOOKS), a failure sent there (START_ANSWER_ERROR). Returns
 * < 0 when the program must not run.
 */
int hooks_run_at_start(int conn, const struct hutch_spec *spec, const char *id, const char *bundle,
                       pid_t pid);

/* poststop: every hook runs, with the container stopped; a failure is a warning. */
void hooks_run_poststop(const struct hutch_runtime *rt, const struct hutch_spec_hooks *hooks,
                        const char *id, const char *bundle, const hutch_spec_map *annotations);

#endif
