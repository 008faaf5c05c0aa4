/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device rules of a container as a cgroup v2 device program, written by
 * hand as an array of instructions (no libbpf, no BPF compiler).
 *
 * What the rules mean. The kernel asks with one device (type, major, minor)
 * and a set of access bits: mknod alone, or read and/or write together for
 * an open (O_RDWR asks for both at once). hutch decides each requested bit on
 * its own, by the last rule that matches the device and names that bit, and
 * allows the request only when every bit is allowed; a bit no rule names is
 * denied. So an allow rule must cover the request (alone or with other allow
 * rules that are not overridden later), and a deny rule denies a request
 * that has any of its bits. This is what runc gets through its cgroup v1
 * emulator (allow r + allow w on one device is rw; allow rw then deny w
 * leaves r), without the v1 quirk that a deny rule cannot punch a hole into
 * an earlier wildcard allow rule. crun and youki instead match a rule only
 * when the request is a subset of the rule's access, for deny rules too, so
 * that "deny w" after "allow rw" lets an O_RDWR open through; hutch does not
 * follow them there. A rule with no access letters matches nothing (runc). A
 * request with no access bits at all (MAY_EXEC on a device node) is decided
 * by the last rule that matches the device.
 *
 * The program: registers r2 type, r3 the access bits still undecided, r4
 * major, r5 minor (r1 and r0 scratch). Rules are emitted last first; a rule
 * that matches the device and names an undecided bit returns 0 when it
 * denies, and when it allows clears its bits and returns 1 once none is left. Falling off the
 * end returns 0. Rules before an unconditional one (a *:* rwm) are dead and
 * not emitted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <hutch/cleanup.h>

#include "cgroup_devices.h"

/* A pseudo access bit standing for "no bit asked": named by every rule. */
#define ACC_NONE 8u

/* Devices always allowed after the spec's rules (type, major, minor; -1 any). */
static const struct cgroup_devices_rule always_allowed[] = {
    { true, 'c', 1, 3, CGROUP_DEVICES_RWM },    /* /dev/null */
    { true, 'c', 1, 5, CGROUP_DEVICES_RWM },    /* /dev/zero */
    { true, 'c', 1, 7, CGROUP_DEVICES_RWM },    /* /dev/full */
    { true, 'c', 1, 8, CGROUP_DEVICES_RWM },    /* /dev/random */
    { true, 'c', 1, 9, CGROUP_DEVICES_RWM },    /* /dev/urandom */
    { true, 'c', 5, 0, CGROUP_DEVICES_RWM },    /* /dev/tty */
    { true, 'c', 136, -1, CGROUP_DEVICES_RWM }, /* /dev/pts/N */
    { true, 'c', 5, 2, CGROUP_DEVICES_RWM },    /* /dev/ptmx */
};
#define N_ALWAYS_ALLOWED (sizeof(always_allowed) / sizeof(always_allowed[0]))

static unsigned access_bits(const char *access)
{
    unsigned bits = 0;

    for (const char *p = access != NULL ? access : ""; *p != '\0'; p++)
        bits |= *p == 'r'   ? CGROUP_DEVICES_READ
                : *p == 'w' ? CGROUP_DEVICES_WRITE
                : *p == 'm' ? CGROUP_DEVICES_MKNOD
                            : 0;
    return bits;
}

/* -1 for unset or -1 ("any"); other negative numbers are refused. */
static int device_number(const hutch_opt_i64 *v, size_t i, const char *what, int64_t *out,
                         hutch_error *err)
{
    *out = v->set ? v->value : -1;
    if (*out < -1)
        return hutch_error_set(err, EINVAL,
                               "linux.resources.devices[%zu].%s: expected a device number or "
                               "-1 (any), found %lld",
                               i, what, (long long)*out);
    return 0;
}

static int rule_from_spec(const struct hutch_spec_device_rule *r, size_t i,
                          struct cgroup_devices_rule *out, hutch_error *err)
{
    const char *type = r->type != NULL ? r->type : "a";

