/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci update: change the cgroup limits of a living container (runc's flags). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "commands.h"
#include "oci.h"

enum {
    FLAG_RESOURCES = 'r',
    FLAG_MEMORY = 'm',
    FLAG_MEMORY_RESERVATION = 2000,
    FLAG_MEMORY_SWAP,
    FLAG_CPU_SHARES,
    FLAG_CPU_QUOTA,
    FLAG_CPU_PERIOD,
    FLAG_CPUSET_CPUS,
    FLAG_CPUSET_MEMS,
    FLAG_PIDS_LIMIT,
    FLAG_BLKIO_WEIGHT,
};

static const struct cli_flag update_flags[] = {
    { FLAG_RESOURCES, "resources", 'r', CLI_ARG, "FILE",
      "a linux.resources object (JSON) with the new limits; - reads standard input" },
    { FLAG_MEMORY, "memory", 'm', CLI_ARG, "SIZE",
      "memory limit (bytes, or 64k, 50M, 1G; -1: none)" },
    { FLAG_MEMORY_RESERVATION, "memory-reservation", 0, CLI_ARG, "SIZE",
      "memory soft limit (memory.low)" },
    { FLAG_MEMORY_SWAP, "memory-swap", 0, CLI_ARG, "SIZE",
      "memory plus swap limit, as in cgroup v1 (-1: unlimited swap)" },
    { FLAG_CPU_SHARES, "cpu-shares", 0, CLI_ARG, "N", "cpu shares, 2 to 262144 (cpu.weight)" },
    { FLAG_CPU_QUOTA, "cpu-quota", 0, CLI_ARG, "USEC", "cpu time per period (-1: none)" },
    { FLAG_CPU_PERIOD, "cpu-period", 0, CLI_ARG, "USEC", "cpu period, 1000 to 1000000" },
    { FLAG_CPUSET_CPUS, "cpuset-cpus", 0, CLI_ARG, "LIST", "cpus to run on (0-3,5)" },
    { FLAG_CPUSET_MEMS, "cpuset-mems", 0, CLI_ARG, "LIST", "memory nodes to use (0-1)" },
    { FLAG_PIDS_LIMIT, "pids-limit", 0, CLI_ARG, "N", "most processes (-1 or 0: no limit)" },
    { FLAG_BLKIO_WEIGHT, "blkio-weight", 0, CLI_ARG, "N", "block io weight, 10 to 1000" },
    { 0 },
};

struct update_options {
    const char *resources_file;
    hutch_opt_i64 memory, memory_reservation, memory_swap, cpu_quota, pids_limit;
    hutch_opt_u64 cpu_shares, cpu_period, blkio_weight;
    const char *cpuset_cpus, *cpuset_mems;
};

/* A size: -1, or a number with an optional k, m, g or t (and b) after it. */
static int parse_size(const char *value, hutch_opt_i64 *out)
{
    char *end;
    long long n;
    int shift = 0;

    if (strcmp(value, "-1") == 0) {
        *out = (hutch_opt_i64){ true, -1 };
        return 0;
    }
    if (value[0] < '0' || value[0] > '9')
        return -1;
    errno = 0;
    n = strtoll(value, &end, 10);
    if (errno != 0)
        return -1;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    case 't':
    case 'T':
        shift = 40;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end != '\0' || n > (INT64_MAX >> shift))
        return -1;
    *out = (hutch_opt_i64){ true, (int64_t)n << shift };
    return 0;
}

static int parse_range(const char *value, int64_t min, int64_t max, hutch_opt_i64 *out)
{
    char *end;
    long long n;

    if (value[0] == '\0')
        return -1;
    errno = 0;
    n = strtoll(value, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max)
        return -1;
    *out = (hutch_opt_i64){ true, n };
    return 0;
}

static int parse_urange(const char *value, int64_t min, int64_t max, hutch_opt_u64 *out)
{
    hutch_opt_i64 v;

    if (parse_range(value, min, max, &v) < 0)
        return -1;
    *out = (hutch_opt_u64){ true, (uint64_t)v.value };
    return 0;
}

/* A cpu or node list: digits, ',' and '-'. */
static int parse_list(const char *value, const char **out)
{
    if (value[0] == '\0' || value[strspn(value, "0123456789,-")] != '\0')
        return -1;
    *out = value;
    return 0;
}

static int update_flag(void *opts, int id, const char *value)
{
    struct update_options *o = opts;

    switch (id) {
    case FLAG_RESOURCES:
        o->resources_file = value;
        return 0;
    case FLAG_MEMORY:
        return parse_size(value, &o->memory);
    case FLAG_MEMORY_RESERVATION:
        return parse_size(value, &o->memory_reservation);
    case FLAG_MEMORY_SWAP:
        return parse_size(value, &o->memory_swap);
    case FLAG_CPU_SHARES:
        return parse_urange(value, 2, 262144, &o->cpu_shares);
    case FLAG_CPU_QUOTA:
        return value[0] == '0' ? -1 : parse_range(value, -1, INT64_MAX, &o->cpu_quota);
    case FLAG_CPU_PERIOD:
        return parse_urange(value, 1000, 1000000, &o->cpu_period);
    case FLAG_CPUSET_CPUS:
        return parse_list(value, &o->cpuset_cpus);
    case FLAG_CPUSET_MEMS:
        return parse_list(value, &o->cpuset_mems);
    case FLAG_PIDS_LIMIT:
        return parse_range(value, -1, INT64_MAX, &o->pids_limit);
    case FLAG_BLKIO_WEIGHT:
        return parse_urange(value, 10, 1000, &o->blkio_weight);
    default:
        return 0;
    }
}

