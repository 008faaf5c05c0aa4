/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create's part of cgroups: decide whether the container gets a cgroup and
 * where, refuse limits this host or user cannot have, and make it (cgroupfs)
 * or have systemd make it (the systemd driver).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "cgroup.h"
#include "cgroup_devices.h"
#include "cgroup_systemd.h"
#include "log.h"

/* The first limit that needs a controller, for messages: its field and controller. */
static const struct cgroup_write *first_limit(const struct cgroup_writes *w, const char **name)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->items[i].controller != 0) {
            *name = cgroup_controller_name(w->items[i].controller);
            return &w->items[i];
        }
    *name = w->n > 0 ? w->items[0].file : NULL;
    return w->n > 0 ? &w->items[0] : NULL;
}

static int refuse_host(const char *config, const struct cgroup_writes *w, hutch_error *err)
{
    const char *controller;
    const struct cgroup_write *item = first_limit(w, &controller);

    return hutch_error_set(err, ENOTSUP,
                           "%s: linux.resources.%s: needs the %s controller of cgroup v2, and "
                           "this host has no cgroup v2 hierarchy: %s is not a cgroup2 mount "
                           "(cgroup v1 or a hybrid layout); remove the limit to run",
                           config, item->field, controller, CGROUP_MOUNT);
}

static int refuse_undelegated(const char *config, const char *self, const struct cgroup_writes *w,
                              hutch_error *err)
{
    const char *controller;
    const struct cgroup_write *item = first_limit(w, &controller);

    return hutch_error_set(err, EPERM,
                           "%s: linux.resources.%s: needs the %s controller, and uid %u has no "
                           "delegated cgroup (its cgroup %s is not its own): run it in a systemd "
                           "unit or scope with Delegate=yes (user@.service delegates to its "
                           "user: systemd-run --user --scope -p Delegate=yes hutch-oci ...), "
                           "or as root",
                           config, item->field, controller, (unsigned)geteuid(), self);
}

/* cgroupfs: the cgroup made under `top`, its limits written, open in s->fd. */
static int make_cgroupfs(const struct hutch_spec *spec, const char *top, const char *id,
                         struct cgroup_setup *s, hutch_error *err)
{
    const char *cgroups_path = spec->linux_cfg != NULL ? spec->linux_cfg->cgroups_path : NULL;
    hutch_autofree char *rel = NULL;

    if (cgroup_resolve_path(cgroups_path, top, id, &rel, err) < 0)
        return -err->code;
    if (asprintf(&s->path, "%s%s", CGROUP_MOUNT, rel) < 0) {
        s->path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (cgroup_make(CGROUP_MOUNT, top, rel, cgroup_writes_controllers(&s->writes),
                    CGROUP_CONTROLLERS_ALL, &s->created_top, err) < 0)
        return -err->code;
    s->fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->fd < 0)
        return hutch_error_syscall(err, errno, "open cgroup %s", s->path);
    if (cgroup_writes_apply(s->fd, s->path, &s->writes, err) < 0)
        return -err->code;
    /* the device rules need CAP_SYS_ADMIN; rootless, the mounts' nodev stands for them */
    if (!s->rootless) {
        if (cgroup_devices_apply(s->fd, spec, err) < 0)
            return hutch_error_wrap(err, "linux.resources.devices");
        s->devices_applied = true;
    }
    return 0;
}

