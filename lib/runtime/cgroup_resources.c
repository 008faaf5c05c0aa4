/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources to cgroup v2 files, with runc's conversions. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "cgroup_resources.h"

static const char *const controller_names[CGROUP_CONTROLLER_COUNT] = {
    "cpu", "cpuset", "io", "memory", "pids", "hugetlb",
};

const char *cgroup_controller_name(unsigned int bit)
{
    for (unsigned int i = 0; i < CGROUP_CONTROLLER_COUNT; i++)
        if (bit == 1u << i)
            return controller_names[i];
    return NULL;
}

unsigned int cgroup_controller_bit(const char *name, size_t len)
{
    for (unsigned int i = 0; i < CGROUP_CONTROLLER_COUNT; i++)
        if (strlen(controller_names[i]) == len && memcmp(controller_names[i], name, len) == 0)
            return 1u << i;
    return 0;
}

uint64_t cgroup_cpu_weight(uint64_t shares)
{
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_io_weight(uint64_t weight)
{
    return 1 + ((weight - 10) * 9999) / 990;
}

/* runc's numToStr: 0 leaves the file alone, -1 is "max". */
static void number_value(int64_t v, char *buf, size_t size)
{
    if (v == 0)
        buf[0] = '\0';
    else if (v == -1)
        snprintf(buf, size, "max");
    else
        snprintf(buf, size, "%" PRId64, v);
}

int cgroup_swap_max(int64_t swap, int64_t memory, const char *origin, char *buf, size_t size,
                    hutch_error *err)
{
    buf[0] = '\0';
    /* unlimited memory and no swap asked: both unlimited, as v1 meant it */
    if (memory == -1 && swap == 0) {
        snprintf(buf, size, "max");
        return 0;
    }
    if (swap == -1 || swap == 0) {
        number_value(swap, buf, size);
        return 0;
    }
    if (swap < -1)
        return hutch_error_set(err, EINVAL,
                               "%s: linux.resources.memory.swap: %" PRId64 " is not a size", origin,
                               swap);
    if (memory == 0 || memory == -1)
        return hutch_error_set(err, EINVAL,
                               "%s: linux.resources.memory.swap: a swap limit needs a memory "
                               "limit (memory.limit)",
                               origin);
    if (memory < 0)
        return hutch_error_set(err, EINVAL,
                               "%s: linux.resources.memory.limit: %" PRId64 " is not a size",
                               origin, memory);
    if (swap < memory)
        return hutch_error_set(err, EINVAL,
                               "%s: linux.resources.memory.swap: %" PRId64
                               " is below memory.limit %" PRId64
                               " (swap is memory plus swap, as in cgroup v1)",
                               origin, swap, memory);
    /* the same value as the limit: no swap at all */
    snprintf(buf, size, "%" PRId64, swap - memory);
    return 0;
}

static int add(struct cgroup_writes *w, unsigned int controller, const char *field,
               const char *file, const char *fmt, ...) HUTCH_PRINTF(5, 6);

static int add(struct cgroup_writes *w, unsigned int controller, const char *field,
               const char *file, const char *fmt, ...)
{
    struct cgroup_write *item;
    va_list ap;
    int n;

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        struct cgroup_write *items = realloc(w->items, cap * sizeof(*items));
        if (items == NULL)
            return -ENOMEM;
        w->items = items;
        w->cap = cap;
    }
    item = &w->items[w->n];
    memset(item, 0, sizeof(*item));
    item->controller = controller;
    item->field = field;
    item->file = strdup(file);
    va_start(ap, fmt);
    n = vasprintf(&item->value, fmt, ap);
    va_end(ap);
    if (n < 0 || item->file == NULL) {
        if (n >= 0)
            free(item->value);
        free(item->file);
        return -ENOMEM;
    }
    w->n++;
    return 0;
}

static int refuse(const char *origin, const char *field, const char *why, hutch_error *err)
{
    return hutch_error_set(err, ENOTSUP, "%s: linux.resources.%s: %s; remove it to run", origin,
                           field, why);
}

static int plan_memory(const struct hutch_spec_memory *m, int64_t memory_limit, const char *origin,
                       struct cgroup_writes *w, hutch_error *err)
{
    int64_t limit = m->limit.set ? m->limit.value : memory_limit;
    char value[32];

