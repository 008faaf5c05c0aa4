/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-systemd's D-Bus side: a transient scope started (StartTransientUnit,
 * mode "fail") or stopped (StopUnit) through systemd's manager, waiting for
 * the job. libsystemd's sd-bus does the talking; this program is the only part
 * of hutch linked with it (hutch-oci is static, see cgroup_systemd.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include <hutch/cleanup.h>

#include "bus.h"

#define SD_DEST  "org.freedesktop.systemd1"
#define SD_PATH  "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

/* How long a start or stop job may take; a scope's usually takes milliseconds. */
#define JOB_TIMEOUT_SEC 30

static void bus_closep(sd_bus **bus)
{
    if (*bus != NULL)
        sd_bus_flush_close_unref(*bus);
}

static void message_unrefp(sd_bus_message **m)
{
    if (*m != NULL)
        sd_bus_message_unref(*m);
}

static void slot_unrefp(sd_bus_slot **slot)
{
    if (*slot != NULL)
        sd_bus_slot_unref(*slot);
}

static void bus_error_freep(sd_bus_error *e)
{
    sd_bus_error_free(e);
}

#define auto_bus       __attribute__((cleanup(bus_closep))) sd_bus *
#define auto_message   __attribute__((cleanup(message_unrefp))) sd_bus_message *
#define auto_slot      __attribute__((cleanup(slot_unrefp))) sd_bus_slot *
#define auto_bus_error __attribute__((cleanup(bus_error_freep))) sd_bus_error

/* The bus error's text when it has one, else strerror. */
static const char *bus_error_text(const sd_bus_error *e, int r)
{
    return e->message != NULL ? e->message : strerror(-r);
}

/* A peer-to-peer connection to a manager's private socket (no bus daemon, no Hello). */
static int bus_open_private(const char *socket, sd_bus **out)
{
    auto_bus bus = NULL;
    hutch_autofree char *address = systemd_bus_address(socket);
    int r;

    if (address == NULL)
        return -ENOMEM;
    if ((r = sd_bus_new(&bus)) < 0)
        return r;
    if ((r = sd_bus_set_address(bus, address)) < 0 || (r = sd_bus_start(bus)) < 0)
        return r;
    *out = hutch_steal_pointer(&bus);
    return 0;
}

/*
 * The system bus as root, the user's bus rootless ($DBUS_SESSION_BUS_ADDRESS
 * or $XDG_RUNTIME_DIR/bus); without one, the manager's private socket, which
 * needs no bus daemon. *direct says which: a private connection has no bus
 * names to match on.
 */
static int bus_open(bool rootless, sd_bus **out, bool *direct, hutch_error *err)
{
    hutch_autofree char *socket = NULL;
    const char *runtime_dir = rootless ? getenv("XDG_RUNTIME_DIR") : "/run";
    int r, r2;

    r = rootless ? sd_bus_open_user(out) : sd_bus_open_system(out);
    if (r >= 0) {
        *direct = false;
        return 0;
    }
    if (runtime_dir == NULL || runtime_dir[0] != '/')
        return hutch_error_set(err, -r,
                               "--systemd-cgroup: no user bus (%s) and XDG_RUNTIME_DIR is not "
                               "set: rootless, the systemd driver needs your systemd user manager "
                               "(a login session, or `loginctl enable-linger $USER`); or use the "
                               "cgroupfs driver",
                               strerror(-r));
    if (asprintf(&socket, "%s/systemd/private", runtime_dir) < 0) {
        socket = NULL;
        return hutch_error_set(err, ENOMEM, "--systemd-cgroup: out of memory");
    }
    r2 = bus_open_private(socket, out);
    if (r2 >= 0) {
        *direct = true;
        return 0;
    }
    if (rootless)
        return hutch_error_set(err, -r,
                               "--systemd-cgroup: cannot reach your systemd user manager (user "
                               "bus: %s; %s: %s): rootless, the systemd driver needs one running "
                               "for you (a login session, or `loginctl enable-linger $USER`); or "
                               "use the cgroupfs driver",
                               strerror(-r), socket, strerror(-r2));
    return hutch_error_set(err, -r,
                           "--systemd-cgroup: cannot reach systemd (system bus: %s; %s: %s): "
                           "the systemd driver needs systemd as the service manager; or use the "
                           "cgroupfs driver",
                           strerror(-r), socket, strerror(-r2));
}

struct job_wait {
    char *job;    /* the job's object path, once the call returned it */
    char *result; /* "done", "failed", ... once JobRemoved named the job */
    bool done;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct job_wait *w = userdata;
    const char *path, *unit, *result;
    uint32_t id;

    (void)ret_error;
    if (w->job == NULL || w->done ||
        sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 || strcmp(path, w->job) != 0)
        return 0;
    w->result = strdup(result);
    w->done = true;
    return 0;
}

static uint64_t now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Subscribe to JobRemoved; before the call that makes the job, so that none is missed. */
static int job_watch(sd_bus *bus, bool direct, struct job_wait *w, sd_bus_slot **slot,
                     hutch_error *err)
{
    int r = sd_bus_match_signal(bus, slot, direct ? NULL : SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
                                on_job_removed, w);

    if (r < 0)
        return hutch_error_syscall(err, -r, "subscribe to systemd's JobRemoved signals");
    return 0;
}

/* Take the job's path from the reply of the call that made it, and wait until it is removed. */
static int job_wait(sd_bus *bus, sd_bus_message *reply, struct job_wait *w, hutch_error *err)
{
    uint64_t deadline = now_usec() + JOB_TIMEOUT_SEC * 1000000ull;
    const char *job;
    int r;

    if ((r = sd_bus_message_read(reply, "o", &job)) < 0)
        return hutch_error_syscall(err, -r, "read the job from systemd's reply");
    w->job = strdup(job);
    if (w->job == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    while (!w->done) {
        uint64_t now;

        r = sd_bus_process(bus, NULL);
        if (r < 0)
            return hutch_error_syscall(err, -r, "wait for systemd's job %s", w->job);
        if (r > 0)
            continue;
        now = now_usec();
        if (now >= deadline)
            return hutch_error_set(err, ETIMEDOUT, "systemd's job %s did not finish within %d s",
                                   w->job, JOB_TIMEOUT_SEC);
        r = sd_bus_wait(bus, deadline - now);
        if (r < 0 && r != -EINTR)
            return hutch_error_syscall(err, -r, "wait for systemd's job %s", w->job);
    }
    if (w->result == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    if (strcmp(w->result, "done") != 0)
        return hutch_error_set(err, EIO, "systemd's job %s ended with result \"%s\"", w->job,
                               w->result);
    return 0;
}

/* The bus, subscribed to JobRemoved before any call makes a job. */
static int bus_open_watching(bool rootless, sd_bus **bus, struct job_wait *w, sd_bus_slot **slot,
                             hutch_error *err)
{
    bool direct = false;
    int r = bus_open(rootless, bus, &direct, err);

    if (r < 0)
        return r;
    return job_watch(*bus, direct, w, slot, err);
}

static void job_wait_release(struct job_wait *w)
{
    free(w->job);
    free(w->result);
}

static int append_property_bytes(sd_bus_message *m, const struct systemd_property *p)
{
    int r = sd_bus_message_open_container(m, 'r', "sv");

    if (r >= 0)
        r = sd_bus_message_append(m, "s", p->name);
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'v', "ay");
    if (r >= 0)
        r = sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    return r;
}

/* StartTransientUnit's arguments: name, mode, properties, auxiliary units (none). */
static int append_start_arguments(sd_bus_message *m, const struct systemd_unit_name *name,
                                  pid_t pid, const struct systemd_properties *props)
{
    hutch_autofree char *description = NULL;
    int r;

    if (asprintf(&description, "hutch container %s", name->scope) < 0) {
        description = NULL;
        return -ENOMEM;
    }
    r = sd_bus_message_append(m, "ss", name->scope, "fail");
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", description,
                                  "Slice", "s", name->slice, "Delegate", "b", 1, "PIDs", "au", 1,
                                  (uint32_t)pid, "CollectMode", "s", "inactive-or-failed",
                                  "DefaultDependencies", "b", 0);
    for (size_t i = 0; r >= 0 && i < props->n; i++) {
        const struct systemd_property *p = &props->items[i];

        if (p->type == 'y')
            r = append_property_bytes(m, p);
        else
            r = sd_bus_message_append(m, "(sv)", p->name, "t", p->value);
    }
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
    return r;
}

/* The cgroup v2 path of `pid` ("0::PATH" in /proc/PID/cgroup), relative to the mount. */
static int pid_cgroup(pid_t pid, char **out, hutch_error *err)
{
    hutch_autofclose FILE *f = NULL;
    hutch_autofree char *line = NULL;
    char path[64];
    size_t cap = 0;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return hutch_error_syscall(err, errno, "open %s", path);
    while ((n = getline(&line, &cap, f)) > 0) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        *out = strdup(line + 3);
        if (*out == NULL)
            return hutch_error_set(err, ENOMEM, "out of memory");
        return 0;
    }
    return hutch_error_set(err, ENOENT, "%s: no cgroup v2 entry", path);
}