int cgroup_setup_prepare(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                         const char *config, const char *id, struct cgroup_setup *s,
                         hutch_error *err)
{
    const struct hutch_spec_resources *r =
            spec->linux_cfg != NULL ? spec->linux_cfg->resources : NULL;
    hutch_autofree char *self = NULL, *delegated = NULL;
    int ret;

    s->rootless = rt->rootless;
    s->systemd = rt->systemd_cgroup;
    if (cgroup_resources_plan(r, 0, config, &s->writes, err) < 0)
        return -err->code;
    if (rt->cgroups_disabled) {
        const char *controller;
        const struct cgroup_write *item = first_limit(&s->writes, &controller);
        if (item != NULL)
            return hutch_error_set(err, ENOTSUP,
                                   "%s: linux.resources.%s: needs the %s controller, and cgroups "
                                   "are disabled (--cgroup-manager disabled); remove the limit to "
                                   "run",
                                   config, item->field, controller);
        return 0;
    }
    if (!cgroup_v2_mounted(CGROUP_MOUNT)) {
        /* never a cgroup in a v1 or hybrid host's hierarchies: they are its manager's */
        if (s->writes.n > 0)
            return refuse_host(config, &s->writes, err);
        runtime_debug(rt, "create %s: no cgroup v2 at %s: no cgroup", id, CGROUP_MOUNT);
        return 0;
    }
    if (s->systemd) {
        struct systemd_unit_name name = { 0 };
        ret = systemd_unit_name_parse(spec->linux_cfg != NULL ? spec->linux_cfg->cgroups_path
                                                              : NULL,
                                      id, rt->rootless, &name, err);
        if (ret == 0) {
            s->scope = name.scope;
            name.scope = NULL;
        }
        systemd_unit_name_release(&name);
        return ret; /* the scope comes with the process: cgroup_setup_place */
    }
    if (!rt->rootless)
        return make_cgroupfs(spec, "", id, s, err);
    if (cgroup_of_process("/proc/self/cgroup", &self, err) < 0 ||
        cgroup_delegated_root(CGROUP_MOUNT, self, geteuid(), &delegated, err) < 0)
        return -err->code;
    if (delegated == NULL) {
        if (s->writes.n > 0)
            return refuse_undelegated(config, self, &s->writes, err);
        runtime_debug(rt, "create %s: cgroup %s is not delegated to us: no cgroup", id, self);
        return 0;
    }
    ret = make_cgroupfs(spec, delegated, id, s, err);
    if (ret < 0 && s->writes.n == 0) {
        /* nothing asked that needs it: run without one rather than fail */
        runtime_warn(rt, "create %s: no cgroup: %s", id, hutch_error_message(err));
        hutch_error_clear(err);
        cgroup_setup_abort(s);
        return 0;
    }
    return ret;
}

int cgroup_setup_place(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                       const char *id, pid_t pid, struct cgroup_setup *s, hutch_error *err)
{
    const struct hutch_spec_resources *r =
            spec->linux_cfg != NULL ? spec->linux_cfg->resources : NULL;
    struct systemd_unit_name name = { 0 };
    hutch_autofree char *rel = NULL;
    hutch_autoclose int fd = -1;
    int ret;

    if (!s->systemd || s->scope == NULL || s->path != NULL)
        return 0;
    ret = systemd_unit_name_parse(spec->linux_cfg != NULL ? spec->linux_cfg->cgroups_path : NULL,
                                  id, rt->rootless, &name, err);
    if (ret == 0)
        ret = systemd_scope_start(rt->rootless, &name, pid, r, &rel, err);
    systemd_unit_name_release(&name);
    if (ret < 0)
        return ret;
    if (asprintf(&s->path, "%s%s", CGROUP_MOUNT, rel) < 0) {
        s->path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    runtime_debug(rt, "create %s: scope %s, cgroup %s", id, s->scope, s->path);
    fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open cgroup %s", s->path);
    if (cgroup_writes_apply(fd, s->path, &s->writes, err) < 0)
        return -err->code;
    if (!s->rootless && cgroup_devices_apply(fd, spec, err) < 0)
        return hutch_error_wrap(err, "linux.resources.devices");
    return 0;
}

void cgroup_setup_abort(struct cgroup_setup *s)
{
    hutch_error ignored = HUTCH_ERROR_INIT;

    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->systemd && s->scope != NULL && s->path != NULL)
        systemd_scope_stop(s->rootless, s->scope, &ignored);
    else if (s->path != NULL && s->created_top != NULL)
        cgroup_remove(s->path, s->created_top, &ignored);
    else if (s->path != NULL)
        cgroup_remove(s->path, s->path, &ignored);
    hutch_error_clear(&ignored);
    free(s->path);
    free(s->created_top);
    s->path = NULL;
    s->created_top = NULL;
}

void cgroup_setup_release(struct cgroup_setup *s)
{
    if (s->fd >= 0)
        close(s->fd);
    free(s->path);
    free(s->created_top);
    free(s->scope);
    cgroup_writes_release(&s->writes);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}