    if (strcmp(type, "a") != 0 && strcmp(type, "c") != 0 && strcmp(type, "b") != 0)
        return hutch_error_set(err, EINVAL,
                               "linux.resources.devices[%zu].type: expected a, c or b, found %s", i,
                               type);
    out->allow = r->allow;
    out->type = type[0];
    out->access = access_bits(r->access);
    if (device_number(&r->major, i, "major", &out->major, err) < 0 ||
        device_number(&r->minor, i, "minor", &out->minor, err) < 0)
        return -err->code;
    return 0;
}

int cgroup_devices_rules(const struct hutch_spec *spec, struct cgroup_devices_rule **rules,
                         size_t *n, hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;
    size_t n_spec = l != NULL && l->resources != NULL ? l->resources->devices.n : 0;
    size_t n_dev = l != NULL ? l->devices.n : 0;
    hutch_autofree struct cgroup_devices_rule *out = NULL;
    size_t k = 0;

    out = calloc(n_spec + N_ALWAYS_ALLOWED + n_dev + 1, sizeof(*out));
    if (out == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n_spec; i++)
        if (rule_from_spec(&l->resources->devices.items[i], i, &out[k++], err) < 0)
            return -err->code;
    for (size_t i = 0; i < N_ALWAYS_ALLOWED; i++)
        out[k++] = always_allowed[i];
    for (size_t i = 0; i < n_dev; i++) {
        const struct hutch_spec_device *d = &l->devices.items[i];

        /* FIFOs ("p") are not devices to the cgroup */
        if (d->type == NULL || strcmp(d->type, "p") == 0)
            continue;
        /* a missing or negative number would read as "any" here */
        if (!d->major.set || !d->minor.set || d->major.value < 0 || d->minor.value < 0)
            return hutch_error_set(err, EINVAL,
                                   "linux.devices[%zu] (%s): expected a major and a minor number "
                                   "of 0 or more",
                                   i, d->path != NULL ? d->path : "no path");
        out[k++] = (struct cgroup_devices_rule){
            .allow = true,
            .type = d->type[0] == 'b' ? 'b' : 'c',
            .major = d->major.value,
            .minor = d->minor.value,
            .access = CGROUP_DEVICES_RWM,
        };
    }
    *n = k;
    *rules = hutch_steal_pointer(&out);
    return 0;
}

/* Instructions, spelled out: the uapi headers have the opcodes but not the kernel's macros. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){
        .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
    };
}

static struct bpf_insn load_u32(uint8_t dst, uint8_t src, int16_t off)
{
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}

static struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm)
{
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn mov32_reg(uint8_t dst, uint8_t src)
{
    return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static struct bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off)
{
    return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}

static struct bpf_insn exit_insn(void)
{
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Whether an immediate holds `v`; larger is no device's (majors have 12 bits, minors 20). */
static bool fits_imm(int64_t v)
{
    return v <= INT32_MAX;
}

static bool unconditional(const struct cgroup_devices_rule *r)
{
    return r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == CGROUP_DEVICES_RWM;
}

/*
 * r1 = 0 when the device matches: (r2 ^ type) | (r4 ^ major) | (r5 ^ minor), for the
 * parts the rule names. Not a jump per part: the verifier would learn the part's value
 * on the path where it matched, mark it precise, and no longer merge the paths that
 * meet at the next rule: on 6.18, 400 rules took 570,000 instructions processed and 4 s
 * that way. Computed in r1 and r0, the three stay unknown: 50,000 and 0.1 s.
 */
