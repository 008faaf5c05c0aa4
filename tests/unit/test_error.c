/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/error.h>

#include "core/error_channel.h"
#include "unit.h"

START_TEST(set_formats_and_returns_negative_code)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(hutch_error_set(&err, ENOENT, "open %s", "/x"), -ENOENT);
    ck_assert_int_eq(err.code, ENOENT);
    ck_assert_str_eq(hutch_error_message(&err), "open /x");
}
END_TEST

START_TEST(syscall_appends_strerror)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(hutch_error_syscall(&err, EPERM, "mount /proc at %s", "rootfs/proc"), -EPERM);
    ck_assert_str_eq(hutch_error_message(&err),
                     "mount /proc at rootfs/proc: Operation not permitted");
}
END_TEST

START_TEST(wrap_prepends_context_at_each_level)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    hutch_error_syscall(&err, EACCES, "open %s", "config.json");
    ck_assert_int_eq(hutch_error_wrap(&err, "load bundle %s", "/b"), -EACCES);
    hutch_error_wrap(&err, "create container %s", "web");
    ck_assert_str_eq(hutch_error_message(&err),
                     "create container web: load bundle /b: open config.json: Permission denied");
    ck_assert_int_eq(err.code, EACCES);
}
END_TEST

START_TEST(set_twice_replaces_message_without_leak)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    hutch_error_set(&err, EINVAL, "first");
    hutch_error_set(&err, EIO, "second");
    ck_assert_str_eq(hutch_error_message(&err), "second");
    ck_assert_int_eq(err.code, EIO);
}
END_TEST

START_TEST(non_positive_code_becomes_eio)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    ck_assert_int_eq(hutch_error_set(&err, 0, "bug"), -EIO);
    ck_assert_int_eq(hutch_error_set(&err, -3, "bug"), -EIO);
}
END_TEST

START_TEST(clear_resets_and_is_idempotent)
{
    hutch_error err = HUTCH_ERROR_INIT;

    ck_assert(!hutch_error_is_set(&err));
    ck_assert_str_eq(hutch_error_message(&err), "");
    hutch_error_set(&err, EINVAL, "x");
    ck_assert(hutch_error_is_set(&err));
    hutch_error_clear(&err);
    hutch_error_clear(&err);
    ck_assert(!hutch_error_is_set(&err));
    ck_assert_ptr_null(err.msg);
    hutch_error_clear(NULL);
}
END_TEST

START_TEST(wrap_of_empty_error_keeps_context)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    hutch_error_wrap(&err, "context only");
    ck_assert_str_eq(hutch_error_message(&err), "context only");
    ck_assert_int_eq(err.code, EIO);
}
END_TEST

START_TEST(channel_carries_error_from_child)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autoerror received = HUTCH_ERROR_INIT;
    int sv[2];
    pid_t pid;
    int status;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        hutch_error child = HUTCH_ERROR_INIT;
        close(sv[0]);
        hutch_error_syscall(&child, EPERM, "mount proc on /proc");
        _exit(hutch_error_send(sv[1], &child, &child) == 0 ? 0 : 1);
    }
    close(sv[1]);
    ck_assert_int_eq(hutch_error_receive(sv[0], &received, &err), 0);
    ck_assert_int_eq(received.code, EPERM);
    ck_assert_str_eq(hutch_error_message(&received),
                     "mount proc on /proc: Operation not permitted");
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(sv[0]);
}
END_TEST

START_TEST(channel_reports_peer_gone)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autoerror received = HUTCH_ERROR_INIT;
    int sv[2];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    close(sv[1]);
    ck_assert_int_eq(hutch_error_receive(sv[0], &received, &err), -EPIPE);
    ck_assert_str_eq(hutch_error_message(&err), "child process exited without reporting its error");
    ck_assert(!hutch_error_is_set(&received));
    close(sv[0]);
}
END_TEST

START_TEST(channel_refuses_malformed_report)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autoerror received = HUTCH_ERROR_INIT;
    struct {
        int32_t code;
        uint32_t length;
    } bogus = { EINVAL, 1u << 30 };
    int sv[2];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], &bogus, sizeof(bogus)), (ssize_t)sizeof(bogus));
    ck_assert_int_eq(hutch_error_receive(sv[0], &received, &err), -EPROTO);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(channel_reports_truncated_message)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autoerror received = HUTCH_ERROR_INIT;
    struct {
        int32_t code;
        uint32_t length;
    } header = { EINVAL, 10 };
    int sv[2];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], &header, sizeof(header)), (ssize_t)sizeof(header));
    ck_assert_int_eq(write(sv[1], "abc", 3), 3);
    close(sv[1]);
    ck_assert_int_eq(hutch_error_receive(sv[0], &received, &err), -EPIPE);
    close(sv[0]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");

    tcase_add_test(tc, set_formats_and_returns_negative_code);
    tcase_add_test(tc, syscall_appends_strerror);
    tcase_add_test(tc, wrap_prepends_context_at_each_level);
    tcase_add_test(tc, set_twice_replaces_message_without_leak);
    tcase_add_test(tc, non_positive_code_becomes_eio);
    tcase_add_test(tc, clear_resets_and_is_idempotent);
    tcase_add_test(tc, wrap_of_empty_error_keeps_context);
    tcase_add_test(tc, channel_carries_error_from_child);
    tcase_add_test(tc, channel_reports_peer_gone);
    tcase_add_test(tc, channel_refuses_malformed_report);
    tcase_add_test(tc, channel_reports_truncated_message);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
