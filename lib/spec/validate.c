/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rules that span more than one value of the configuration. Single values
 * (types, names, paths) are checked while decoding, by the schema.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/spec.h>

#include "decoder.h"

/* The kernel accepts at most this many lines in uid_map / gid_map. */
#define MAX_IDMAP_LINES 340

struct validator {
    const char *origin;
    hutch_error *err;
};

/* Fail with "<origin>: <path>: <message>", the path given printf-style as a prefix of fmt. */
static int fail(struct validator *v, const char *fmt, ...) HUTCH_PRINTF(2, 3);
static int fail(struct validator *v, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    int ret;

    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    if (text == NULL)
        return hutch_error_set(v->err, ENOMEM, "%s: out of memory", v->origin);
    ret = hutch_error_set(v->err, EINVAL, "%s: %s", v->origin, text);
    free(text);
    return ret;
}

/* Dot-separated identifiers of [0-9A-Za-z-], none empty; the end, or NULL. */
static const char *skip_identifiers(const char *p)
{
    static const char ident[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-";

    for (;;) {
        size_t n = strspn(p, ident);
        if (n == 0)
            return NULL;
        p += n;
        if (*p != '.')
            return p;
        p++;
    }
}

/* SemVer 2.0.0: MAJOR.MINOR.PATCH (no leading zeros), then -pre.release and +build. */
static bool is_semver(const char *v)
{
    const char *p = v;

    for (int part = 0; part < 3; part++) {
        if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
        if (part < 2 && *p++ != '.')
            return false;
    }
    if (*p == '-')
        p = skip_identifiers(p + 1);
    if (p != NULL && *p == '+')
        p = skip_identifiers(p + 1);
    return p != NULL && *p == '\0';
}

static int check_version(struct validator *v, const char *version)
{
    char quoted[SPEC_QUOTE_SIZE];

    spec_quote(quoted, sizeof(quoted), version);
    if (!is_semver(version))
        return fail(v, "ociVersion: expected a version such as \"" HUTCH_OCI_VERSION "\", found %s",
                    quoted);
    if (strncmp(version, "1.", 2) != 0)
        return fail(v,
                    "ociVersion: version %s is not supported; hutch implements "
                    "runtime-spec " HUTCH_OCI_VERSION " (any 1.x.y is accepted)",
                    quoted);
    return 0;
}

static int check_env(struct validator *v, const char *path, const hutch_strings *env)
{
    for (size_t i = 0; i < env->n; i++) {
        const char *eq = strchr(env->items[i], '=');
        char quoted[SPEC_QUOTE_SIZE];

        if (eq == NULL || eq == env->items[i])
            return fail(v, "%s[%zu]: expected NAME=VALUE, found %s", path, i,
                        spec_quote(quoted, sizeof(quoted), env->items[i]));
    }
    return 0;
}

/* Ranges [start, start+size) must fit in 32 bits and not overlap one another. */
static int check_idmaps(struct validator *v, const char *path, const hutch_spec_idmaps *maps)
{
    if (maps->n > MAX_IDMAP_LINES)
        return fail(v, "%s: %zu mappings, the kernel accepts at most %d", path, maps->n,
                    MAX_IDMAP_LINES);
    for (size_t i = 0; i < maps->n; i++) {
        const struct hutch_spec_idmap *a = &maps->items[i];
        if (a->size == 0)
            return fail(v, "%s[%zu].size: expected at least 1", path, i);
        /* (uid_t)-1 is never a valid id, so 4294967294 is the last one a range may cover */
        if ((uint64_t)a->container_id + a->size > UINT32_MAX ||
            (uint64_t)a->host_id + a->size > UINT32_MAX) {
            bool inside = (uint64_t)a->container_id + a->size > UINT32_MAX;
            uint32_t start = inside ? a->container_id : a->host_id;
            return fail(v,
                        "%s[%zu]: %s ids %" PRIu32 "-%" PRIu64
                        " go past 4294967294, the last id that can be mapped",
                        path, i, inside ? "container" : "host", start,
                        (uint64_t)start + a->size - 1);
        }
        for (size_t j = 0; j < i; j++) {
            const struct hutch_spec_idmap *b = &maps->items[j];
            bool inside = a->container_id < (uint64_t)b->container_id + b->size &&
                          b->container_id < (uint64_t)a->container_id + a->size;
            bool outside = a->host_id < (uint64_t)b->host_id + b->size &&
                           b->host_id < (uint64_t)a->host_id + a->size;
            if (inside || outside)
                return fail(v, "%s[%zu]: %s ids %" PRIu32 "-%" PRIu64 " overlap with %s[%zu]", path,
                            i, inside ? "container" : "host", inside ? a->container_id : a->host_id,
                            (uint64_t)(inside ? a->container_id : a->host_id) + a->size - 1, path,
                            j);
        }
    }
    return 0;
}

static int check_process(struct validator *v, const struct hutch_spec_process *p)
{
    if (p->args.n == 0)
        return fail(v, "process.args: at least one argument (the program) is required");
    if (p->args.items[0][0] == '\0')
        return fail(v, "process.args[0]: the program name is empty");
    if (check_env(v, "process.env", &p->env) < 0)
        return -EINVAL;
    if (p->oom_score_adj.set && (p->oom_score_adj.value < -1000 || p->oom_score_adj.value > 1000))
        return fail(v, "process.oomScoreAdj: expected -1000 to 1000, found %" PRId32,
                    p->oom_score_adj.value);
    for (size_t i = 0; i < p->rlimits.n; i++) {
        const struct hutch_spec_rlimit *r = &p->rlimits.items[i];
        if (r->soft > r->hard)
            return fail(v,
                        "process.rlimits[%zu]: soft limit %" PRIu64
                        " is above the hard limit %" PRIu64,
                        i, r->soft, r->hard);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->rlimits.items[j].type, r->type) == 0)
                return fail(v, "process.rlimits[%zu]: %s is already set by process.rlimits[%zu]", i,
                            r->type, j);
    }
    if (p->io_priority != NULL && (p->io_priority->priority < 0 || p->io_priority->priority > 7))
        return fail(v, "process.ioPriority.priority: expected 0 to 7, found %" PRId32,
                    p->io_priority->priority);
    if (p->scheduler != NULL) {
        const struct hutch_spec_scheduler *s = p->scheduler;
        if (s->nice.set && (s->nice.value < -20 || s->nice.value > 19))
            return fail(v, "process.scheduler.nice: expected -20 to 19, found %" PRId32,
                        s->nice.value);
        if (s->priority.set && (s->priority.value < 0 || s->priority.value > 99))
            return fail(v, "process.scheduler.priority: expected 0 to 99, found %" PRId32,
                        s->priority.value);
        /* the kernel requires runtime <= deadline <= period for SCHED_DEADLINE */
        if (s->runtime.set && s->deadline.set && s->runtime.value > s->deadline.value)
            return fail(v, "process.scheduler.runtime: %" PRIu64 " is above the deadline %" PRIu64,
                        s->runtime.value, s->deadline.value);
        if (s->deadline.set && s->period.set && s->period.value != 0 &&
            s->deadline.value > s->period.value)
            return fail(v, "process.scheduler.deadline: %" PRIu64 " is above the period %" PRIu64,
                        s->deadline.value, s->period.value);
    }
    return 0;
}

