/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI container lifecycle: create, start, run, state, kill, delete and
 * list, as hutch-oci (and later the engine) drive it. Each call takes the
 * runtime context (where state lives, whether we are rootless, where log
 * messages go) and a container id.
 */
#ifndef HUTCH_RUNTIME_H
#define HUTCH_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/export.h>
#include <hutch/spec.h>

enum hutch_log_level {
    HUTCH_LOG_ERROR,
    HUTCH_LOG_WARNING,
    HUTCH_LOG_INFO,
    HUTCH_LOG_DEBUG,
};

struct hutch_runtime {
    const char *state_root; /* directory of per-container state (runc's --root) */
    bool rootless;          /* no privileges on the host: the caller is not root */
    bool systemd_cgroup;    /* --systemd-cgroup: cgroups are transient systemd scopes */
    bool cgroups_disabled;  /* make no cgroups (limits are refused) */
    /* Where warnings and debug messages go; may be NULL. */
    void (*log)(void *log_data, enum hutch_log_level level, const char *message);
    void *log_data;
    bool debug; /* pass debug messages to log */
    /*
     * The caller's argv, to re-execute it from a sealed copy of its executable
     * (hutch_reexec_sealed) before a container that needs it is created: one
     * without a user namespace of its own, whose pid namespace may already
     * hold processes. NULL: the caller keeps its executable out of reach itself.
     */
    char *const *reexec_argv;
};

/* The default state root: /run/hutch-oci for root; $XDG_RUNTIME_DIR/hutch-oci otherwise. */
HUTCH_API int hutch_runtime_default_root(bool rootless, char **out, hutch_error *err);

/* Refuse ids that are empty, too long, "." / "..", or hold '/' or other unsafe bytes. */
HUTCH_API int hutch_container_id_validate(const char *id, hutch_error *err);

struct hutch_create_options {
    const char *bundle;   /* directory with config.json; NULL means the current directory */
    const char *pid_file; /* written atomically with the init pid, or NULL */
    bool no_pivot;        /* move the rootfs to / and chroot instead of pivot_root */
    bool no_new_keyring;  /* keep the caller's session keyring */
    /*
     * Pass the caller's fds 3 .. 3+preserve_fds-1 to the container process.
     * With LISTEN_FDS and LISTEN_PID (ours) in the environment, systemd's
     * socket activation fds are passed too, and the process gets LISTEN_FDS
     * and LISTEN_PID (its own pid) in its environment.
     */
    unsigned int preserve_fds;
    /* process.terminal: the pty's master goes to this unix socket (runc's protocol) */
    const char *console_socket;
};

HUTCH_API int hutch_container_create(const struct hutch_runtime *rt, const char *id,
                                     const struct hutch_create_options *options, hutch_error *err);

HUTCH_API int hutch_container_start(const struct hutch_runtime *rt, const char *id,
                                    hutch_error *err);

struct hutch_run_options {
    struct hutch_create_options create;
    bool detach; /* return once the container runs */
    bool keep;   /* keep the stopped container's state instead of deleting it */
};

/*
 * create + start; in the foreground also forward SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1 and SIGUSR2 to the container process, wait for it, and
 * store its status in *exit_status (128+N when killed by signal N).
 */
HUTCH_API int hutch_container_run(const struct hutch_runtime *rt, const char *id,
                                  const struct hutch_run_options *options, int *exit_status,
                                  hutch_error *err);

enum hutch_container_status {
    HUTCH_STATUS_CREATING,
    HUTCH_STATUS_CREATED,
    HUTCH_STATUS_RUNNING,
    HUTCH_STATUS_STOPPED,
    HUTCH_STATUS_PAUSED, /* frozen by pause (the cgroup v2 freezer) */
};

HUTCH_API const char *hutch_container_status_name(enum hutch_container_status status);

struct hutch_container_state {
    char *id;
    enum hutch_container_status status;
    pid_t pid; /* 0 once stopped */
    char *bundle;
    hutch_spec_map annotations;
    int64_t created; /* nanoseconds since the epoch */
    uid_t owner;
};

HUTCH_API int hutch_container_state(const struct hutch_runtime *rt, const char *id,
                                    struct hutch_container_state *out, hutch_error *err);

/* The OCI state document of `state` (ociVersion, id, status, pid, bundle, annotations). */
HUTCH_API int hutch_container_state_json(const struct hutch_container_state *state, bool pretty,
                                         char **out, hutch_error *err);

HUTCH_API void hutch_container_state_release(struct hutch_container_state *state);

/* Every container under the state root, sorted by id. */
HUTCH_API int hutch_container_list(const struct hutch_runtime *rt,
                                   struct hutch_container_state **out, size_t *n, hutch_error *err);

