/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-container state under the state root: <root>/<id>/ holds
 *   lock       taken with flock() by every command that changes the container
 *   state.json the record below, replaced atomically
 *   exec.sock  present from create until start: the container process accepts on it
 *   config.json the bundle's config as create read it (exec runs processes by it)
 */
#ifndef HUTCH_RUNTIME_STATE_H
#define HUTCH_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/runtime.h>
#include <hutch/spec.h>

#define STATE_FILE  "state.json"
#define LOCK_FILE   "lock"
#define EXEC_SOCKET "exec.sock"
#define CONFIG_FILE "config.json"

struct container_dir {
    char *id;
    char *path;  /* <root>/<id> */
    int dir_fd;  /* open on path */
    int lock_fd; /* the lock file, flock()ed when `locked` */
    bool locked;
};

#define CONTAINER_DIR_INIT                                                                         \
    {                                                                                              \
        NULL, NULL, -1, -1, false                                                                  \
    }

/* The state root must be a directory of ours that nobody else may write. */
int state_root_check(const char *root, hutch_error *err);

/* Make a new container directory, locked; EEXIST when the id is taken. */
int container_dir_create(const struct hutch_runtime *rt, const char *id, struct container_dir *out,
                         hutch_error *err);

/* Open an existing container directory, and lock it when `lock`; ENOENT when unknown. */
int container_dir_open(const struct hutch_runtime *rt, const char *id, bool lock,
                       struct container_dir *out, hutch_error *err);

/* Whether another process holds the container's lock right now. */
bool container_dir_lock_busy(const struct container_dir *d);

/* Remove the directory and what it holds; the container must be locked. */
int container_dir_remove(struct container_dir *d, hutch_error *err);

void container_dir_close(struct container_dir *d);

/* What state.json records. */
struct state_record {
    pid_t pid;           /* 0 while creating */
    uint64_t start_time; /* the init's start time (clock ticks since boot) */
    char *bundle;
    int64_t created; /* ns since the epoch */
    uid_t owner;
    hutch_spec_map annotations;
    bool own_pid_namespace; /* the container has a pid namespace of its own */
    char *cgroup;           /* its cgroup (absolute path), NULL: none */
    char *cgroup_top;       /* the highest directory hutch made for it, or NULL */
    char *systemd_scope;    /* the systemd driver's scope unit, or NULL */
    bool rootless;          /* created rootless: the systemd driver's bus */
    /* poststart or poststop hooks in the config: only then do start and delete read the
     * saved config (a record from before this field says true) */
    bool later_hooks;
};

int state_record_write(const struct container_dir *d, const struct state_record *r,
                       hutch_error *err);
int state_record_read(const struct container_dir *d, struct state_record *r, hutch_error *err);
void state_record_release(struct state_record *r);

/*
 * Check the id, open the container's directory (locked when `lock`) and read
 * its record; on failure nothing is left open. Close with state_record_release()
 * and container_dir_close().
 */
int container_open(const struct hutch_runtime *rt, const char *id, bool lock,
                   struct container_dir *d, struct state_record *r, hutch_error *err);

/* The config as create read it: keep it, and read it back (parsed). */
int state_config_write(const struct container_dir *d, const char *data, size_t len,
                       hutch_error *err);
int state_config_read(const struct container_dir *d, struct hutch_spec **out, hutch_error *err);

/* The container's status by its record: creating, created, running or stopped. */
enum hutch_container_status container_status(const struct container_dir *d,
                                             const struct state_record *r);

/* A pidfd for the container process, checked to be the recorded process; -1 with errno. */
int open_container_pidfd(const struct state_record *r);

/* Connect to the container's exec socket, or create and bind it (listening). */
int exec_socket_connect(const struct container_dir *d, hutch_error *err);
int exec_socket_listen(const struct container_dir *d, hutch_error *err);

/* Start time of `pid` from /proc, 0 when it is gone (or a zombie). */
uint64_t process_start_time(pid_t pid);

#endif