    if (m->kernel.set && m->kernel.value != 0)
        return refuse(origin, "memory.kernel", "cgroup v2 has no separate kernel memory limit",
                      err);
    if (m->kernel_tcp.set && m->kernel_tcp.value != 0)
        return refuse(origin, "memory.kernelTCP", "cgroup v2 has no separate TCP memory limit",
                      err);
    if (m->swappiness.set)
        return refuse(origin, "memory.swappiness", "cgroup v2 has no per-cgroup swappiness", err);
    if (m->disable_oom_killer.set && m->disable_oom_killer.value)
        return refuse(origin, "memory.disableOOMKiller",
                      "cgroup v2 cannot turn the OOM killer off for a cgroup", err);
    if (m->use_hierarchy.set && !m->use_hierarchy.value)
        return refuse(origin, "memory.useHierarchy", "cgroup v2 is always hierarchical", err);
    if ((m->limit.set && m->limit.value < -1) || (m->reservation.set && m->reservation.value < -1))
        return hutch_error_set(err, EINVAL, "%s: linux.resources.memory.%s: a negative size",
                               origin,
                               m->limit.set && m->limit.value < -1 ? "limit" : "reservation");
    if (m->swap.set || limit == -1) {
        if (cgroup_swap_max(m->swap.set ? m->swap.value : 0, limit, origin, value, sizeof(value),
                            err) < 0)
            return -err->code;
        /* memory and memory+swap alike: swap off */
        if (value[0] == '\0' && m->swap.set && m->swap.value > 0)
            snprintf(value, sizeof(value), "0");
        if (value[0] != '\0' &&
            add(w, CGROUP_MEMORY, "memory.swap", "memory.swap.max", "%s", value) < 0)
            return -ENOMEM;
    }
    if (m->limit.set) {
        number_value(m->limit.value, value, sizeof(value));
        if (value[0] != '\0' &&
            add(w, CGROUP_MEMORY, "memory.limit", "memory.max", "%s", value) < 0)
            return -ENOMEM;
    }
    if (m->reservation.set) {
        number_value(m->reservation.value, value, sizeof(value));
        if (value[0] != '\0' &&
            add(w, CGROUP_MEMORY, "memory.reservation", "memory.low", "%s", value) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int plan_cpu(const struct hutch_spec_cpu *c, const char *origin, struct cgroup_writes *w,
                    hutch_error *err)
{
    if ((c->realtime_runtime.set && c->realtime_runtime.value != 0) ||
        (c->realtime_period.set && c->realtime_period.value != 0))
        return refuse(origin, "cpu.realtimeRuntime", "cgroup v2 has no real-time cpu budget", err);
    if (c->shares.set && c->shares.value != 0) {
        if (c->shares.value < 2 || c->shares.value > 262144)
            return hutch_error_set(
                    err, EINVAL, "%s: linux.resources.cpu.shares: %" PRIu64 " is outside 2..262144",
                    origin, c->shares.value);
        if (add(w, CGROUP_CPU, "cpu.shares", "cpu.weight", "%" PRIu64,
                cgroup_cpu_weight(c->shares.value)) < 0)
            return -ENOMEM;
    }
    if ((c->quota.set && c->quota.value != 0) || (c->period.set && c->period.value != 0)) {
        char quota[32] = "max";
        int r;
        if (c->quota.set && c->quota.value > 0)
            snprintf(quota, sizeof(quota), "%" PRId64, c->quota.value);
        else if (c->quota.set && c->quota.value < -1)
            return hutch_error_set(err, EINVAL,
                                   "%s: linux.resources.cpu.quota: %" PRId64
                                   " (expected -1 for none, or microseconds)",
                                   origin, c->quota.value);
        if (c->period.set && c->period.value != 0)
            r = add(w, CGROUP_CPU, "cpu.quota", "cpu.max", "%s %" PRIu64, quota, c->period.value);
        else
            r = add(w, CGROUP_CPU, "cpu.quota", "cpu.max", "%s", quota);
        if (r < 0)
            return -ENOMEM;
    }
    if (c->burst.set &&
        add(w, CGROUP_CPU, "cpu.burst", "cpu.max.burst", "%" PRIu64, c->burst.value) < 0)
        return -ENOMEM;
    if (c->cpus != NULL && c->cpus[0] != '\0' &&
        add(w, CGROUP_CPUSET, "cpu.cpus", "cpuset.cpus", "%s", c->cpus) < 0)
        return -ENOMEM;
    if (c->mems != NULL && c->mems[0] != '\0' &&
        add(w, CGROUP_CPUSET, "cpu.mems", "cpuset.mems", "%s", c->mems) < 0)
        return -ENOMEM;
    if (c->idle.set && add(w, CGROUP_CPU, "cpu.idle", "cpu.idle", "%" PRId64, c->idle.value) < 0)
        return -ENOMEM;
    return 0;
}

static int check_weight(uint64_t weight, const char *origin, const char *field, hutch_error *err)
{
    if (weight < 10 || weight > 1000)
        return hutch_error_set(err, EINVAL,
                               "%s: linux.resources.%s: %" PRIu64 " is outside 10..1000", origin,
                               field, weight);
    return 0;
}

/* One io.max line per device: every throttle of it together. */
static int plan_throttles(const struct hutch_spec_block_io *b, struct cgroup_writes *w)
{
    const hutch_spec_throttle_list *lists[4] = { &b->throttle_read_bps_device,
                                                 &b->throttle_write_bps_device,
                                                 &b->throttle_read_iops_device,
                                                 &b->throttle_write_iops_device };
    static const char *const keys[4] = { "rbps", "wbps", "riops", "wiops" };

    for (size_t l = 0; l < 4; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const struct hutch_spec_throttle_device *t = &lists[l]->items[i];
            char line[256];
            size_t len;
            bool seen = false;

            /* this device's line was written with an earlier list */
            for (size_t pl = 0; pl < l && !seen; pl++)
                for (size_t j = 0; j < lists[pl]->n && !seen; j++)
                    seen = lists[pl]->items[j].major == t->major &&
                           lists[pl]->items[j].minor == t->minor;
            for (size_t j = 0; j < i && !seen; j++)
                seen = lists[l]->items[j].major == t->major && lists[l]->items[j].minor == t->minor;
            if (seen)
                continue;
            len = (size_t)snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64, t->major, t->minor);
            for (size_t k = l; k < 4; k++)
                for (size_t j = 0; j < lists[k]->n; j++) {
                    const struct hutch_spec_throttle_device *o = &lists[k]->items[j];
                    if (o->major != t->major || o->minor != t->minor || len >= sizeof(line))
                        continue;
                    /* 0 is no limit, as in v1 */
                    if (o->rate == 0)
                        len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=max", keys[k]);
                    else
                        len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=%" PRIu64,
                                                keys[k], o->rate);
                }
            if (add(w, CGROUP_IO, "blockIO.throttle", "io.max", "%s", line) < 0)
                return -ENOMEM;
        }
    }
    return 0;
}

