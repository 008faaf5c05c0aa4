/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup device program: the rules a spec gives, and the program built from them run
 * through a small evaluator of the few instructions the builder emits, its decisions
 * checked against the OCI semantics (per access bit, the last matching rule decides;
 * nothing matches: denied). The kernel's BPF_PROG_TEST_RUN does not run cgroup device
 * programs, hence the evaluator. As root, the programs are also loaded (never attached) so
 * that the host's verifier passes them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "runtime/cgroup_devices.h"
#include "unit.h"

#define M CGROUP_DEVICES_MKNOD
#define R CGROUP_DEVICES_READ
#define W CGROUP_DEVICES_WRITE

/* ck_assert() reports every passing check to the runner: too slow for the evaluator's loop */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("instruction %zu: %s", pc, #cond);                                        \
    } while (0)

/* Run the program on one request; fails the test on anything it does not know. */
static int evaluate(const struct bpf_insn *p, size_t n, char type, uint32_t major, uint32_t minor,
                    unsigned access)
{
    uint32_t ctx[3] = { access << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                        major, minor };
    uint64_t reg[11] = { 0 };
    unsigned init = 1u << BPF_REG_1; /* registers written so far */

    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *i = &p[pc];
        unsigned dst = i->dst_reg, src = i->src_reg;

        CHECK(dst < 11);
        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            CHECK(src == BPF_REG_1); /* only the context is read */
            CHECK(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
            reg[dst] = ctx[i->off / 4];
            break;
        case BPF_ALU | BPF_MOV | BPF_X:
            CHECK(init & 1u << src);
            reg[dst] = (uint32_t)reg[src];
            break;
        case BPF_ALU | BPF_MOV | BPF_K:
            reg[dst] = (uint32_t)i->imm;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            CHECK(init & 1u << dst);
            reg[dst] = (uint32_t)reg[dst] & (uint32_t)i->imm;
            break;
        case BPF_ALU | BPF_XOR | BPF_K:
            CHECK(init & 1u << dst);
            reg[dst] = (uint32_t)reg[dst] ^ (uint32_t)i->imm;
            break;
        case BPF_ALU | BPF_OR | BPF_X:
            CHECK(init & 1u << dst && init & 1u << src);
            reg[dst] = (uint32_t)reg[dst] | (uint32_t)reg[src];
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            CHECK(init & 1u << dst);
            CHECK(i->imm >= 0 && i->imm < 32);
            reg[dst] = (uint32_t)reg[dst] >> i->imm;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JNE | BPF_K: {
            bool eq = reg[dst] == (uint64_t)(int64_t)i->imm;

            CHECK(init & 1u << dst);
            CHECK(i->off >= 0); /* forward only: no loops */
            CHECK(pc + 1 + (size_t)i->off < n);
            if (eq == (BPF_OP(i->code) == BPF_JEQ))
                pc += (size_t)i->off;
            continue;
        }
        case BPF_JMP | BPF_EXIT:
            CHECK(init & 1u << BPF_REG_0);
            CHECK(reg[0] == 0 || reg[0] == 1);
            return (int)reg[0];
        default:
            ck_abort_msg("instruction %zu: unexpected opcode %#x", pc, i->code);
        }
        init |= 1u << dst;
    }
    ck_abort_msg("the program runs off its end");
    return -1;
}

/* The semantics, said plainly: each asked bit by the last rule naming device and bit. */
static int model(const struct cgroup_devices_rule *rules, size_t n, char type, int64_t major,
                 int64_t minor, unsigned access)
{
    unsigned bits = access != 0 ? access : 8; /* nothing asked: any rule for the device */

    for (unsigned bit = 1; bit <= 8; bit <<= 1) {
        int allowed = 0;

        if (!(bits & bit))
            continue;
        for (size_t i = 0; i < n; i++) {
            const struct cgroup_devices_rule *r = &rules[i];

            if ((r->type == 'a' || r->type == type) && (r->major < 0 || r->major == major) &&
                (r->minor < 0 || r->minor == minor) && r->access != 0 &&
                (bit == 8 || (r->access & bit)))
                allowed = r->allow;
        }
        if (!allowed)
            return 0;
    }
    return 1;
}

struct program {
    struct bpf_insn *insns;
    size_t n;
};

static struct program build(const struct cgroup_devices_rule *rules, size_t n)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct program p = { NULL, 0 };

    ck_assert_msg(cgroup_devices_program(rules, n, &p.insns, &p.n, &err) == 0, "%s",
                  hutch_error_message(&err));
    return p;
}

