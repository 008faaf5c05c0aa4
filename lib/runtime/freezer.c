/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pause and resume. Freezing a container's processes takes its own cgroup
 * (cgroup.freeze of cgroup v2), and hutch creates no cgroups yet: both are
 * refused, after the checks that any version makes, and change nothing.
 */
#include <errno.h>
#include <stdbool.h>

#include <hutch/runtime.h>

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
    if (status != HUTCH_STATUS_CREATED && status != HUTCH_STATUS_RUNNING)
        ret = hutch_error_set(err, EINVAL, "cannot %s container %s: it is %s, not running",
                              frozen ? "pause" : "resume", id, hutch_container_status_name(status));
    else
        ret = hutch_error_set(err, ENOTSUP,
                              "container %s: %s needs the container's own cgroup (cgroup v2 "
                              "freezer), which this version of hutch-oci does not create yet",
                              id, frozen ? "pausing" : "resuming");
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
