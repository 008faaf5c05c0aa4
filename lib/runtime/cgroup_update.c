/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci update: new limits written into a living container's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#include "../core/io.h"
#include "cgroup.h"
#include "log.h"
#include "state.h"

/* memory.max now: -1 for "max", 0 when it cannot be read. */
static int64_t current_memory_max(int dir_fd)
{
    char buf[32];
    hutch_autoclose int fd = openat(dir_fd, "memory.max", O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = hutch_read_all(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    if (strncmp(buf, "max", 3) == 0)
        return -1;
    return strtoll(buf, NULL, 10);
}

static int update_locked(const struct container_dir *d, const struct state_record *r,
                         const struct hutch_spec_resources *resources, const char *origin,
                         hutch_error *err)
{
    enum hutch_container_status status = container_status(d, r);
    struct cgroup_writes writes;
    hutch_autoclose int fd = -1;
    int64_t memory_limit = 0;
    int ret;

    if (status != HUTCH_STATUS_CREATED && status != HUTCH_STATUS_RUNNING &&
        status != HUTCH_STATUS_PAUSED)
        return hutch_error_set(err, EINVAL, "cannot update container %s: it is %s, not running",
                               d->id, hutch_container_status_name(status));
    if (r->cgroup == NULL)
        return hutch_error_set(err, ENOTSUP,
                               "cannot update container %s: it has no cgroup of its own (no "
                               "cgroup v2 on this host, or no delegated cgroup for a rootless "
                               "user), so it has no limits to change",
                               d->id);
    /* never dropped silently: the device program is made at create only */
    if (resources->devices.n > 0)
        return hutch_error_set(err, ENOTSUP,
                               "%s: devices: the device rules of a container are set when it is "
                               "created and cannot be updated; recreate container %s",
                               origin, d->id);
    fd = open(r->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "container %s: open its cgroup %s", d->id,
                                   r->cgroup);
    if (resources->memory != NULL && resources->memory->swap.set && !resources->memory->limit.set)
        memory_limit = current_memory_max(fd);
    if (cgroup_resources_plan(resources, memory_limit, origin, &writes, err) < 0)
        return -err->code;
    ret = cgroup_writes_apply(fd, r->cgroup, &writes, err);
    cgroup_writes_release(&writes);
    return ret;
}

int hutch_container_update(const struct hutch_runtime *rt, const char *id,
                           const struct hutch_spec_resources *resources, const char *origin,
                           hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct state_record r;
    int ret;

    if (container_open(rt, id, true, &d, &r, err) < 0)
        return -err->code;
    runtime_debug(rt, "update %s: cgroup %s", id, r.cgroup != NULL ? r.cgroup : "(none)");
    ret = update_locked(&d, &r, resources, origin, err);
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}
