/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start, state, kill, delete and list, on the state kept under the state root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/signals.h>

#include "../core/error_channel.h"
#include "../core/json_writer.h"
#include "cgroup.h"
#include "cgroup_systemd.h"
#include "hooks.h"
#include "log.h"
#include "pids.h"
#include "state.h"

/* How long start waits for the container process to answer, and delete for it to die. */
#define WAIT_MS 10000

int hutch_container_id_validate(const char *id, hutch_error *err)
{
    size_t len = strlen(id);

    if (len == 0)
        return hutch_error_set(err, EINVAL, "container id must not be empty");
    if (len > 1024)
        return hutch_error_set(err, EINVAL, "container id is longer than 1024 characters");
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || id[0] == '.')
        return hutch_error_set(err, EINVAL, "container id \"%s\" must not start with '.'", id);
    for (const char *p = id; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '+'))
            return hutch_error_set(err, EINVAL,
                                   "container id \"%.64s\": only letters, digits and _ - . + "
                                   "are allowed",
                                   id);
    }
    return 0;
}

int hutch_runtime_default_root(bool rootless, char **out, hutch_error *err)
{
    const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
    int n;

    if (!rootless)
        n = asprintf(out, "/run/hutch-oci");
    else if (runtime_dir != NULL && runtime_dir[0] == '/')
        n = asprintf(out, "%s/hutch-oci", runtime_dir);
    else
        n = asprintf(out, "/tmp/hutch-oci-%u", (unsigned)geteuid());
    if (n < 0)
        return hutch_error_set(err, ENOMEM, "out of memory");
    return 0;
}

const char *hutch_container_status_name(enum hutch_container_status status)
{
    switch (status) {
    case HUTCH_STATUS_CREATING:
        return "creating";
    case HUTCH_STATUS_CREATED:
        return "created";
    case HUTCH_STATUS_RUNNING:
        return "running";
    case HUTCH_STATUS_PAUSED:
        return "paused";
    case HUTCH_STATUS_STOPPED:
    default:
        return "stopped";
    }
}

static bool container_alive(const struct state_record *r)
{
    return r->pid > 0 && r->start_time != 0 && process_start_time(r->pid) == r->start_time;
}