static int check_hooks(struct validator *v, const struct hutch_spec_hooks *h)
{
    const struct {
        const char *name;
        const hutch_spec_hook_list *list;
    } kinds[] = {
        { "prestart", &h->prestart },
        { "createRuntime", &h->create_runtime },
        { "createContainer", &h->create_container },
        { "startContainer", &h->start_container },
        { "poststart", &h->poststart },
        { "poststop", &h->poststop },
    };
    char path[64];

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (size_t i = 0; i < kinds[k].list->n; i++) {
            const struct hutch_spec_hook *hook = &kinds[k].list->items[i];
            snprintf(path, sizeof(path), "hooks.%s[%zu]", kinds[k].name, i);
            if (hook->timeout.set && hook->timeout.value <= 0)
                return fail(v, "%s.timeout: expected a positive number of seconds, found %" PRId32,
                            path, hook->timeout.value);
            strncat(path, ".env", sizeof(path) - strlen(path) - 1);
            if (check_env(v, path, &hook->env) < 0)
                return -EINVAL;
        }
    }
    return 0;
}

/* The namespace entry of `type`, or NULL. */
static const struct hutch_spec_namespace *find_namespace(const struct hutch_spec_linux *l,
                                                         const char *type)
{
    for (size_t i = 0; i < l->namespaces.n; i++)
        if (strcmp(l->namespaces.items[i].type, type) == 0)
            return &l->namespaces.items[i];
    return NULL;
}