static int read_resources(const char *file, struct hutch_spec_resources **out, hutch_error *err)
{
    hutch_autofree char *data = NULL, *origin = NULL;
    size_t len = 0, cap = 0;

    if (asprintf(&origin, "--resources %s", strcmp(file, "-") == 0 ? "(standard input)" : file) <
        0) {
        origin = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    {
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
        size_t n;
        if (f == NULL)
            return hutch_error_syscall(err, errno, "--resources %s", file);
        do {
            if (len == cap) {
                char *grown = realloc(data, cap ? cap * 2 : 4096);
                if (grown == NULL) {
                    if (f != stdin)
                        fclose(f);
                    return hutch_error_set(err, ENOMEM, "out of memory");
                }
                data = grown;
                cap = cap ? cap * 2 : 4096;
            }
            n = fread(data + len, 1, cap - len, f);
            len += n;
        } while (n > 0 && len < (16u << 20));
        if (ferror(f)) {
            if (f != stdin)
                fclose(f);
            return hutch_error_syscall(err, EIO, "%s", origin);
        }
        if (f != stdin)
            fclose(f);
    }
    return hutch_spec_resources_parse(data, len, origin, out, err);
}

/* The flags over what --resources gave (or over nothing). */
static int apply_flags(const struct update_options *o, struct hutch_spec_resources *r)
{
    if (o->memory.set || o->memory_reservation.set || o->memory_swap.set) {
        if (r->memory == NULL && (r->memory = calloc(1, sizeof(*r->memory))) == NULL)
            return -1;
        if (o->memory.set)
            r->memory->limit = o->memory;
        if (o->memory_reservation.set)
            r->memory->reservation = o->memory_reservation;
        if (o->memory_swap.set)
            r->memory->swap = o->memory_swap;
    }
    if (o->cpu_shares.set || o->cpu_quota.set || o->cpu_period.set || o->cpuset_cpus != NULL ||
        o->cpuset_mems != NULL) {
        if (r->cpu == NULL && (r->cpu = calloc(1, sizeof(*r->cpu))) == NULL)
            return -1;
        if (o->cpu_shares.set)
            r->cpu->shares = o->cpu_shares;
        if (o->cpu_quota.set)
            r->cpu->quota = o->cpu_quota;
        if (o->cpu_period.set)
            r->cpu->period = o->cpu_period;
        if (o->cpuset_cpus != NULL) {
            free(r->cpu->cpus);
            if ((r->cpu->cpus = strdup(o->cpuset_cpus)) == NULL)
                return -1;
        }
        if (o->cpuset_mems != NULL) {
            free(r->cpu->mems);
            if ((r->cpu->mems = strdup(o->cpuset_mems)) == NULL)
                return -1;
        }
    }
    if (o->pids_limit.set) {
        if (r->pids == NULL && (r->pids = calloc(1, sizeof(*r->pids))) == NULL)
            return -1;
        r->pids->limit = o->pids_limit.value;
    }
    if (o->blkio_weight.set) {
        if (r->block_io == NULL && (r->block_io = calloc(1, sizeof(*r->block_io))) == NULL)
            return -1;
        r->block_io->weight = (hutch_opt_u16){ true, (uint16_t)o->blkio_weight.value };
    }
    return 0;
}

static int run_update(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct update_options o = { 0 };
    struct hutch_spec_resources *r = NULL;
    struct cli_parser p;
    const char *id;
    int status, ret;

    status = oci_parse(program, &oci_update_command, argc, argv, &p, update_flag, &o);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (o.resources_file != NULL && read_resources(o.resources_file, &r, &err) < 0)
        return oci_fail(program, "update", &err);
    if (r == NULL && (r = calloc(1, sizeof(*r))) == NULL) {
        hutch_error_set(&err, ENOMEM, "out of memory");
        return oci_fail(program, "update", &err);
    }
    if (apply_flags(&o, r) < 0) {
        hutch_spec_resources_free(r);
        hutch_error_set(&err, ENOMEM, "out of memory");
        return oci_fail(program, "update", &err);
    }
    ret = hutch_container_update(oci_runtime(program), id, r,
                                 o.resources_file != NULL ? "--resources" : "update", &err);
    hutch_spec_resources_free(r);
    if (ret < 0)
        return oci_fail(program, "update", &err);
    return 0;
}

const struct cli_command oci_update_command = {
    .name = "update",
    .summary = "change the cgroup limits of a running container",
    .usage = "[FLAGS] ID",
    .description =
            "Write new limits into the cgroup of container ID (created, running or paused):\n"
            "a linux.resources object from --resources, and the flags over it. Every value\n"
            "is checked before anything is written. A container without a cgroup of its own\n"
            "has no limits to change.",
    .flags = update_flags,
    .run = run_update,
};
