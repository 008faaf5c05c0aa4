/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running one hook: fork, reset the signals, the state document on stdin,
 * execve(path, args, env); the parent feeds stdin without ever blocking on
 * it and waits, killing the hook when its timeout expires.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/signals.h>

#include "../core/error_channel.h"
#include "hooks.h"
#include "log.h"

/* How often the exit of a hook is checked where no pidfd tells it. */
#define HOOK_POLL_MS 10

static const char *const kind_names[] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

static const hutch_spec_hook_list *hook_list(const struct hutch_spec_hooks *hooks,
                                             enum hook_kind kind)
{
    if (hooks == NULL)
        return NULL;
    switch (kind) {
    case HOOK_PRESTART:
        return &hooks->prestart;
    case HOOK_CREATE_RUNTIME:
        return &hooks->create_runtime;
    case HOOK_CREATE_CONTAINER:
        return &hooks->create_container;
    case HOOK_START_CONTAINER:
        return &hooks->start_container;
    case HOOK_POSTSTART:
        return &hooks->poststart;
    case HOOK_POSTSTOP:
    default:
        return &hooks->poststop;
    }
}

size_t hooks_count(const struct hutch_spec_hooks *hooks, enum hook_kind kind)
{
    const hutch_spec_hook_list *list = hook_list(hooks, kind);

    return list != NULL ? list->n : 0;
}

bool hooks_after_mounts(const struct hutch_spec_hooks *hooks)
{
    return hooks_count(hooks, HOOK_PRESTART) > 0 || hooks_count(hooks, HOOK_CREATE_RUNTIME) > 0 ||
           hooks_count(hooks, HOOK_CREATE_CONTAINER) > 0;
}

struct hutch_container_state hooks_state(const char *id, const char *bundle,
                                         const hutch_spec_map *annotations,
                                         enum hutch_container_status status, pid_t pid)
{
    /* only read: hutch_container_state_json() takes the public type */
    return (struct hutch_container_state){ .id = (char *)id,
                                           .status = status,
                                           .pid = pid,
                                           .bundle = (char *)bundle,
                                           .annotations = *annotations };
}

/* In the forked child: the hook's process as the spec describes it; never returns. */
_Noreturn static void exec_hook(const char *path, char **argv, char **envp, int in, int report)
{
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigset_t none;
    ssize_t written;
    int e;

    /* ignored signals stay ignored across exec, and the caller may block some (run does) */
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* fails for SIGKILL, SIGSTOP and libc's own: fine */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (in == STDIN_FILENO ? fcntl(in, F_SETFD, 0) == 0 : dup2(in, STDIN_FILENO) == STDIN_FILENO)
        execve(path, argv, envp);
    /* the parent reads why after our exit; if this write fails, status 127 is all it gets */
    e = errno;
    written = write(report, &e, sizeof(e));
    (void)written;
    _exit(127);
}

struct hook_child {
    pid_t pid;
    int pidfd;     /* -1: its exit is polled for */
    int stdin_fd;  /* our end of its stdin, until all is written or it stopped reading */
    int report_fd; /* the errno of a failed exec arrives here */
    const char *input;
    size_t len, done;
};

