/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver (--systemd-cgroup): a transient scope made over
 * D-Bus with sd-bus (the system bus as root, the user's bus when rootless),
 * Delegate=yes, the container's first process in it and its limits as unit
 * properties. The cgroup driver (cgroup.c) writes the limit files into the
 * scope's cgroup afterwards, as with cgroupfs.
 *
 * libsystemd is not linked: hutch-oci is a static executable, and a static
 * glibc cannot load a shared library safely. The scope is started and stopped
 * by the helper hutch-systemd (cmd/hutch-systemd, linked with libsystemd),
 * which systemd_scope_start/stop run with the unit's name, the pid and the
 * properties as arguments; its one line of output is the cgroup or the error.
 */
#ifndef HUTCH_RUNTIME_CGROUP_SYSTEMD_H
#define HUTCH_RUNTIME_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/spec.h>

struct systemd_unit_name {
    char *slice; /* "system.slice", "user.slice", "machine.slice", ... */
    char *scope; /* "PREFIX-NAME.scope" */
};

/*
 * linux.cgroupsPath "slice:prefix:name" (runc's form) into a slice and a
 * scope; an empty path gives "system.slice" (root) or "user.slice"
 * (rootless) and "hutch-ID.scope". A path in any other form is an error
 * naming it and the expected form.
 */
int systemd_unit_name_parse(const char *cgroups_path, const char *id, bool rootless,
                            struct systemd_unit_name *out, hutch_error *err);
void systemd_unit_name_release(struct systemd_unit_name *name);

/*
 * Start the transient scope with `pid` in it (hutch-systemd: StartTransientUnit,
 * mode "fail", waiting for its job to finish) and return the cgroup it got,
 * relative to the cgroup2 mount ("/system.slice/hutch-ID.scope"), in a new
 * string in *cgroup. No bus, or a user without a user manager: an error that
 * says so and what to do.
 */
int systemd_scope_start(bool rootless, const struct systemd_unit_name *name, pid_t pid,
                        const struct hutch_spec_resources *resources, char **cgroup,
                        hutch_error *err);

/*
 * Stop the scope (StopUnit, mode "replace", waiting for its job to finish);
 * a scope that is gone already is no error.
 */
int systemd_scope_stop(bool rootless, const char *scope, hutch_error *err);

/* ---- the unit properties, pure; exposed for the unit tests ---- */

#define SYSTEMD_INFINITY UINT64_MAX /* "infinity" in a u64 property */

struct systemd_property {
    const char *name; /* "MemoryMax", ... (static) */
    char type;        /* 't' (u64) or 'y' (an array of bytes, "ay") */
    uint64_t value;
    uint8_t *bytes; /* 'y': owned */
    size_t n_bytes;
};

#define SYSTEMD_PROPERTIES_MAX 12

struct systemd_properties {
    struct systemd_property items[SYSTEMD_PROPERTIES_MAX];
    size_t n;
};

/*
 * The limits of `r` that systemd has unit properties for: MemoryMax,
 * MemoryLow, MemorySwapMax, CPUWeight, CPUQuotaPerSecUSec,
 * CPUQuotaPeriodUSec, AllowedCPUs, AllowedMemoryNodes, TasksMax, IOWeight.
 * `r` may be NULL (no properties). Values systemd cannot take are errors
 * naming the field of linux.resources.
 */
int systemd_properties_build(const struct hutch_spec_resources *r, struct systemd_properties *out,
                             hutch_error *err);
void systemd_properties_release(struct systemd_properties *props);

/*
 * A cpuset list ("0-2,5") as systemd's byte mask (bit N of byte N/8 is CPU
 * or node N: "0-2,5" is { 0x27 }); `field` names it in messages. An empty
 * list gives an empty mask (NULL, 0).
 */
int systemd_cpuset_mask(const char *list, const char *field, uint8_t **mask, size_t *len,
                        hutch_error *err);

/*
 * CPUQuotaPerSecUSec from cpu.quota and cpu.period as runc converts them: the
 * quota per second of time, rounded up to whole percent (10000 us) as systemd
 * keeps it; a quota <= 0 is SYSTEMD_INFINITY; a period of 0 means 100000.
 */
uint64_t systemd_cpu_quota_per_sec(int64_t quota, uint64_t period);

/* CPUWeight (1..10000) from cpu.shares: 1 + ((shares - 2) * 9999) / 262142. */
uint64_t systemd_cpu_weight(uint64_t shares);

/* IOWeight (1..10000) from blkio weight (10..1000): 1 + ((weight - 10) * 9999) / 990. */
uint64_t systemd_io_weight(uint64_t weight);

/*
 * The D-Bus address of a unix socket ("unix:path=" and `path` with the bytes
 * D-Bus reserves escaped as %XX), in a new string.
 */
char *systemd_bus_address(const char *path);

#endif
