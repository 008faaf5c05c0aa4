/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch_user_name: user names from /etc/passwd, without NSS (hutch-oci is static). */
#include <string.h>

#include <hutch/runtime.h>

#include "unit.h"

START_TEST(names_come_from_etc_passwd)
{
    char name[64];

    /* every Debian system has root as uid 0 in /etc/passwd */
    ck_assert(hutch_user_name(0, name, sizeof(name)));
    ck_assert_str_eq(name, "root");
}
END_TEST

START_TEST(absent_users_and_small_buffers_give_nothing)
{
    char name[64] = "junk";
    char tiny[4] = "junk";

    /* the largest uid the kernel allows is no one's */
    ck_assert(!hutch_user_name((uid_t)4294967294u, name, sizeof(name)));
    ck_assert_str_eq(name, "");
    ck_assert(!hutch_user_name(0, tiny, sizeof(tiny)));
    ck_assert_str_eq(tiny, "");
    ck_assert(!hutch_user_name(0, tiny, 0));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("passwd");
    TCase *tc = tcase_create("passwd");

    tcase_add_test(tc, names_come_from_etc_passwd);
    tcase_add_test(tc, absent_users_and_small_buffers_give_nothing);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
