/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch_spawn_output: running a helper and taking its first line of output. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "core/spawn.h"
#include "unit.h"

static int sh(const char *script, char *out, size_t size)
{
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script, NULL };

    return hutch_spawn_output(argv, out, size);
}

START_TEST(first_line_and_status)
{
    char out[64];
    int st = sh("echo first; echo second >&2; exit 3", out, sizeof(out));

    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 3);
    ck_assert_str_eq(out, "first");
    st = sh("echo to-stderr >&2", out, sizeof(out));
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_str_eq(out, "to-stderr");
    st = sh("true", out, sizeof(out));
    ck_assert_int_eq(st, 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(long_output_is_cut_and_drained)
{
    char out[8];
    /* a megabyte: the helper would block on a full pipe if the rest were not read */
    int st = sh("head -c 1048576 /dev/zero | tr '\\0' x; exit 4", out, sizeof(out));

    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 4);
    ck_assert_str_eq(out, "xxxxxxx");
}
END_TEST

START_TEST(missing_program_is_enoent)
{
    char out[16] = "junk";
    char *argv[] = { (char *)"/nonexistent/hutch-helper", NULL };
    char *bare[] = { (char *)"hutch-no-such-helper-anywhere", NULL };

    ck_assert_int_eq(hutch_spawn_output(argv, out, sizeof(out)), -ENOENT);
    ck_assert_int_eq(hutch_spawn_output(bare, out, sizeof(out)), -ENOENT);
    ck_assert_int_eq(hutch_spawn_output(argv, out, 0), -EINVAL);
}
END_TEST

START_TEST(stdin_is_empty_and_signals_unblocked)
{
    sigset_t term;
    char out[32];
    int st;

    /* cat would wait for the caller's stdin if it were inherited */
    st = sh("cat; echo end", out, sizeof(out));
    ck_assert_int_eq(st, 0);
    ck_assert_str_eq(out, "end");
    /* the caller blocks SIGTERM (as hutch-oci blocks signals while it waits for a container);
     * the helper does not inherit that */
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ck_assert_int_eq(sigprocmask(SIG_BLOCK, &term, NULL), 0);
    st = sh("kill -TERM $$; echo survived", out, sizeof(out));
    ck_assert(WIFSIGNALED(st));
    ck_assert_int_eq(WTERMSIG(st), SIGTERM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spawn");
    TCase *tc = tcase_create("spawn");

    tcase_add_test(tc, first_line_and_status);
    tcase_add_test(tc, long_output_is_cut_and_drained);
    tcase_add_test(tc, missing_program_is_enoent);
    tcase_add_test(tc, stdin_is_empty_and_signals_unblocked);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