static int decide(const struct program *p, char type, uint32_t major, uint32_t minor,
                  unsigned access)
{
    return evaluate(p->insns, p->n, type, major, minor, access);
}

#define RULES(...)                                                                                 \
    (const struct cgroup_devices_rule[])                                                           \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define NRULES(...)                                                                                \
    (sizeof((const struct cgroup_devices_rule[]){ __VA_ARGS__ }) /                                 \
     sizeof(struct cgroup_devices_rule))
#define BUILD(...) build(RULES(__VA_ARGS__), NRULES(__VA_ARGS__))

START_TEST(no_rules_deny_everything)
{
    struct program p = build(NULL, 0);

    for (unsigned a = 0; a <= 7; a++) {
        ck_assert_int_eq(decide(&p, 'c', 1, 3, a), 0);
        ck_assert_int_eq(decide(&p, 'b', 8, 0, a), 0);
    }
    free(p.insns);
}
END_TEST

START_TEST(allow_all_and_deny_all)
{
    struct program all = BUILD({ true, 'a', -1, -1, 7 });
    struct program none = BUILD({ true, 'a', -1, -1, 7 }, { false, 'a', -1, -1, 7 });

    for (unsigned a = 0; a <= 7; a++) {
        ck_assert_int_eq(decide(&all, 'c', 1, 1, a), 1);
        ck_assert_int_eq(decide(&all, 'b', 259, 70000, a), 1);
        ck_assert_int_eq(decide(&none, 'c', 1, 1, a), 0);
    }
    free(all.insns);
    free(none.insns);
}
END_TEST

START_TEST(deny_after_allow_wins)
{
    struct program p = BUILD({ true, 'a', -1, -1, 7 }, { false, 'c', 1, 1, 7 });

    ck_assert_int_eq(decide(&p, 'c', 1, 1, R), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 1, M), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 2, R | W), 1);
    ck_assert_int_eq(decide(&p, 'b', 1, 1, R | W), 1);
    free(p.insns);
}
END_TEST

START_TEST(allow_after_deny_all)
{
    /* the usual configuration: reset, then what the container may use */
    struct program p = BUILD({ false, 'a', -1, -1, 7 }, { true, 'c', 1, 3, R | W });

    ck_assert_int_eq(decide(&p, 'c', 1, 3, R), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, W), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, R | W), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, M), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 4, R), 0);
    ck_assert_int_eq(decide(&p, 'b', 1, 3, R), 0);
    free(p.insns);
}
END_TEST

START_TEST(wildcard_major_and_minor)
{
    struct program p = BUILD({ false, 'a', -1, -1, 7 }, { true, 'c', 136, -1, 7 },
                             { true, 'c', -1, 5, R }, { true, 'b', -1, -1, M });

    ck_assert_int_eq(decide(&p, 'c', 136, 0, R | W), 1);
    ck_assert_int_eq(decide(&p, 'c', 136, 99, M), 1);
    ck_assert_int_eq(decide(&p, 'b', 136, 0, R), 0);
    ck_assert_int_eq(decide(&p, 'c', 137, 0, R), 0);
    ck_assert_int_eq(decide(&p, 'c', 7, 5, R), 1);
    ck_assert_int_eq(decide(&p, 'c', 7, 5, W), 0);
    ck_assert_int_eq(decide(&p, 'c', 7, 6, R), 0);
    ck_assert_int_eq(decide(&p, 'b', 8, 1, M), 1);
    ck_assert_int_eq(decide(&p, 'b', 8, 1, R), 0);
    free(p.insns);
}
END_TEST

START_TEST(allow_must_cover_the_request)
{
    struct program r_only = BUILD({ true, 'c', 1, 3, R });
    struct program r_then_w = BUILD({ true, 'c', 1, 3, R }, { true, 'c', 1, 3, W });

    ck_assert_int_eq(decide(&r_only, 'c', 1, 3, R), 1);
    ck_assert_int_eq(decide(&r_only, 'c', 1, 3, R | W), 0); /* O_RDWR */
    ck_assert_int_eq(decide(&r_only, 'c', 1, 3, W), 0);
    /* two allow rules together cover an O_RDWR open, as in cgroup v1 and runc */
    ck_assert_int_eq(decide(&r_then_w, 'c', 1, 3, R | W), 1);
    ck_assert_int_eq(decide(&r_then_w, 'c', 1, 3, M), 0);
    free(r_only.insns);
    free(r_then_w.insns);
}
END_TEST

