/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../spec/names.h"
#include "process.h"
#include "seccomp.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int process_set_rlimits(const struct hutch_spec_process *p, hutch_error *err)
{
    for (size_t i = 0; i < p->rlimits.n; i++) {
        const struct hutch_spec_rlimit *r = &p->rlimits.items[i];
        int resource = spec_name_index(spec_rlimit_names, r->type);
        struct rlimit limit = { .rlim_cur = r->soft, .rlim_max = r->hard };

        if (resource < 0)
            return hutch_error_set(err, EINVAL, "process.rlimits[%zu]: unknown rlimit %s", i,
                                   r->type);
        if (setrlimit(resource, &limit) < 0) {
            struct rlimit now = { 0, 0 };
            getrlimit(resource, &now);
            return hutch_error_syscall(err, errno,
                                       "process.rlimits[%zu]: set %s to soft %" PRIu64
                                       " hard %" PRIu64 " (the hard limit now is %llu; raising "
                                       "it needs CAP_SYS_RESOURCE)",
                                       i, r->type, r->soft, r->hard,
                                       (unsigned long long)now.rlim_max);
        }
    }
    return 0;
}

int process_check_user(const struct hutch_spec_process *p, bool setgroups_allowed, hutch_error *err)
{
    if (!setgroups_allowed && p->user.additional_gids.n > 0)
        return hutch_error_set(err, EPERM,
                               "process.user.additionalGids: supplementary groups need a gid "
                               "mapping through newgidmap; with a single-id mapping setgroups "
                               "is denied");
    return 0;
}

int process_set_user(const struct hutch_spec_process *p, bool setgroups_allowed, hutch_error *err)
{
    const struct hutch_spec_user *u = &p->user;

    if (process_check_user(p, setgroups_allowed, err) < 0)
        return -err->code;
    if (setgroups_allowed) {
        /* in a joined user namespace setgroups may be denied: fine when none are asked for */
        if (setgroups(u->additional_gids.n, u->additional_gids.items) < 0 &&
            !(errno == EPERM && u->additional_gids.n == 0))
            return hutch_error_syscall(err, errno, "process.user.additionalGids: setgroups");
    }
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return hutch_error_syscall(err, errno, "process.user.gid: set gid %" PRIu32, u->gid);
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return hutch_error_syscall(err, errno, "process.user.uid: set uid %" PRIu32, u->uid);
    if (u->umask.set)
        umask(u->umask.value & 0777);
    return 0;
}

/* The capabilities of a set, as a bitmask (duplicates merge). */
static uint64_t capability_mask(const hutch_strings *names)
{
    uint64_t mask = 0;

    for (size_t i = 0; i < names->n; i++) {
        int cap = spec_name_index(spec_capability_names, names->items[i]);
        if (cap >= 0 && cap < 64)
            mask |= UINT64_C(1) << cap;
    }
    return mask;
}

