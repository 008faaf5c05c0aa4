/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container process, from fork to exec: join and create namespaces,
 * build the root file system, set the process attributes, report ready,
 * wait for start on the exec socket, then exec the user's program. Runs in a
 * forked child: errors go back to hutch-oci over the sync socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "create.h"
#include "devices.h"
#include "fds.h"
#include "hooks.h"
#include "mount_options.h"
#include "mounts.h"
#include "process.h"
#include "rootfs_path.h"
#include "state.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* After the id maps are written: act as root of the new user namespace. */
/*
 * From here on no process that shares a namespace with us (a joined pid
 * namespace holds the container's other processes) may read our memory or
 * open /proc/PID/exe (hutch-oci's binary). Only after the id maps are
 * written: hutch-oci writes them through our /proc files.
 */
static void stop_being_dumpable(void)
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void become_namespace_root(void)
{
    /* fails only when 0 is not mapped; process.user is set later either way */
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return;
}

static int write_time_offsets(const struct hutch_spec_linux *l, hutch_error *err)
{
    const struct {
        const char *clock;
        const struct hutch_spec_time_offset *offset;
    } clocks[] = { { "monotonic", l->time_offsets ? l->time_offsets->monotonic : NULL },
                   { "boottime", l->time_offsets ? l->time_offsets->boottime : NULL } };
    hutch_autoclose int fd = -1;

    fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open /proc/self/timens_offsets");
    for (size_t i = 0; i < 2; i++) {
        char line[96];
        const struct hutch_spec_time_offset *o = clocks[i].offset;
        if (o == NULL)
            continue;
        snprintf(line, sizeof(line), "%s %" PRId64 " %" PRIu32 "\n", clocks[i].clock,
                 o->secs.set ? o->secs.value : 0, o->nanosecs.set ? o->nanosecs.value : 0);
        if (hutch_write_all(fd, line, strlen(line)) < 0)
            return hutch_error_syscall(err, errno, "linux.timeOffsets: set %s", clocks[i].clock);
    }
    return 0;
}

static int set_names(const struct hutch_spec *spec, hutch_error *err)
{
    if (spec->hostname != NULL && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
        return hutch_error_syscall(err, errno, "set hostname %s", spec->hostname);
    if (spec->domainname != NULL && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
        return hutch_error_syscall(err, errno, "set domainname %s", spec->domainname);
    return 0;
}

/* pivot_root into the rootfs and drop the old root; or move it over / and chroot. */
static int enter_rootfs(const char *rootfs, bool no_pivot, hutch_error *err)
{
    if (chdir(rootfs) < 0)
        return hutch_error_syscall(err, errno, "enter rootfs %s", rootfs);
    if (no_pivot) {
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
            return hutch_error_syscall(err, errno, "move rootfs %s to /", rootfs);
        if (chroot(".") < 0)
            return hutch_error_syscall(err, errno, "chroot into %s", rootfs);
    } else {
        /* the old root ends up stacked over the new one and is detached from there; it
         * became a slave before anything was mounted, so detaching it never reaches the
         * host (and making "." a slave again here would turn shared mounts private) */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return hutch_error_syscall(err, errno, "pivot_root into %s", rootfs);
        if (umount2(".", MNT_DETACH) < 0)
            return hutch_error_syscall(err, errno, "detach the old root");
    }
    if (chdir("/") < 0)
        return hutch_error_syscall(err, errno, "chdir to the new root");
    return 0;
}

/*
 * linux.maskedPaths: files hidden under /dev/null, directories under an
 * empty read-only tmpfs; linux.readonlyPaths: bound read-only over
 * themselves. Paths that do not exist are skipped. Runs after pivot_root.
 */
static int mask_and_protect(const struct hutch_spec_linux *l, const struct lsm_plan *lsm,
                            hutch_error *err)
{
    for (size_t i = 0; l != NULL && i < l->masked_paths.n; i++) {
        const char *path = l->masked_paths.items[i];
        struct stat st;
        int ret;

        if (stat(path, &st) < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
            return hutch_error_syscall(err, errno, "linux.maskedPaths: %s", path);
        }
        if (S_ISDIR(st.st_mode)) {
            hutch_autofree char *data = NULL;
            if (lsm_mount_data(lsm, "tmpfs", "size=0", &data) < 0)
                return hutch_error_set(err, ENOMEM, "out of memory");
            ret = mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        data != NULL ? data : "size=0");
        } else {
            ret = mount("/dev/null", path, NULL, MS_BIND, NULL);
        }
        if (ret < 0)
            return hutch_error_syscall(err, errno, "linux.maskedPaths: mask %s", path);
    }
    for (size_t i = 0; l != NULL && i < l->readonly_paths.n; i++) {
        const char *path = l->readonly_paths.items[i];
        hutch_autoclose int fd = -1;

        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                continue;
            return hutch_error_syscall(err, errno, "linux.readonlyPaths: bind %s", path);
        }
        fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return hutch_error_syscall(err, errno, "linux.readonlyPaths: open %s", path);
        if (remount_keeping_locked(fd, MS_RDONLY, 0, path, err) < 0)
            return hutch_error_wrap(err, "linux.readonlyPaths");
    }
    return 0;
}

