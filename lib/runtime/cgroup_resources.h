/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources as cgroup v2 files: which file gets which value, with
 * runc's conversions where the spec's units are v1's. Pure: nothing here
 * touches a file until cgroup_writes_apply().
 */
#ifndef HUTCH_RUNTIME_CGROUP_RESOURCES_H
#define HUTCH_RUNTIME_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/spec.h>

/* The controllers a limit may need, as bits. */
enum cgroup_controller {
    CGROUP_CPU = 1u << 0,
    CGROUP_CPUSET = 1u << 1,
    CGROUP_IO = 1u << 2,
    CGROUP_MEMORY = 1u << 3,
    CGROUP_PIDS = 1u << 4,
    CGROUP_HUGETLB = 1u << 5,
};
#define CGROUP_CONTROLLER_COUNT 6
#define CGROUP_CONTROLLERS_ALL  ((1u << CGROUP_CONTROLLER_COUNT) - 1)

/* "cpu", "memory", ... for one bit; NULL for none. */
const char *cgroup_controller_name(unsigned int bit);

/* The bit of the controller named by the `len` bytes at `name`; 0 when unknown. */
unsigned int cgroup_controller_bit(const char *name, size_t len);

struct cgroup_write {
    char *file;              /* "memory.max" */
    char *value;             /* "52428800" */
    unsigned int controller; /* the CGROUP_* bit it needs; 0 for none known */
    const char *field;       /* linux.resources.<field>, for messages */
};

struct cgroup_writes {
    struct cgroup_write *items;
    size_t n, cap;
};

/* runc's cpu.weight from cpu.shares (2..262144): 1 + ((shares - 2) * 9999) / 262142. */
uint64_t cgroup_cpu_weight(uint64_t shares);

/* runc's io.weight from blkio weight (10..1000): 1 + ((weight - 10) * 9999) / 990. */
uint64_t cgroup_io_weight(uint64_t weight);

/*
 * memory.swap.max from the spec's memory+swap `swap` and `memory` limits, as
 * runc converts them: "" (leave it), "max", or the swap alone in bytes.
 * Impossible combinations (swap without a memory limit, swap below the
 * limit) are errors naming `origin`'s field.
 */
int cgroup_swap_max(int64_t swap, int64_t memory, const char *origin, char *buf, size_t size,
                    hutch_error *err);

/*
 * What `r` asks for, as files to write, in order. Fields cgroup v2 cannot
 * honour (network, rdma, kernel memory, swappiness, disableOOMKiller,
 * realtime cpu, leaf weights) are refused: `origin` ("config.json") names the
 * document in messages. linux.resources.devices is not part of it (the device
 * program, cgroup_devices.h). `memory_limit` stands in for memory.limit when
 * r has none and memory.swap is asked for (update: the current memory.max).
 */
int cgroup_resources_plan(const struct hutch_spec_resources *r, int64_t memory_limit,
                          const char *origin, struct cgroup_writes *out, hutch_error *err);

/* The controllers the writes need (CGROUP_* bits). */
unsigned int cgroup_writes_controllers(const struct cgroup_writes *w);

/*
 * Write each value into its file under the directory open as `dir_fd`
 * (named `dir` in messages). A file that is not there is an error that names
 * its controller as not enabled.
 */
int cgroup_writes_apply(int dir_fd, const char *dir, const struct cgroup_writes *w,
                        hutch_error *err);

void cgroup_writes_release(struct cgroup_writes *w);

#endif