uint64_t process_grantable_capabilities(bool own_user_namespace)
{
    int last = (int)cap_max_bits() - 1;
    uint64_t mask = 0;

    for (int cap = 0; cap <= last && cap < 64; cap++)
        /* a new user namespace starts with every capability in its bounding set */
        if (own_user_namespace || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            mask |= UINT64_C(1) << cap;
    return mask;
}

int process_check_capabilities(const struct hutch_spec_capabilities *caps, uint64_t grantable,
                               void (*warn)(void *data, const char *name, const char *why),
                               void *data)
{
    uint64_t asked, left;
    int last = (int)cap_max_bits() - 1;

    if (caps == NULL)
        return 0;
    asked = capability_mask(&caps->bounding) | capability_mask(&caps->effective) |
            capability_mask(&caps->permitted) | capability_mask(&caps->inheritable) |
            capability_mask(&caps->ambient);
    left = asked & ~grantable;
    for (int cap = 0; cap < 64; cap++)
        if (left & (UINT64_C(1) << cap))
            warn(data, spec_capability_names[cap],
                 cap > last ? "not known to this kernel" : "not in the caller's bounding set");
    return __builtin_popcountll(left);
}

/* The numbers in `mask` & `grantable`, into `out` (room for 64); the count. */
static int capability_list(const hutch_strings *names, uint64_t grantable, cap_value_t *out)
{
    uint64_t mask = capability_mask(names) & grantable;
    int n = 0;

    for (int cap = 0; cap < 64; cap++)
        if (mask & (UINT64_C(1) << cap))
            out[n++] = cap;
    return n;
}

int process_drop_bounding(const struct hutch_spec_capabilities *caps, hutch_error *err)
{
    static const hutch_strings none = { NULL, 0 };
    const hutch_strings *bounding = caps != NULL ? &caps->bounding : &none;
    int last = (int)cap_max_bits() - 1;
    uint64_t keep = capability_mask(bounding);

    for (int cap = 0; cap <= last; cap++) {
        if (cap < 64 && (keep & (UINT64_C(1) << cap)))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return hutch_error_syscall(err, errno, "drop capability %d from the bounding set", cap);
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return hutch_error_syscall(err, errno, "keep capabilities across the uid change");
    return 0;
}

int process_set_capabilities(const struct hutch_spec_capabilities *caps, uint64_t grantable,
                             hutch_error *err)
{
    static const hutch_strings none = { NULL, 0 };
    cap_value_t list[64];
    cap_t state = cap_init();
    int n, ret = 0;

    if (state == NULL)
        return hutch_error_syscall(err, errno, "set capabilities");
    n = capability_list(caps != NULL ? &caps->effective : &none, grantable, list);
    cap_set_flag(state, CAP_EFFECTIVE, n, list, CAP_SET);
    n = capability_list(caps != NULL ? &caps->permitted : &none, grantable, list);
    cap_set_flag(state, CAP_PERMITTED, n, list, CAP_SET);
    n = capability_list(caps != NULL ? &caps->inheritable : &none, grantable, list);
    cap_set_flag(state, CAP_INHERITABLE, n, list, CAP_SET);
    if (cap_set_proc(state) < 0)
        ret = hutch_error_syscall(err, errno,
                                  "set capabilities (effective and inheritable must be within "
                                  "permitted and bounding)");
    cap_free(state);
    if (ret < 0)
        return ret;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return hutch_error_syscall(err, errno, "reset keep-capabilities");
    n = capability_list(caps != NULL ? &caps->ambient : &none, grantable, list);
    for (int i = 0; i < n; i++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, list[i], 0, 0) < 0)
            return hutch_error_syscall(err, errno,
                                       "raise %s in the ambient set (it must be permitted and "
                                       "inheritable too)",
                                       spec_capability_names[list[i]]);
    return 0;
}

/* struct sched_attr of sched_setattr(2); glibc has no wrapper. */
struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

int process_set_scheduling(const struct hutch_spec_process *p, hutch_error *err)
{
    if (p->scheduler != NULL) {
        const struct hutch_spec_scheduler *s = p->scheduler;
        /* the spec's names are in the order of the kernel's policy numbers */
        struct sched_attr_v1 attr = {
            .size = sizeof(attr),
            .sched_policy = (uint32_t)spec_name_index(spec_scheduler_policies, s->policy),
            .sched_nice = s->nice.set ? s->nice.value : 0,
            .sched_priority = s->priority.set ? (uint32_t)s->priority.value : 0,
            .sched_runtime = s->runtime.set ? s->runtime.value : 0,
            .sched_deadline = s->deadline.set ? s->deadline.value : 0,
            .sched_period = s->period.set ? s->period.value : 0,
        };
        for (size_t i = 0; i < s->flags.n; i++)
            attr.sched_flags |= 1ull << spec_name_index(spec_scheduler_flags, s->flags.items[i]);
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
            return hutch_error_syscall(err, errno, "process.scheduler: set policy %s", s->policy);
    }
    if (p->io_priority != NULL) {
        /* IOPRIO_CLASS_RT = 1, BE = 2, IDLE = 3; the class sits above 13 bits of level */
        int klass = spec_name_index(spec_io_priority_classes, p->io_priority->klass) + 1;
        int value = (klass << 13) | p->io_priority->priority;
        if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, value) < 0)
            return hutch_error_syscall(err, errno, "process.ioPriority: set %s %d",
                                       p->io_priority->klass, (int)p->io_priority->priority);
    }
    return 0;
}