enum hutch_container_status container_status(const struct container_dir *d,
                                             const struct state_record *r)
{
    struct stat st;

    if (r->pid == 0)
        return container_dir_lock_busy(d) ? HUTCH_STATUS_CREATING : HUTCH_STATUS_STOPPED;
    if (!container_alive(r))
        return HUTCH_STATUS_STOPPED;
    if (r->cgroup != NULL && cgroup_is_frozen(r->cgroup))
        return HUTCH_STATUS_PAUSED;
    if (fstatat(d->dir_fd, EXEC_SOCKET, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return HUTCH_STATUS_CREATED;
    return HUTCH_STATUS_RUNNING;
}

int open_container_pidfd(const struct state_record *r)
{
    int fd = (int)syscall(SYS_pidfd_open, r->pid, 0);

    if (fd < 0)
        return -1;
    /* the pid could have been reused between reading the record and opening it */
    if (!container_alive(r)) {
        close(fd);
        errno = ESRCH;
        return -1;
    }
    return fd;
}

static int fill_state(const struct container_dir *d, const struct state_record *r,
                      struct hutch_container_state *out, hutch_error *err)
{
    memset(out, 0, sizeof(*out));
    out->status = container_status(d, r);
    out->pid = out->status == HUTCH_STATUS_STOPPED ? 0 : r->pid;
    out->created = r->created;
    out->owner = r->owner;
    out->id = strdup(d->id);
    out->bundle = strdup(r->bundle != NULL ? r->bundle : "");
    out->annotations = r->annotations;
    if (out->id == NULL || out->bundle == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int hutch_container_state(const struct hutch_runtime *rt, const char *id,
                          struct hutch_container_state *out, hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct state_record r;
    int ret;

    if (hutch_container_id_validate(id, err) < 0)
        return -err->code;
    if (container_dir_open(rt, id, false, &d, err) < 0) {
        container_dir_close(&d);
        return -err->code;
    }
    ret = state_record_read(&d, &r, err);
    if (ret == 0) {
        ret = fill_state(&d, &r, out, err);
        r.annotations = (hutch_spec_map){ NULL, 0 }; /* handed to out */
        state_record_release(&r);
        if (ret < 0)
            hutch_container_state_release(out);
    }
    container_dir_close(&d);
    return ret;
}

void hutch_container_state_release(struct hutch_container_state *s)
{
    free(s->id);
    free(s->bundle);
    for (size_t i = 0; i < s->annotations.n; i++) {
        free(s->annotations.items[i].key);
        free(s->annotations.items[i].value);
    }
    free(s->annotations.items);
    memset(s, 0, sizeof(*s));
}

/* One state object; `listed` adds created and owner, as runc's list does. */
static void write_state(struct json_writer *w, const struct hutch_container_state *s, bool listed)
{
    json_writer_begin_object(w);
    json_writer_key(w, "ociVersion");
    json_writer_string(w, HUTCH_OCI_VERSION);
    json_writer_key(w, "id");
    json_writer_string(w, s->id);
    json_writer_key(w, "status");
    json_writer_string(w, hutch_container_status_name(s->status));
    json_writer_key(w, "pid");
    json_writer_int(w, s->pid);
    json_writer_key(w, "bundle");
    json_writer_string(w, s->bundle);
    if (s->annotations.n > 0) {
        json_writer_key(w, "annotations");
        json_writer_begin_object(w);
        for (size_t i = 0; i < s->annotations.n; i++) {
            json_writer_key(w, s->annotations.items[i].key);
            json_writer_string(w, s->annotations.items[i].value);
        }
        json_writer_end_object(w);
    }
    if (listed) {
        time_t secs = (time_t)(s->created / 1000000000);
        char owner[256];
        char created[64] = "";
        struct tm tm;

        if (gmtime_r(&secs, &tm) != NULL) {
            size_t n = strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S", &tm);
            snprintf(created + n, sizeof(created) - n, ".%09lldZ",
                     (long long)(s->created % 1000000000));
        }
        json_writer_key(w, "created");
        json_writer_string(w, created);
        json_writer_key(w, "owner");
        hutch_user_name(s->owner, owner, sizeof(owner));
        json_writer_string(w, owner);
    }
    json_writer_end_object(w);
}

int hutch_container_state_json(const struct hutch_container_state *s, bool pretty, char **out,
                               hutch_error *err)
{
    struct json_writer w;

    json_writer_init(&w, pretty);
    write_state(&w, s, false);
    return json_writer_finish(&w, out, NULL, err);
}

int hutch_container_list_json(const struct hutch_container_state *list, size_t n, char **out,
                              hutch_error *err)
{
    struct json_writer w;

    json_writer_init(&w, false);
    json_writer_begin_array(&w);
    for (size_t i = 0; i < n; i++)
        write_state(&w, &list[i], true);
    json_writer_end_array(&w);
    return json_writer_finish(&w, out, NULL, err);
}

/*
 * The container process answers "0" once it has taken its user, capabilities
 * and filter; before that START_ANSWER_HOOKS while its startContainer hooks
 * run (they have timeouts of their own: no limit here), or START_ANSWER_ERROR
 * with the error that stopped it.
 */
static int await_start_answer(const struct container_dir *d, int conn, hutch_error *err)
{
    hutch_autoerror received = HUTCH_ERROR_INIT;
    int wait_ms = WAIT_MS;
    char byte;

    do {
        struct pollfd pfd = { .fd = conn, .events = POLLIN };
        int n;

        while ((n = poll(&pfd, 1, wait_ms)) < 0 && errno == EINTR)
            ;
        if (n < 0)
            return hutch_error_syscall(err, errno, "wait for container %s to start", d->id);
        if (n == 0)
            return hutch_error_set(err, ETIMEDOUT, "container %s did not start within %d s", d->id,
                                   WAIT_MS / 1000);
        if (read(conn, &byte, 1) != 1)
            return hutch_error_set(err, ECHILD,
                                   "container %s exited before its program started (its own "
                                   "output says why)",
                                   d->id);
        wait_ms = -1;
    } while (byte == START_ANSWER_HOOKS);
    if (byte != START_ANSWER_ERROR)
        return 0;
    if (hutch_error_receive(conn, &received, err) < 0)
        return hutch_error_wrap(err, "start container %s", d->id);
    return hutch_error_set(err, received.code, "%s", hutch_error_message(&received));
}

/*
 * The config create kept, for the hooks of later commands; NULL from an older hutch-oci,
 * and without reading it when create found no poststart or poststop hook (parsing it again
 * was a tenth of a `run`, bench/).
 */
static int saved_config(const struct container_dir *d, const struct state_record *r,
                        struct hutch_spec **spec, hutch_error *err)
{
    *spec = NULL;
    if (!r->later_hooks)
        return 0;
    if (state_config_read(d, spec, err) == 0)
        return 0;
    if (err->code != ENOENT)
        return -err->code;
    hutch_error_clear(err);
    return 0;
}

static int kill_and_wait(const struct container_dir *d, const struct state_record *r,
                         hutch_error *err);

/* poststart hooks, once the program runs; one that fails stops the container, as with runc. */
static int run_poststart(const struct container_dir *d, const struct state_record *r,
                         const struct hutch_spec *spec, hutch_error *err)
{
    hutch_autoerror ignored = HUTCH_ERROR_INIT;
    struct hutch_container_state state;

    if (spec == NULL || hooks_count(spec->hooks, HOOK_POSTSTART) == 0)
        return 0;
    state = hooks_state(d->id, r->bundle, &r->annotations, HUTCH_STATUS_RUNNING, r->pid);
    if (hooks_run(spec->hooks, HOOK_POSTSTART, &state, err) == 0)
        return 0;
    kill_and_wait(d, r, &ignored);
    return -err->code;
}

static int container_start_locked(const struct container_dir *d, const struct state_record *r,
                                  hutch_error *err)
{
    enum hutch_container_status status = container_status(d, r);
    hutch_autoclose int conn = -1;

    if (status != HUTCH_STATUS_CREATED)
        return hutch_error_set(err, EINVAL, "cannot start container %s: it is %s, not created",
                               d->id, hutch_container_status_name(status));
    conn = exec_socket_connect(d, err);
    if (conn < 0)
        return hutch_error_wrap(err, "start");
    if (write(conn, "s", 1) != 1)
        return hutch_error_syscall(err, errno, "start container %s", d->id);
    if (await_start_answer(d, conn, err) < 0)
        return -err->code;
    if (unlinkat(d->dir_fd, EXEC_SOCKET, 0) < 0 && errno != ENOENT)
        return hutch_error_syscall(err, errno, "remove %s/%s", d->path, EXEC_SOCKET);
    return 0;
}

int hutch_container_start(const struct hutch_runtime *rt, const char *id, hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct hutch_spec *spec = NULL;
    struct state_record r;
    int ret;

    if (container_open(rt, id, true, &d, &r, err) < 0)
        return -err->code;
    ret = saved_config(&d, &r, &spec, err);
    if (ret == 0)
        ret = container_start_locked(&d, &r, err);
    if (ret == 0) {
        runtime_debug(rt, "start %s: process %d runs its program", id, (int)r.pid);
        ret = run_poststart(&d, &r, spec, err);
    }
    hutch_spec_free(spec);
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}

/* Every process of the container: its cgroup's, or those of its pid namespace. */
static int signal_all(const struct state_record *r, int signo, hutch_error *err)
{
    hutch_autofree pid_t *pids = NULL;
    size_t n;

    if (r->cgroup != NULL)
        return cgroup_signal_all(r->cgroup, signo, err);
    if (pid_namespace_members(r, &pids, &n, err) < 0)
        return -err->code;
    for (size_t i = 0; i < n; i++)
        kill(pids[i], signo);
    return 0;
}

static int container_signal(const struct container_dir *d, const struct state_record *r, int signo,
                            bool all, hutch_error *err)
{
    hutch_autoclose int pidfd = -1;
    enum hutch_container_status status = container_status(d, r);

    if (status != HUTCH_STATUS_CREATED && status != HUTCH_STATUS_RUNNING &&
        status != HUTCH_STATUS_PAUSED)
        return hutch_error_set(err, ESRCH, "container %s is %s: no process to signal", d->id,
                               hutch_container_status_name(status));
    pidfd = open_container_pidfd(r);
    if (pidfd < 0)
        return hutch_error_set(err, ESRCH, "container %s is stopped: no process to signal", d->id);
    if (all && !r->own_pid_namespace && r->cgroup == NULL)
        return hutch_error_set(err, EINVAL,
                               "container %s has no pid namespace of its own: --all cannot tell "
                               "its processes from others",
                               d->id);
    if (all && signal_all(r, signo, err) < 0)
        return -err->code;
    if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) < 0 && errno != ESRCH)
        return hutch_error_syscall(err, errno, "send %s to container %s",
                                   hutch_signal_name(signo) ? hutch_signal_name(signo) : "signal",
                                   d->id);
    return 0;
}

int hutch_container_kill(const struct hutch_runtime *rt, const char *id, int signo, bool all,
                         hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct state_record r;
    int ret;

    if (container_open(rt, id, true, &d, &r, err) < 0)
        return -err->code;
    runtime_debug(rt, "kill %s: signal %d to %s", id, signo, all ? "every process" : "its init");
    ret = container_signal(&d, &r, signo, all, err);
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}

/* SIGKILL the container process and wait until it is gone. */
static int kill_and_wait(const struct container_dir *d, const struct state_record *r,
                         hutch_error *err)
{
    hutch_autoclose int pidfd = open_container_pidfd(r);
    struct pollfd pfd;

    if (pidfd < 0)
        return 0; /* already gone */
    /* killing the init of a pid namespace kills every process in it */
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
        return hutch_error_syscall(err, errno, "kill container %s", d->id);
    pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
    while (poll(&pfd, 1, WAIT_MS) < 0)
        if (errno != EINTR)
            return hutch_error_syscall(err, errno, "wait for container %s to die", d->id);
    if (!(pfd.revents & POLLIN))
        return hutch_error_set(err, ETIMEDOUT, "container %s did not die within %d s", d->id,
                               WAIT_MS / 1000);
    return 0;
}

/* What is left in the container's cgroup is killed, and the cgroup removed. */
static int remove_cgroup(const struct state_record *r, hutch_error *err)
{
    if (r->cgroup == NULL)
        return 0;
    if (r->systemd_scope != NULL) {
        /* stopping the scope kills what is left and removes its cgroup */
        if (cgroup_signal_all(r->cgroup, SIGKILL, err) < 0 && err->code != ENOENT)
            return -err->code;
        hutch_error_clear(err);
        return systemd_scope_stop(r->rootless, r->systemd_scope, err);
    }
    return cgroup_remove(r->cgroup, r->cgroup_top != NULL ? r->cgroup_top : r->cgroup, err);
}

static int container_delete_locked(struct container_dir *d, const struct state_record *r,
                                   bool force, hutch_error *err)
{
    enum hutch_container_status status = container_status(d, r);

    if ((status == HUTCH_STATUS_RUNNING || status == HUTCH_STATUS_PAUSED) && !force)
        return hutch_error_set(err, EBUSY,
                               "container %s is %s: stop it first, or delete it with "
                               "--force",
                               d->id, hutch_container_status_name(status));
    if (status == HUTCH_STATUS_CREATING && !force)
        return hutch_error_set(err, EBUSY, "container %s is being created", d->id);
    /* a frozen init would never die: the cgroup's kill does it (and thaws) */
    if (status == HUTCH_STATUS_PAUSED && cgroup_signal_all(r->cgroup, SIGKILL, err) < 0)
        return -err->code;
    if ((status == HUTCH_STATUS_RUNNING || status == HUTCH_STATUS_CREATED ||
         status == HUTCH_STATUS_PAUSED) &&
        kill_and_wait(d, r, err) < 0)
        return -err->code;
    if (remove_cgroup(r, err) < 0)
        return -err->code;
    return container_dir_remove(d, err);
}

int hutch_container_delete(const struct hutch_runtime *rt, const char *id, bool force,
                           hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct hutch_spec *spec = NULL;
    struct state_record r;
    int ret;

    if (hutch_container_id_validate(id, err) < 0)
        return -err->code;
    if (container_dir_open(rt, id, true, &d, err) < 0) {
        container_dir_close(&d);
        return -err->code;
    }
    if (state_record_read(&d, &r, err) < 0) {
        /* a directory without a readable record is a leftover: --force removes it */
        ret = force ? container_dir_remove(&d, err) : -err->code;
        container_dir_close(&d);
        return ret;
    }
    runtime_debug(rt, "delete %s%s", id, force ? " (forced)" : "");
    if (saved_config(&d, &r, &spec, err) < 0) {
        runtime_warn(rt, "delete %s: no poststop hooks run: %s", id, hutch_error_message(err));
        hutch_error_clear(err);
    }
    ret = container_delete_locked(&d, &r, force, err);
    if (ret == 0 && spec != NULL)
        hooks_run_poststop(rt, spec->hooks, id, r.bundle, &r.annotations);
    hutch_spec_free(spec);
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}

static int compare_states(const void *a, const void *b)
{
    return strcmp(((const struct hutch_container_state *)a)->id,
                  ((const struct hutch_container_state *)b)->id);
}

int hutch_container_list(const struct hutch_runtime *rt, struct hutch_container_state **out,
                         size_t *n, hutch_error *err)
{
    hutch_autoclosedir DIR *dir = opendir(rt->state_root);
    struct hutch_container_state *list = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;

    *out = NULL;
    *n = 0;
    if (dir == NULL) {
        if (errno == ENOENT)
            return 0;
        return hutch_error_syscall(err, errno, "open state directory %s", rt->state_root);
    }
    if (state_root_check(rt->state_root, err) < 0)
        return -err->code;
    while ((e = readdir(dir)) != NULL) {
        hutch_autoerror ignored = HUTCH_ERROR_INIT;
        struct hutch_container_state s;

        if (e->d_name[0] == '.' || hutch_container_id_validate(e->d_name, &ignored) < 0)
            continue;
        /* a container deleted while we list it is simply not listed */
        if (hutch_container_state(rt, e->d_name, &s, &ignored) < 0)
            continue;
        if (count == cap) {
            struct hutch_container_state *grown =
                    reallocarray(list, cap ? cap * 2 : 16, sizeof(*list));
            if (grown == NULL) {
                hutch_container_state_release(&s);
                hutch_container_list_free(list, count);
                return hutch_error_set(err, ENOMEM, "out of memory");
            }
            list = grown;
            cap = cap ? cap * 2 : 16;
        }
        list[count++] = s;
    }
    if (count > 1)
        qsort(list, count, sizeof(*list), compare_states);
    *out = list;
    *n = count;
    return 0;
}

void hutch_container_list_free(struct hutch_container_state *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hutch_container_state_release(&list[i]);
    free(list);
}