/* Fork the hook; -1 with errno. */
static int hook_spawn(const struct hutch_spec_hook *hook, bool use_pidfd, struct hook_child *h)
{
    size_t n_args = hook->args.n > 0 ? hook->args.n : 1;
    hutch_autofree char **argv = calloc(n_args + 1, sizeof(char *));
    hutch_autofree char **envp = calloc(hook->env.n + 1, sizeof(char *));
    int in[2], report[2];

    if (argv == NULL || envp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    /* args[0] as given; without args, the path (execve wants an argv[0]) */
    if (hook->args.n > 0)
        memcpy(argv, hook->args.items, hook->args.n * sizeof(char *));
    else
        argv[0] = hook->path;
    if (hook->env.n > 0) /* memcpy from NULL is undefined, even of 0 bytes */
        memcpy(envp, hook->env.items, hook->env.n * sizeof(char *));
    if (pipe2(in, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(report, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    h->pid = fork();
    if (h->pid == 0)
        exec_hook(hook->path, argv, envp, in[0], report[1]);
    close(in[0]);
    close(report[1]);
    h->stdin_fd = in[1];
    h->report_fd = report[0];
    if (h->pid < 0)
        return -1;
    fcntl(h->stdin_fd, F_SETFL, O_NONBLOCK);
    h->pidfd = use_pidfd ? (int)syscall(SYS_pidfd_open, h->pid, 0) : -1;
    return 0;
}

/* Write what the pipe takes now; close it once all is written or the hook stopped reading. */
static void feed_stdin(struct hook_child *h)
{
    while (h->done < h->len) {
        ssize_t n = write(h->stdin_fd, h->input + h->done, h->len - h->done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break; /* EPIPE: a hook need not read its stdin */
        h->done += (size_t)n;
    }
    close(h->stdin_fd);
    h->stdin_fd = -1;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed its stdin and wait for the hook to exit, until `deadline` (ms; < 0: none). */
static int hook_wait(struct hook_child *h, int64_t deadline, int *status)
{
    for (;;) {
        struct pollfd fds[2] = { { .fd = h->pidfd, .events = POLLIN },
                                 { .fd = h->stdin_fd, .events = POLLOUT } };
        int ms = h->pidfd >= 0 ? -1 : HOOK_POLL_MS;
        pid_t got;

        if (deadline >= 0) {
            int64_t left = deadline - monotonic_ms();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            if (ms < 0 || left < ms)
                ms = left > INT_MAX ? INT_MAX : (int)left;
        }
        if (poll(fds, 2, ms) < 0 && errno != EINTR)
            return -1;
        if (fds[1].revents != 0)
            feed_stdin(h);
        got = waitpid(h->pid, status, WNOHANG);
        if (got == h->pid)
            return 0;
        if (got < 0 && errno != EINTR)
            return -1;
    }
}

/* Run one hook with `input` on its stdin; the error names it by `kind` and `index`. */
static int hook_run(const struct hutch_spec_hook *hook, enum hook_kind kind, size_t index,
                    const char *input, hutch_error *err)
{
    struct hook_child h = { .pid = -1, .pidfd = -1, .stdin_fd = -1, .report_fd = -1 };
    int64_t deadline = hook->timeout.set ? monotonic_ms() + hook->timeout.value * 1000LL : -1;
    sigset_t pipe_set, saved, pending;
    bool pipe_was_pending;
    int status = 0, exec_errno = 0, ret = 0;

    /* a hook that leaves its stdin unread must not kill us with SIGPIPE: block it for the
     * while, and take back one that our writes raised */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    pipe_was_pending = sigismember(&pending, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &saved);
    h.input = input;
    h.len = strlen(input);
    /* after the seccomp filter is loaded, only the system calls any program makes */
    if (hook_spawn(hook, kind != HOOK_START_CONTAINER, &h) < 0) {
        ret = hutch_error_syscall(err, errno, "hooks.%s[%zu] %s: start", kind_names[kind], index,
                                  hook->path);
    } else if (hook_wait(&h, deadline, &status) < 0) {
        int e = errno;
        kill(h.pid, SIGKILL);
        while (waitpid(h.pid, NULL, 0) < 0 && errno == EINTR)
            ;
        if (e == ETIMEDOUT)
            ret = hutch_error_set(err, ETIMEDOUT,
                                  "hooks.%s[%zu] %s: did not exit within %d s: killed",
                                  kind_names[kind], index, hook->path, (int)hook->timeout.value);
        else
            ret = hutch_error_syscall(err, e, "hooks.%s[%zu] %s: wait", kind_names[kind], index,
                                      hook->path);
    } else if (read(h.report_fd, &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
        ret = hutch_error_syscall(err, exec_errno, "hooks.%s[%zu] %s: exec", kind_names[kind],
                                  index, hook->path);
    } else if (WIFSIGNALED(status)) {
        const char *name = hutch_signal_name(WTERMSIG(status));
        ret = hutch_error_set(err, ECANCELED, "hooks.%s[%zu] %s: killed by %s", kind_names[kind],
                              index, hook->path, name != NULL ? name : "a signal");
    } else if (WEXITSTATUS(status) != 0) {
        ret = hutch_error_set(err, ECANCELED, "hooks.%s[%zu] %s: exited with status %d",
                              kind_names[kind], index, hook->path, WEXITSTATUS(status));
    }
    if (h.stdin_fd >= 0)
        close(h.stdin_fd);
    if (h.report_fd >= 0)
        close(h.report_fd);
    if (h.pidfd >= 0)
        close(h.pidfd);
    if (!pipe_was_pending) {
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE))
            sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0, 0 });
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return ret;
}

int hooks_run(const struct hutch_spec_hooks *hooks, enum hook_kind kind,
              const struct hutch_container_state *state, hutch_error *err)
{
    const hutch_spec_hook_list *list = hook_list(hooks, kind);
    hutch_autofree char *input = NULL;

    if (list == NULL || list->n == 0)
        return 0;
    if (hutch_container_state_json(state, true, &input, err) < 0)
        return hutch_error_wrap(err, "hooks.%s", kind_names[kind]);
    for (size_t i = 0; i < list->n; i++)
        if (hook_run(&list->items[i], kind, i, input, err) < 0)
            return -err->code;
    return 0;
}

int hooks_run_at_start(int conn, const struct hutch_spec *spec, const char *id, const char *bundle,
                       pid_t pid)
{
    const char answer[] = { START_ANSWER_HOOKS, START_ANSWER_ERROR };
    struct hutch_container_state state =
            hooks_state(id, bundle, &spec->annotations, HUTCH_STATUS_CREATED, pid);
    hutch_error err = HUTCH_ERROR_INIT, ignored = HUTCH_ERROR_INIT;

    if (hooks_count(spec->hooks, HOOK_START_CONTAINER) == 0)
        return 0;
    if (write(conn, &answer[0], 1) != 1)
        return -1;
    if (hooks_run(spec->hooks, HOOK_START_CONTAINER, &state, &err) == 0)
        return 0;
    if (write(conn, &answer[1], 1) == 1)
        hutch_error_send(conn, &err, &ignored);
    hutch_error_clear(&err);
    hutch_error_clear(&ignored);
    return -1;
}

void hooks_run_poststop(const struct hutch_runtime *rt, const struct hutch_spec_hooks *hooks,
                        const char *id, const char *bundle, const hutch_spec_map *annotations)
{
    const hutch_spec_hook_list *list = hook_list(hooks, HOOK_POSTSTOP);
    struct hutch_container_state state =
            hooks_state(id, bundle, annotations, HUTCH_STATUS_STOPPED, 0);
    hutch_autofree char *input = NULL;
    hutch_autoerror err = HUTCH_ERROR_INIT;

    if (list == NULL || list->n == 0)
        return;
    if (hutch_container_state_json(&state, true, &input, &err) < 0) {
        runtime_warn(rt, "hooks.poststop: %s", hutch_error_message(&err));
        return;
    }
    for (size_t i = 0; i < list->n; i++) {
        if (hook_run(&list->items[i], HOOK_POSTSTOP, i, input, &err) < 0)
            runtime_warn(rt, "%s", hutch_error_message(&err));
        hutch_error_clear(&err);
    }
}
