/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the lifecycle does with a container's cgroup: signal, freeze, list and remove. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "cgroup.h"

/* How long delete waits for a killed cgroup to empty, and pause for the freezer. */
#define CGROUP_WAIT_MS 10000

static int write_file(const char *path, const char *file, const char *value, hutch_error *err)
{
    hutch_autofree char *full = NULL;
    hutch_autoclose int fd = -1;

    if (asprintf(&full, "%s/%s", path, file) < 0) {
        full = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    fd = open(full, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || hutch_write_all(fd, value, strlen(value)) < 0)
        return hutch_error_syscall(err, errno, "write \"%s\" to %s", value, full);
    return 0;
}

static int compare_pids(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

    return (x > y) - (x < y);
}

int cgroup_procs(const char *path, pid_t **pids, size_t *n, hutch_error *err)
{
    hutch_autofree char *file = NULL, *data = NULL;
    size_t len, count = 0;
    pid_t *list;

    *pids = NULL;
    *n = 0;
    if (asprintf(&file, "%s/cgroup.procs", path) < 0) {
        file = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (hutch_read_file(file, 16 << 20, &data, &len, err) < 0)
        return -err->code;
    for (size_t i = 0; i < len; i++)
        count += data[i] == '\n';
    list = calloc(count + 1, sizeof(*list));
    if (list == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    count = 0;
    for (char *p = data; *p != '\0';) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0)
            list[count++] = (pid_t)pid;
        p = end + strspn(end, "\n");
    }
    qsort(list, count, sizeof(*list), compare_pids);
    *pids = list;
    *n = count;
    return 0;
}

/* The value of `key` in the flat-keyed file cgroup.events, -1 when unreadable. */
static int events_value(const char *path, const char *key)
{
    hutch_autofree char *file = NULL, *data = NULL;
    hutch_error ignored = HUTCH_ERROR_INIT;
    size_t len, klen = strlen(key);
    int value = -1;

    if (asprintf(&file, "%s/cgroup.events", path) < 0) {
        file = NULL;
        return -1;
    }
    if (hutch_read_file(file, 1 << 16, &data, &len, &ignored) < 0) {
        hutch_error_clear(&ignored);
        return -1;
    }
    for (char *line = data; *line != '\0';) {
        size_t ll = strcspn(line, "\n");
        if (ll > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ')
            value = atoi(line + klen + 1);
        line += ll + (line[ll] == '\n');
    }
    return value;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until cgroup.events says `key` is `want`: poll wakes on each change of it. */
static int wait_events(const char *path, const char *key, int want, hutch_error *err)
{
    hutch_autofree char *file = NULL;
    hutch_autoclose int fd = -1;
    int64_t deadline = now_ms() + CGROUP_WAIT_MS;

    if (asprintf(&file, "%s/cgroup.events", path) < 0) {
        file = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", file);
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLPRI };
        int64_t left;
        int value = events_value(path, key);
        if (value == want)
            return 0;
        left = deadline - now_ms();
        if (left <= 0)
            return hutch_error_set(err, ETIMEDOUT, "%s: \"%s\" still not %d after %d s", file, key,
                                   want, CGROUP_WAIT_MS / 1000);
        /* the notification may be missed between the read and the poll: wake up often */
        if (poll(&pfd, 1, left < 100 ? (int)left : 100) < 0 && errno != EINTR)
            return hutch_error_syscall(err, errno, "wait for %s", file);
    }
}

int cgroup_signal_all(const char *path, int signo, hutch_error *err)
{
    hutch_autofree pid_t *pids = NULL;
    size_t n;

    if (signo == SIGKILL) {
        if (write_file(path, "cgroup.kill", "1", err) == 0)
            return 0;
        if (err->code != ENOENT)
            return -err->code;
        hutch_error_clear(err); /* before Linux 5.14: one by one */
    }
    if (cgroup_procs(path, &pids, &n, err) < 0)
        return -err->code;
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], signo) < 0 && errno != ESRCH)
            return hutch_error_syscall(err, errno, "signal process %d of cgroup %s", (int)pids[i],
                                       path);
    return 0;
}

int cgroup_remove(const char *path, const char *created_top, hutch_error *err)
{
    hutch_autofree char *dir = strdup(path);
    size_t top_len = created_top != NULL ? strlen(created_top) : strlen(path);

    if (dir == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    /* gone already, or never made (a failed create): only the directories above it */
    if (access(path, F_OK) == 0 && events_value(path, "populated") != 0) {
        if (cgroup_signal_all(path, SIGKILL, err) < 0 || wait_events(path, "populated", 0, err) < 0)
            return hutch_error_wrap(err, "remove cgroup %s", path);
    }
    /* kernfs may still report busy for a moment after the last exit */
    for (int tries = 0; rmdir(dir) < 0; tries++) {
        if (errno == ENOENT)
            break;
        if (errno != EBUSY || tries >= 100)
            return hutch_error_syscall(err, errno, "remove cgroup %s", path);
        usleep(10000);
    }
    /* then the directories made for it, while empty */
    for (char *slash = strrchr(dir, '/'); slash != NULL && (size_t)(slash - dir) >= top_len;
         slash = strrchr(dir, '/')) {
        *slash = '\0';
        if (rmdir(dir) < 0)
            break; /* holds other containers' cgroups */
    }
    return 0;
}

int cgroup_freeze(const char *path, bool frozen, hutch_error *err)
{
    if (write_file(path, "cgroup.freeze", frozen ? "1" : "0", err) < 0 ||
        wait_events(path, "frozen", frozen ? 1 : 0, err) < 0)
        return hutch_error_wrap(err, "%s cgroup %s", frozen ? "freeze" : "thaw", path);
    return 0;
}

bool cgroup_is_frozen(const char *path)
{
    hutch_autofree char *file = NULL, *data = NULL;
    hutch_error ignored = HUTCH_ERROR_INIT;
    size_t len;
    bool frozen;

    if (asprintf(&file, "%s/cgroup.freeze", path) < 0) {
        file = NULL;
        return false;
    }
    if (hutch_read_file(file, 64, &data, &len, &ignored) < 0) {
        hutch_error_clear(&ignored);
        return false;
    }
    frozen = data[0] == '1';
    return frozen;
}