static int plan_block_io(const struct hutch_spec_block_io *b, const char *origin,
                         struct cgroup_writes *w, hutch_error *err)
{
    if (b->leaf_weight.set && b->leaf_weight.value != 0)
        return refuse(origin, "blockIO.leafWeight", "cgroup v2 has no leaf weights", err);
    if (b->weight.set && b->weight.value != 0) {
        if (check_weight(b->weight.value, origin, "blockIO.weight", err) < 0)
            return -err->code;
        if (add(w, CGROUP_IO, "blockIO.weight", "io.weight", "%" PRIu64,
                cgroup_io_weight(b->weight.value)) < 0)
            return -ENOMEM;
    }
    for (size_t i = 0; i < b->weight_device.n; i++) {
        const struct hutch_spec_weight_device *d = &b->weight_device.items[i];
        if (d->leaf_weight.set && d->leaf_weight.value != 0)
            return refuse(origin, "blockIO.weightDevice.leafWeight",
                          "cgroup v2 has no leaf weights", err);
        if (!d->weight.set || d->weight.value == 0)
            continue;
        if (check_weight(d->weight.value, origin, "blockIO.weightDevice.weight", err) < 0)
            return -err->code;
        if (add(w, CGROUP_IO, "blockIO.weightDevice", "io.weight",
                "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                cgroup_io_weight(d->weight.value)) < 0)
            return -ENOMEM;
    }
    return plan_throttles(b, w);
}

static int plan_unified(const hutch_spec_map *unified, const char *origin, struct cgroup_writes *w,
                        hutch_error *err)
{
    for (size_t i = 0; i < unified->n; i++) {
        const char *key = unified->items[i].key;
        const char *dot = strchr(key, '.');

        if (key[0] == '\0' || key[0] == '.' || dot == NULL || strchr(key, '/') != NULL ||
            strstr(key, "..") != NULL)
            return hutch_error_set(err, EINVAL,
                                   "%s: linux.resources.unified: \"%s\" is not a cgroup file name "
                                   "such as \"memory.high\"",
                                   origin, key);
        if (add(w, cgroup_controller_bit(key, (size_t)(dot - key)), "unified", key, "%s",
                unified->items[i].value) < 0)
            return -ENOMEM;
    }
    return 0;
}

int cgroup_resources_plan(const struct hutch_spec_resources *r, int64_t memory_limit,
                          const char *origin, struct cgroup_writes *out, hutch_error *err)
{
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return 0;
    if (r->network != NULL && (r->network->class_id.set || r->network->priorities.n > 0))
        return refuse(origin, "network", "cgroup v2 has no net_cls or net_prio controller", err);
    if (r->rdma.n > 0)
        return refuse(origin, "rdma", "hutch-oci does not manage the rdma controller", err);
    if (r->memory != NULL)
        ret = plan_memory(r->memory, memory_limit, origin, out, err);
    if (ret == 0 && r->cpu != NULL)
        ret = plan_cpu(r->cpu, origin, out, err);
    if (ret == 0 && r->pids != NULL) {
        if (r->pids->limit <= 0)
            ret = add(out, CGROUP_PIDS, "pids.limit", "pids.max", "max");
        else
            ret = add(out, CGROUP_PIDS, "pids.limit", "pids.max", "%" PRId64, r->pids->limit);
    }
    if (ret == 0 && r->block_io != NULL)
        ret = plan_block_io(r->block_io, origin, out, err);
    for (size_t i = 0; ret == 0 && i < r->hugepage_limits.n; i++) {
        const struct hutch_spec_hugepage_limit *h = &r->hugepage_limits.items[i];
        char file[64];
        if (strchr(h->page_size, '/') != NULL || strlen(h->page_size) > 16)
            return hutch_error_set(err, EINVAL, "%s: linux.resources.hugepageLimits: bad page size",
                                   origin);
        snprintf(file, sizeof(file), "hugetlb.%s.max", h->page_size);
        ret = add(out, CGROUP_HUGETLB, "hugepageLimits", file, "%" PRIu64, h->limit);
    }
    if (ret == 0)
        ret = plan_unified(&r->unified, origin, out, err);
    if (ret == -ENOMEM)
        ret = hutch_error_set(err, ENOMEM, "out of memory");
    if (ret < 0)
        cgroup_writes_release(out);
    return ret;
}

unsigned int cgroup_writes_controllers(const struct cgroup_writes *w)
{
    unsigned int bits = 0;

    for (size_t i = 0; i < w->n; i++)
        bits |= w->items[i].controller;
    return bits;
}

int cgroup_writes_apply(int dir_fd, const char *dir, const struct cgroup_writes *w,
                        hutch_error *err)
{
    for (size_t i = 0; i < w->n; i++) {
        const struct cgroup_write *item = &w->items[i];
        hutch_autoclose int fd = -1;
        const char *controller;

        fd = openat(dir_fd, item->file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) {
            controller = cgroup_controller_name(item->controller);
            if (controller != NULL)
                return hutch_error_set(err, ENOTSUP,
                                       "linux.resources.%s: %s/%s does not exist: the %s "
                                       "controller is not enabled for the container's cgroup",
                                       item->field, dir, item->file, controller);
            return hutch_error_set(err, ENOENT,
                                   "linux.resources.%s: %s/%s does not exist (no such cgroup "
                                   "file, or its controller is not enabled)",
                                   item->field, dir, item->file);
        }
        if (fd < 0 || hutch_write_all(fd, item->value, strlen(item->value)) < 0)
            return hutch_error_syscall(err, errno, "linux.resources.%s: write \"%s\" to %s/%s",
                                       item->field, item->value, dir, item->file);
    }
    return 0;
}

void cgroup_writes_release(struct cgroup_writes *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->items[i].file);
        free(w->items[i].value);
    }
    free(w->items);
    memset(w, 0, sizeof(*w));
}