static bool mounts_dev(const struct hutch_spec *spec)
{
    for (size_t i = 0; i < spec->mounts.n; i++)
        if (strcmp(spec->mounts.items[i].destination, "/dev") == 0)
            return true;
    return false;
}

/*
 * Mounted, not yet in the rootfs: hutch-oci runs prestart and createRuntime
 * while we wait, then we run createContainer in the container's namespaces
 * (their paths still resolve on the host's file system, as with runc).
 */
static int run_create_hooks(const struct init_context *c, hutch_error *err)
{
    struct hutch_container_state state;
    int32_t pid;

    if (!hooks_after_mounts(c->spec->hooks))
        return 0;
    if (sync_send(c->sync_fd, SYNC_MOUNTS_DONE, 0, err) < 0 ||
        sync_expect(c->sync_fd, SYNC_HOOKS_DONE, &pid, err) < 0)
        return -err->code;
    state = hooks_state(c->id, c->bundle, &c->spec->annotations, HUTCH_STATUS_CREATING, pid);
    return hooks_run(c->spec->hooks, HOOK_CREATE_CONTAINER, &state, err);
}

static int prepare_rootfs(const struct init_context *c, hutch_error *err)
{
    const struct hutch_spec *spec = c->spec;
    const char *propagation = spec->linux_cfg ? spec->linux_cfg->rootfs_propagation : NULL;
    hutch_autoclose int rootfs_fd = -1;

    /* nothing mounted from here on may reach the host; host changes reach us as a slave */
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return hutch_error_syscall(err, errno, "make / a slave mount");
    /* pivot_root needs the rootfs to be a mount point */
    if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return hutch_error_syscall(err, errno, "bind rootfs %s", c->rootfs);
    rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfs_fd < 0)
        return hutch_error_syscall(err, errno, "open rootfs %s", c->rootfs);
    /* device nodes an image brings must not open host devices: only the container's own
     * /dev (which we fill) may hold usable nodes, and only when the config mounts one */
    if (mounts_dev(spec)) {
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NODEV };
        if (syscall(SYS_mount_setattr, rootfs_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                    sizeof(attr)) < 0)
            return hutch_error_syscall(err, errno, "make rootfs %s nodev", c->rootfs);
    }
    if (mounts_apply(spec, rootfs_fd, &c->lsm, err) < 0 ||
        devices_create(spec, rootfs_fd, c->enforce_device_rules, err) < 0)
        return -err->code;
    if (c->enforce_device_rules && devices_enforce_rules(spec, rootfs_fd, err) < 0)
        return -err->code;
    if (sysctl_apply(spec, err) < 0 || run_create_hooks(c, err) < 0)
        return -err->code;
    if (enter_rootfs(c->rootfs, c->no_pivot, err) < 0)
        return -err->code;
    if (mask_and_protect(spec->linux_cfg, &c->lsm, err) < 0)
        return -err->code;
    if (propagation != NULL && mount(NULL, "/", NULL, propagation_flags(propagation), NULL) < 0)
        return hutch_error_syscall(err, errno, "linux.rootfsPropagation: make / %s", propagation);
    if (spec->root->readonly) {
        hutch_autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
            return hutch_error_syscall(err, errno, "open /");
        if (remount_keeping_locked(root, MS_RDONLY, 0, "/ (root.readonly)", err) < 0)
            return -err->code;
    }
    return 0;
}

