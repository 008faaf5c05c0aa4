/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "spawn.h"

static void close_pair(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* In the child: the pipe as stdout and stderr, then the program; on failure its errno
 * goes to `report` (closed on exec, so the parent reads nothing when exec worked). */
static void __attribute__((noreturn)) child_exec(char *const argv[], int output, int report)
{
    sigset_t none;
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int e;

    sigemptyset(&none);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(output, STDOUT_FILENO) < 0 ||
        dup2(output, STDERR_FILENO) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
        e = errno;
    } else {
        execvp(argv[0], argv);
        e = errno;
    }
    (void)!write(report, &e, sizeof(e));
    _exit(127);
}

/* Read the first line into out, and the rest of the stream into nowhere. */
static void read_line(int fd, char *out, size_t size)
{
    size_t used = 0;
    char drop[256];
    ssize_t n;

    for (;;) {
        char *dst = used + 1 < size ? out + used : drop;
        size_t room = used + 1 < size ? size - 1 - used : sizeof(drop);

        n = read(fd, dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (dst == out + used)
            used += (size_t)n;
    }
    out[used] = '\0';
    out[strcspn(out, "\n")] = '\0';
}

int hutch_spawn_output(char *const argv[], char *out, size_t size)
{
    int output[2], report[2], status, exec_errno = 0;
    ssize_t got;
    pid_t child;

    if (size == 0)
        return -EINVAL;
    if (pipe2(output, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(report, O_CLOEXEC) < 0) {
        int e = errno;
        close_pair(output);
        return -e;
    }
    child = fork();
    if (child < 0) {
        int e = errno;
        close_pair(output);
        close_pair(report);
        return -e;
    }
    if (child == 0)
        child_exec(argv, output[1], report[1]);
    close(output[1]);
    close(report[1]);
    read_line(output[0], out, size);
    close(output[0]);
    got = hutch_read_all(report[0], &exec_errno, sizeof(exec_errno));
    close(report[0]);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    if (got == (ssize_t)sizeof(exec_errno))
        return -exec_errno;
    return status;
}