static size_t emit_device_test(const struct cgroup_devices_rule *r, struct bpf_insn *p)
{
    const struct {
        bool named;
        uint8_t reg;
        int32_t value;
    } parts[] = {
        { r->type != 'a', BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR },
        { r->major >= 0, BPF_REG_4, (int32_t)r->major },
        { r->minor >= 0, BPF_REG_5, (int32_t)r->minor },
    };
    size_t k = 0;

    for (size_t i = 0; i < 3; i++) {
        if (!parts[i].named)
            continue;
        if (k == 0) {
            p[k++] = mov32_reg(BPF_REG_1, parts[i].reg);
            p[k++] = alu32_imm(BPF_XOR, BPF_REG_1, parts[i].value);
        } else {
            p[k++] = mov32_reg(BPF_REG_0, parts[i].reg);
            p[k++] = alu32_imm(BPF_XOR, BPF_REG_0, parts[i].value);
            p[k++] = insn(BPF_ALU | BPF_OR | BPF_X, BPF_REG_1, BPF_REG_0, 0, 0);
        }
    }
    if (k > 0)
        p[k++] = jump_imm(BPF_JNE, BPF_REG_1, 0, 0);
    return k;
}

/* Longest block of one rule: 9 for the device, 3 for the access, 4 for the decision. */
#define RULE_MAX_INSNS 16

static size_t emit_rule(const struct cgroup_devices_rule *r, struct bpf_insn *p)
{
    struct bpf_insn block[RULE_MAX_INSNS];
    uint32_t access = r->access | ACC_NONE;
    size_t k;

    /* jump offsets are filled in below, once the block's length is known */
    k = emit_device_test(r, block);
    block[k++] = mov32_reg(BPF_REG_1, BPF_REG_3);
    block[k++] = alu32_imm(BPF_AND, BPF_REG_1, (int32_t)access);
    block[k++] = jump_imm(BPF_JEQ, BPF_REG_1, 0, 0);
    if (r->allow) {
        block[k++] = alu32_imm(BPF_AND, BPF_REG_3, (int32_t)~access);
        block[k++] = jump_imm(BPF_JNE, BPF_REG_3, 0, 0);
        block[k++] = alu32_imm(BPF_MOV, BPF_REG_0, 1);
    } else {
        block[k++] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
    }
    block[k++] = exit_insn();
    /* every jump of the block goes to its end: the next rule */
    for (size_t i = 0; i < k; i++)
        if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) != BPF_EXIT)
            block[i].off = (int16_t)(k - i - 1);
    memcpy(p, block, k * sizeof(block[0]));
    return k;
}

int cgroup_devices_program(const struct cgroup_devices_rule *rules, size_t n_rules,
                           struct bpf_insn **insns, size_t *n, hutch_error *err)
{
    hutch_autofree struct bpf_insn *p = NULL;
    size_t k = 0;