static int check_namespaces(struct validator *v, const struct hutch_spec_linux *l)
{
    const struct hutch_spec_namespace *user;

    for (size_t i = 0; i < l->namespaces.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->namespaces.items[i].type, l->namespaces.items[j].type) == 0)
                return fail(v,
                            "linux.namespaces[%zu]: namespace \"%s\" is already listed at "
                            "linux.namespaces[%zu]",
                            i, l->namespaces.items[i].type, j);
    if (check_idmaps(v, "linux.uidMappings", &l->uid_mappings) < 0 ||
        check_idmaps(v, "linux.gidMappings", &l->gid_mappings) < 0)
        return -EINVAL;
    user = find_namespace(l, "user");
    if ((l->uid_mappings.n > 0 || l->gid_mappings.n > 0) && user == NULL)
        return fail(v, "linux.%s: id mappings need a user namespace in linux.namespaces",
                    l->uid_mappings.n > 0 ? "uidMappings" : "gidMappings");
    if (user != NULL && user->path == NULL && (l->uid_mappings.n == 0 || l->gid_mappings.n == 0))
        return fail(v, "linux.%s: a new user namespace needs both uidMappings and gidMappings",
                    l->uid_mappings.n == 0 ? "uidMappings" : "gidMappings");
    if (l->time_offsets != NULL) {
        const struct hutch_spec_namespace *time = find_namespace(l, "time");
        const struct hutch_spec_time_offset *clocks[] = { l->time_offsets->monotonic,
                                                          l->time_offsets->boottime };
        if (time == NULL || time->path != NULL)
            return fail(v, "linux.timeOffsets: offsets need a new time namespace in "
                           "linux.namespaces");
        for (size_t i = 0; i < 2; i++)
            if (clocks[i] != NULL && clocks[i]->nanosecs.set &&
                clocks[i]->nanosecs.value >= 1000000000u)
                return fail(v, "linux.timeOffsets.%s.nanosecs: expected less than 1000000000",
                            i == 0 ? "monotonic" : "boottime");
    }
    return 0;
}

static int check_devices(struct validator *v, const struct hutch_spec_linux *l)
{
    for (size_t i = 0; i < l->devices.n; i++) {
        const struct hutch_spec_device *dev = &l->devices.items[i];
        if (strcmp(dev->type, "p") != 0 && (!dev->major.set || !dev->minor.set))
            return fail(v, "linux.devices[%zu]: a device of type \"%s\" needs major and minor", i,
                        dev->type);
        if (dev->file_mode.set && dev->file_mode.value > 07777)
            return fail(v,
                        "linux.devices[%zu].fileMode: expected permission bits (at most "
                        "07777), found %#" PRIo32,
                        i, dev->file_mode.value);
    }
    return 0;
}

/* A cpuset list: "0-3,5,7-8". */
/* A cpuset list: "0-3,5,7-8", each range ascending. */
static bool is_cpu_list(const char *s)
{
    const char *p = s;

    if (*p == '\0')
        return true; /* empty: inherit */
    for (;;) {
        char *end;
        unsigned long first, last;

        if (!isdigit((unsigned char)*p))
            return false;
        first = last = strtoul(p, &end, 10);
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            last = strtoul(p, &end, 10);
            p = end;
        }
        if (last < first)
            return false;
        if (*p == '\0')
            return true;
        if (*p++ != ',')
            return false;
    }
}

static int check_memory(struct validator *v, const struct hutch_spec_memory *m)
{
    const struct {
        const char *name;
        const hutch_opt_i64 *value;
    } sizes[] = { { "limit", &m->limit },
                  { "reservation", &m->reservation },
                  { "swap", &m->swap },
                  { "kernel", &m->kernel },
                  { "kernelTCP", &m->kernel_tcp } };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        if (sizes[i].value->set && sizes[i].value->value < -1)
            return fail(v,
                        "linux.resources.memory.%s: expected -1 (unlimited) or a number of "
                        "bytes, found %" PRId64,
                        sizes[i].name, sizes[i].value->value);
    if (m->swappiness.set && m->swappiness.value > 100)
        return fail(v, "linux.resources.memory.swappiness: expected 0 to 100, found %" PRIu64,
                    m->swappiness.value);
    if (m->limit.set && m->swap.set && m->limit.value > 0 && m->swap.value > 0 &&
        m->swap.value < m->limit.value)
        return fail(v,
                    "linux.resources.memory.swap: memory+swap (%" PRId64
                    ") must not be less than the memory limit (%" PRId64 ")",
                    m->swap.value, m->limit.value);
    return 0;
}