START_TEST(deny_takes_any_denied_bit)
{
    struct program p = BUILD({ true, 'c', 1, 3, 7 }, { false, 'c', 1, 3, W });
    struct program wide = BUILD({ true, 'a', -1, -1, 7 }, { false, 'c', 1, 3, W });

    /* an O_RDWR open asks for r and w at once: the denied w denies it */
    ck_assert_int_eq(decide(&p, 'c', 1, 3, R | W), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, W), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, R), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, M), 1);
    ck_assert_int_eq(decide(&wide, 'c', 1, 3, R | W), 0);
    ck_assert_int_eq(decide(&wide, 'c', 1, 4, R | W), 1);
    free(p.insns);
    free(wide.insns);
}
END_TEST

START_TEST(an_earlier_deny_is_overridden)
{
    struct program p = BUILD({ false, 'c', 1, 3, 7 }, { true, 'c', 1, 3, R | W });

    ck_assert_int_eq(decide(&p, 'c', 1, 3, R | W), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, M), 0);
    free(p.insns);
}
END_TEST

START_TEST(no_access_letters_match_nothing)
{
    struct program p = BUILD({ true, 'a', -1, -1, 7 }, { false, 'c', 1, 3, 0 });

    ck_assert_int_eq(decide(&p, 'c', 1, 3, R | W), 1);
    free(p.insns);
}
END_TEST

START_TEST(nothing_asked_is_decided_by_the_device)
{
    struct program p =
            BUILD({ false, 'a', -1, -1, 7 }, { true, 'c', 1, 3, R }, { false, 'c', 1, 5, W });

    ck_assert_int_eq(decide(&p, 'c', 1, 3, 0), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 4, 0), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 5, 0), 0);
    free(p.insns);
}
END_TEST

START_TEST(rules_before_an_unconditional_one_are_not_emitted)
{
    struct program p = BUILD({ true, 'c', 1, 1, 7 }, { true, 'c', 1, 2, 7 },
                             { false, 'a', -1, -1, 7 }, { true, 'c', 1, 3, 7 });
    struct program q = BUILD({ false, 'a', -1, -1, 7 }, { true, 'c', 1, 3, 7 });

    ck_assert_uint_eq(p.n, q.n);
    ck_assert_int_eq(decide(&p, 'c', 1, 1, R), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, R), 1);
    free(p.insns);
    free(q.insns);
}
END_TEST

START_TEST(numbers_no_device_has_never_match)
{
    struct program p = BUILD({ true, 'a', -1, -1, 7 }, { false, 'c', 1LL << 32, -1, 7 },
                             { false, 'c', -1, INT64_MAX, 7 });

    ck_assert_int_eq(decide(&p, 'c', 0, 0, R), 1);
    ck_assert_int_eq(decide(&p, 'c', 4095, 1048575, R), 1);
    free(p.insns);
}
END_TEST

/* Random rule lists against the model, on a grid of devices and every access set. */
START_TEST(random_rule_lists_agree_with_the_model)
{
    static const char types[] = { 'a', 'c', 'b' };
    static const int64_t numbers[] = { -1, 0, 1, 3, 136 };
    unsigned seed = 7;

    for (int round = 0; round < 300; round++) {
        struct cgroup_devices_rule rules[12];
        size_t n = (size_t)(rand_r(&seed) % 13);
        struct program p;

        for (size_t i = 0; i < n; i++)
            rules[i] = (struct cgroup_devices_rule){
                .allow = rand_r(&seed) % 2 == 0,
                .type = types[rand_r(&seed) % 3],
                .major = numbers[rand_r(&seed) % 5],
                .minor = numbers[rand_r(&seed) % 5],
                .access = (unsigned)(rand_r(&seed) % 8),
            };
        p = build(rules, n);
        for (int t = 0; t < 2; t++)
            for (size_t ma = 1; ma < 5; ma++)
                for (size_t mi = 1; mi < 5; mi++)
                    for (unsigned a = 0; a <= 7; a++) {
                        char type = t == 0 ? 'c' : 'b';
                        int64_t major = numbers[ma], minor = numbers[mi];

                        if (decide(&p, type, (uint32_t)major, (uint32_t)minor, a) !=
                            model(rules, n, type, major, minor, a))
                            ck_abort_msg("round %d: %c %lld:%lld access %u", round, type,
                                         (long long)major, (long long)minor, a);
                    }
        free(p.insns);
    }
}
END_TEST

