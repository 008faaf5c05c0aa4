/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pause and resume: cgroup.freeze of the container's cgroup (cgroup v2),
 * waiting until cgroup.events says the kernel is done. A container without a
 * cgroup of its own cannot be frozen: refused, nothing changed.
 */
#include <errno.h>
#include <stdbool.h>

#include <hutch/runtime.h>

#include "cgroup.h"
#include "log.h"
#include "state.h"

static int freeze(const struct hutch_runtime *rt, const char *id, bool frozen, hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    enum hutch_container_status status;
    struct state_record r;
    int ret;

    if (container_open(rt, id, true, &d, &r, err) < 0)
        return -err->code;
    status = container_status(&d, &r);
    if (status != HUTCH_STATUS_CREATED && status != HUTCH_STATUS_RUNNING &&
        status != HUTCH_STATUS_PAUSED)
        ret = hutch_error_set(err, EINVAL, "cannot %s container %s: it is %s, not running",
                              frozen ? "pause" : "resume", id, hutch_container_status_name(status));
    else if (r.cgroup == NULL)
        ret = hutch_error_set(err, ENOTSUP,
                              "container %s: %s needs the container's own cgroup (the cgroup v2 "
                              "freezer), and it has none (no cgroup v2 on this host, or no "
                              "delegated cgroup for a rootless user)",
                              id, frozen ? "pausing" : "resuming");
    else if (frozen && status == HUTCH_STATUS_PAUSED)
        ret = hutch_error_set(err, EINVAL, "cannot pause container %s: it is paused already", id);
    else if (!frozen && status != HUTCH_STATUS_PAUSED)
        ret = hutch_error_set(err, EINVAL, "cannot resume container %s: it is %s, not paused", id,
                              hutch_container_status_name(status));
    else {
        runtime_debug(rt, "%s %s: cgroup %s", frozen ? "pause" : "resume", id, r.cgroup);
        ret = cgroup_freeze(r.cgroup, frozen, err);
    }
    state_record_release(&r);
    container_dir_close(&d);
    return ret;
}

int hutch_container_pause(const struct hutch_runtime *rt, const char *id, hutch_error *err)
{
    return freeze(rt, id, true, err);
}

int hutch_container_resume(const struct hutch_runtime *rt, const char *id, hutch_error *err)
{
    return freeze(rt, id, false, err);
}
