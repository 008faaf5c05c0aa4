/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver: unit names from linux.cgroupsPath, the limits as
 * unit properties, and the transient scope over D-Bus. sd-bus comes from
 * libsystemd.so.0 through dlopen() on first use (see cgroup_systemd.h): the
 * header gives the types, the library is never linked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>

#include "cgroup_resources.h"
#include "cgroup_systemd.h"
/* after it: needs <hutch/spec.h> */
#include "../spec/decoder.h"

/* ---- unit names ------------------------------------------------------------------------- */

#define UNIT_NAME_MAX 255

/* What systemd allows in a unit name, less '\\' (escapes), ':' and '@' (templates). */
static bool unit_chars_ok(const char *s)
{
    for (; *s != '\0'; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* "a-b.slice" (or the root slice "-.slice"): dash-separated parts, none empty. */
static bool slice_name_ok(const char *slice)
{
    size_t len = strlen(slice);
    const char *suffix = ".slice";
    size_t slen = strlen(suffix);

    if (len <= slen || len > UNIT_NAME_MAX || strcmp(slice + len - slen, suffix) != 0)
        return false;
    if (!unit_chars_ok(slice) || strstr(slice, "..") != NULL)
        return false;
    if (strcmp(slice, "-.slice") == 0)
        return true;
    len -= slen;
    if (slice[0] == '-' || slice[len - 1] == '-')
        return false;
    for (size_t i = 1; i < len; i++)
        if (slice[i] == '-' && slice[i - 1] == '-')
            return false;
    return true;
}

static int bad_path(const char *path, const char *why, hutch_error *err)
{
    char quoted[SPEC_QUOTE_SIZE];

    return hutch_error_set(err, EINVAL,
                           "linux.cgroupsPath: %s: %s (--systemd-cgroup expects "
                           "\"slice:prefix:name\", e.g. \"system.slice:hutch:web\")",
                           spec_quote(quoted, sizeof(quoted), path), why);
}

int systemd_unit_name_parse(const char *cgroups_path, const char *id, bool rootless,
                            struct systemd_unit_name *out, hutch_error *err)
{
    hutch_autofree char *copy = NULL;
    hutch_autofree char *slice = NULL;
    hutch_autofree char *scope = NULL;
    const char *slice_part = "", *prefix = "hutch", *name = id;
    const char *path = cgroups_path != NULL ? cgroups_path : "";

    out->slice = out->scope = NULL;
    if (path[0] != '\0') {
        char *first, *second;

        copy = strdup(path);
        if (copy == NULL)
            return hutch_error_set(err, ENOMEM, "linux.cgroupsPath: out of memory");
        first = strchr(copy, ':');
        second = first != NULL ? strchr(first + 1, ':') : NULL;
        if (second == NULL || strchr(second + 1, ':') != NULL)
            return bad_path(path, "not three parts separated by ':'", err);
        *first = *second = '\0';
        slice_part = copy;
        prefix = first + 1;
        name = second + 1;
        if (name[0] == '\0')
            name = id;
    }
    if (name == NULL || name[0] == '\0')
        return bad_path(path, "no name and no container id", err);
    if (!unit_chars_ok(prefix) || !unit_chars_ok(name) || strstr(prefix, "..") != NULL ||
        strstr(name, "..") != NULL)
        return bad_path(path, "a unit name may hold only letters, digits, '-', '_' and single '.'s",
                        err);
    if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
        return bad_path(path, "a name ending in .slice would make a slice, not a scope", err);

    if (slice_part[0] == '\0')
        slice_part = rootless ? "user.slice" : "system.slice";
    if (!slice_name_ok(slice_part))
        return bad_path(path, "not a slice name (NAME.slice, dash-separated parts)", err);
    slice = strdup(slice_part);
    if (slice == NULL)
        return hutch_error_set(err, ENOMEM, "linux.cgroupsPath: out of memory");
    if (asprintf(&scope, "%s%s%s.scope", prefix, prefix[0] != '\0' ? "-" : "", name) < 0) {
        scope = NULL;
        return hutch_error_set(err, ENOMEM, "linux.cgroupsPath: out of memory");
    }
    if (strlen(scope) > UNIT_NAME_MAX)
        return bad_path(path, "the scope's name is longer than 255 bytes", err);
    out->slice = hutch_steal_pointer(&slice);
    out->scope = hutch_steal_pointer(&scope);
    return 0;
}

void systemd_unit_name_release(struct systemd_unit_name *name)
{
    if (name == NULL)
        return;
    free(name->slice);
    free(name->scope);
    name->slice = name->scope = NULL;
}

/* ---- unit properties -------------------------------------------------------------------- */

#define CPUSET_MAX 8192 /* the kernel's largest NR_CPUS */

static int parse_index(const char **p, unsigned long *out)
{
    char *end;

    if (**p < '0' || **p > '9')
        return -1;
    errno = 0;
    *out = strtoul(*p, &end, 10);
    if (errno != 0 || *out >= CPUSET_MAX)
        return -1;
    *p = end;
    return 0;
}

int systemd_cpuset_mask(const char *list, const char *field, uint8_t **mask, size_t *len,
                        hutch_error *err)
{
    hutch_autofree uint8_t *bits = NULL;
    size_t n = 0;
    const char *p = list;

    *mask = NULL;
    *len = 0;
    while (*p != '\0' && *p != '\n') {
        unsigned long lo, hi;

        if (parse_index(&p, &lo) < 0)
            goto bad;
        hi = lo;
        if (*p == '-') {
            p++;
            if (parse_index(&p, &hi) < 0 || hi < lo)
                goto bad;
        }
        if (*p == ',')
            p++;
        else if (*p != '\0' && *p != '\n')
            goto bad;
        if (hi / 8 + 1 > n) {
            uint8_t *grown = realloc(bits, hi / 8 + 1);
            if (grown == NULL)
                return hutch_error_set(err, ENOMEM, "%s: out of memory", field);
            memset(grown + n, 0, hi / 8 + 1 - n);
            bits = grown;
            n = hi / 8 + 1;
        }
        for (unsigned long i = lo; i <= hi; i++)
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    if (p != list && p[-1] == ',')
        goto bad;
    *mask = hutch_steal_pointer(&bits);
    *len = n;
    return 0;
bad:
    return hutch_error_set(err, EINVAL,
                           "%s: \"%s\" is not a list of numbers and ranges below %d (\"0-2,5\")",
                           field, list, CPUSET_MAX);
}

uint64_t systemd_cpu_quota_per_sec(int64_t quota, uint64_t period)
{
    uint64_t usec;

    if (quota <= 0)
        return SYSTEMD_INFINITY;
    if (period == 0)
        period = 100000;
    if ((uint64_t)quota > UINT64_MAX / 1000000)
        return SYSTEMD_INFINITY;
    usec = (uint64_t)quota * 1000000 / period;
    if (usec % 10000 != 0)
        usec = (usec / 10000 + 1) * 10000;
    return usec;
}

/* cgroupfs's conversions (cgroup_resources.c), kept within the range systemd accepts */
uint64_t systemd_cpu_weight(uint64_t shares)
{
    if (shares < 2)
        return 1;
    if (shares > 262144)
        return 10000;
    return cgroup_cpu_weight(shares);
}

uint64_t systemd_io_weight(uint64_t weight)
{
    if (weight < 10)
        return 1;
    if (weight > 1000)
        return 10000;
    return cgroup_io_weight(weight);
}

static void add_u64(struct systemd_properties *p, const char *name, uint64_t value)
{
    struct systemd_property *it = &p->items[p->n++];

    it->name = name;
    it->type = 't';
    it->value = value;
}

static int add_mask(struct systemd_properties *p, const char *name, const char *list,
                    const char *field, hutch_error *err)
{
    uint8_t *bytes;
    size_t n;
    int r = systemd_cpuset_mask(list, field, &bytes, &n, err);

    if (r < 0)
        return r;
    if (n == 0)
        return 0;
    p->items[p->n].name = name;
    p->items[p->n].type = 'y';
    p->items[p->n].bytes = bytes;
    p->items[p->n].n_bytes = n;
    p->n++;
    return 0;
}

/* -1 is infinity, 0 leaves it, other negative values are errors. */
static int add_limit(struct systemd_properties *p, const char *name, int64_t value,
                     const char *field, hutch_error *err)
{
    if (value == 0)
        return 0;
    if (value < -1)
        return hutch_error_set(err, EINVAL,
                               "linux.resources.%s: %" PRId64 " is neither -1 nor a limit", field,
                               value);
    add_u64(p, name, value == -1 ? SYSTEMD_INFINITY : (uint64_t)value);
    return 0;
}

static int memory_properties(const struct hutch_spec_memory *m, struct systemd_properties *p,
                             hutch_error *err)
{
    int64_t limit = m->limit.set ? m->limit.value : 0;
    int r;

    if (m->limit.set && (r = add_limit(p, "MemoryMax", limit, "memory.limit", err)) < 0)
        return r;
    if (m->reservation.set &&
        (r = add_limit(p, "MemoryLow", m->reservation.value, "memory.reservation", err)) < 0)
        return r;
    if (m->swap.set) {
        int64_t swap = m->swap.value;

        /* runc: memory.swap.max is the swap alone; -1 is "max", 0 leaves it */
        if (limit == -1 && swap == 0)
            swap = -1;
        if (swap == -1 || swap == 0)
            return add_limit(p, "MemorySwapMax", swap, "memory.swap", err);
        if (limit <= 0)
            return hutch_error_set(err, EINVAL,
                                   "linux.resources.memory.swap: a swap limit needs a memory "
                                   "limit (memory.limit)");
        if (swap < limit)
            return hutch_error_set(err, EINVAL,
                                   "linux.resources.memory.swap: %" PRId64
                                   " is below memory.limit %" PRId64 " (swap is memory plus swap)",
                                   swap, limit);
        add_u64(p, "MemorySwapMax", (uint64_t)(swap - limit));
    }
    return 0;
}

static int cpu_properties(const struct hutch_spec_cpu *c, struct systemd_properties *p,
                          hutch_error *err)
{
    int r;

    if (c->shares.set && c->shares.value != 0)
        add_u64(p, "CPUWeight", systemd_cpu_weight(c->shares.value));
    if ((c->quota.set && c->quota.value != 0) || (c->period.set && c->period.value != 0)) {
        uint64_t period = c->period.set ? c->period.value : 0;

        add_u64(p, "CPUQuotaPerSecUSec",
                systemd_cpu_quota_per_sec(c->quota.set ? c->quota.value : 0, period));
        if (period != 0)
            add_u64(p, "CPUQuotaPeriodUSec", period);
    }
    if (c->cpus != NULL &&
        (r = add_mask(p, "AllowedCPUs", c->cpus, "linux.resources.cpu.cpus", err)) < 0)
        return r;
    if (c->mems != NULL &&
        (r = add_mask(p, "AllowedMemoryNodes", c->mems, "linux.resources.cpu.mems", err)) < 0)
        return r;
    return 0;
}

int systemd_properties_build(const struct hutch_spec_resources *r, struct systemd_properties *out,
                             hutch_error *err)
{
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return 0;
    if (r->memory != NULL && (ret = memory_properties(r->memory, out, err)) < 0)
        goto fail;
    if (r->cpu != NULL && (ret = cpu_properties(r->cpu, out, err)) < 0)
        goto fail;
    if (r->pids != NULL && r->pids->limit != 0)
        add_u64(out, "TasksMax", r->pids->limit < 0 ? SYSTEMD_INFINITY : (uint64_t)r->pids->limit);
    if (r->block_io != NULL && r->block_io->weight.set && r->block_io->weight.value != 0)
        add_u64(out, "IOWeight", systemd_io_weight(r->block_io->weight.value));
    return 0;
fail:
    systemd_properties_release(out);
    return ret;
}

void systemd_properties_release(struct systemd_properties *props)
{
    for (size_t i = 0; i < props->n; i++)
        free(props->items[i].bytes);
    memset(props, 0, sizeof(*props));
}

char *systemd_bus_address(const char *path)
{
    static const char hex[] = "0123456789abcdef";
    const char *prefix = "unix:path=";
    size_t plen = strlen(prefix);
    char *out = malloc(plen + 3 * strlen(path) + 1);
    char *o;

    if (out == NULL)
        return NULL;
    memcpy(out, prefix, plen);
    o = out + plen;
    for (const unsigned char *s = (const unsigned char *)path; *s != '\0'; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-_/.\\*", *s) != NULL) {
            *o++ = (char)*s;
        } else {
            *o++ = '%';
            *o++ = hex[*s >> 4];
            *o++ = hex[*s & 15];
        }
    }
    *o = '\0';
    return out;
}

/* ---- the scope over D-Bus ------------------------------------------------------------------ */

#ifdef HUTCH_HAVE_SYSTEMD

#include <dlfcn.h>
#include <time.h>

#include <systemd/sd-bus.h>

#define SD_DEST  "org.freedesktop.systemd1"
#define SD_PATH  "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

/* How long a start or stop job may take; a scope's usually takes milliseconds. */
#define JOB_TIMEOUT_SEC 30

/* The sd-bus functions used here, resolved from libsystemd.so.0 on first use. */
#define SD_BUS_FUNCTIONS(X)                                                                        \
    X(sd_bus_open_system)                                                                          \
    X(sd_bus_open_user)                                                                            \
    X(sd_bus_new)                                                                                  \
    X(sd_bus_set_address)                                                                          \
    X(sd_bus_start)                                                                                \
    X(sd_bus_flush_close_unref)                                                                    \
    X(sd_bus_message_new_method_call)                                                              \
    X(sd_bus_message_append)                                                                       \
    X(sd_bus_message_append_array)                                                                 \
    X(sd_bus_message_open_container)                                                               \
    X(sd_bus_message_close_container)                                                              \
    X(sd_bus_message_read)                                                                         \
    X(sd_bus_message_unref)                                                                        \
    X(sd_bus_call)                                                                                 \
    X(sd_bus_call_method)                                                                          \
    X(sd_bus_error_free)                                                                           \
    X(sd_bus_error_has_name)                                                                       \
    X(sd_bus_match_signal)                                                                         \
    X(sd_bus_slot_unref)                                                                           \
    X(sd_bus_process)                                                                              \
    X(sd_bus_wait)

static struct {
    bool loaded;
#define DECLARE(f) __typeof__(f) *f;
    SD_BUS_FUNCTIONS(DECLARE)
#undef DECLARE
} sd;

static int sd_bus_load(hutch_error *err)
{
    void *lib;
    const char *why;

    if (sd.loaded)
        return 0;
    lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        why = dlerror();
        return hutch_error_set(err, ENOTSUP,
                               "--systemd-cgroup needs libsystemd.so.0 (Debian package "
                               "libsystemd0), which cannot be loaded: %s",
                               why != NULL ? why : "unknown error");
    }
#define LOAD(f)                                                                                    \
    if ((sd.f = (__typeof__(sd.f))dlsym(lib, #f)) == NULL) {                                       \
        memset(&sd, 0, sizeof(sd));                                                                \
        dlclose(lib);                                                                              \
        return hutch_error_set(err, ENOTSUP, "libsystemd.so.0 has no %s (too old?)", #f);          \
    }
    SD_BUS_FUNCTIONS(LOAD)
#undef LOAD
    sd.loaded = true;
    return 0;
}

static void bus_closep(sd_bus **bus)
{
    if (*bus != NULL)
        sd.sd_bus_flush_close_unref(*bus);
}

static void message_unrefp(sd_bus_message **m)
{
    if (*m != NULL)
        sd.sd_bus_message_unref(*m);
}

static void slot_unrefp(sd_bus_slot **slot)
{
    if (*slot != NULL)
        sd.sd_bus_slot_unref(*slot);
}

static void bus_error_freep(sd_bus_error *e)
{
    if (sd.loaded)
        sd.sd_bus_error_free(e);
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
    if ((r = sd.sd_bus_new(&bus)) < 0)
        return r;
    if ((r = sd.sd_bus_set_address(bus, address)) < 0 || (r = sd.sd_bus_start(bus)) < 0)
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

    r = rootless ? sd.sd_bus_open_user(out) : sd.sd_bus_open_system(out);
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
        sd.sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 ||
        strcmp(path, w->job) != 0)
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
    int r = sd.sd_bus_match_signal(bus, slot, direct ? NULL : SD_DEST, SD_PATH, SD_IFACE,
                                   "JobRemoved", on_job_removed, w);

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

    if ((r = sd.sd_bus_message_read(reply, "o", &job)) < 0)
        return hutch_error_syscall(err, -r, "read the job from systemd's reply");
    w->job = strdup(job);
    if (w->job == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    while (!w->done) {
        uint64_t now;

        r = sd.sd_bus_process(bus, NULL);
        if (r < 0)
            return hutch_error_syscall(err, -r, "wait for systemd's job %s", w->job);
        if (r > 0)
            continue;
        now = now_usec();
        if (now >= deadline)
            return hutch_error_set(err, ETIMEDOUT, "systemd's job %s did not finish within %d s",
                                   w->job, JOB_TIMEOUT_SEC);
        r = sd.sd_bus_wait(bus, deadline - now);
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

static void job_wait_release(struct job_wait *w)
{
    free(w->job);
    free(w->result);
}

static int append_property_bytes(sd_bus_message *m, const struct systemd_property *p)
{
    int r = sd.sd_bus_message_open_container(m, 'r', "sv");

    if (r >= 0)
        r = sd.sd_bus_message_append(m, "s", p->name);
    if (r >= 0)
        r = sd.sd_bus_message_open_container(m, 'v', "ay");
    if (r >= 0)
        r = sd.sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes);
    if (r >= 0)
        r = sd.sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd.sd_bus_message_close_container(m);
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
    r = sd.sd_bus_message_append(m, "ss", name->scope, "fail");
    if (r >= 0)
        r = sd.sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = sd.sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", description,
                                     "Slice", "s", name->slice, "Delegate", "b", 1, "PIDs", "au", 1,
                                     (uint32_t)pid, "CollectMode", "s", "inactive-or-failed",
                                     "DefaultDependencies", "b", 0);
    for (size_t i = 0; r >= 0 && i < props->n; i++) {
        const struct systemd_property *p = &props->items[i];

        if (p->type == 'y')
            r = append_property_bytes(m, p);
        else
            r = sd.sd_bus_message_append(m, "(sv)", p->name, "t", p->value);
    }
    if (r >= 0)
        r = sd.sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd.sd_bus_message_append(m, "a(sa(sv))", 0);
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

int systemd_scope_start(bool rootless, const struct systemd_unit_name *name, pid_t pid,
                        const struct hutch_spec_resources *resources, char **cgroup,
                        hutch_error *err)
{
    struct systemd_properties props;
    struct job_wait w = { 0 };
    hutch_autofree char *path = NULL;
    auto_bus bus = NULL;
    auto_slot slot = NULL;
    auto_message m = NULL;
    auto_message reply = NULL;
    auto_bus_error e = SD_BUS_ERROR_NULL;
    bool direct;
    int r;

    if ((r = systemd_properties_build(resources, &props, err)) < 0)
        return r;
    if ((r = sd_bus_load(err)) < 0 || (r = bus_open(rootless, &bus, &direct, err)) < 0 ||
        (r = job_watch(bus, direct, &w, &slot, err)) < 0)
        goto out;
    r = sd.sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_IFACE,
                                          "StartTransientUnit");
    if (r >= 0)
        r = append_start_arguments(m, name, pid, &props);
    if (r < 0) {
        hutch_error_syscall(err, -r, "build the StartTransientUnit call");
        goto out;
    }
    r = sd.sd_bus_call(bus, m, 0, &e, &reply);
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
    systemd_properties_release(&props);
    job_wait_release(&w);
    if (r < 0)
        return hutch_error_wrap(err, "start the systemd scope %s in %s", name->scope, name->slice);
    return 0;
}

int systemd_scope_stop(bool rootless, const char *scope, hutch_error *err)
{
    struct job_wait w = { 0 };
    auto_bus bus = NULL;
    auto_slot slot = NULL;
    auto_message reply = NULL;
    auto_bus_error e = SD_BUS_ERROR_NULL;
    bool direct;
    int r;

    if (!unit_chars_ok(scope) || strstr(scope, "..") != NULL) {
        char quoted[SPEC_QUOTE_SIZE];

        return hutch_error_set(err, EINVAL, "stop the systemd scope %s: not a unit name",
                               spec_quote(quoted, sizeof(quoted), scope));
    }
    if ((r = sd_bus_load(err)) < 0 || (r = bus_open(rootless, &bus, &direct, err)) < 0 ||
        (r = job_watch(bus, direct, &w, &slot, err)) < 0)
        goto out;
    r = sd.sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &e, &reply, "ss", scope,
                              "replace");
    if (r < 0) {
        if (sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
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

#else /* !HUTCH_HAVE_SYSTEMD */

int systemd_scope_start(bool rootless, const struct systemd_unit_name *name, pid_t pid,
                        const struct hutch_spec_resources *resources, char **cgroup,
                        hutch_error *err)
{
    (void)rootless, (void)pid, (void)resources, (void)cgroup;
    return hutch_error_set(err, ENOTSUP,
                           "start the systemd scope %s: hutch was built without systemd "
                           "support (libsystemd-dev was missing); use the cgroupfs driver",
                           name->scope);
}

int systemd_scope_stop(bool rootless, const char *scope, hutch_error *err)
{
    (void)rootless;
    return hutch_error_set(err, ENOTSUP,
                           "stop the systemd scope %s: hutch was built without systemd support "
                           "(libsystemd-dev was missing)",
                           scope);
}

#endif
