/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "create.h"
#include "sync.h"
#include "terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_connect_socket(const char *path, hutch_error *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return hutch_error_set(err, ENAMETOOLONG, "--console-socket %s: path too long", path);
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "--console-socket %s", path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        return hutch_error_syscall(err, saved, "--console-socket %s: connect", path);
    }
    return fd;
}

/* The pty bound on /dev/console, as the runtime specification asks of a container's init. */
static int bind_console(const char *name, hutch_error *err)
{
    int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);

    if (fd < 0 && errno != ENXIO && errno != EACCES && errno != EPERM)
        return hutch_error_syscall(err, errno, "create /dev/console");
    if (fd >= 0)
        close(fd);
    if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return hutch_error_syscall(err, errno, "bind %s on /dev/console", name);
    return 0;
}

int terminal_setup(const struct hutch_spec_process *p, int console_fd, int sync_fd,
                   bool dev_console, hutch_error *err)
{
    hutch_autoclose int master = -1;
    hutch_autoclose int slave = -1;
    int unlock = 0, n;
    char name[64];

    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return hutch_error_syscall(err, errno,
                                   "process.terminal: open /dev/ptmx (the container needs a "
                                   "devpts mount on /dev/pts)");
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
        return hutch_error_syscall(err, errno, "process.terminal: unlock the pty");
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0)
        return hutch_error_syscall(err, errno, "process.terminal: open the pty");
    snprintf(name, sizeof(name), "/dev/pts/%d", n);
    if (dev_console && bind_console(name, err) < 0)
        return -err->code;
    if (p->console_size != NULL) {
        struct winsize ws = { .ws_row = (unsigned short)p->console_size->height,
                              .ws_col = (unsigned short)p->console_size->width };
        if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
            return hutch_error_syscall(err, errno, "process.consoleSize");
    }
    if (console_fd >= 0) {
        /* runc's console protocol: the master with SCM_RIGHTS, the pty's name as the data */
        if (hutch_send_fd(console_fd, name, strlen(name), master) < 0)
            return hutch_error_syscall(err, errno, "send the terminal to --console-socket");
        close(console_fd);
    } else if (sync_send_fd(sync_fd, SYNC_TERMINAL, master, err) < 0) {
        return -err->code;
    }
    if (setsid() < 0 && errno != EPERM)
        return hutch_error_syscall(err, errno, "start a new session");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return hutch_error_syscall(err, errno, "make %s the controlling terminal", name);
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(slave, fd) < 0)
            return hutch_error_syscall(err, errno, "make %s stdio", name);
    return 0;
}

int terminal_take_caller_size(struct hutch_spec_process *p)
{
    struct winsize ws;

    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
        return 0;
    if (p->console_size == NULL) {
        p->console_size = calloc(1, sizeof(*p->console_size));
        if (p->console_size == NULL)
            return -1;
    }
    p->console_size->height = ws.ws_row;
    p->console_size->width = ws.ws_col;
    return 0;
}

int terminal_receive_master(int sync_fd, int *master, hutch_error *err)
{
    return sync_expect_fd(sync_fd, SYNC_TERMINAL, master, err);
}

/* Our terminal's size onto the pty. */
static void pass_window_size(int master)
{
    struct winsize ws;

    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        ioctl(master, TIOCSWINSZ, &ws);
}

/* Copy what `from` has to `to`; false at the end of `from` (or when `to` is gone). */
static bool copy_some(int from, int to)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false; /* EIO on the master: the last process of the pty has closed it */
    return hutch_write_all(to, buf, (size_t)n) == 0;
}

int terminal_proxy_until_exit(int master, pid_t pid, int *exit_status, hutch_error *err)
{
    struct termios saved, raw;
    bool is_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    bool stdin_open = true, master_open = true, exited = false;
    hutch_autoclose int sfd = -1;
    sigset_t set;
    int ret = 0;

    run_signal_set(&set);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        return hutch_error_syscall(err, errno, "watch signals");
    if (is_tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        pass_window_size(master);
    }
    while (!exited || master_open) {
        struct pollfd fds[3] = { { .fd = sfd, .events = POLLIN },
                                 { .fd = master_open ? master : -1, .events = POLLIN },
                                 { .fd = stdin_open && master_open ? STDIN_FILENO : -1,
                                   .events = POLLIN } };
        int status;
        pid_t got;

        while ((got = waitpid(-1, &status, WNOHANG)) > 0)
            if (got == pid) {
                *exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
                exited = true;
            }
        if (exited && master_open) {
            /* drain what the program wrote before it exited, then stop */
            struct pollfd last = { .fd = master, .events = POLLIN };
            while (poll(&last, 1, 0) > 0 && (last.revents & POLLIN) && copy_some(master, 1))
                ;
            master_open = false;
            break;
        }
        if (poll(fds, 3, exited ? 0 : -1) < 0) {
            if (errno == EINTR)
                continue;
            ret = hutch_error_syscall(err, errno, "poll the terminal");
            break;
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(sfd, &info, sizeof(info)) == sizeof(info)) {
                if (info.ssi_signo == SIGWINCH)
                    pass_window_size(master);
                else if (info.ssi_signo != SIGCHLD)
                    kill(pid, (int)info.ssi_signo);
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            master_open = copy_some(master, STDOUT_FILENO) && !(fds[1].revents & POLLERR);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
            stdin_open = copy_some(STDIN_FILENO, master);
    }
    if (ret == 0 && !exited) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        *exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    }
    if (is_tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return ret;
}
