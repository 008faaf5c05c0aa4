/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/version.h>

#include "../core/strbuf.h"
#include "log.h"
#include "seccomp.h"
#include "seccomp_cache.h"

struct seccomp_filter {
    struct compiled_filter bpf;
};

/* The actions this version applies: SCMP_ACT_NOTIFY (a listener socket) is not one yet. */
static const struct {
    const char *name;
    uint32_t action;
    bool takes_code; /* ERRNO and TRACE carry errnoRet (default EPERM) in their low bits */
} actions[] = {
    { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
    { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
    { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
    { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
    { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
    { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
    { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
    { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
};

/* The flags this version applies: libseccomp's attribute, and the flag seccomp(2) loads with. */
static const struct {
    const char *name;
    enum scmp_filter_attr attr;
    uint32_t load_flag;
} flag_attrs[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};
#define N_ACTIONS    (sizeof(actions) / sizeof(actions[0]))
#define N_FLAG_ATTRS (sizeof(flag_attrs) / sizeof(flag_attrs[0]))

const char *seccomp_action_name(size_t i)
{
    return i < N_ACTIONS ? actions[i].name : NULL;
}

const char *seccomp_flag_name(size_t i)
{
    return i < N_FLAG_ATTRS ? flag_attrs[i].name : NULL;
}

/* "SCMP_ACT_ERRNO" with its errnoRet to the libseccomp action; false for one not applied. */
static bool action_value(const char *name, const hutch_opt_u32 *ret, uint32_t *out)
{
    uint16_t code = ret->set ? (uint16_t)ret->value : EPERM;

    for (size_t i = 0; i < N_ACTIONS; i++) {
        if (strcmp(actions[i].name, name) != 0)
            continue;
        *out = actions[i].takes_code ? actions[i].action | code : actions[i].action;
        return true;
    }
    return false;
}

static enum scmp_compare compare_op(const char *op)
{
    static const struct {
        const char *name;
        enum scmp_compare op;
    } ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
    };

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(ops[i].name, op) == 0)
            return ops[i].op;
    return SCMP_CMP_EQ;
}

/* "SCMP_ARCH_X86_64" -> "x86_64", the name libseccomp resolves. */
static uint32_t arch_token(const char *name)
{
    char lower[32];
    size_t i = 0;

    for (const char *p = name + strlen("SCMP_ARCH_"); *p != '\0' && i < sizeof(lower) - 1; p++)
        lower[i++] = (char)tolower((unsigned char)*p);
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower);
}

static int set_flags(scmp_filter_ctx ctx, const hutch_strings *flags, uint32_t *load_flags,
                     hutch_error *err)
{
    for (size_t i = 0; i < flags->n; i++) {
        const char *flag = flags->items[i];
        size_t k;
        int rc;

        for (k = 0; k < N_FLAG_ATTRS; k++)
            if (strcmp(flag_attrs[k].name, flag) == 0)
                break;
        if (k == N_FLAG_ATTRS)
            return hutch_error_set(err, ENOTSUP,
                                   "linux.seccomp.flags: %s is not supported by libseccomp %u.%u",
                                   flag, seccomp_version()->major, seccomp_version()->minor);
        rc = seccomp_attr_set(ctx, flag_attrs[k].attr, 1);
        if (rc < 0)
            return hutch_error_syscall(err, -rc, "linux.seccomp.flags: set %s", flag);
        *load_flags |= flag_attrs[k].load_flag;
    }
    return 0;
}

/* Whether two conditions of the rule test the same argument (libseccomp refuses that). */
static bool repeats_an_argument(const struct hutch_spec_syscall *sc)
{
    for (size_t i = 0; i < sc->args.n; i++)
        for (size_t j = 0; j < i; j++)
            if (sc->args.items[i].index == sc->args.items[j].index)
                return true;
    return false;
}

static struct scmp_arg_cmp arg_compare(const struct hutch_spec_seccomp_arg *a)
{
    struct scmp_arg_cmp c = {
        .arg = a->index,
        .op = compare_op(a->op),
        .datum_a = a->value,
        .datum_b = a->value_two.set ? a->value_two.value : 0,
    };
    return c;
}

static int add_rule(scmp_filter_ctx ctx, const struct hutch_spec_syscall *sc, size_t index,
                    const char *name, int nr, uint32_t action, hutch_error *err)
{
    struct scmp_arg_cmp cmps[6];
    int rc = 0;

    if (!repeats_an_argument(sc)) {
        for (size_t i = 0; i < sc->args.n; i++)
            cmps[i] = arg_compare(&sc->args.items[i]);
        rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)sc->args.n, cmps);
    } else {
        /* the same argument tested twice: one rule per condition, as runc does */
        for (size_t i = 0; i < sc->args.n && rc == 0; i++) {
            cmps[0] = arg_compare(&sc->args.items[i]);
            rc = seccomp_rule_add_array(ctx, action, nr, 1, cmps);
        }
    }
    if (rc < 0)
        return hutch_error_syscall(err, -rc, "linux.seccomp.syscalls[%zu]: add a rule for %s",
                                   index, name);
    return 0;
}

/* The BPF that libseccomp made of `ctx`. */
static int export_bpf(scmp_filter_ctx ctx, struct compiled_filter *out, hutch_error *err)
{
    hutch_autoclose int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
    off_t size;
    int rc;

    if (fd < 0)
        return hutch_error_syscall(err, errno, "linux.seccomp: memfd_create");
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        return hutch_error_syscall(err, -rc, "linux.seccomp: export the filter");
    size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
        size / (off_t)sizeof(struct sock_filter) > UINT16_MAX)
        return hutch_error_set(err, EINVAL, "linux.seccomp: the compiled filter has %lld bytes",
                               (long long)size);
    out->insns = malloc((size_t)size);
    if (out->insns == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    out->len = (uint32_t)(size / (off_t)sizeof(struct sock_filter));
    if (pread(fd, out->insns, (size_t)size, 0) != size) {
        free(out->insns);
        out->insns = NULL;
        return hutch_error_syscall(err, errno, "linux.seccomp: read the compiled filter");
    }
    return 0;
}

/* Compile `s` with libseccomp. */
static int compile_filter(const struct hutch_runtime *rt, const struct hutch_spec_seccomp *s,
                          struct compiled_filter *out, hutch_error *err)
{
    uint32_t default_action;
    scmp_filter_ctx ctx;
    int rc;

    out->flags = 0;
    if (!action_value(s->default_action, &s->default_errno_ret, &default_action))
        return hutch_error_set(err, ENOTSUP,
                               "linux.seccomp: %s is not supported by this version of hutch-oci",
                               s->default_action);
    ctx = seccomp_init(default_action);
    if (ctx == NULL)
        return hutch_error_set(err, EINVAL, "linux.seccomp: libseccomp refused defaultAction %s",
                               s->default_action);
    /* with this, libseccomp returns the kernel's error codes instead of its own */
    seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
    /* the rules as a binary tree of system call numbers: a call that no rule names is
     * decided in a few comparisons instead of a walk past every rule (runtime and the
     * kernel's per-filter cache preparation alike) */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    /* libseccomp sets no_new_privs on load unless told not to: only the config decides */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0) {
        seccomp_release(ctx);
        return hutch_error_syscall(err, -rc, "linux.seccomp: keep no_new_privs as configured");
    }
    for (size_t i = 0; i < s->architectures.n; i++) {
        uint32_t arch = arch_token(s->architectures.items[i]);
        if (arch == 0) {
            runtime_debug(rt, "linux.seccomp: architecture %s unknown to libseccomp, skipped",
                          s->architectures.items[i]);
            continue;
        }
        rc = seccomp_arch_add(ctx, arch);
        if (rc < 0 && rc != -EEXIST) {
            seccomp_release(ctx);
            return hutch_error_syscall(err, -rc, "linux.seccomp: add architecture %s",
                                       s->architectures.items[i]);
        }
    }
    if (set_flags(ctx, &s->flags, &out->flags, err) < 0)
        goto fail;
    for (size_t i = 0; i < s->syscalls.n; i++) {
        const struct hutch_spec_syscall *sc = &s->syscalls.items[i];
        uint32_t action;

        if (!action_value(sc->action, &sc->errno_ret, &action)) {
            hutch_error_set(err, ENOTSUP,
                            "linux.seccomp.syscalls[%zu]: %s is not supported by this version "
                            "of hutch-oci",
                            i, sc->action);
            goto fail;
        }
        if (action == default_action)
            continue; /* the default already does it; libseccomp refuses such rules */
        for (size_t k = 0; k < sc->names.n; k++) {
            int nr = seccomp_syscall_resolve_name(sc->names.items[k]);
            if (nr == __NR_SCMP_ERROR) {
                runtime_debug(rt, "linux.seccomp: system call %s unknown to libseccomp, skipped",
                              sc->names.items[k]);
                continue;
            }
            if (add_rule(ctx, sc, i, sc->names.items[k], nr, action, err) < 0)
                goto fail;
        }
    }
    if (export_bpf(ctx, out, err) < 0)
        goto fail;
    seccomp_release(ctx);
    return 0;
fail:
    seccomp_release(ctx);
    return -err->code;
}

/* What the compiled filter depends on: the filter's description, this build, libseccomp,
 * the kernel and the architecture. */
static void describe(struct strbuf *key, const struct hutch_spec_seccomp *s)
{
    const struct scmp_version *v = seccomp_version();
    struct utsname u;

    /* the kernel's release stands for its seccomp API level, which libseccomp would probe
     * with several system calls */
    if (uname(&u) < 0)
        u.release[0] = '\0';
    strbuf_printf(key, "hutch %s %s libseccomp %u.%u.%u kernel %s arch %u\n", hutch_version(),
                  hutch_commit(), v->major, v->minor, v->micro, u.release, seccomp_arch_native());
    strbuf_printf(key, "tree default %s %d %u\n", s->default_action, s->default_errno_ret.set,
                  s->default_errno_ret.value);
    for (size_t i = 0; i < s->architectures.n; i++)
        strbuf_printf(key, "arch %s\n", s->architectures.items[i]);
    for (size_t i = 0; i < s->flags.n; i++)
        strbuf_printf(key, "flag %s\n", s->flags.items[i]);
    for (size_t i = 0; i < s->syscalls.n; i++) {
        const struct hutch_spec_syscall *sc = &s->syscalls.items[i];
        strbuf_printf(key, "rule %s %d %u", sc->action, sc->errno_ret.set, sc->errno_ret.value);
        for (size_t k = 0; k < sc->names.n; k++)
            strbuf_printf(key, " %s", sc->names.items[k]);
        for (size_t k = 0; k < sc->args.n; k++) {
            const struct hutch_spec_seccomp_arg *a = &sc->args.items[k];
            strbuf_printf(key, " [%u %s %" PRIu64 " %d %" PRIu64 "]", a->index, a->op, a->value,
                          a->value_two.set, a->value_two.value);
        }
        strbuf_putc(key, '\n');
    }
}

int seccomp_filter_build(const struct hutch_runtime *rt, const struct hutch_spec_seccomp *s,
                         struct seccomp_filter **out, hutch_error *err)
{
    struct strbuf key = STRBUF_INIT;
    struct seccomp_filter *f;

    *out = NULL;
    if (s == NULL)
        return 0;
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    describe(&key, s);
    if (rt->state_root != NULL &&
        seccomp_cache_get(rt->state_root, strbuf_str(&key), key.len, &f->bpf) == 0) {
        runtime_debug(rt, "linux.seccomp: compiled filter taken from the cache");
    } else if (compile_filter(rt, s, &f->bpf, err) < 0) {
        strbuf_release(&key);
        free(f);
        return -err->code;
    } else if (rt->state_root != NULL) {
        seccomp_cache_put(rt->state_root, strbuf_str(&key), key.len, &f->bpf);
    }
    strbuf_release(&key);
    *out = f;
    return 0;
}

int seccomp_filter_load(struct seccomp_filter *f, hutch_error *err)
{
    struct sock_fprog prog;

    if (f == NULL)
        return 0;
    prog.len = (unsigned short)f->bpf.len;
    prog.filter = f->bpf.insns;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->bpf.flags, &prog) < 0)
        return hutch_error_syscall(err, errno, "load the seccomp filter");
    return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
    if (f == NULL)
        return;
    free(f->bpf.insns);
    free(f);
}
