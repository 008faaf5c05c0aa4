/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The processes of a container. hutch makes no cgroups yet, so a container's
 * processes are those of its pid namespace: every process whose
 * /proc/PID/ns/pid is the init's. A container that shares its pid namespace
 * (the host's, or one joined by path) cannot be told from its neighbours
 * that way: then only its init is listed. Processes in pid namespaces nested
 * inside the container's are not listed either; a cgroup will find them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#include "cgroup.h"
#include "pids.h"

struct pid_list {
    pid_t *items;
    size_t n, cap;
};

static int pid_list_add(struct pid_list *l, pid_t pid)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        pid_t *grown = reallocarray(l->items, cap, sizeof(*grown));
        if (grown == NULL)
            return -1;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = pid;
    return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int compare_pids(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

    return (x > y) - (x < y);
}

int pid_namespace_members(const struct state_record *r, pid_t **pids, size_t *n, hutch_error *err)
{
    hutch_autoclosedir DIR *proc = NULL;
    struct pid_list list = { 0 };
    struct stat init_ns, ns;
    struct dirent *e;
    char path[64];

    *pids = NULL;
    *n = 0;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)r->pid);
    if (stat(path, &init_ns) < 0) {
        if (process_start_time(r->pid) != r->start_time)
            return 0; /* the init is gone: no process is left in its namespace */
        return hutch_error_syscall(err, errno, "read the pid namespace of the container");
    }
    /* the pid could have been reused before the stat: then that namespace is not ours */
    if (process_start_time(r->pid) != r->start_time)
        return 0;
    proc = opendir("/proc");
    if (proc == NULL)
        return hutch_error_syscall(err, errno, "open /proc");
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);

        if (*end != '\0' || pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
        /* a process that exits meanwhile is simply not listed */
        if (stat(path, &ns) < 0 || !same_file(&ns, &init_ns))
            continue;
        if (pid_list_add(&list, (pid_t)pid) < 0) {
            free(list.items);
            return hutch_error_set(err, ENOMEM, "out of memory");
        }
    }
    if (list.n > 1)
        qsort(list.items, list.n, sizeof(*list.items), compare_pids);
    *pids = list.items;
    *n = list.n;
    return 0;
}

/* The processes of a container that was opened and whose record was read. */
static int container_pids(const struct container_dir *d, const struct state_record *r, pid_t **pids,
                          size_t *n, hutch_error *err)
{
    enum hutch_container_status status = container_status(d, r);

    *pids = NULL;
    *n = 0;
    if (status != HUTCH_STATUS_CREATED && status != HUTCH_STATUS_RUNNING &&
        status != HUTCH_STATUS_PAUSED)
        return 0;
    if (r->cgroup != NULL)
        return cgroup_procs(r->cgroup, pids, n, err);
    if (r->own_pid_namespace)
        return pid_namespace_members(r, pids, n, err);
    *pids = malloc(sizeof(**pids));
    if (*pids == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    (*pids)[0] = r->pid;
    *n = 1;
    return 0;
}

int hutch_container_pids(const struct hutch_runtime *rt, const char *id, pid_t **pids, size_t *n,
                         hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct state_record r;
    int ret;

    *pids = NULL;
    *n = 0;
    if (container_open(rt, id, false, &d, &r, err) < 0)
        return -err->code;
    ret = container_pids(&d, &r, pids, n, err);
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}