/* Everything up to "ready": run while hutch-oci create waits. */
static int setup(struct init_context *c, char **program, hutch_error *err)
{
    const struct hutch_spec *spec = c->spec;
    const struct hutch_spec_process *p = spec->process;

    if (!c->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
        errno != ENOSYS && errno != EDQUOT && errno != EPERM)
        return hutch_error_syscall(err, errno, "make a session keyring");
    /* while the host's /proc is at hand: the labels the program's exec takes on */
    if (lsm_set_exec_labels(&c->lsm, err) < 0 || set_names(spec, err) < 0 ||
        prepare_rootfs(c, err) < 0)
        return -err->code;
    if (p->terminal) {
        if (terminal_setup(p, c->console_fd, c->sync_fd, true, err) < 0)
            return -err->code;
    } else if (setsid() < 0) {
        return hutch_error_syscall(err, errno, "start a new session");
    }
    if (process_set_rlimits(p, err) < 0 || process_set_scheduling(p, err) < 0 ||
        process_set_personality(spec->linux_cfg, err) < 0)
        return -err->code;
    if (chdir(p->cwd) < 0)
        return hutch_error_syscall(err, errno, "process.cwd: %s", p->cwd);
    {
        /* a cwd outside our root (reached through a leaked fd) reads "(unreachable)..." */
        char here[PATH_MAX];
        if (getcwd(here, sizeof(here)) == NULL || here[0] != '/')
            return hutch_error_set(err, EPERM, "process.cwd: %s leads outside the container",
                                   p->cwd);
    }
    if (process_check_user(p, c->setgroups_allowed, err) < 0)
        return -err->code;
    return process_find_program(p, program, err);
}

/* A NULL-terminated copy of the vector, as execve() takes it; NULL without memory. */
static char **exec_vector(const hutch_strings *v)
{
    char **out = calloc(v->n + 1, sizeof(char *));

    if (out != NULL && v->n > 0) /* memcpy from NULL is undefined, even of 0 bytes */
        memcpy(out, v->items, v->n * sizeof(char *));
    return out;
}

/*
 * Wait until `start` connects and asks; then the last steps, the answer
 * that they worked, and exec (which closes the connection).
 */
