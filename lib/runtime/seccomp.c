/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "seccomp.h"

struct seccomp_filter {
    scmp_filter_ctx ctx;
};

/* "SCMP_ACT_ERRNO" with its errnoRet to the libseccomp action. */
static uint32_t action_value(const char *name, const hutch_opt_u32 *ret)
{
    uint16_t code = ret->set ? (uint16_t)ret->value : EPERM;

    if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        return SCMP_ACT_KILL_THREAD;
    if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        return SCMP_ACT_KILL_PROCESS;
    if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        return SCMP_ACT_TRAP;
    if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        return SCMP_ACT_ERRNO(code);
    if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        return SCMP_ACT_TRACE(code);
    if (strcmp(name, "SCMP_ACT_LOG") == 0)
        return SCMP_ACT_LOG;
    if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        return SCMP_ACT_NOTIFY;
    return SCMP_ACT_ALLOW;
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

static int set_flags(scmp_filter_ctx ctx, const hutch_strings *flags, hutch_error *err)
{
    for (size_t i = 0; i < flags->n; i++) {
        const char *flag = flags->items[i];
        enum scmp_filter_attr attr;
        int rc;

        if (strcmp(flag, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
            attr = SCMP_FLTATR_CTL_TSYNC;
        else if (strcmp(flag, "SECCOMP_FILTER_FLAG_LOG") == 0)
            attr = SCMP_FLTATR_CTL_LOG;
        else if (strcmp(flag, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
            attr = SCMP_FLTATR_CTL_SSB;
        else
            return hutch_error_set(err, ENOTSUP,
                                   "linux.seccomp.flags: %s is not supported by libseccomp %u.%u",
                                   flag, seccomp_version()->major, seccomp_version()->minor);
        rc = seccomp_attr_set(ctx, attr, 1);
        if (rc < 0)
            return hutch_error_syscall(err, -rc, "linux.seccomp.flags: set %s", flag);
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

int seccomp_filter_build(const struct hutch_runtime *rt, const struct hutch_spec_seccomp *s,
                         struct seccomp_filter **out, hutch_error *err)
{
    uint32_t default_action;
    scmp_filter_ctx ctx;
    int rc;

    *out = NULL;
    if (s == NULL)
        return 0;
    default_action = action_value(s->default_action, &s->default_errno_ret);
    if (default_action == SCMP_ACT_NOTIFY)
        return hutch_error_set(err, ENOTSUP,
                               "linux.seccomp: SCMP_ACT_NOTIFY is not supported by this version "
                               "of hutch-oci");
    ctx = seccomp_init(default_action);
    if (ctx == NULL)
        return hutch_error_set(err, EINVAL, "linux.seccomp: libseccomp refused defaultAction %s",
                               s->default_action);
    /* with this, libseccomp returns the kernel's error codes instead of its own */
    seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
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
    if (set_flags(ctx, &s->flags, err) < 0)
        goto fail;
    for (size_t i = 0; i < s->syscalls.n; i++) {
        const struct hutch_spec_syscall *sc = &s->syscalls.items[i];
        uint32_t action = action_value(sc->action, &sc->errno_ret);

        if (action == SCMP_ACT_NOTIFY) {
            hutch_error_set(err, ENOTSUP,
                            "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY is not supported by "
                            "this version of hutch-oci",
                            i);
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
    *out = malloc(sizeof(**out));
    if (*out == NULL) {
        hutch_error_set(err, ENOMEM, "out of memory");
        goto fail;
    }
    (*out)->ctx = ctx;
    return 0;
fail:
    seccomp_release(ctx);
    return -err->code;
}

int seccomp_filter_load(struct seccomp_filter *f, hutch_error *err)
{
    int rc;

    if (f == NULL)
        return 0;
    rc = seccomp_load(f->ctx);
    if (rc < 0)
        return hutch_error_syscall(err, -rc, "load the seccomp filter");
    return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
    if (f == NULL)
        return;
    seccomp_release(f->ctx);
    free(f);
}