int process_set_personality(const struct hutch_spec_linux *l, hutch_error *err)
{
    unsigned long persona;

    if (l == NULL || l->personality == NULL)
        return 0;
    persona = strcmp(l->personality->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
    if (personality(persona) < 0)
        return hutch_error_syscall(err, errno, "linux.personality: set %s", l->personality->domain);
    return 0;
}

static const char *env_path(const struct hutch_spec_process *p)
{
    for (size_t i = 0; i < p->env.n; i++)
        if (strncmp(p->env.items[i], "PATH=", 5) == 0)
            return p->env.items[i] + 5;
    return DEFAULT_PATH;
}

static bool is_executable(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int process_find_program(const struct hutch_spec_process *p, char **out, hutch_error *err)
{
    const char *name = p->args.items[0];
    const char *path = env_path(p);

    if (strchr(name, '/') != NULL) {
        struct stat st;
        if (stat(name, &st) < 0)
            return hutch_error_syscall(err, errno, "exec %s", name);
        if (S_ISDIR(st.st_mode))
            return hutch_error_set(err, EACCES, "exec %s: is a directory", name);
        *out = strdup(name);
        return *out != NULL ? 0 : hutch_error_set(err, ENOMEM, "out of memory");
    }
    while (*path != '\0') {
        size_t len = strcspn(path, ":");
        char *candidate = NULL;

        if (asprintf(&candidate, "%.*s/%s", (int)len, len > 0 ? path : ".", name) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
        if (is_executable(candidate)) {
            *out = candidate;
            return 0;
        }
        free(candidate);
        path += len;
        if (*path == ':')
            path++;
    }
    return hutch_error_set(err, ENOENT, "exec %s: executable file not found in $PATH (%s)", name,
                           env_path(p));
}

/* The length of the NAME of "NAME=value" (the whole string without '='). */
static size_t env_name_length(const char *entry)
{
    const char *eq = strchr(entry, '=');

    return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

static bool env_has_name(char *const *set, size_t n, const char *entry)
{
    size_t len = env_name_length(entry);

    for (size_t i = 0; i < n; i++)
        if (env_name_length(set[i]) == len && strncmp(set[i], entry, len) == 0)
            return true;
    return false;
}

char **process_exec_env(const hutch_strings *env, char *const *over, size_t n_over)
{
    char **out = calloc(env->n + n_over + 1, sizeof(char *));
    size_t n = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < env->n; i++)
        if (!env_has_name(over, n_over, env->items[i]) &&
            !env_has_name(out, n, env->items[i])) /* the first of duplicates, as getenv() */
            out[n++] = env->items[i];
    for (size_t i = 0; i < n_over; i++)
        if (!env_has_name(over + i + 1, n_over - i - 1, over[i])) /* the last one given wins */
            out[n++] = over[i];
    return out;
}

int process_take_identity(const struct hutch_spec_process *p, bool setgroups_allowed,
                          uint64_t grantable, struct seccomp_filter *filter, hutch_error *err)
{
    /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we have it */
    if (!p->no_new_privileges && seccomp_filter_load(filter, err) < 0)
        return -err->code;
    if (process_drop_bounding(p->capabilities, err) < 0 ||
        process_set_user(p, setgroups_allowed, err) < 0 ||
        process_set_capabilities(p->capabilities, grantable, err) < 0)
        return -err->code;
    /* no_new_privs comes before the filter, and the filter as late as possible */
    if (p->no_new_privileges) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            return hutch_error_syscall(err, errno, "set no_new_privs");
        if (seccomp_filter_load(filter, err) < 0)
            return -err->code;
    }
    return 0;
}
