/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <hutch/signals.h>

#include "unit.h"

static int parse(const char *text)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    int signo = 0;

    ck_assert_msg(hutch_signal_parse(text, &signo, &err) == 0, "%s: %s", text,
                  hutch_error_message(&err));
    return signo;
}

static void refused(const char *text, const char *message)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    int signo = -7;

    ck_assert_int_eq(hutch_signal_parse(text, &signo, &err), -EINVAL);
    ck_assert_int_eq(signo, -7);
    ck_assert_str_eq(hutch_error_message(&err), message);
}

START_TEST(names_with_and_without_sig)
{
    ck_assert_int_eq(parse("TERM"), SIGTERM);
    ck_assert_int_eq(parse("SIGTERM"), SIGTERM);
    ck_assert_int_eq(parse("sigkill"), SIGKILL);
    ck_assert_int_eq(parse("hup"), SIGHUP);
    ck_assert_int_eq(parse("SIGUSR2"), SIGUSR2);
    ck_assert_int_eq(parse("WINCH"), SIGWINCH);
}
END_TEST

START_TEST(numbers)
{
    ck_assert_int_eq(parse("9"), SIGKILL);
    ck_assert_int_eq(parse("1"), 1);
    ck_assert_int_eq(parse("64"), SIGRTMAX);
}
END_TEST

START_TEST(realtime_signals)
{
    ck_assert_int_eq(parse("RTMIN"), SIGRTMIN);
    ck_assert_int_eq(parse("SIGRTMIN+3"), SIGRTMIN + 3);
    ck_assert_int_eq(parse("rtmax-1"), SIGRTMAX - 1);
    ck_assert_int_eq(parse("SIGRTMAX"), SIGRTMAX);
}
END_TEST

START_TEST(bad_signals_are_refused)
{
    char expected[160];

    snprintf(expected, sizeof(expected),
             "unknown signal \"FOO\" (expected a name such as TERM or SIGKILL, or a number from 1 "
             "to %d)",
             SIGRTMAX);
    refused("FOO", expected);
    refused("", "empty signal name");
    snprintf(expected, sizeof(expected), "signal number 0 is out of range (1-%d)", SIGRTMAX);
    refused("0", expected);
    snprintf(expected, sizeof(expected), "signal number 65 is out of range (1-%d)", SIGRTMAX);
    refused("65", expected);
    snprintf(expected, sizeof(expected),
             "signal number 99999999999999999999 is out of range (1-%d)", SIGRTMAX);
    refused("99999999999999999999", expected);
    refused("-9", "unknown signal \"-9\" (expected a name such as TERM or SIGKILL, or a number "
                  "from 1 to 64)");
    refused("RTMIN-1", "unknown signal \"RTMIN-1\" (expected a name such as TERM or SIGKILL, or a "
                       "number from 1 to 64)");
    refused("RTMIN+99", "unknown signal \"RTMIN+99\" (expected a name such as TERM or SIGKILL, or "
                        "a number from 1 to 64)");
    refused("SIG", "unknown signal \"SIG\" (expected a name such as TERM or SIGKILL, or a number "
                   "from 1 to 64)");
    refused("9x", "unknown signal \"9x\" (expected a name such as TERM or SIGKILL, or a number "
                  "from 1 to 64)");
}
END_TEST

START_TEST(names_of_numbers)
{
    ck_assert_str_eq(hutch_signal_name(SIGTERM), "SIGTERM");
    ck_assert_str_eq(hutch_signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
    ck_assert_ptr_null(hutch_signal_name(0));
    ck_assert_ptr_null(hutch_signal_name(200));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("signals");
    TCase *tc = tcase_create("signals");

    tcase_add_test(tc, names_with_and_without_sig);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, realtime_signals);
    tcase_add_test(tc, bad_signals_are_refused);
    tcase_add_test(tc, names_of_numbers);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