/* A spec with linux.resources.devices `rules` and linux.devices `devs`. */
struct spec_parts {
    struct hutch_spec spec;
    struct hutch_spec_linux linux_cfg;
    struct hutch_spec_resources resources;
};

static void make_spec(struct spec_parts *s, struct hutch_spec_device_rule *rules, size_t n_rules,
                      struct hutch_spec_device *devs, size_t n_devs)
{
    memset(s, 0, sizeof(*s));
    s->resources.devices.items = rules;
    s->resources.devices.n = n_rules;
    s->linux_cfg.devices.items = devs;
    s->linux_cfg.devices.n = n_devs;
    s->linux_cfg.resources = &s->resources;
    s->spec.linux_cfg = &s->linux_cfg;
}

static struct program program_of(const struct hutch_spec *spec)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cgroup_devices_rule *rules = NULL;
    struct program p;
    size_t n = 0;

    ck_assert_msg(cgroup_devices_rules(spec, &rules, &n, &err) == 0, "%s",
                  hutch_error_message(&err));
    p = build(rules, n);
    free(rules);
    return p;
}

#define SET(v)                                                                                     \
    {                                                                                              \
        true, v                                                                                    \
    }
/* the model's strings are not const; these are only read */
#define S(literal) ((char *)(literal))

START_TEST(spec_rules_then_defaults_and_devices)
{
    struct hutch_spec_device_rule rules[] = {
        { false, NULL, { false, 0 }, { false, 0 }, S("rwm") },
        { true, S("b"), SET(8), SET(0), S("r") },
        { false, S("c"), SET(1), SET(3), S("rwm") }, /* the default devices come after: allowed */
    };
    struct hutch_spec_device devs[] = {
        { S("c"), S("/dev/net/tun"), SET(10), SET(200), { false, 0 }, { false, 0 }, { false, 0 } },
        { S("b"), S("/dev/loop0"), SET(7), SET(0), { false, 0 }, { false, 0 }, { false, 0 } },
        { S("p"),
          S("/dev/fifo"),
          { false, 0 },
          { false, 0 },
          { false, 0 },
          { false, 0 },
          { false, 0 } },
    };
    struct spec_parts s;
    struct program p;

    make_spec(&s, rules, 3, devs, 3);
    p = program_of(&s.spec);
    for (unsigned minor = 3; minor <= 9; minor += 2) { /* null, zero, full (7), urandom */
        ck_assert_int_eq(decide(&p, 'c', 1, minor, R | W), 1);
        ck_assert_int_eq(decide(&p, 'c', 1, minor, M), 1);
    }
    ck_assert_int_eq(decide(&p, 'c', 1, 8, R), 1);     /* random */
    ck_assert_int_eq(decide(&p, 'c', 5, 0, R | W), 1); /* tty */
    ck_assert_int_eq(decide(&p, 'c', 5, 2, R | W), 1); /* ptmx */
    ck_assert_int_eq(decide(&p, 'c', 136, 4, R | W), 1);
    ck_assert_int_eq(decide(&p, 'c', 10, 200, R | W), 1);
    ck_assert_int_eq(decide(&p, 'b', 7, 0, R | W), 1);
    ck_assert_int_eq(decide(&p, 'b', 8, 0, R), 1);
    ck_assert_int_eq(decide(&p, 'b', 8, 0, R | W), 0);
    ck_assert_int_eq(decide(&p, 'c', 1, 1, R), 0); /* /dev/mem */
    ck_assert_int_eq(decide(&p, 'c', 5, 1, R), 0); /* /dev/console: a pty is bound there */
    ck_assert_int_eq(decide(&p, 'c', 10, 229, R | W), 0);
    ck_assert_int_eq(decide(&p, 'b', 8, 1, R), 0);
    free(p.insns);
}
END_TEST

START_TEST(no_linux_section_allows_the_defaults_only)
{
    struct hutch_spec spec;
    struct program p;

    memset(&spec, 0, sizeof(spec));
    p = program_of(&spec);
    ck_assert_int_eq(decide(&p, 'c', 1, 3, R | W), 1);
    ck_assert_int_eq(decide(&p, 'c', 1, 1, R), 0);
    ck_assert_int_eq(decide(&p, 'b', 8, 0, M), 0);
    free(p.insns);
}
END_TEST

