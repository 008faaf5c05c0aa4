/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver: unit names from linux.cgroupsPath, the limits as
 * unit properties, and the transient scope, started and stopped by the helper
 * hutch-systemd (cmd/hutch-systemd), which talks D-Bus (see cgroup_systemd.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/spawn.h"
#include "../core/strbuf.h"
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

/* ---- the scope, through hutch-systemd ------------------------------------------------------ */

#define HELPER_NAME "hutch-systemd"

/*
 * hutch-systemd: $HUTCH_SYSTEMD_HELPER when set, else beside this program when
 * there (the build tree), else in HUTCH_LIBEXECDIR, where meson installs it.
 */
static const char *helper_path(char *buf, size_t size)
{
    const char *env = getenv("HUTCH_SYSTEMD_HELPER");
    char self[PATH_MAX];
    char *slash;
    ssize_t n;

    if (env != NULL && env[0] != '\0')
        return env;
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (self[0] == '/' && slash != NULL) {
            *slash = '\0';
            if ((size_t)snprintf(buf, size, "%s/" HELPER_NAME, self) < size &&
                access(buf, X_OK) == 0)
                return buf;
        }
    }
    return HUTCH_LIBEXECDIR "/" HELPER_NAME;
}

/* Run hutch-systemd with argv[1...]; its output line in `out`. Its failure is the error. */
static int run_helper(const char **argv, char *out, size_t size, hutch_error *err)
{
    char path[PATH_MAX];
    int rc;

    argv[0] = helper_path(path, sizeof(path));
    rc = hutch_spawn_output((char *const *)argv, out, size);
    if (rc == -ENOENT)
        return hutch_error_set(err, ENOTSUP,
#ifdef HUTCH_HAVE_SYSTEMD
                               "--systemd-cgroup needs %s, which is missing; reinstall hutch, "
                               "or use the cgroupfs driver",
#else
                               "--systemd-cgroup needs %s, and hutch was built without it "
                               "(libsystemd-dev was missing); use the cgroupfs driver",
#endif
                               argv[0]);
    if (rc < 0)
        return hutch_error_syscall(err, -rc, "run %s", argv[0]);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
        return 0;
    if (out[0] == '\0')
        return hutch_error_set(err, EIO, "%s failed without a reason", argv[0]);
    return hutch_error_set(err, WIFEXITED(rc) && WEXITSTATUS(rc) < 126 ? WEXITSTATUS(rc) : EIO,
                           "%s", out);
}

/* NAME=t:U64 or NAME=y:HEX, as hutch-systemd takes a property. */
static char *property_argument(const struct systemd_property *p)
{
    static const char hex[] = "0123456789abcdef";
    struct strbuf b = STRBUF_INIT;

    if (p->type != 'y') {
        strbuf_printf(&b, "%s=t:%" PRIu64, p->name, p->value);
        return strbuf_steal(&b);
    }
    strbuf_printf(&b, "%s=y:", p->name);
    for (size_t i = 0; i < p->n_bytes; i++) {
        strbuf_putc(&b, hex[p->bytes[i] >> 4]);
        strbuf_putc(&b, hex[p->bytes[i] & 15]);
    }
    return strbuf_steal(&b);
}

int systemd_scope_start(bool rootless, const struct systemd_unit_name *name, pid_t pid,
                        const struct hutch_spec_resources *resources, char **cgroup,
                        hutch_error *err)
{
    struct systemd_properties props;
    const char *argv[7 + SYSTEMD_PROPERTIES_MAX] = { NULL };
    char pid_text[16], out[PATH_MAX];
    size_t argc = 1, first_prop;
    int rc;

    if ((rc = systemd_properties_build(resources, &props, err)) < 0)
        return rc;
    argv[argc++] = "start";
    if (rootless)
        argv[argc++] = "--user";
    argv[argc++] = name->slice;
    argv[argc++] = name->scope;
    snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
    argv[argc++] = pid_text;
    first_prop = argc;
    for (size_t i = 0; i < props.n; i++) {
        char *arg = property_argument(&props.items[i]);

        if (arg == NULL) {
            rc = hutch_error_set(err, ENOMEM, "out of memory");
            goto out;
        }
        argv[argc++] = arg;
    }
    if ((rc = run_helper(argv, out, sizeof(out), err)) < 0)
        goto out;
    if (out[0] != '/') {
        /* not argv[0]: run_helper's path buffer is gone by now */
        rc = hutch_error_set(err, EIO, "start the systemd scope %s: " HELPER_NAME " gave no cgroup",
                             name->scope);
        goto out;
    }
    *cgroup = strdup(out);
    if (*cgroup == NULL)
        rc = hutch_error_set(err, ENOMEM, "out of memory");
out:
    for (size_t i = first_prop; i < argc; i++)
        free((char *)argv[i]);
    systemd_properties_release(&props);
    return rc;
}

int systemd_scope_stop(bool rootless, const char *scope, hutch_error *err)
{
    const char *argv[5] = { NULL, "stop", NULL, NULL, NULL };
    char out[512];

    if (!unit_chars_ok(scope) || strstr(scope, "..") != NULL) {
        char quoted[SPEC_QUOTE_SIZE];

        return hutch_error_set(err, EINVAL, "stop the systemd scope %s: not a unit name",
                               spec_quote(quoted, sizeof(quoted), scope));
    }
    argv[2] = rootless ? "--user" : scope;
    argv[3] = rootless ? scope : NULL;
    return run_helper(argv, out, sizeof(out), err);
}