    if (n_rules > (SIZE_MAX / sizeof(*p) - 16) / RULE_MAX_INSNS)
        return hutch_error_set(err, E2BIG, "%zu device rules: too many", n_rules);
    p = calloc(8 + n_rules * RULE_MAX_INSNS + 2, sizeof(*p));
    if (p == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");

    /* struct bpf_cgroup_dev_ctx: u32 access_type (access << 16 | type), major, minor */
    p[k++] = load_u32(BPF_REG_2, BPF_REG_1, 0);
    p[k++] = mov32_reg(BPF_REG_3, BPF_REG_2);
    p[k++] = alu32_imm(BPF_RSH, BPF_REG_3, 16);
    p[k++] = alu32_imm(BPF_AND, BPF_REG_2, 0xffff);
    p[k++] = load_u32(BPF_REG_4, BPF_REG_1, 4);
    p[k++] = load_u32(BPF_REG_5, BPF_REG_1, 8);
    p[k++] = jump_imm(BPF_JNE, BPF_REG_3, 0, 1);
    p[k++] = alu32_imm(BPF_MOV, BPF_REG_3, ACC_NONE);

    for (size_t i = n_rules; i-- > 0;) {
        const struct cgroup_devices_rule *r = &rules[i];

        /* a rule for a number no device has never matches */
        if (r->access == 0 || !fits_imm(r->major) || !fits_imm(r->minor))
            continue;
        k += emit_rule(r, p + k);
        if (unconditional(r))
            break;
    }
    p[k++] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
    p[k++] = exit_insn();
    *n = k;
    *insns = hutch_steal_pointer(&p);
    return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The first lines of the verifier's log, joined with "; ", into `out`. */
static void log_head(const char *log, char *out, size_t size)
{
    size_t k = 0;
    int lines = 0;

    out[0] = '\0';
    for (const char *p = log; *p != '\0' && lines < 4 && k + 3 < size; p++) {
        if (*p == '\n') {
            lines++;
            if (p[1] != '\0' && lines < 4) {
                out[k++] = ';';
                out[k++] = ' ';
            }
            continue;
        }
        out[k++] = *p;
    }
    out[k] = '\0';
}

static int load_once(const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)n;
    attr.license = (uint64_t)(uintptr_t) "GPL";
    if (log != NULL) {
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = (uint32_t)log_size;
        attr.log_level = 1;
    }
    memcpy(attr.prog_name, CGROUP_DEVICES_PROG_NAME, sizeof(CGROUP_DEVICES_PROG_NAME));
    return (int)bpf(BPF_PROG_LOAD, &attr);
}

int cgroup_devices_load(const struct bpf_insn *insns, size_t n, hutch_error *err)
{
    enum { LOG_SIZE = 64 * 1024 };
    hutch_autofree char *log = NULL;
    char head[512];
    int fd, code;

    fd = load_once(insns, n, NULL, 0);
    if (fd >= 0)
        return fd;
    code = errno;
    if (code == EPERM)
        return hutch_error_syscall(err, code,
                                   "load the cgroup device program (needs CAP_SYS_ADMIN in the "
                                   "host's user namespace)");
    /* again with the verifier's log, for the message */
    log = calloc(1, LOG_SIZE);
    if (log == NULL)
        return hutch_error_syscall(err, code, "load the cgroup device program (%zu %s)", n,
                                   n == 1 ? "instruction" : "instructions");
    fd = load_once(insns, n, log, LOG_SIZE);
    if (fd >= 0)
        return fd;
    log[LOG_SIZE - 1] = '\0';
    log_head(log, head, sizeof(head));
    if (head[0] == '\0')
        return hutch_error_syscall(err, code, "load the cgroup device program (%zu %s)", n,
                                   n == 1 ? "instruction" : "instructions");
    return hutch_error_set(err, code, "load the cgroup device program (%zu %s): %s; verifier: %s",
                           n, n == 1 ? "instruction" : "instructions", strerror(code), head);
}

/* The id and name of the program open as `fd`. */
static int prog_info(int fd, uint32_t *id, char name[BPF_OBJ_NAME_LEN])
{
    struct bpf_prog_info info;
    union bpf_attr attr;

    memset(&info, 0, sizeof(info));
    memset(&attr, 0, sizeof(attr));
    attr.info.bpf_fd = (uint32_t)fd;
    attr.info.info_len = sizeof(info);
    attr.info.info = (uint64_t)(uintptr_t)&info;
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
        return -1;
    *id = info.id;
    memcpy(name, info.name, BPF_OBJ_NAME_LEN);
    name[BPF_OBJ_NAME_LEN - 1] = '\0';
    return 0;
}

/* The ids of the device programs attached to the cgroup itself (not inherited). */
static int attached_ids(int cgroup_fd, uint32_t **ids, uint32_t *n, hutch_error *err)
{
    uint32_t cap = 16;

    for (;;) {
        hutch_autofree uint32_t *buf = calloc(cap, sizeof(*buf));
        union bpf_attr attr;

        if (buf == NULL)
            return hutch_error_set(err, ENOMEM, "out of memory");
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t)cgroup_fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)buf;
        attr.query.prog_cnt = cap;
        if (bpf(BPF_PROG_QUERY, &attr) == 0) {
            *n = attr.query.prog_cnt;
            *ids = hutch_steal_pointer(&buf);
            return 0;
        }
        if (errno != ENOSPC || cap >= 1u << 16)
            return hutch_error_syscall(err, errno, "query the cgroup's device programs");
        cap = attr.query.prog_cnt > cap ? attr.query.prog_cnt : cap * 2;
    }
}

