/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "unit.h"

static bool fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

START_TEST(autoclose_closes_at_scope_end)
{
    int seen;

    {
        hutch_autoclose int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        seen = fd;
        ck_assert(fd_is_open(seen));
    }
    ck_assert(!fd_is_open(seen));
}
END_TEST

START_TEST(steal_fd_keeps_it_open)
{
    int kept;

    {
        hutch_autoclose int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        kept = hutch_steal_fd(&fd);
        ck_assert_int_eq(fd, -1);
    }
    ck_assert(fd_is_open(kept));
    close(kept);
}
END_TEST

START_TEST(cleanups_keep_errno)
{
    {
        hutch_autoclose int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        hutch_autofree char *p = strdup("x");
        hutch_autofclose FILE *f = fopen("/dev/null", "r");
        hutch_autoclosedir DIR *d = opendir("/");
        (void)fd;
        (void)p;
        (void)f;
        (void)d;
        errno = ENOTTY;
    }
    ck_assert_int_eq(errno, ENOTTY);
}
END_TEST

START_TEST(cleanups_accept_empty_values)
{
    hutch_autoclose int fd = -1;
    hutch_autofree char *p = NULL;
    hutch_autofclose FILE *f = NULL;
    hutch_autoclosedir DIR *d = NULL;
    hutch_autokillpid pid_t pid = 0;

    (void)fd;
    (void)p;
    (void)f;
    (void)d;
    (void)pid;
}
END_TEST

START_TEST(steal_pointer_hands_ownership_on)
{
    char *kept;

    {
        hutch_autofree char *p = strdup("kept");
        kept = hutch_steal_pointer(&p);
        ck_assert_ptr_null(p);
    }
    ck_assert_str_eq(kept, "kept");
    free(kept);
}
END_TEST

/*
 * Fork a child that waits for a signal. Check's SIGTERM handler (which
 * signals the whole process group) is reset in the child before the parent
 * goes on, so the test can end the child with SIGTERM.
 */
static pid_t fork_waiting_child(void)
{
    int ready[2];
    char byte;
    pid_t pid;

    ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    ck_assert_int_eq(read(ready[0], &byte, 1), 1);
    close(ready[0]);
    return pid;
}

START_TEST(autokillpid_kills_and_reaps_child)
{
    pid_t seen;

    {
        hutch_autokillpid pid_t pid = fork_waiting_child();
        seen = pid;
    }
    /* reaped: no such child any more */
    ck_assert_int_eq(waitpid(seen, NULL, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(steal_pid_leaves_child_running)
{
    pid_t kept;
    int status;

    {
        hutch_autokillpid pid_t pid = fork_waiting_child();
        kept = hutch_steal_pid(&pid);
    }
    ck_assert_int_eq(waitpid(kept, NULL, WNOHANG), 0);
    kill(kept, SIGTERM);
    ck_assert_int_eq(waitpid(kept, &status, 0), kept);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cleanup");
    TCase *tc = tcase_create("cleanup");

    tcase_add_test(tc, autoclose_closes_at_scope_end);
    tcase_add_test(tc, steal_fd_keeps_it_open);
    tcase_add_test(tc, cleanups_keep_errno);
    tcase_add_test(tc, cleanups_accept_empty_values);
    tcase_add_test(tc, steal_pointer_hands_ownership_on);
    tcase_add_test(tc, autokillpid_kills_and_reaps_child);
    tcase_add_test(tc, steal_pid_leaves_child_running);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
