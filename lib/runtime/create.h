/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What create hands to the container process it forks, and the internal
 * form of create that run uses.
 */
#ifndef HUTCH_RUNTIME_CREATE_H
#define HUTCH_RUNTIME_CREATE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <hutch/runtime.h>
#include <hutch/spec.h>

#include "lsm.h"
#include "namespaces.h"
#include "seccomp.h"

struct init_context {
    const struct hutch_spec *spec;
    const char *rootfs;       /* absolute host path */
    struct namespace_plan ns; /* namespaces to create and to join */
    bool fast_path;           /* cloned straight into the new namespaces */
    bool init_forks;          /* pid or time namespace: the init is a grandchild */
    bool setgroups_allowed;   /* false under a single-id rootless mapping */
    uint64_t grantable_caps;  /* capabilities the container process can be given */
    bool needs_sealed_exe;    /* container processes might reach /proc/PID/exe of ours */
    bool no_pivot;
    bool no_new_keyring;
    int sync_fd;                    /* the child's end of the sync socket */
    int listen_fd;                  /* the exec socket: never a host directory */
    const char *bundle;             /* relative mount sources are taken from here */
    sigset_t original_mask;         /* restored before exec */
    struct seccomp_filter *seccomp; /* built by the parent, loaded last; may be NULL */
    struct lsm_plan lsm;            /* the labels that apply on this host */
};

/* In the forked child: become the container process; never returns. */
_Noreturn void container_child_main(struct init_context *c);

/*
 * Create the container; with `for_run` the caller stays the parent (or
 * subreaper) of the container process and gets its pid, and the signals run
 * forwards stay blocked in the caller.
 */
int container_create(const struct hutch_runtime *rt, const char *id,
                     const struct hutch_create_options *options, bool for_run, pid_t *init_pid,
                     hutch_error *err);

/* The signals a foreground run forwards to the container (and SIGCHLD). */
void run_signal_set(sigset_t *set);

#endif