/*
 * The list as runc's `list --format json` prints it: an array of state
 * objects with "created" (RFC 3339) and "owner" (a user name) added.
 */
HUTCH_API int hutch_container_list_json(const struct hutch_container_state *list, size_t n,
                                        char **out, hutch_error *err);

HUTCH_API void hutch_container_list_free(struct hutch_container_state *list, size_t n);

/*
 * The name of user `uid` from /etc/passwd (read directly, no NSS), in `buf`;
 * false, with "" in `buf`, when it has none or the name does not fit.
 */
HUTCH_API bool hutch_user_name(uid_t uid, char *buf, size_t size);

struct hutch_exec_options {
    /* The whole process (runc's process.json), or NULL: then the container's own
     * process.* with the fields below over it. */
    const char *process_file;
    char *const
            *args;   /* the program and its arguments (NULL-terminated), required without process */
    const char *cwd; /* NULL: the container's */
    char *const *env;  /* NAME=VALUE entries set over the container's (NULL-terminated), or NULL */
    const char *user;  /* "UID[:GID]", or NULL for the container's */
    char *const *caps; /* capabilities added to the bounding, effective and permitted sets */
    bool tty;          /* process.terminal */
    bool no_new_privs; /* set no_new_privs even if the container's process does not */
    const char *apparmor_profile;
    const char *selinux_label;
    /* How: in the background (return once the program runs), the pid to a file,
     * the terminal's master to this unix socket, fds 3.. passed on. */
    bool detach;
    const char *pid_file;
    const char *console_socket;
    unsigned int preserve_fds;
};

/*
 * Run another process in the container ID (created or running): it joins every
 * namespace of the container (user namespace first) and gets the process's
 * capabilities, rlimits, labels, no_new_privs and the container's seccomp
 * filter. In the foreground, signals are forwarded and *exit_status is its
 * status (128+N when killed by signal N); detached, its pid.
 */
HUTCH_API int hutch_container_exec(const struct hutch_runtime *rt, const char *id,
                                   const struct hutch_exec_options *options, int *exit_status,
                                   hutch_error *err);

/* Send `signo` to the container process, or with `all` to every process of the container. */
HUTCH_API int hutch_container_kill(const struct hutch_runtime *rt, const char *id, int signo,
                                   bool all, hutch_error *err);

/*
 * Remove a stopped (or created) container. A running one is refused unless
 * `force`, which kills it first.
 */
HUTCH_API int hutch_container_delete(const struct hutch_runtime *rt, const char *id, bool force,
                                     hutch_error *err);

/*
 * The processes of the container, in a new array in *pids (ascending; free()
 * it). Without a cgroup of its own they are found through the container's pid
 * namespace: every process in it (not those of namespaces nested inside it).
 * A container that shares its pid namespace gets only its init; a stopped
 * one an empty list.
 */
HUTCH_API int hutch_container_pids(const struct hutch_runtime *rt, const char *id, pid_t **pids,
                                   size_t *n, hutch_error *err);

/*
 * Freeze every process of a created or running container (cgroup.freeze of
 * its cgroup, waiting until the kernel says it is frozen), and thaw them. A
 * container without a cgroup of its own (a host without cgroup v2, a rootless
 * user without delegation) cannot be paused: ENOTSUP, nothing changed.
 */
HUTCH_API int hutch_container_pause(const struct hutch_runtime *rt, const char *id,
                                    hutch_error *err);
HUTCH_API int hutch_container_resume(const struct hutch_runtime *rt, const char *id,
                                     hutch_error *err);

/*
 * hutch-oci update: change the limits of a created, running or paused
 * container. `resources` holds what changes (linux.resources of the spec;
 * devices are not updated); everything is checked before anything is
 * written. `origin` names it in messages ("--resources FILE", "update").
 */
HUTCH_API int hutch_container_update(const struct hutch_runtime *rt, const char *id,
                                     const struct hutch_spec_resources *resources,
                                     const char *origin, hutch_error *err);

/* The OCI features document of this runtime (runtime-spec features.md), indented. */
HUTCH_API int hutch_runtime_features_json(char **out, hutch_error *err);

/*
 * Guard the runtime's executable against the containers it starts (the
 * CVE-2019-5736 class: a container process rewriting the binary through
 * /proc/PID/exe of a runtime process that joins it). Unless this process
 * already runs from one, copy /proc/self/exe into a sealed memfd and
 * execute that, with `argv` and the current environment. Returns 0 when
 * already running sealed; never returns after success; -1 with `err` set.
 */
HUTCH_API int hutch_reexec_sealed(char *const argv[], hutch_error *err);

#endif