static bool path_ends_with_unit(const char *cgroup, const char *unit)
{
    size_t n = strlen(cgroup), u = strlen(unit);

    return n > u && cgroup[n - u - 1] == '/' && strcmp(cgroup + n - u, unit) == 0;
}

int bus_scope_start(bool rootless, const struct systemd_unit_name *name, pid_t pid,
                    const struct systemd_properties *props, char **cgroup, hutch_error *err)
{
    struct job_wait w = { 0 };
    hutch_autofree char *path = NULL;
    auto_bus bus = NULL;
    auto_slot slot = NULL;
    auto_message m = NULL;
    auto_message reply = NULL;
    auto_bus_error e = SD_BUS_ERROR_NULL;
    int r;

    if ((r = bus_open_watching(rootless, &bus, &w, &slot, err)) < 0)
        goto out;
    r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_IFACE, "StartTransientUnit");
    if (r >= 0)
        r = append_start_arguments(m, name, pid, props);
    if (r < 0) {
        hutch_error_syscall(err, -r, "build the StartTransientUnit call");
        goto out;
    }
    r = sd_bus_call(bus, m, 0, &e, &reply);
    if (r < 0) {
        hutch_error_set(err, -r, "%s", bus_error_text(&e, r));
        goto out;
    }
    if ((r = job_wait(bus, reply, &w, err)) < 0 || (r = pid_cgroup(pid, &path, err)) < 0)
        goto out;
    if (!path_ends_with_unit(path, name->scope)) {
        r = hutch_error_set(err, EIO, "systemd started it, but process %d is in cgroup %s",
                            (int)pid, path);
        goto out;
    }
    *cgroup = hutch_steal_pointer(&path);
out:
    job_wait_release(&w);
    if (r < 0)
        return hutch_error_wrap(err, "start the systemd scope %s in %s", name->scope, name->slice);
    return 0;
}

int bus_scope_stop(bool rootless, const char *scope, hutch_error *err)
{
    struct job_wait w = { 0 };
    auto_bus bus = NULL;
    auto_slot slot = NULL;
    auto_message reply = NULL;
    auto_bus_error e = SD_BUS_ERROR_NULL;
    int r;

    if ((r = bus_open_watching(rootless, &bus, &w, &slot, err)) < 0)
        goto out;
    r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &e, &reply, "ss", scope,
                           "replace");
    if (r < 0) {
        if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
            r = 0;
            goto out;
        }
        hutch_error_set(err, -r, "%s", bus_error_text(&e, r));
        goto out;
    }
    r = job_wait(bus, reply, &w, err);
out:
    job_wait_release(&w);
    if (r < 0)
        return hutch_error_wrap(err, "stop the systemd scope %s", scope);
    return 0;
}
