/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.devices in a cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program, built from the rules, attached to the container's cgroup.
 *
 * Three steps, so that the first two can be tested without a cgroup:
 * cgroup_devices_rules() (the spec's rules and the devices always allowed),
 * cgroup_devices_program() (rules to instructions, pure) and
 * cgroup_devices_load() (the verifier; touches no cgroup).
 */
#ifndef HUTCH_RUNTIME_CGROUP_DEVICES_H
#define HUTCH_RUNTIME_CGROUP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/spec.h>

struct bpf_insn;

/* The name the program is loaded with: how an earlier one of hutch's is found. */
#define CGROUP_DEVICES_PROG_NAME "hutch_devices"

/* Access bits, the kernel's BPF_DEVCG_ACC_* values. */
#define CGROUP_DEVICES_MKNOD 1u
#define CGROUP_DEVICES_READ  2u
#define CGROUP_DEVICES_WRITE 4u
#define CGROUP_DEVICES_RWM   7u

struct cgroup_devices_rule {
    bool allow;
    char type;       /* 'a' (both), 'c' or 'b' */
    int64_t major;   /* -1: any */
    int64_t minor;   /* -1: any */
    unsigned access; /* CGROUP_DEVICES_* bits */
};

/*
 * The rules for `spec`, in order: linux.resources.devices, then allow rules
 * (rwm) for the default devices (/dev/null, zero, full, random, urandom,
 * tty), every linux.devices entry of type c, u or b, the pty slaves (c 136:*)
 * and /dev/ptmx (c 5:2), as runc appends them. Heap-allocated array.
 */
int cgroup_devices_rules(const struct hutch_spec *spec, struct cgroup_devices_rule **rules,
                         size_t *n, hutch_error *err);

/*
 * The program deciding by `rules` (semantics in cgroup_devices.c: per access
 * bit, the last rule that matches decides; nothing matches: denied).
 * Heap-allocated array of *n instructions.
 */
int cgroup_devices_program(const struct cgroup_devices_rule *rules, size_t n_rules,
                           struct bpf_insn **insns, size_t *n, hutch_error *err);

/*
 * Load `insns` as a cgroup device program named CGROUP_DEVICES_PROG_NAME;
 * returns its fd. A program the verifier refuses gives an error carrying the
 * verifier's first lines. Attaches nothing.
 */
int cgroup_devices_load(const struct bpf_insn *insns, size_t n, hutch_error *err);

/* How many programs of hutch's (by name) are attached to the cgroup itself. */
int cgroup_devices_attached(int cgroup_fd, size_t *n, hutch_error *err);

/*
 * Build the program for `spec`'s rules, with the default devices and
 * linux.devices allowed after them as runc does, and attach it to the cgroup
 * open as `cgroup_fd` (BPF_F_ALLOW_MULTI). An earlier program of hutch's on
 * that cgroup (update) is detached once the new one is attached, so the
 * cgroup is never without one. Needs CAP_SYS_ADMIN on the host: the caller
 * only calls it as root.
 */
int cgroup_devices_apply(int cgroup_fd, const struct hutch_spec *spec, hutch_error *err);

#endif