_Noreturn static void wait_and_exec(struct init_context *c, char *program)
{
    const struct hutch_spec_process *p = c->spec->process;
    char **argv = exec_vector(&p->args);
    char **envp;
    char listen_fds[32], listen_pid[32];
    char *listen_env[] = { listen_fds, listen_pid };
    hutch_error err = HUTCH_ERROR_INIT;
    char byte;
    int conn;

    /* socket activation: the fds are ours from 3 on, and LISTEN_PID our pid in here */
    snprintf(listen_fds, sizeof(listen_fds), "LISTEN_FDS=%u", c->listen_fds);
    snprintf(listen_pid, sizeof(listen_pid), "LISTEN_PID=%d", (int)getpid());
    envp = process_exec_env(&p->env, listen_env, c->listen_fds > 0 ? 2 : 0);

    if (argv == NULL || envp == NULL) {
        dprintf(STDERR_FILENO, "hutch-oci: exec %s: out of memory\n", program);
        _exit(127);
    }
    conn = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0 || read(conn, &byte, 1) != 1) {
        dprintf(STDERR_FILENO, "hutch-oci: wait for start: %s\n",
                conn < 0 ? strerror(errno) : "start went away");
        _exit(127);
    }
    close(c->listen_fd);
    if (process_take_identity(p, c->setgroups_allowed, c->grantable_caps, c->seccomp, &err) < 0) {
        dprintf(STDERR_FILENO, "hutch-oci: %s\n", hutch_error_message(&err));
        _exit(127);
    }
    if (hooks_run_at_start(conn, c->spec, c->id, c->bundle, c->host_pid) < 0)
        _exit(127);
    if (write(conn, "0", 1) != 1)
        _exit(127);
    sigprocmask(SIG_SETMASK, &c->original_mask, NULL);
    execve(program, argv, envp);
    dprintf(STDERR_FILENO, "hutch-oci: exec %s: %s\n", program, strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

_Noreturn static void become_init(struct init_context *c)
{
    hutch_error err = HUTCH_ERROR_INIT;
    char *program = NULL;

    if (setup(c, &program, &err) < 0) {
        sync_send_error(c->sync_fd, &err);
        _exit(1);
    }
    /* go on only once hutch-oci has recorded us: if it died, nobody could ever start us */
    if (sync_send(c->sync_fd, SYNC_READY, 0, &err) < 0 ||
        sync_expect(c->sync_fd, SYNC_RECORDED, &c->host_pid, &err) < 0)
        _exit(1);
    close(c->sync_fd);
    wait_and_exec(c, program);
}

/*
 * Fork the init, which then waits until we have exited (the write end of
 * `order` is ours until then): its messages on the sync socket (the first
 * may come soon, SYNC_MOUNTS_DONE) must follow our SYNC_INIT_PID.
 */
static pid_t fork_init(struct init_context *c, hutch_error *err)
{
    int order[2];
    pid_t child;
    char byte;

    if (pipe2(order, O_CLOEXEC) < 0)
        return hutch_error_syscall(err, errno, "fork the container process");
    child = fork();
    if (child < 0) {
        hutch_error_syscall(err, errno, "fork the container process");
        close(order[0]);
        close(order[1]);
        return -err->code;
    }
    if (child == 0) {
        close(order[1]);
        while (read(order[0], &byte, 1) < 0 && errno == EINTR)
            ;
        close(order[0]);
        become_init(c);
    }
    close(order[0]);
    return child;
}

/*
 * The slow path: join namespaces by path first (with the rights we have
 * now), then create the user namespace and have it mapped, then the rest.
 * A pid or time namespace applies to children only: fork the init then.
 */
_Noreturn static void stage_one(struct init_context *c)
{
    int flags = c->ns.create_flags;
    hutch_error err = HUTCH_ERROR_INIT;
    pid_t child;

    if (namespace_plan_join(&c->ns, &err) < 0)
        goto fail;
    namespace_plan_close(&c->ns);
    if (flags & CLONE_NEWUSER) {
        if (unshare(CLONE_NEWUSER) < 0) {
            hutch_error_syscall(&err, errno, "create a user namespace");
            goto fail;
        }
        if (sync_send(c->sync_fd, SYNC_USERNS, getpid(), &err) < 0 ||
            sync_expect(c->sync_fd, SYNC_MAPS_DONE, NULL, &err) < 0)
            _exit(1);
        become_namespace_root();
    }
    stop_being_dumpable();
    if (unshare(flags & ~(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWTIME)) < 0) {
        hutch_error_syscall(&err, errno, "create namespaces");
        goto fail;
    }
    if (flags & CLONE_NEWTIME) {
        if (unshare(CLONE_NEWTIME) < 0) {
            hutch_error_syscall(&err, errno, "create a time namespace");
            goto fail;
        }
        /* our changed ids made us non-dumpable, which gives /proc/self to the host's
         * root: be dumpable just long enough to write our own offsets */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (write_time_offsets(c->spec->linux_cfg, &err) < 0)
            goto fail;
        stop_being_dumpable();
    }
    if ((flags & CLONE_NEWPID) && unshare(CLONE_NEWPID) < 0) {
        hutch_error_syscall(&err, errno, "create a pid namespace");
        goto fail;
    }
    if (!c->init_forks)
        become_init(c);
    child = fork_init(c, &err);
    if (child < 0)
        goto fail;
    if (sync_send(c->sync_fd, SYNC_INIT_PID, child, &err) < 0)
        _exit(1);
    _exit(0);
fail:
    sync_send_error(c->sync_fd, &err);
    _exit(1);
}

_Noreturn void container_child_main(struct init_context *c)
{
    hutch_error err = HUTCH_ERROR_INIT;
    int keep[8] = { c->sync_fd, c->listen_fd, c->console_fd };
    size_t n_keep = c->console_fd >= 0 ? 3 : 2;

    for (size_t i = 0; i < c->ns.n_join && n_keep < 8; i++)
        keep[n_keep++] = c->ns.join[i].fd;
    if (close_inherited_fds(3 + c->preserve_fds, keep, n_keep, &err) < 0 || chdir(c->bundle) < 0) {
        if (!hutch_error_is_set(&err))
            hutch_error_syscall(&err, errno, "enter bundle %s", c->bundle);
        sync_send_error(c->sync_fd, &err);
        _exit(1);
    }
    /* into its systemd scope before anything, so that every process it forks is there */
    if (c->wait_for_scope && sync_expect(c->sync_fd, SYNC_CGROUP_DONE, NULL, &err) < 0)
        _exit(1);
    if (!c->fast_path)
        stage_one(c);
    if (c->ns.create_flags & CLONE_NEWUSER) {
        if (sync_expect(c->sync_fd, SYNC_MAPS_DONE, NULL, &err) < 0)
            _exit(1);
        become_namespace_root();
    }
    stop_being_dumpable();
    become_init(c);
}