/*
 * The programs named like hutch's among those attached to the cgroup, open,
 * but the one with id `keep`: *fds (heap, -1 where none), *n.
 */
static int hutch_programs(int cgroup_fd, uint32_t keep, int **fds, size_t *n, hutch_error *err)
{
    hutch_autofree uint32_t *ids = NULL;
    hutch_autofree int *out = NULL;
    uint32_t n_ids = 0;
    size_t k = 0;

    if (attached_ids(cgroup_fd, &ids, &n_ids, err) < 0)
        return -err->code;
    out = calloc(n_ids + 1, sizeof(*out));
    if (out == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n_ids; i++) {
        hutch_autoclose int fd = -1;
        char name[BPF_OBJ_NAME_LEN];
        union bpf_attr attr;
        uint32_t id;

        if (ids[i] == keep)
            continue;
        memset(&attr, 0, sizeof(attr));
        attr.prog_id = ids[i];
        fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (fd < 0 && errno == ENOENT) /* detached and freed meanwhile */
            continue;
        if (fd < 0 || prog_info(fd, &id, name) < 0) {
            hutch_error_syscall(err, errno, "open the cgroup's device program %u", ids[i]);
            break;
        }
        if (strcmp(name, CGROUP_DEVICES_PROG_NAME) == 0)
            out[k++] = hutch_steal_fd(&fd);
    }
    if (hutch_error_is_set(err)) {
        while (k > 0)
            close(out[--k]);
        return -err->code;
    }
    *n = k;
    *fds = hutch_steal_pointer(&out);
    return 0;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
}

int cgroup_devices_attached(int cgroup_fd, size_t *n, hutch_error *err)
{
    int *fds = NULL;

    if (hutch_programs(cgroup_fd, 0, &fds, n, err) < 0)
        return -err->code;
    close_all(fds, *n);
    return 0;
}

/* Detach every program of hutch's from the cgroup, but the one with id `keep`. */
static int detach_earlier(int cgroup_fd, uint32_t keep, hutch_error *err)
{
    int *fds = NULL;
    size_t n = 0;
    int ret = 0;

    if (hutch_programs(cgroup_fd, keep, &fds, &n, err) < 0)
        return -err->code;
    for (size_t i = 0; i < n && ret == 0; i++) {
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)cgroup_fd;
        attr.attach_bpf_fd = (uint32_t)fds[i];
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
            ret = hutch_error_syscall(err, errno, "detach the earlier device program");
    }
    close_all(fds, n);
    return ret;
}

int cgroup_devices_apply(int cgroup_fd, const struct hutch_spec *spec, hutch_error *err)
{
    hutch_autofree struct cgroup_devices_rule *rules = NULL;
    hutch_autofree struct bpf_insn *insns = NULL;
    hutch_autoclose int prog = -1;
    char name[BPF_OBJ_NAME_LEN];
    size_t n_rules = 0, n = 0;
    union bpf_attr attr;
    uint32_t id;

    if (cgroup_devices_rules(spec, &rules, &n_rules, err) < 0 ||
        cgroup_devices_program(rules, n_rules, &insns, &n, err) < 0)
        return -err->code;
    prog = cgroup_devices_load(insns, n, err);
    if (prog < 0)
        return -err->code;
    if (prog_info(prog, &id, name) < 0)
        return hutch_error_syscall(err, errno, "read the id of the device program");
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &attr) < 0)
        return hutch_error_syscall(err, errno, "attach the device program to the cgroup");
    if (detach_earlier(cgroup_fd, id, err) < 0)
        return hutch_error_wrap(err, "replace the earlier device program");
    return 0;
}
