/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/atomic_file.h"
#include "../core/io.h"
#include "../core/json_writer.h"
#include "../spec/json_tree.h"
#include "state.h"

/* mkdir -p for the state root, private to its owner. */
static int make_root(const char *root, hutch_error *err)
{
    hutch_autofree char *copy = strdup(root);

    if (copy == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    for (char *p = copy + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0711) < 0 && errno != EEXIST)
            return hutch_error_syscall(err, errno, "create state directory %s", copy);
        *p = '/';
    }
    if (mkdir(copy, 0700) < 0 && errno != EEXIST)
        return hutch_error_syscall(err, errno, "create state directory %s", root);
    return state_root_check(root, err);
}

static int fill_dir(const struct hutch_runtime *rt, const char *id, struct container_dir *d,
                    hutch_error *err)
{
    d->id = strdup(id);
    if (d->id == NULL || asprintf(&d->path, "%s/%s", rt->state_root, id) < 0) {
        d->path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* Only create makes the lock file: elsewhere a missing one means the container is going. */
static int take_lock(struct container_dir *d, bool create, hutch_error *err)
{
    d->lock_fd = openat(d->dir_fd, LOCK_FILE,
                        O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
    if (d->lock_fd < 0 && errno == ENOENT && !create)
        return hutch_error_set(err, ENOENT, "container %s does not exist", d->id);
    if (d->lock_fd < 0)
        return hutch_error_syscall(err, errno, "open lock of container %s", d->id);
    while (flock(d->lock_fd, LOCK_EX) < 0) {
        if (errno != EINTR)
            return hutch_error_syscall(err, errno, "lock container %s", d->id);
    }
    d->locked = true;
    return 0;
}

int container_dir_create(const struct hutch_runtime *rt, const char *id, struct container_dir *d,
                         hutch_error *err)
{
    if (make_root(rt->state_root, err) < 0 || fill_dir(rt, id, d, err) < 0)
        return -err->code;
    if (mkdir(d->path, 0711) < 0) {
        if (errno == EEXIST)
            return hutch_error_set(err, EEXIST, "container %s already exists", id);
        return hutch_error_syscall(err, errno, "create %s", d->path);
    }
    d->dir_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (d->dir_fd < 0)
        return hutch_error_syscall(err, errno, "open %s", d->path);
    return take_lock(d, true, err);
}

/* The state root must be ours and closed to others: its records steer kill and delete. */
int state_root_check(const char *root, hutch_error *err)
{
    struct stat st;

    if (lstat(root, &st) < 0)
        return hutch_error_syscall(err, errno, "state directory %s", root);
    if (!S_ISDIR(st.st_mode))
        return hutch_error_set(err, ENOTDIR, "state directory %s is not a directory", root);
    if (st.st_uid != geteuid() || (st.st_mode & 022) != 0)
        return hutch_error_set(err, EPERM,
                               "state directory %s must belong to you (uid %u) and be writable "
                               "by you only; choose another with --root",
                               root, (unsigned)geteuid());
    return 0;
}

int container_dir_open(const struct hutch_runtime *rt, const char *id, bool lock,
                       struct container_dir *d, hutch_error *err)
{
    struct stat st;

    if (state_root_check(rt->state_root, err) < 0) {
        /* no state directory at all: then there is no such container either */
        if (err->code == ENOENT)
            return hutch_error_set(err, ENOENT, "container %s does not exist", id);
        return -err->code;
    }

    if (fill_dir(rt, id, d, err) < 0)
        return -err->code;
    d->dir_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (d->dir_fd < 0) {
        if (errno == ENOENT)
            return hutch_error_set(err, ENOENT, "container %s does not exist", id);
        return hutch_error_syscall(err, errno, "open %s", d->path);
    }
    if (!lock)
        return 0;
    if (take_lock(d, false, err) < 0)
        return -err->code;
    /* deleted by the command that held the lock while we waited for it */
    if (fstat(d->dir_fd, &st) < 0 || st.st_nlink == 0)
        return hutch_error_set(err, ENOENT, "container %s does not exist", id);
    return 0;
}

bool container_dir_lock_busy(const struct container_dir *d)
{
    hutch_autoclose int fd = -1;

    if (d->locked)
        return false;
    fd = openat(d->dir_fd, LOCK_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    if (flock(fd, LOCK_SH | LOCK_NB) < 0)
        return errno == EWOULDBLOCK;
    return false;
}

int container_dir_remove(struct container_dir *d, hutch_error *err)
{
    hutch_autoclosedir DIR *dir = NULL;
    struct dirent *e;
    int fd = openat(d->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    /* everything in it, temporary files a crashed command left included; the lock last */
    dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (dir == NULL) {
        if (fd >= 0)
            close(fd);
        return hutch_error_syscall(err, errno, "read %s", d->path);
    }
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, LOCK_FILE) == 0)
            continue;
        if (unlinkat(d->dir_fd, e->d_name, 0) < 0 && errno != ENOENT)
            return hutch_error_syscall(err, errno, "remove %s/%s", d->path, e->d_name);
    }
    if (unlinkat(d->dir_fd, LOCK_FILE, 0) < 0 && errno != ENOENT)
        return hutch_error_syscall(err, errno, "remove %s/%s", d->path, LOCK_FILE);
    if (rmdir(d->path) < 0 && errno != ENOENT)
        return hutch_error_syscall(err, errno, "remove %s", d->path);
    return 0;
}

void container_dir_close(struct container_dir *d)
{
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    if (d->dir_fd >= 0)
        close(d->dir_fd);
    free(d->id);
    free(d->path);
    *d = (struct container_dir)CONTAINER_DIR_INIT;
}

/* ---- state.json ---- */

int state_record_write(const struct container_dir *d, const struct state_record *r,
                       hutch_error *err)
{
    hutch_autofree char *json = NULL;
    hutch_autofree char *path = NULL;
    struct json_writer w;
    size_t len = 0;

    json_writer_init(&w, false);
    json_writer_begin_object(&w);
    json_writer_key(&w, "pid");
    json_writer_int(&w, r->pid);
    json_writer_key(&w, "startTime");
    json_writer_uint(&w, r->start_time);
    json_writer_key(&w, "bundle");
    json_writer_string(&w, r->bundle);
    json_writer_key(&w, "created");
    json_writer_int(&w, r->created);
    json_writer_key(&w, "owner");
    json_writer_uint(&w, r->owner);
    json_writer_key(&w, "ownPidNamespace");
    json_writer_bool(&w, r->own_pid_namespace);
    json_writer_key(&w, "rootless");
    json_writer_bool(&w, r->rootless);
    json_writer_key(&w, "laterHooks");
    json_writer_bool(&w, r->later_hooks);
    if (r->cgroup != NULL) {
        json_writer_key(&w, "cgroupPath");
        json_writer_string(&w, r->cgroup);
    }
    if (r->cgroup_top != NULL) {
        json_writer_key(&w, "cgroupCreatedTop");
        json_writer_string(&w, r->cgroup_top);
    }
    if (r->systemd_scope != NULL) {
        json_writer_key(&w, "systemdScope");
        json_writer_string(&w, r->systemd_scope);
    }
    json_writer_key(&w, "annotations");
    json_writer_begin_object(&w);
    for (size_t i = 0; i < r->annotations.n; i++) {
        json_writer_key(&w, r->annotations.items[i].key);
        json_writer_string(&w, r->annotations.items[i].value);
    }
    json_writer_end_object(&w);
    json_writer_end_object(&w);
    if (json_writer_finish(&w, &json, &len, err) < 0)
        return hutch_error_wrap(err, "write state of container %s", d->id);
    if (asprintf(&path, "%s/%s", d->path, STATE_FILE) < 0) {
        path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return hutch_atomic_write_file(path, json, len, 0600, HUTCH_ATOMIC_NO_SYNC, err);
}

static bool get_int(const struct json_node *obj, const char *key, int64_t *out)
{
    const struct json_node *n = json_tree_get(obj, key);
    char *end;

    if (n == NULL || n->type != JSON_NUMBER)
        return false;
    errno = 0;
    *out = strtoll(n->u.number, &end, 10);
    return errno == 0 && *end == '\0';
}

/* An optional string member, copied; absent leaves *out NULL. */
static int get_string(const struct json_node *obj, const char *key, char **out)
{
    const struct json_node *n = json_tree_get(obj, key);

    if (n == NULL || n->type != JSON_STRING)
        return 0;
    *out = strdup(n->u.string);
    return *out == NULL ? -1 : 0;
}

int state_record_read(const struct container_dir *d, struct state_record *r, hutch_error *err)
{
    hutch_autofree char *path = NULL;
    hutch_autofree char *data = NULL;
    struct json_node *tree = NULL;
    const struct json_node *n;
    int64_t pid = 0, start = 0, created = 0, owner = 0;
    size_t len = 0;
    int ret = 0;

    memset(r, 0, sizeof(*r));
    if (asprintf(&path, "%s/%s", d->path, STATE_FILE) < 0) {
        path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (hutch_read_file(path, 1 << 20, &data, &len, err) < 0)
        return hutch_error_wrap(err, "read state of container %s", d->id);
    if (json_tree_parse(data, len, path, &tree, err) < 0)
        return -err->code;
    n = json_tree_get(tree, "bundle");
    if (!get_int(tree, "pid", &pid) || !get_int(tree, "startTime", &start) ||
        !get_int(tree, "created", &created) || !get_int(tree, "owner", &owner) || n == NULL ||
        n->type != JSON_STRING) {
        ret = hutch_error_set(err, EINVAL, "%s: damaged state file", path);
        goto out;
    }
    r->pid = (pid_t)pid;
    r->start_time = (uint64_t)start;
    r->created = created;
    r->owner = (uid_t)owner;
    r->bundle = strdup(n->u.string);
    n = json_tree_get(tree, "ownPidNamespace");
    r->own_pid_namespace = n != NULL && n->type == JSON_BOOL && n->u.boolean;
    n = json_tree_get(tree, "rootless");
    r->rootless = n != NULL && n->type == JSON_BOOL && n->u.boolean;
    n = json_tree_get(tree, "laterHooks");
    r->later_hooks = n == NULL || n->type != JSON_BOOL || n->u.boolean;
    if (get_string(tree, "cgroupPath", &r->cgroup) < 0 ||
        get_string(tree, "cgroupCreatedTop", &r->cgroup_top) < 0 ||
        get_string(tree, "systemdScope", &r->systemd_scope) < 0) {
        ret = hutch_error_set(err, ENOMEM, "out of memory");
        goto out;
    }
    n = json_tree_get(tree, "annotations");
    if (n != NULL && n->type == JSON_OBJECT && n->u.object.n > 0) {
        r->annotations.items = calloc(n->u.object.n, sizeof(*r->annotations.items));
        if (r->annotations.items == NULL) {
            ret = hutch_error_set(err, ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n->u.object.n; i++) {
            const struct json_member *m = &n->u.object.members[i];
            if (m->value->type != JSON_STRING)
                continue;
            r->annotations.items[r->annotations.n].key = strdup(m->key);
            r->annotations.items[r->annotations.n].value = strdup(m->value->u.string);
            r->annotations.n++;
        }
    }
out:
    json_tree_free(tree);
    if (ret < 0)
        state_record_release(r);
    return ret;
}

void state_record_release(struct state_record *r)
{
    free(r->bundle);
    free(r->cgroup);
    free(r->cgroup_top);
    free(r->systemd_scope);
    for (size_t i = 0; i < r->annotations.n; i++) {
        free(r->annotations.items[i].key);
        free(r->annotations.items[i].value);
    }
    free(r->annotations.items);
    memset(r, 0, sizeof(*r));
}

int container_open(const struct hutch_runtime *rt, const char *id, bool lock,
                   struct container_dir *d, struct state_record *r, hutch_error *err)
{
    if (hutch_container_id_validate(id, err) < 0)
        return -err->code;
    if (container_dir_open(rt, id, lock, d, err) < 0 || state_record_read(d, r, err) < 0) {
        container_dir_close(d);
        return -err->code;
    }
    return 0;
}

/*
 * The socket's address goes through our fd of the directory, so that a long
 * state root never exceeds sun_path.
 */
static int exec_socket_address(const struct container_dir *d, struct sockaddr_un *addr,
                               hutch_error *err)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if ((size_t)snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", d->dir_fd,
                         EXEC_SOCKET) >= sizeof(addr->sun_path))
        return hutch_error_set(err, ENAMETOOLONG, "exec socket of container %s", d->id);
    return 0;
}

int exec_socket_listen(const struct container_dir *d, hutch_error *err)
{
    hutch_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr;

    if (fd < 0)
        return hutch_error_syscall(err, errno, "create the exec socket of container %s", d->id);
    if (exec_socket_address(d, &addr, err) < 0)
        return -err->code;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
        return hutch_error_syscall(err, errno, "create %s/%s", d->path, EXEC_SOCKET);
    return hutch_steal_fd(&fd);
}

int exec_socket_connect(const struct container_dir *d, hutch_error *err)
{
    hutch_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr;

    if (fd < 0)
        return hutch_error_syscall(err, errno, "connect to container %s", d->id);
    if (exec_socket_address(d, &addr, err) < 0)
        return -err->code;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return hutch_error_syscall(err, errno, "connect to container %s", d->id);
    return hutch_steal_fd(&fd);
}

uint64_t process_start_time(pid_t pid)
{
    char path[64], buf[1024];
    hutch_autoclose int fd = -1;
    unsigned long long start = 0;
    char state = 0;
    const char *p;
    ssize_t n;

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = hutch_read_all(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* the command name may hold spaces and parentheses: fields start after the last ')' */
    p = strrchr(buf, ')');
    if (p == NULL)
        return 0;
    /* after ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime priority nice num_threads itrealvalue starttime */
    if (sscanf(p + 2,
               "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
               "%*d %llu",
               &state, &start) != 2)
        return 0;
    if (state == 'Z' || state == 'X')
        return 0;
    return start;
}

int state_config_write(const struct container_dir *d, const char *data, size_t len,
                       hutch_error *err)
{
    hutch_autofree char *path = NULL;

    if (asprintf(&path, "%s/%s", d->path, CONFIG_FILE) < 0) {
        path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return hutch_atomic_write_file(path, data, len, 0600, HUTCH_ATOMIC_NO_SYNC, err);
}

int state_config_read(const struct container_dir *d, struct hutch_spec **out, hutch_error *err)
{
    hutch_autofree char *path = NULL;

    if (asprintf(&path, "%s/%s", d->path, CONFIG_FILE) < 0) {
        path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return hutch_spec_load(path, out, err);
}
