/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container process's own attributes, set in the init just before exec. */
#ifndef HUTCH_RUNTIME_PROCESS_H
#define HUTCH_RUNTIME_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/spec.h>

/* setrlimit() for every process.rlimits entry. */
int process_set_rlimits(const struct hutch_spec_process *p, hutch_error *err);

/* What process_set_user() would refuse, checked early (additionalGids without setgroups). */
int process_check_user(const struct hutch_spec_process *p, bool setgroups_allowed,
                       hutch_error *err);

/*
 * Groups, gid and uid of process.user, then the umask. `setgroups_allowed`
 * is false in a user namespace whose setgroups is denied (one-id mapping).
 */
int process_set_user(const struct hutch_spec_process *p, bool setgroups_allowed, hutch_error *err);

/*
 * Capabilities: the bounding set is cut before the uid changes (that needs
 * CAP_SETPCAP), the other sets are kept across the change and set after it.
 * Call process_drop_bounding() as root, then process_set_user() with
 * keep_caps, then process_set_capabilities(). An absent object means no
 * capabilities at all. Capabilities this kernel does not know are skipped.
 */
int process_drop_bounding(const struct hutch_spec_capabilities *caps, hutch_error *err);
int process_set_capabilities(const struct hutch_spec_capabilities *caps, uint64_t grantable,
                             hutch_error *err);

/*
 * The capabilities a container process can be given (a bitmask): those this
 * kernel knows, and, unless the process gets a user namespace of its own,
 * only those in the caller's bounding set.
 */
uint64_t process_grantable_capabilities(bool own_user_namespace);

/*
 * Call `warn` for each capability `caps` names that is not in `grantable`
 * (the spec: warn and skip, do not fail); the count.
 */
int process_check_capabilities(const struct hutch_spec_capabilities *caps, uint64_t grantable,
                               void (*warn)(void *data, const char *name, const char *why),
                               void *data);

struct seccomp_filter;

/*
 * The last steps before exec, in their order: the seccomp filter (first when
 * no_new_privs is not set: loading it then needs CAP_SYS_ADMIN), the bounding
 * set, process.user, the capabilities, no_new_privs and the filter.
 */
int process_take_identity(const struct hutch_spec_process *p, bool setgroups_allowed,
                          uint64_t grantable, struct seccomp_filter *filter, hutch_error *err);

/* process.scheduler (sched_setattr), process.ioPriority, linux.personality. */
int process_set_scheduling(const struct hutch_spec_process *p, hutch_error *err);
int process_set_personality(const struct hutch_spec_linux *l, hutch_error *err);

/*
 * The environment to exec with: `env` with each entry of `over` (NAME=value)
 * replacing the one of its name, or added; NULL-terminated, pointing into
 * both (free only the array). NULL without memory.
 */
char **process_exec_env(const hutch_strings *env, char *const *over, size_t n_over);

/* The program to exec: args[0] as is when it holds a '/', else found through PATH of env. */
int process_find_program(const struct hutch_spec_process *p, char **out, hutch_error *err);

#endif
