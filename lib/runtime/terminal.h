/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.terminal: a pty made in the container's own devpts. Its master
 * goes to the --console-socket (runc's protocol: SCM_RIGHTS, the pty's name
 * as the data), or to hutch-oci, which proxies it to its own stdio.
 */
#ifndef HUTCH_RUNTIME_TERMINAL_H
#define HUTCH_RUNTIME_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include <hutch/error.h>
#include <hutch/spec.h>

/* A connection to the unix socket at `path` (--console-socket); the fd, or < 0. */
int terminal_connect_socket(const char *path, hutch_error *err);

/*
 * In the container process, with the container's /dev: make the pty (its
 * size from process.consoleSize), hand the master to `console_fd` (or, when
 * -1, to hutch-oci over `sync_fd`), and make the other end our controlling
 * terminal and stdin, stdout and stderr in a new session; with `dev_console`
 * (the container's init) also bound on /dev/console.
 */
int terminal_setup(const struct hutch_spec_process *p, int console_fd, int sync_fd,
                   bool dev_console, hutch_error *err);

/*
 * In the foreground: the size of the caller's terminal (stdin), when it has
 * one, as process.consoleSize, so that the program starts with it. -1
 * without memory.
 */
int terminal_take_caller_size(struct hutch_spec_process *p);

/* In hutch-oci: the master that terminal_setup() sent over `sync_fd`. */
int terminal_receive_master(int sync_fd, int *master, hutch_error *err);

/*
 * In the foreground: copy stdin to the master and the master to stdout, our
 * terminal (if stdin is one) in raw mode with its size passed on at once and
 * on every SIGWINCH; forward the signals of run to `pid` until it exits;
 * restore the terminal. The run signals must be blocked by the caller.
 */
int terminal_proxy_until_exit(int master, pid_t pid, int *exit_status, hutch_error *err);

#endif