static int check_cpu(struct validator *v, const struct hutch_spec_cpu *c)
{
    char quoted[SPEC_QUOTE_SIZE];

    if (c->period.set && c->period.value != 0 &&
        (c->period.value < 1000 || c->period.value > 1000000))
        return fail(v,
                    "linux.resources.cpu.period: expected 1000 to 1000000 microseconds, "
                    "found %" PRIu64,
                    c->period.value);
    if (c->quota.set && c->quota.value < -1)
        return fail(v,
                    "linux.resources.cpu.quota: expected -1 (unlimited) or a number of "
                    "microseconds, found %" PRId64,
                    c->quota.value);
    if (c->idle.set && c->idle.value != 0 && c->idle.value != 1)
        return fail(v, "linux.resources.cpu.idle: expected 0 or 1, found %" PRId64, c->idle.value);
    if (c->cpus != NULL && !is_cpu_list(c->cpus))
        return fail(v, "linux.resources.cpu.cpus: expected a list such as \"0-3,5\", found %s",
                    spec_quote(quoted, sizeof(quoted), c->cpus));
    if (c->mems != NULL && !is_cpu_list(c->mems))
        return fail(v, "linux.resources.cpu.mems: expected a list such as \"0-1\", found %s",
                    spec_quote(quoted, sizeof(quoted), c->mems));
    return 0;
}

static int check_weight(struct validator *v, const char *path, const hutch_opt_u16 *w)
{
    if (w->set && (w->value < 10 || w->value > 1000))
        return fail(v, "%s: expected 10 to 1000, found %u", path, (unsigned)w->value);
    return 0;
}

static int check_resources(struct validator *v, const struct hutch_spec_resources *r)
{
    char path[96];

    if (r->memory != NULL && check_memory(v, r->memory) < 0)
        return -EINVAL;
    if (r->cpu != NULL && check_cpu(v, r->cpu) < 0)
        return -EINVAL;
    if (r->pids != NULL && r->pids->limit < -1)
        return fail(v,
                    "linux.resources.pids.limit: expected -1 (unlimited) or a number, "
                    "found %" PRId64,
                    r->pids->limit);
    if (r->block_io != NULL) {
        const struct hutch_spec_block_io *b = r->block_io;
        if (check_weight(v, "linux.resources.blockIO.weight", &b->weight) < 0 ||
            check_weight(v, "linux.resources.blockIO.leafWeight", &b->leaf_weight) < 0)
            return -EINVAL;
        for (size_t i = 0; i < b->weight_device.n; i++) {
            snprintf(path, sizeof(path), "linux.resources.blockIO.weightDevice[%zu].weight", i);
            if (check_weight(v, path, &b->weight_device.items[i].weight) < 0)
                return -EINVAL;
            snprintf(path, sizeof(path), "linux.resources.blockIO.weightDevice[%zu].leafWeight", i);
            if (check_weight(v, path, &b->weight_device.items[i].leaf_weight) < 0)
                return -EINVAL;
        }
    }
    return 0;
}

