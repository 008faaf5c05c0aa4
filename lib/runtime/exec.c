/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-oci exec: another process in a running container. A first child
 * joins every namespace of the container process at once (setns on its
 * pidfd, user namespace first by the kernel's order), and clones the
 * process as our own child (CLONE_PARENT), so that it lands in the
 * container's pid namespace and we can wait for it. That process takes the
 * process's attributes, the container's seccomp filter, and execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/atomic_file.h"
#include "../core/io.h"
#include "../spec/names.h"
#include "create.h"
#include "fds.h"
#include "log.h"
#include "lsm.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"

/* Everything the two children need, decided before they exist. */
struct exec_plan {
    struct hutch_spec_process *process; /* the process to run */
    const struct hutch_spec *spec;      /* the container's config */
    int pidfd;                          /* the container process */
    int ns_flags;                       /* namespaces of the container that are not ours */
    bool setgroups_allowed;
    uint64_t grantable_caps;
    struct lsm_plan lsm;
    struct seccomp_filter *seccomp;
    unsigned int preserve_fds;
    int console_fd; /* connected console socket, or -1 */
    int sync_fd;    /* the children's end */
    int cgroup_fd;  /* the container's cgroup, or -1 */
    sigset_t original_mask;
};

/*
 * The namespaces of the container that are not ours (CLONE_NEW* flags): those
 * its config creates or joins. Read from the config, not from /proc/PID/ns of
 * a process that is not dumpable before start. A user namespace joined by
 * path that is our own is no other.
 */
static int foreign_namespaces(const struct hutch_spec *spec, int *flags, hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;

    *flags = 0;
    for (size_t i = 0; l != NULL && i < l->namespaces.n; i++) {
        const struct hutch_spec_namespace *ns = &l->namespaces.items[i];
        int flag = namespace_flag(ns->type);
        if (flag == CLONE_NEWUSER && ns->path != NULL) {
            struct stat theirs, ours;
            if (stat(ns->path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
                return hutch_error_syscall(err, errno, "linux.namespaces: user %s", ns->path);
            if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
                continue;
        }
        *flags |= flag;
    }
    return 0;
}

/* Whether the container's user namespace lets its processes call setgroups(). */
static bool setgroups_allowed(pid_t pid)
{
    char path[64], text[8] = "";
    hutch_autoclose int fd = -1;

    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 || read(fd, text, sizeof(text) - 1) <= 0 || strncmp(text, "deny", 4) != 0;
}

/* ---- the process, from --process or from the container's with the options over it ---- */

static int strings_add(hutch_strings *list, const char *value)
{
    char **items = realloc(list->items, (list->n + 1) * sizeof(char *));

    if (items == NULL)
        return -1;
    list->items = items;
    items[list->n] = strdup(value);
    if (items[list->n] == NULL)
        return -1;
    list->n++;
    return 0;
}

static void strings_clear(hutch_strings *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* Set NAME=VALUE over the entry of that name, or add it. */
static int env_set(hutch_strings *env, const char *entry)
{
    size_t len = strcspn(entry, "=") + 1;

    for (size_t i = 0; i < env->n; i++)
        if (strncmp(env->items[i], entry, len) == 0) {
            char *copy = strdup(entry);
            if (copy == NULL)
                return -1;
            free(env->items[i]);
            env->items[i] = copy;
            return 0;
        }
    return strings_add(env, entry);
}

static int replace_string(char **slot, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* "UID[:GID]", numbers only, as runc's --user. */
static int parse_user(const char *text, struct hutch_spec_user *u, hutch_error *err)
{
    char *end;
    unsigned long uid, gid;

    errno = 0;
    uid = strtoul(text, &end, 10);
    if (errno != 0 || end == text || uid > UINT32_MAX - 1 || (*end != '\0' && *end != ':'))
        return hutch_error_set(err, EINVAL, "--user %s: expected UID or UID:GID (numbers)", text);
    u->uid = (uint32_t)uid;
    if (*end == ':') {
        const char *g = end + 1;
        gid = strtoul(g, &end, 10);
        if (errno != 0 || end == g || *end != '\0' || gid > UINT32_MAX - 1)
            return hutch_error_set(err, EINVAL, "--user %s: expected UID or UID:GID (numbers)",
                                   text);
        u->gid = (uint32_t)gid;
    }
    return 0;
}

static int add_capabilities(struct hutch_spec_process *p, char *const *caps, hutch_error *err)
{
    for (size_t i = 0; caps != NULL && caps[i] != NULL; i++) {
        if (spec_name_index(spec_capability_names, caps[i]) < 0)
            return hutch_error_set(err, EINVAL,
                                   "--cap %s: not a capability (names like CAP_NET_ADMIN, see "
                                   "capabilities(7))",
                                   caps[i]);
        if (p->capabilities == NULL) {
            p->capabilities = calloc(1, sizeof(*p->capabilities));
            if (p->capabilities == NULL)
                return hutch_error_set(err, ENOMEM, "out of memory");
        }
        if (strings_add(&p->capabilities->bounding, caps[i]) < 0 ||
            strings_add(&p->capabilities->effective, caps[i]) < 0 ||
            strings_add(&p->capabilities->permitted, caps[i]) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* The container's process (taken over from its spec) with the options applied. */
static int build_process(struct hutch_spec *spec, const struct hutch_exec_options *o,
                         struct hutch_spec_process **out, hutch_error *err)
{
    struct hutch_spec_process *p = spec->process;

    if (p == NULL)
        return hutch_error_set(err, EINVAL, "the container's config has no process");
    spec->process = NULL;
    *out = p;
    if (o->args == NULL || o->args[0] == NULL)
        return hutch_error_set(err, EINVAL, "no command to run: give one, or --process FILE");
    strings_clear(&p->args);
    for (size_t i = 0; o->args[i] != NULL; i++)
        if (strings_add(&p->args, o->args[i]) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
        if (strchr(o->env[i], '=') == NULL || o->env[i][0] == '=')
            return hutch_error_set(err, EINVAL, "--env %s: expected NAME=VALUE", o->env[i]);
        if (env_set(&p->env, o->env[i]) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (o->cwd != NULL) {
        if (o->cwd[0] != '/')
            return hutch_error_set(err, EINVAL, "--cwd %s: expected an absolute path", o->cwd);
        if (replace_string(&p->cwd, o->cwd) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (o->user != NULL && parse_user(o->user, &p->user, err) < 0)
        return -err->code;
    if (add_capabilities(p, o->caps, err) < 0)
        return -err->code;
    p->terminal = o->tty;
    if (o->no_new_privs)
        p->no_new_privileges = true;
    if ((o->apparmor_profile != NULL &&
         replace_string(&p->apparmor_profile, o->apparmor_profile) < 0) ||
        (o->selinux_label != NULL && replace_string(&p->selinux_label, o->selinux_label) < 0))
        return hutch_error_set(err, ENOMEM, "out of memory");
    return 0;
}

/* ---- the children ---- */

_Noreturn static void fail_child(int sync_fd, const hutch_error *err)
{
    sync_send_error(sync_fd, err);
    _exit(127);
}

/* The process itself, in the container's namespaces: its attributes, then exec. */
_Noreturn static void exec_process(struct exec_plan *x)
{
    const struct hutch_spec_process *p = x->process;
    hutch_error err = HUTCH_ERROR_INIT;
    char *program = NULL, here[PATH_MAX];
    char **argv, **envp;

    if (p->terminal && terminal_setup(p, x->console_fd, x->sync_fd, false, &err) < 0)
        fail_child(x->sync_fd, &err);
    if (process_set_rlimits(p, &err) < 0 || process_set_scheduling(p, &err) < 0)
        fail_child(x->sync_fd, &err);
    if (chdir(p->cwd) < 0) {
        hutch_error_syscall(&err, errno, "process.cwd: %s", p->cwd);
        fail_child(x->sync_fd, &err);
    }
    /* a cwd outside the container's root (through a passed fd) reads "(unreachable)..." */
    if (getcwd(here, sizeof(here)) == NULL || here[0] != '/') {
        hutch_error_set(&err, EPERM, "process.cwd: %s leads outside the container", p->cwd);
        fail_child(x->sync_fd, &err);
    }
    if (process_check_user(p, x->setgroups_allowed, &err) < 0 ||
        process_find_program(p, &program, &err) < 0)
        fail_child(x->sync_fd, &err);
    argv = calloc(p->args.n + 1, sizeof(char *));
    envp = process_exec_env(&p->env, NULL, 0);
    if (argv == NULL || envp == NULL) {
        hutch_error_set(&err, ENOMEM, "out of memory");
        fail_child(x->sync_fd, &err);
    }
    if (p->args.n > 0)
        memcpy(argv, p->args.items, p->args.n * sizeof(char *));
    if (process_take_identity(p, x->setgroups_allowed, x->grantable_caps, x->seccomp, &err) < 0)
        fail_child(x->sync_fd, &err);
    sigprocmask(SIG_SETMASK, &x->original_mask, NULL);
    execve(program, argv, envp);
    hutch_error_syscall(&err, errno, "exec %s", program);
    fail_child(x->sync_fd, &err);
}

/* The first child: join the container, and clone the process as our parent's child. */
_Noreturn static void join_and_clone(struct exec_plan *x)
{
    hutch_error err = HUTCH_ERROR_INIT;
    int keep[3] = { x->sync_fd, x->pidfd, x->console_fd };
    struct clone_args args = { .flags = CLONE_PARENT };
    int turn[2];
    long pid;

    /* from here on no process of the container may reach ours through /proc */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (close_inherited_fds(3 + x->preserve_fds, keep, x->console_fd >= 0 ? 3 : 2, &err) < 0)
        fail_child(x->sync_fd, &err);
    /* while the host's /proc is reachable; the process inherits the labels */
    if (lsm_set_exec_labels(&x->lsm, &err) < 0)
        fail_child(x->sync_fd, &err);
    if (x->ns_flags != 0 && setns(x->pidfd, x->ns_flags) < 0) {
        if (errno == ESRCH)
            hutch_error_set(&err, ESRCH, "the container has stopped");
        else
            hutch_error_syscall(&err, errno, "join the namespaces of the container");
        fail_child(x->sync_fd, &err);
    }
    close(x->pidfd);
    /* the process talks to hutch-oci only after we have told it its pid: it waits
     * for the end of this pipe, which our exit closes */
    if (pipe2(turn, O_CLOEXEC) < 0) {
        hutch_error_syscall(&err, errno, "create a pipe");
        fail_child(x->sync_fd, &err);
    }
    pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0) {
        hutch_error_syscall(&err, errno, "create the process in the container");
        fail_child(x->sync_fd, &err);
    }
    if (pid == 0) {
        char byte;
        close(turn[1]);
        while (read(turn[0], &byte, 1) < 0 && errno == EINTR)
            ;
        close(turn[0]);
        exec_process(x);
    }
    if (sync_send(x->sync_fd, SYNC_INIT_PID, (int32_t)pid, &err) < 0)
        _exit(1);
    _exit(0);
}

/* ---- the caller's side ---- */

/* fork(), into the container's cgroup when it has one (CLONE_INTO_CGROUP). */
static pid_t fork_into_cgroup(int cgroup_fd)
{
    struct clone_args args = { .flags = CLONE_INTO_CGROUP,
                               .exit_signal = SIGCHLD,
                               .cgroup = (uint64_t)cgroup_fd };

    if (cgroup_fd < 0)
        return fork();
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Wait until the process has exec'd (the sync socket closes) or failed; its pid in *pid. */
static int supervise(struct exec_plan *x, int sync_fd, pid_t first, const char *pid_file,
                     pid_t *pid, hutch_error *err)
{
    int32_t value = 0;

    if (sync_expect(sync_fd, SYNC_INIT_PID, &value, err) < 0) {
        wait_child(first);
        return -err->code;
    }
    wait_child(first);
    *pid = value;
    if (x->process->terminal && x->console_fd < 0 &&
        terminal_receive_master(sync_fd, &x->console_fd, err) < 0)
        return -err->code;
    /* nothing more comes unless an error: exec closes the socket */
    if (sync_expect_end(sync_fd, err) < 0)
        return -err->code;
    if (pid_file != NULL) {
        char text[16];
        int len = snprintf(text, sizeof(text), "%d", (int)*pid);
        if (hutch_atomic_write_file(pid_file, text, (size_t)len, 0644, 0, err) < 0)
            return hutch_error_wrap(err, "--pid-file");
    }
    return 0;
}

/* Open the container and decide everything about the process. */
static int plan_exec(const struct hutch_runtime *rt, const char *id,
                     const struct hutch_exec_options *o, struct exec_plan *x,
                     struct hutch_spec **spec, hutch_error *err)
{
    struct container_dir d = CONTAINER_DIR_INIT;
    struct state_record r = { 0 };
    enum hutch_container_status status;
    struct hutch_spec view;
    int ret;

    if (hutch_container_id_validate(id, err) < 0)
        return -err->code;
    ret = container_dir_open(rt, id, false, &d, err);
    if (ret == 0)
        ret = state_record_read(&d, &r, err);
    if (ret == 0)
        ret = state_config_read(&d, spec, err);
    if (ret == 0) {
        status = container_status(&d, &r);
        if (status != HUTCH_STATUS_RUNNING && status != HUTCH_STATUS_CREATED)
            ret = hutch_error_set(err, EINVAL, "cannot exec in container %s: it is %s", id,
                                  hutch_container_status_name(status));
    }
    if (ret == 0)
        ret = foreign_namespaces(*spec, &x->ns_flags, err);
    /* until start, the container process is ours and not dumpable (nothing in the container
     * may reach it): only root may join it through its pidfd then */
    if (ret == 0 && status == HUTCH_STATUS_CREATED && geteuid() != 0)
        ret = hutch_error_set(err, EPERM,
                              "cannot exec in container %s before it is started, unless root: "
                              "start it first",
                              id);
    if (ret == 0) {
        x->pidfd = open_container_pidfd(&r);
        if (x->pidfd < 0)
            ret = hutch_error_syscall(err, errno, "container %s: its process", id);
    }
    if (ret == 0)
        x->setgroups_allowed = !(x->ns_flags & CLONE_NEWUSER) || setgroups_allowed(r.pid);
    if (ret == 0 && r.cgroup != NULL) {
        /* the process joins it as it is forked, before it joins anything else */
        x->cgroup_fd = open(r.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (x->cgroup_fd < 0)
            ret = hutch_error_syscall(err, errno, "container %s: open its cgroup %s", id, r.cgroup);
    }
    state_record_release(&r);
    container_dir_close(&d);
    /* a process of the container could reach ours through /proc/PID/exe only with
     * CAP_SYS_PTRACE in our user namespace: a container without a user namespace;
     * before anything is said, since all of this runs again from the copy */
    if (ret == 0 && !(x->ns_flags & CLONE_NEWUSER) && rt->reexec_argv != NULL)
        ret = hutch_reexec_sealed(rt->reexec_argv, err);
    if (ret < 0)
        return ret;
    if (o->process_file != NULL) {
        if (hutch_spec_process_load(o->process_file, &x->process, err) < 0)
            return -err->code;
    } else if (build_process(*spec, o, &x->process, err) < 0) {
        return -err->code;
    }
    if (x->process->terminal && o->detach && o->console_socket == NULL)
        return hutch_error_set(err, EINVAL,
                               "a terminal (--tty) in the background needs --console-socket");
    if (x->process->terminal && o->console_socket == NULL &&
        terminal_take_caller_size(x->process) < 0)
        return hutch_error_set(err, ENOMEM, "out of memory");
    x->spec = *spec;
    view = **spec;
    view.process = x->process;
    if (lsm_plan_prepare(rt, &view, "exec", &x->lsm, err) < 0)
        return -err->code;
    x->grantable_caps = process_grantable_capabilities(x->ns_flags & CLONE_NEWUSER);
    if (seccomp_filter_build(rt, (*spec)->linux_cfg ? (*spec)->linux_cfg->seccomp : NULL,
                             &x->seccomp, err) < 0)
        return -err->code;
    x->preserve_fds = o->preserve_fds;
    return 0;
}

int hutch_container_exec(const struct hutch_runtime *rt, const char *id,
                         const struct hutch_exec_options *o, int *exit_status, hutch_error *err)
{
    struct exec_plan x = { .pidfd = -1, .console_fd = -1, .sync_fd = -1, .cgroup_fd = -1 };
    struct hutch_spec *spec = NULL;
    hutch_autoclose int sync_fd = -1;
    sigset_t block;
    pid_t first, pid = 0;
    int sv[2], ret;

    *exit_status = 0;
    ret = plan_exec(rt, id, o, &x, &spec, err);
    if (ret == 0 && o->console_socket != NULL)
        ret = x.console_fd = terminal_connect_socket(o->console_socket, err);
    if (ret >= 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        ret = hutch_error_syscall(err, errno, "create the sync socket");
    if (ret < 0)
        goto out;
    sync_fd = sv[0];
    x.sync_fd = sv[1];
    run_signal_set(&block);
    sigprocmask(SIG_BLOCK, &block, &x.original_mask);
    fflush(NULL);
    first = fork_into_cgroup(x.cgroup_fd);
    if (first == 0) {
        close(sync_fd);
        join_and_clone(&x);
    }
    close(x.sync_fd);
    if (first < 0)
        ret = hutch_error_syscall(err, errno, "fork");
    else
        ret = supervise(&x, sync_fd, first, o->pid_file, &pid, err);
    if (ret == 0)
        runtime_debug(rt, "exec %s: process %d runs %s", id, (int)pid, x.process->args.items[0]);
    if (ret == 0 && !o->detach) {
        if (x.process->terminal && o->console_socket == NULL)
            ret = terminal_proxy_until_exit(x.console_fd, pid, exit_status, err);
        else
            ret = forward_signals_until_exit(pid, exit_status, err);
    } else if (ret < 0 && pid > 0) {
        kill(pid, SIGKILL);
        wait_child(pid);
    }
    sigprocmask(SIG_SETMASK, &x.original_mask, NULL);
out:
    if (x.cgroup_fd >= 0)
        close(x.cgroup_fd);
    if (x.pidfd >= 0)
        close(x.pidfd);
    if (x.console_fd >= 0)
        close(x.console_fd);
    seccomp_filter_free(x.seccomp);
    hutch_spec_process_free(x.process);
    hutch_spec_free(spec);
    return ret < 0 ? ret : 0;
}