START_TEST(bad_rules_are_refused_with_their_field)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_device_rule rules[] = {
        { true, S("c"), SET(-1), SET(-1), S("r") },
        { true, S("c"), SET(-2), { false, 0 }, S("r") },
    };
    struct cgroup_devices_rule *out = NULL;
    struct spec_parts s;
    size_t n = 0;

    make_spec(&s, rules, 2, NULL, 0);
    ck_assert_int_eq(cgroup_devices_rules(&s.spec, &out, &n, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err),
                     "linux.resources.devices[1].major: expected a device number or -1 (any), "
                     "found -2");
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(a_listed_device_without_numbers_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_device devs[] = {
        { S("c"), S("/dev/odd"), SET(-1), SET(0), { false, 0 }, { false, 0 }, { false, 0 } },
    };
    struct cgroup_devices_rule *out = NULL;
    struct spec_parts s;
    size_t n = 0;

    /* read as "any", it would allow every character device */
    make_spec(&s, NULL, 0, devs, 1);
    ck_assert_int_eq(cgroup_devices_rules(&s.spec, &out, &n, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err), "linux.devices[0] (/dev/odd): expected a major "
                                                "and a minor number of 0 or more");
    ck_assert_ptr_null(out);
}
END_TEST

/* Load as root; a reason on stderr and no verdict otherwise. */
static bool can_load(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "# skipped: loading BPF programs needs root\n");
        return false;
    }
    return true;
}

START_TEST(the_verifier_passes_the_programs)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cgroup_devices_rule many[400];
    struct program p;
    unsigned seed = 11;
    int fd;

    if (!can_load())
        return;
    for (size_t i = 0; i < 400; i++)
        many[i] = (struct cgroup_devices_rule){ rand_r(&seed) % 2 == 0, "acb"[i % 3],
                                                (int64_t)(i % 7) - 1, (int64_t)(i % 5) - 1,
                                                (unsigned)(i % 8) };
    for (size_t len = 0; len <= 400; len += 100) {
        p = build(many, len);
        fd = cgroup_devices_load(p.insns, p.n, &err);
        if (fd < 0 && err.code == EPERM) {
            fprintf(stderr, "# skipped: %s\n", hutch_error_message(&err));
            free(p.insns);
            return;
        }
        ck_assert_msg(fd >= 0, "%zu rules: %s", len, hutch_error_message(&err));
        close(fd);
        free(p.insns);
    }
}
END_TEST

START_TEST(a_refused_program_gives_the_verifier_log)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    /* exits without setting r0 */
    struct bpf_insn bad[] = { { .code = BPF_JMP | BPF_EXIT } };

    if (!can_load())
        return;
    ck_assert_int_lt(cgroup_devices_load(bad, 1, &err), 0);
    if (err.code == EPERM) {
        fprintf(stderr, "# skipped: %s\n", hutch_error_message(&err));
        return;
    }
    ck_assert_msg(strstr(hutch_error_message(&err),
                         "load the cgroup device program (1 instruction): ") != NULL &&
                          strstr(hutch_error_message(&err), "verifier: ") != NULL &&
                          strstr(hutch_error_message(&err), "R0") != NULL,
                  "%s", hutch_error_message(&err));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgroup_devices");
    TCase *tc = tcase_create("program");
    TCase *spec = tcase_create("spec");
    TCase *kernel = tcase_create("kernel");

    tcase_add_test(tc, no_rules_deny_everything);
    tcase_add_test(tc, allow_all_and_deny_all);
    tcase_add_test(tc, deny_after_allow_wins);
    tcase_add_test(tc, allow_after_deny_all);
    tcase_add_test(tc, wildcard_major_and_minor);
    tcase_add_test(tc, allow_must_cover_the_request);
    tcase_add_test(tc, deny_takes_any_denied_bit);
    tcase_add_test(tc, an_earlier_deny_is_overridden);
    tcase_add_test(tc, no_access_letters_match_nothing);
    tcase_add_test(tc, nothing_asked_is_decided_by_the_device);
    tcase_add_test(tc, rules_before_an_unconditional_one_are_not_emitted);
    tcase_add_test(tc, numbers_no_device_has_never_match);
    tcase_add_test(tc, random_rule_lists_agree_with_the_model);
    tcase_add_test(spec, spec_rules_then_defaults_and_devices);
    tcase_add_test(spec, no_linux_section_allows_the_defaults_only);
    tcase_add_test(spec, bad_rules_are_refused_with_their_field);
    tcase_add_test(spec, a_listed_device_without_numbers_is_refused);
    tcase_add_test(kernel, the_verifier_passes_the_programs);
    tcase_add_test(kernel, a_refused_program_gives_the_verifier_log);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, spec);
    suite_add_tcase(s, kernel);
    return unit_run(s);
}
