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
    const char *rootfs;        /* absolute host path */
    struct namespace_plan ns;  /* namespaces to create and to join */
    bool fast_path;            /* cloned straight into the new namespaces */
    bool init_forks;           /* pid or time namespace: the init is a grandchild */
    bool setgroups_allowed;    /* false under a single-id rootless mapping */
    uint64_t grantable_caps;   /* capabilities the container process can be given */
    bool enforce_device_rules; /* no cgroup, and the container could mknod: nodev */
    bool wait_for_scope;       /* systemd driver: wait until placed in the scope */
    bool no_pivot;
    unsigned int preserve_fds; /* fds 3.. passed on to the container process */
    unsigned int listen_fds;   /* of those, systemd socket activation's (LISTEN_FDS) */
    bool no_new_keyring;
    int sync_fd;                    /* the child's end of the sync socket */
    int listen_fd;                  /* the exec socket: never a host directory */
    int console_fd;                 /* connected --console-socket, or -1 */
    const char *bundle;             /* relative mount sources are taken from here */
    sigset_t original_mask;         /* restored before exec */
    struct seccomp_filter *seccomp; /* built by the parent, loaded last; may be NULL */
    struct lsm_plan lsm;            /* the labels that apply on this host */
    const char *id;                 /* the container's, for the state hooks read */
    int32_t host_pid;               /* the container process on the host, once recorded */
};

/* In the forked child: become the container process; never returns. */
_Noreturn void container_child_main(struct init_context *c);

/*
 * Create the container; with `for_run` the caller stays the parent (or
 * subreaper) of the container process and gets its pid, and the signals run
 * forwards stay blocked in the caller; with a terminal and no console
 * socket, it gets the pty's master in *terminal_master (else -1).
 */
int container_create(const struct hutch_runtime *rt, const char *id,
                     const struct hutch_create_options *options, bool for_run, pid_t *init_pid,
                     int *terminal_master, hutch_error *err);

/*
 * With those signals blocked: forward them to `pid` until it exits, reaping
 * every child; its status as a shell reports it (128+N for signal N).
 */
int forward_signals_until_exit(pid_t pid, int *exit_status, hutch_error *err);

/* Wait for a child, retrying on EINTR; its status, or -1. */
int wait_child(pid_t pid);

/* The signals a foreground run forwards to the container (and SIGCHLD). */
void run_signal_set(sigset_t *set);

#endif