static int check_seccomp(struct validator *v, const struct hutch_spec_seccomp *s)
{
    bool notify = strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0;

    if (s->default_errno_ret.set && strcmp(s->default_action, "SCMP_ACT_ERRNO") != 0 &&
        strcmp(s->default_action, "SCMP_ACT_TRACE") != 0)
        return fail(v,
                    "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or "
                    "SCMP_ACT_TRACE, not %s",
                    s->default_action);
    for (size_t i = 0; i < s->syscalls.n; i++) {
        const struct hutch_spec_syscall *sc = &s->syscalls.items[i];
        if (sc->names.n == 0)
            return fail(v, "linux.seccomp.syscalls[%zu].names: at least one name is required", i);
        if (sc->errno_ret.set && strcmp(sc->action, "SCMP_ACT_ERRNO") != 0 &&
            strcmp(sc->action, "SCMP_ACT_TRACE") != 0)
            return fail(v,
                        "linux.seccomp.syscalls[%zu].errnoRet: only valid with "
                        "SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                        i, sc->action);
        if (strcmp(sc->action, "SCMP_ACT_NOTIFY") == 0)
            notify = true;
        for (size_t j = 0; j < sc->args.n; j++)
            if (sc->args.items[j].index > 5)
                return fail(v,
                            "linux.seccomp.syscalls[%zu].args[%zu].index: expected 0 to 5 "
                            "(system calls have six arguments), found %" PRIu32,
                            i, j, sc->args.items[j].index);
    }
    if (notify && s->listener_path == NULL)
        return fail(v, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
    return 0;
}

static int check_linux(struct validator *v, const struct hutch_spec_linux *l)
{
    if (check_namespaces(v, l) < 0 || check_devices(v, l) < 0)
        return -EINVAL;
    if (l->resources != NULL && check_resources(v, l->resources) < 0)
        return -EINVAL;
    if (l->seccomp != NULL && check_seccomp(v, l->seccomp) < 0)
        return -EINVAL;
    return 0;
}

static int check_mounts(struct validator *v, const struct hutch_spec *spec)
{
    char path[64];

    for (size_t i = 0; i < spec->mounts.n; i++) {
        const struct hutch_spec_mount *m = &spec->mounts.items[i];
        if ((m->uid_mappings.n > 0) != (m->gid_mappings.n > 0))
            return fail(v,
                        "mounts[%zu]: an id-mapped mount needs both uidMappings and "
                        "gidMappings",
                        i);
        snprintf(path, sizeof(path), "mounts[%zu].uidMappings", i);
        if (check_idmaps(v, path, &m->uid_mappings) < 0)
            return -EINVAL;
        snprintf(path, sizeof(path), "mounts[%zu].gidMappings", i);
        if (check_idmaps(v, path, &m->gid_mappings) < 0)
            return -EINVAL;
    }
    return 0;
}

/* hostname and domainname are set in a UTS namespace of the container's own. */
static int check_uts(struct validator *v, const struct hutch_spec *spec)
{
    bool has_uts = spec->linux_cfg != NULL && find_namespace(spec->linux_cfg, "uts") != NULL;

    if (spec->hostname != NULL && spec->hostname[0] != '\0' && !has_uts)
        return fail(v, "hostname: setting it needs a uts namespace in linux.namespaces");
    if (spec->domainname != NULL && spec->domainname[0] != '\0' && !has_uts)
        return fail(v, "domainname: setting it needs a uts namespace in linux.namespaces");
    if (spec->hostname != NULL && strlen(spec->hostname) > 64)
        return fail(v, "hostname: expected at most 64 bytes, found %zu", strlen(spec->hostname));
    if (spec->domainname != NULL && strlen(spec->domainname) > 64)
        return fail(v, "domainname: expected at most 64 bytes, found %zu",
                    strlen(spec->domainname));
    return 0;
}

int spec_validate_process(const struct hutch_spec_process *p, const char *origin, hutch_error *err)
{
    struct validator v = { .origin = origin, .err = err };

    return check_process(&v, p);
}

int spec_validate_resources(const struct hutch_spec_resources *r, const char *origin,
                            hutch_error *err)
{
    struct validator v = { .origin = origin, .err = err };

    return check_resources(&v, r);
}

int hutch_spec_validate(const struct hutch_spec *spec, const char *origin, hutch_error *err)
{
    struct validator v = { .origin = origin, .err = err };

    if (spec->oci_version == NULL)
        return fail(&v, "ociVersion: required but missing");
    if (check_version(&v, spec->oci_version) < 0)
        return -EINVAL;
    if (spec->process != NULL && check_process(&v, spec->process) < 0)
        return -EINVAL;
    if (spec->hooks != NULL && check_hooks(&v, spec->hooks) < 0)
        return -EINVAL;
    if (check_mounts(&v, spec) < 0 || check_uts(&v, spec) < 0)
        return -EINVAL;
    if (spec->linux_cfg != NULL && check_linux(&v, spec->linux_cfg) < 0)
        return -EINVAL;
    return 0;
}
