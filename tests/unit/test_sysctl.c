/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include <hutch/runtime.h>

#include "runtime/sysctl.h"
#include "unit.h"

static int check(const char *key, int flags, hutch_error *err)
{
    struct hutch_spec_kv kv = { (char *)key, (char *)"1" };
    struct hutch_spec_linux l = { 0 };
    struct hutch_spec spec = { 0 };

    l.sysctl.items = &kv;
    l.sysctl.n = 1;
    spec.linux_cfg = &l;
    return sysctl_check(&spec, flags, err);
}

START_TEST(namespaced_keys_with_their_namespace)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(check("net.ipv4.ip_forward", CLONE_NEWNET, &err), 0);
    ck_assert_int_eq(check("net/ipv4/ip_forward", CLONE_NEWNET, &err), 0);
    ck_assert_int_eq(check("kernel.shmmax", CLONE_NEWIPC, &err), 0);
    ck_assert_int_eq(check("fs.mqueue.msg_max", CLONE_NEWIPC, &err), 0);
    ck_assert_int_eq(check("kernel.domainname", CLONE_NEWUTS, &err), 0);
}
END_TEST

START_TEST(global_keys_are_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(check("vm.swappiness", -1, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err), "linux.sysctl: vm.swappiness is not namespaced: "
                                                "setting it would change the host; refused");
    ck_assert_int_eq(check("kernel.pid_max", -1, &err), -EINVAL);
}
END_TEST

START_TEST(namespaced_keys_without_their_namespace_are_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(check("net.ipv4.ip_forward", CLONE_NEWIPC, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err),
                     "linux.sysctl: net.ipv4.ip_forward needs a network namespace of the "
                     "container's own");
    ck_assert_int_eq(check("kernel.sem", CLONE_NEWNET, &err), -EINVAL);
}
END_TEST

START_TEST(container_ids)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    const char *good[] = { "web", "a1", "my_container.2", "x-y+z", "a..b" };
    const char *bad[] = { "", ".", "..", ".hidden", "a/b", "../x", "a b", "a\nb", "é" };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(hutch_container_id_validate(good[i], &err) == 0, "%s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(hutch_container_id_validate(bad[i], &err) == -EINVAL, "%s", bad[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sysctl");
    TCase *tc = tcase_create("sysctl");

    tcase_add_test(tc, namespaced_keys_with_their_namespace);
    tcase_add_test(tc, global_keys_are_refused);
    tcase_add_test(tc, namespaced_keys_without_their_namespace_are_refused);
    tcase_add_test(tc, container_ids);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
