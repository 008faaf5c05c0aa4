/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-oci create, on the caller's side: load and check the bundle, make
 * the state directory, fork the container process into its namespaces,
 * write its id maps, wait until it is set up, and record it.
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
#include <time.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/atomic_file.h"
#include "../core/io.h"
#include "cgroup.h"
#include "create.h"
#include "devices.h"
#include "hooks.h"
#include "idmap.h"
#include "log.h"
#include "process.h"
#include "state.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"

void run_signal_set(sigset_t *set)
{
    static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD };

    sigemptyset(set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
}

/*
 * fork() that can enter new namespaces at once: clone3 with no new stack;
 * with `cgroup_fd` >= 0 the child starts in that cgroup, and every process
 * it forks with it, before it runs a single instruction of its own.
 */
static pid_t clone_into(int flags, int cgroup_fd)
{
    struct clone_args args = { .flags = (uint64_t)flags, .exit_signal = SIGCHLD };
    long pid;

    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0 && errno == ENOSYS && cgroup_fd < 0)
        pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
    return (pid_t)pid;
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * What this version cannot do yet is refused, never ignored: a container
 * that asked for a seccomp filter or a hook must not run without it.
 */
static int check_supported(const struct hutch_spec *spec, const char *config, hutch_error *err)
{
    const char *what = NULL;

    for (size_t i = 0; what == NULL && i < spec->mounts.n; i++)
        if (spec->mounts.items[i].uid_mappings.n > 0)
            what = "id-mapped mounts (mounts[].uidMappings)";
    if (what != NULL)
        return hutch_error_set(err, ENOTSUP, "%s: %s: not supported by this version of hutch-oci",
                               config, what);
    return 0;
}

/* The checks that need no process: the bundle holds what a container needs. */
static int check_spec(const struct hutch_spec *spec, const char *config, const char *rootfs,
                      int ns_flags, hutch_error *err)
{
    struct stat st;

    if (spec->process == NULL)
        return hutch_error_set(err, EINVAL, "%s: process: required to create a container", config);
    if (spec->root == NULL)
        return hutch_error_set(err, EINVAL, "%s: root: required to create a container", config);
    if (check_supported(spec, config, err) < 0)
        return -err->code;
    if (stat(rootfs, &st) < 0)
        return hutch_error_syscall(err, errno, "rootfs %s", rootfs);
    if (!S_ISDIR(st.st_mode))
        return hutch_error_set(err, ENOTDIR, "rootfs %s is not a directory", rootfs);
    if (!(ns_flags & CLONE_NEWNS))
        return hutch_error_set(err, EINVAL, "%s: linux.namespaces: a mount namespace is required",
                               config);
    if (geteuid() != 0 && !(ns_flags & CLONE_NEWUSER))
        return hutch_error_set(err, EPERM,
                               "%s: linux.namespaces: without root, a container needs a user "
                               "namespace (with uidMappings and gidMappings); 'hutch-oci spec "
                               "--rootless' writes such a configuration",
                               config);
    return 0;
}

