/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-oci run: create and start in one process; in the foreground, stay
 * the container's parent, forward signals to it and return its status.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "create.h"
#include "terminal.h"

int forward_signals_until_exit(pid_t init, int *exit_status, hutch_error *err)
{
    hutch_autoclose int sfd = -1;
    sigset_t set;

    run_signal_set(&set);
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        return hutch_error_syscall(err, errno, "watch signals");
    for (;;) {
        struct signalfd_siginfo info;
        int status;
        pid_t pid;

        /* reap everything: as subreaper we also inherit the setup's first stage */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != init)
                continue;
            *exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
            return 0;
        }
        if (pid < 0 && errno == ECHILD)
            return hutch_error_set(err, ECHILD, "lost track of the container process");
        if (read(sfd, &info, sizeof(info)) != sizeof(info)) {
            if (errno == EINTR)
                continue;
            return hutch_error_syscall(err, errno, "read signals");
        }
        if (info.ssi_signo != SIGCHLD)
            kill(init, (int)info.ssi_signo);
    }
}

int hutch_container_run(const struct hutch_runtime *rt, const char *id,
                        const struct hutch_run_options *o, int *exit_status, hutch_error *err)
{
    hutch_autoerror cleanup = HUTCH_ERROR_INIT;
    sigset_t caller_mask;
    pid_t init = 0;
    hutch_autoclose int master = -1;
    int ret;

    *exit_status = 0;
    sigprocmask(SIG_SETMASK, NULL, &caller_mask);
    if (container_create(rt, id, &o->create, !o->detach, &init, &master, err) < 0)
        return -err->code;
    ret = hutch_container_start(rt, id, err);
    if (ret == 0 && !o->detach)
        ret = master >= 0 ? terminal_proxy_until_exit(master, init, exit_status, err)
                          : forward_signals_until_exit(init, exit_status, err);
    if (!o->detach) {
        /* the caller (the engine, in-process) gets its own mask and no subreaper role back */
        sigprocmask(SIG_SETMASK, &caller_mask, NULL);
        prctl(PR_SET_CHILD_SUBREAPER, 0);
    }
    if (ret < 0 || (!o->detach && !o->keep)) {
        /* a failed start leaves nothing behind; a finished run cleans up unless --keep */
        /* deleted meanwhile by someone else: nothing left to clean up */
        if (hutch_container_delete(rt, id, true, &cleanup) < 0 && cleanup.code != ENOENT &&
            ret == 0) {
            hutch_error_set(err, cleanup.code, "%s", hutch_error_message(&cleanup));
            ret = -err->code;
        }
    }
    return ret;
}