int wait_child(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

struct creation {
    const struct hutch_runtime *rt;
    struct container_dir dir;
    struct cgroup_setup cgroup; /* the container's cgroup, if it gets one */
    int listen_fd;              /* the exec socket, listening, for the child */
    pid_t child;                /* the forked process */
    pid_t init;                 /* the container process */
    int init_pidfd;             /* the container process when it is not our child */
    int sync_fd;                /* our end */
    int terminal_master;        /* the pty's master, for run in the foreground */
};

/* Talk the child through its setup; returns the container process's pid. */
static int write_oom_score_adj(pid_t pid, const struct hutch_spec_process *p, hutch_error *err)
{
    char path[64], value[16];
    hutch_autoclose int fd = -1;

    if (!p->oom_score_adj.set)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    snprintf(value, sizeof(value), "%" PRId32, p->oom_score_adj.value);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        return hutch_error_syscall(err, errno, "process.oomScoreAdj: set %s%s", value,
                                   errno == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
    return 0;
}

/*
 * prestart and createRuntime hooks, in our namespaces, while the container
 * process waits after its mounts; it runs createContainer itself once told.
 */
static int run_create_hooks(const struct creation *cr, const struct init_context *c,
                            hutch_error *err)
{
    const struct hutch_spec_hooks *hooks = c->spec->hooks;
    struct hutch_container_state state = hooks_state(cr->dir.id, c->bundle, &c->spec->annotations,
                                                     HUTCH_STATUS_CREATING, cr->init);

    if (!hooks_after_mounts(hooks))
        return 0;
    if (sync_expect(cr->sync_fd, SYNC_MOUNTS_DONE, NULL, err) < 0 ||
        hooks_run(hooks, HOOK_PRESTART, &state, err) < 0 ||
        hooks_run(hooks, HOOK_CREATE_RUNTIME, &state, err) < 0)
        return -err->code;
    return sync_send(cr->sync_fd, SYNC_HOOKS_DONE, cr->init, err);
}

static int supervise_setup(struct creation *cr, const struct init_context *c, hutch_error *err)
{
    const struct hutch_spec_linux *l = c->spec->linux_cfg;
    int32_t value = cr->child;

    /* the systemd driver: its scope takes the process, which waits for that */
    if (c->wait_for_scope &&
        (cgroup_setup_place(cr->rt, c->spec, cr->dir.id, cr->child, &cr->cgroup, err) < 0 ||
         sync_send(cr->sync_fd, SYNC_CGROUP_DONE, 0, err) < 0))
        return -err->code;
    if (c->ns.create_flags & CLONE_NEWUSER) {
        if (!c->fast_path && sync_expect(cr->sync_fd, SYNC_USERNS, &value, err) < 0)
            return -err->code;
        if (idmap_write(value, &l->uid_mappings, &l->gid_mappings, err) < 0)
            return hutch_error_wrap(err, "map ids of the container's user namespace");
        /* while it waits for its maps it is still dumpable, and its /proc files ours */
        if (write_oom_score_adj(value, c->spec->process, err) < 0 ||
            sync_send(cr->sync_fd, SYNC_MAPS_DONE, 0, err) < 0)
            return -err->code;
    } else if (write_oom_score_adj(cr->child, c->spec->process, err) < 0) {
        return -err->code; /* no user namespace: we are root, its /proc files are ours */
    }
    cr->init = cr->child;
    if (c->init_forks) {
        if (sync_expect(cr->sync_fd, SYNC_INIT_PID, &value, err) < 0)
            return -err->code;
        cr->init = value;
        /* a grandchild: hold it by pidfd, so a failure never signals a reused pid */
        cr->init_pidfd = (int)syscall(SYS_pidfd_open, cr->init, 0);
        if (cr->init_pidfd < 0)
            return hutch_error_syscall(err, errno, "hold the container process %d", (int)cr->init);
    }
    if (run_create_hooks(cr, c, err) < 0)
        return -err->code;
    if (c->spec->process->terminal && c->console_fd < 0 &&
        terminal_receive_master(cr->sync_fd, &cr->terminal_master, err) < 0)
        return -err->code;
    if (sync_expect(cr->sync_fd, SYNC_READY, NULL, err) < 0)
        return -err->code;
    if (c->init_forks) {
        wait_child(cr->child); /* the first stage has done its part and exited */
        cr->child = 0;
    }
    return 0;
}

static int write_pid_file(const char *path, pid_t pid, hutch_error *err)
{
    char text[16];
    int n = snprintf(text, sizeof(text), "%d", (int)pid);

    if (hutch_atomic_write_file(path, text, (size_t)n, 0644, 0, err) < 0)
        return hutch_error_wrap(err, "--pid-file");
    return 0;
}

/* The bundle's files: its absolute path, config.json and the rootfs it names. */
struct bundle_files {
    char *bundle;
    char *config;
    char *rootfs;
    char *config_data; /* config.json as read, kept in the state directory for exec */
    size_t config_len;
    struct hutch_spec *spec;
};

static void bundle_files_release(struct bundle_files *b)
{
    free(b->bundle);
    free(b->config);
    free(b->rootfs);
    free(b->config_data);
    hutch_spec_free(b->spec);
}

static int load_bundle(const struct hutch_create_options *o, struct bundle_files *b,
                       hutch_error *err)
{
    const char *dir = o->bundle != NULL ? o->bundle : ".";

    b->bundle = realpath(dir, NULL);
    if (b->bundle == NULL)
        return hutch_error_syscall(err, errno, "bundle %s", dir);
    if (asprintf(&b->config, "%s/config.json", b->bundle) < 0) {
        b->config = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (hutch_read_file(b->config, HUTCH_SPEC_MAX_SIZE, &b->config_data, &b->config_len, err) < 0 ||
        hutch_spec_parse(b->config_data, b->config_len, b->config, &b->spec, err) < 0)
        return -err->code;
    if (b->spec->root != NULL) {
        if (b->spec->root->path[0] == '/')
            b->rootfs = strdup(b->spec->root->path);
        else if (asprintf(&b->rootfs, "%s/%s", b->bundle, b->spec->root->path) < 0)
            b->rootfs = NULL;
        if (b->rootfs == NULL)
            return hutch_error_set(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* systemd's socket activation: LISTEN_FDS fds from 3 on, when LISTEN_PID is ours. */
static unsigned int listen_fds_passed(void)
{
    const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
    char *end;
    unsigned long n;

    if (fds == NULL || pid == NULL || strtol(pid, &end, 10) != getpid() || *end != '\0')
        return 0;
    n = strtoul(fds, &end, 10);
    return *end == '\0' && n <= 1024 ? (unsigned int)n : 0;
}

struct capability_warning {
    const struct hutch_runtime *rt;
    const char *config;
};

static void warn_capability(void *data, const char *name, const char *why)
{
    const struct capability_warning *w = data;

    runtime_warn(w->rt, "%s: process.capabilities: %s is %s: skipped", w->config, name, why);
}

/* Everything decided before a process exists: namespaces, checks, the seccomp filter. */
static int plan_container(const struct hutch_runtime *rt, const struct bundle_files *b,
                          const struct hutch_create_options *o, struct init_context *c,
                          hutch_error *err)
{
    const struct hutch_spec *spec = b->spec;
    int ns_flags;

    if (namespace_plan_prepare(spec->linux_cfg, &c->ns, err) < 0)
        return -err->code;
    ns_flags = c->ns.create_flags;
    for (size_t i = 0; i < c->ns.n_join; i++)
        ns_flags |= c->ns.join[i].flag;
    if (check_spec(spec, b->config, b->rootfs, ns_flags, err) < 0 ||
        sysctl_check(spec, c->ns.create_flags, err) < 0)
        return -err->code;
    /* a process in the container could reach ours through /proc/PID/exe only with
     * CAP_SYS_PTRACE in our user namespace (we are not dumpable), and only in a pid
     * namespace that other processes share; before any warning, since all of this runs
     * again from the copy */
    if (!(ns_flags & CLONE_NEWUSER) && !(c->ns.create_flags & CLONE_NEWPID) &&
        rt->reexec_argv != NULL && hutch_reexec_sealed(rt->reexec_argv, err) < 0)
        return -err->code;
    c->spec = spec;
    c->rootfs = b->rootfs;
    c->bundle = b->bundle;
    c->fast_path = c->ns.n_join == 0 && !(c->ns.create_flags & CLONE_NEWTIME);
    c->init_forks = !c->fast_path && (ns_flags & (CLONE_NEWPID | CLONE_NEWTIME));
    c->setgroups_allowed = !(c->ns.create_flags & CLONE_NEWUSER) || geteuid() == 0 ||
                           !(idmap_is_own_single(&spec->linux_cfg->uid_mappings, geteuid()) &&
                             idmap_is_own_single(&spec->linux_cfg->gid_mappings, getegid()));
    if (lsm_plan_prepare(rt, spec, b->config, &c->lsm, err) < 0)
        return -err->code;
    c->grantable_caps = process_grantable_capabilities(ns_flags & CLONE_NEWUSER);
    process_check_capabilities(spec->process->capabilities, c->grantable_caps, warn_capability,
                               &(struct capability_warning){ rt, b->config });
    /* without a cgroup device program, a container that may make device nodes in the
     * host's user namespace is held to the rules by nodev mounts */
    c->enforce_device_rules =
            geteuid() == 0 && !(ns_flags & CLONE_NEWUSER) && !devices_all_allowed(spec);
    c->no_pivot = o->no_pivot;
    c->listen_fds = listen_fds_passed();
    c->preserve_fds = o->preserve_fds > c->listen_fds ? o->preserve_fds : c->listen_fds;
    c->no_new_keyring = o->no_new_keyring;
    if (seccomp_filter_build(rt, spec->linux_cfg ? spec->linux_cfg->seccomp : NULL, &c->seccomp,
                             err) < 0)
        return hutch_error_wrap(err, "%s", b->config);
    return 0;
}

/* The state directory's first record (creating) and the exec socket. */
static int prepare_state(struct creation *cr, const struct bundle_files *b,
                         struct state_record *record, hutch_error *err)
{
    memset(record, 0, sizeof(*record));
    record->bundle = b->bundle;
    record->created = now_ns();
    record->owner = geteuid();
    record->annotations = b->spec->annotations;
    record->later_hooks = hooks_count(b->spec->hooks, HOOK_POSTSTART) > 0 ||
                          hooks_count(b->spec->hooks, HOOK_POSTSTOP) > 0;
    if (state_record_write(&cr->dir, record, err) < 0 ||
        state_config_write(&cr->dir, b->config_data, b->config_len, err) < 0)
        return -err->code;
    /* the container process only ever holds this socket, no path on the host */
    cr->listen_fd = exec_socket_listen(&cr->dir, err);
    return cr->listen_fd < 0 ? -err->code : 0;
}

/* The cgroup in the record at once: a delete --force after a crash finds it and cleans up. */
static int record_cgroup(const struct creation *cr, struct state_record *record, hutch_error *err)
{
    record->rootless = cr->rt->rootless;
    record->cgroup = cr->cgroup.path;
    record->cgroup_top = cr->cgroup.created_top;
    return state_record_write(&cr->dir, record, err);
}

/* Fork the container process and talk it through its setup. */
static int spawn(const struct hutch_runtime *rt, struct creation *cr, struct init_context *c,
                 bool for_run, hutch_error *err)
{
    sigset_t block;
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return hutch_error_syscall(err, errno, "create the sync socket");
    cr->sync_fd = sv[0];
    /* run forwards these; block them before the fork so none is missed */
    run_signal_set(&block);
    sigprocmask(for_run ? SIG_BLOCK : SIG_SETMASK, for_run ? &block : NULL, &c->original_mask);
    if (for_run && !c->fast_path && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        close(sv[1]);
        return hutch_error_syscall(err, errno, "become the subreaper of the container");
    }
    runtime_debug(rt, "create %s: new namespaces %#x, %zu joined by path, %s", cr->dir.id,
                  (unsigned)c->ns.create_flags, c->ns.n_join,
                  c->fast_path ? "cloned straight into them" : "joined and created in stages");
    fflush(NULL);
    cr->child = clone_into(c->fast_path ? c->ns.create_flags : 0, cr->cgroup.fd);
    if (cr->child < 0) {
        close(sv[1]);
        return hutch_error_syscall(err, errno, "create the container process");
    }
    if (cr->child == 0) {
        /* a flock belongs to the open file: the container must not keep the lock held */
        close(cr->dir.lock_fd);
        close(sv[0]);
        c->sync_fd = sv[1];
        c->listen_fd = cr->listen_fd;
        c->id = cr->dir.id;
        container_child_main(c);
    }
    close(sv[1]);
    return supervise_setup(cr, c, err);
}

/* The container is set up: record it, then let it wait for start. */
static int record_created(struct creation *cr, const struct init_context *c,
                          const struct hutch_create_options *o, struct state_record *record,
                          hutch_error *err)
{
    record->pid = cr->init;
    record->start_time = process_start_time(cr->init);
    record->own_pid_namespace = (c->ns.create_flags & CLONE_NEWPID) != 0;
    record->rootless = cr->rt->rootless;
    record->cgroup = cr->cgroup.path;
    record->cgroup_top = cr->cgroup.created_top;
    record->systemd_scope = cr->cgroup.systemd ? cr->cgroup.scope : NULL;
    if (state_record_write(&cr->dir, record, err) < 0)
        return -err->code;
    if (o->pid_file != NULL && write_pid_file(o->pid_file, cr->init, err) < 0)
        return -err->code;
    return sync_send(cr->sync_fd, SYNC_RECORDED, cr->init, err);
}

/* Undo a failed creation: its processes, its state directory, the caller's settings. */
static void abort_creation(struct creation *cr, const struct init_context *c, bool for_run)
{
    hutch_error ignored = HUTCH_ERROR_INIT;

    if (cr->init_pidfd >= 0)
        syscall(SYS_pidfd_send_signal, cr->init_pidfd, SIGKILL, NULL, 0);
    if (cr->child > 0) {
        kill(cr->child, SIGKILL);
        wait_child(cr->child);
    }
    if (for_run) {
        if (!c->fast_path)
            prctl(PR_SET_CHILD_SUBREAPER, 0);
        sigprocmask(SIG_SETMASK, &c->original_mask, NULL);
    }
    cgroup_setup_abort(&cr->cgroup);
    if (cr->dir.dir_fd >= 0)
        container_dir_remove(&cr->dir, &ignored);
    hutch_error_clear(&ignored);
}

/* process.terminal: the console socket connected, or the master to come to us. */
static int plan_terminal(const struct bundle_files *b, const struct hutch_create_options *o,
                         bool foreground, struct init_context *c, hutch_error *err)
{
    c->console_fd = -1;
    if (!b->spec->process->terminal) {
        if (o->console_socket != NULL)
            return hutch_error_set(err, EINVAL,
                                   "--console-socket: %s: process.terminal is false, there is no "
                                   "terminal to send",
                                   b->config);
        return 0;
    }
    if (o->console_socket != NULL) {
        c->console_fd = terminal_connect_socket(o->console_socket, err);
        return c->console_fd < 0 ? c->console_fd : 0;
    }
    if (!foreground)
        return hutch_error_set(err, EINVAL,
                               "%s: process.terminal is true: give --console-socket (or run it "
                               "in the foreground)",
                               b->config);
    if (terminal_take_caller_size(b->spec->process) < 0)
        return hutch_error_set(err, ENOMEM, "out of memory");
    return 0;
}

int container_create(const struct hutch_runtime *rt, const char *id,
                     const struct hutch_create_options *o, bool for_run, pid_t *init_pid,
                     int *terminal_master, hutch_error *err)
{
    struct bundle_files b = { 0 };
    struct creation cr = { .rt = rt,
                           .dir = CONTAINER_DIR_INIT,
                           .cgroup = CGROUP_SETUP_INIT,
                           .sync_fd = -1,
                           .listen_fd = -1,
                           .init_pidfd = -1,
                           .terminal_master = -1 };
    struct state_record record;
    struct init_context c;
    int ret;

    memset(&c, 0, sizeof(c));
    c.console_fd = -1;
    sigprocmask(SIG_SETMASK, NULL, &c.original_mask);
    ret = hutch_container_id_validate(id, err);
    if (ret == 0)
        ret = load_bundle(o, &b, err);
    if (ret == 0)
        ret = plan_container(rt, &b, o, &c, err);
    if (ret == 0)
        ret = plan_terminal(&b, o, for_run, &c, err);
    if (ret == 0) {
        runtime_debug(rt, "create %s: bundle %s, rootfs %s, state %s/%s", id, b.bundle, b.rootfs,
                      rt->state_root, id);
        /* a taken id leaves dir_fd at -1: aborting never touches someone else's state */
        ret = container_dir_create(rt, id, &cr.dir, err);
        if (ret == 0)
            ret = prepare_state(&cr, &b, &record, err);
        if (ret == 0)
            ret = cgroup_setup_prepare(rt, b.spec, b.config, id, &cr.cgroup, err);
        if (ret == 0 && cr.cgroup.devices_applied)
            c.enforce_device_rules = false;
        c.wait_for_scope = cr.cgroup.systemd && cr.cgroup.scope != NULL;
        if (ret == 0 && cr.cgroup.path != NULL)
            ret = record_cgroup(&cr, &record, err);
        if (ret == 0)
            ret = spawn(rt, &cr, &c, for_run, err);
        if (ret == 0)
            ret = record_created(&cr, &c, o, &record, err);
        if (ret < 0) {
            abort_creation(&cr, &c, for_run);
            /* its lifecycle goes on at delete, which cannot come now: poststop, as runc does */
            if (cr.dir.dir_fd >= 0)
                hooks_run_poststop(rt, b.spec->hooks, id, b.bundle, &b.spec->annotations);
        }
    }
    if (ret == 0) {
        runtime_debug(rt, "create %s: container process %d is waiting for start", id, (int)cr.init);
        if (init_pid != NULL)
            *init_pid = cr.init;
        if (terminal_master != NULL)
            *terminal_master = hutch_steal_fd(&cr.terminal_master);
    }
    if (cr.terminal_master >= 0)
        close(cr.terminal_master);
    if (c.console_fd >= 0)
        close(c.console_fd);
    if (cr.sync_fd >= 0)
        close(cr.sync_fd);
    if (cr.listen_fd >= 0)
        close(cr.listen_fd);
    if (cr.init_pidfd >= 0)
        close(cr.init_pidfd);
    cgroup_setup_release(&cr.cgroup);
    namespace_plan_close(&c.ns);
    seccomp_filter_free(c.seccomp);
    container_dir_close(&cr.dir);
    bundle_files_release(&b);
    return ret;
}

int hutch_container_create(const struct hutch_runtime *rt, const char *id,
                           const struct hutch_create_options *options, hutch_error *err)
{
    return container_create(rt, id, options, false, NULL, NULL, err);
}
