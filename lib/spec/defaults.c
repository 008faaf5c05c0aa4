/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration `hutch-oci spec` writes, close to `runc spec`. It is
 * written as JSON and parsed back, so the default goes through the same
 * checks as any configuration a user brings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "../core/json_writer.h"

static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
};

static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    NULL,
};

static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void put_strings(struct json_writer *w, const char *key, const char *const *list);

/*
 * The default seccomp profile: allow by default, refuse with EPERM what
 * docker and podman refuse to a container without the matching capability
 * (the default capabilities grant none of these).
 */
static const char *const denied_syscalls[] = {
    /* kernel keyring: not namespaced */
    "add_key",
    "keyctl",
    "request_key",
    /* replacing or rebooting the kernel, kernel modules */
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "get_kernel_syms",
    "query_module",
    /* kernel programs and tracing */
    "bpf",
    "perf_event_open",
    "lookup_dcookie",
    "fanotify_init",
    /* mounts and namespaces (CAP_SYS_ADMIN) */
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "unshare",
    "setns",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    /* the clock (CAP_SYS_TIME) */
    "clock_settime",
    "clock_settime64",
    "settimeofday",
    "stime",
    "clock_adjtime",
    "clock_adjtime64",
    /* host-wide resources and accounting */
    "acct",
    "swapon",
    "swapoff",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "nfsservctl",
    "_sysctl",
    "sysfs",
    "ustat",
    "uselib",
    "vm86",
    "vm86old",
    "iopl",
    "ioperm",
    "userfaultfd",
    /* file handles reach outside the container's mounts (the "shocker" escape) */
    "open_by_handle_at",
    "name_to_handle_at",
    /* another process's memory (CAP_SYS_PTRACE) and NUMA policy (CAP_SYS_NICE) */
    "kcmp",
    "process_vm_readv",
    "process_vm_writev",
    "move_pages",
    "mbind",
    "set_mempolicy",
    NULL,
};

/* clone() flags that create namespaces: refused one by one (MASKED_EQ). */
static const uint64_t namespace_clone_flags[] = {
    0x00020000, /* CLONE_NEWNS */
    0x04000000, /* CLONE_NEWUTS */
    0x08000000, /* CLONE_NEWIPC */
    0x10000000, /* CLONE_NEWUSER */
    0x20000000, /* CLONE_NEWPID */
    0x40000000, /* CLONE_NEWNET */
    0x02000000, /* CLONE_NEWCGROUP */
    0x00000080, /* CLONE_NEWTIME */
};

static void put_errno_rule(struct json_writer *w, const char *const *names, uint32_t errno_ret)
{
    json_writer_begin_object(w);
    put_strings(w, "names", names);
    json_writer_key(w, "action");
    json_writer_string(w, "SCMP_ACT_ERRNO");
    json_writer_key(w, "errnoRet");
    json_writer_uint(w, errno_ret);
}

static void put_seccomp(struct json_writer *w)
{
    static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                         NULL };

    json_writer_key(w, "seccomp");
    json_writer_begin_object(w);
    json_writer_key(w, "defaultAction");
    json_writer_string(w, "SCMP_ACT_ALLOW");
    put_strings(w, "architectures", archs);
    json_writer_key(w, "syscalls");
    json_writer_begin_array(w);
    put_errno_rule(w, denied_syscalls, 1 /* EPERM */);
    json_writer_end_object(w);
    /* conditions on one argument are alternatives: any namespace flag is refused */
    put_errno_rule(w, (const char *const[]){ "clone", NULL }, 1);
    json_writer_key(w, "args");
    json_writer_begin_array(w);
    for (size_t i = 0; i < sizeof(namespace_clone_flags) / sizeof(namespace_clone_flags[0]); i++) {
        json_writer_begin_object(w);
        json_writer_key(w, "index");
        json_writer_uint(w, 0);
        json_writer_key(w, "value");
        json_writer_uint(w, namespace_clone_flags[i]);
        json_writer_key(w, "valueTwo");
        json_writer_uint(w, namespace_clone_flags[i]);
        json_writer_key(w, "op");
        json_writer_string(w, "SCMP_CMP_MASKED_EQ");
        json_writer_end_object(w);
    }
    json_writer_end_array(w);
    json_writer_end_object(w);
    /* clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc use clone */
    put_errno_rule(w, (const char *const[]){ "clone3", NULL }, 38 /* ENOSYS */);
    json_writer_end_object(w);
    json_writer_end_array(w);
    json_writer_end_object(w);
}

static void put_strings(struct json_writer *w, const char *key, const char *const *list)
{
    json_writer_key(w, key);
    json_writer_strings(w, list);
}

static void put_mount(struct json_writer *w, const char *destination, const char *type,
                      const char *source, const char *const *options)
{
    json_writer_begin_object(w);
    json_writer_key(w, "destination");
    json_writer_string(w, destination);
    json_writer_key(w, "type");
    json_writer_string(w, type);
    json_writer_key(w, "source");
    json_writer_string(w, source);
    put_strings(w, "options", options);
    json_writer_end_object(w);
}

static void put_mounts(struct json_writer *w, bool rootless)
{
    static const char *const proc_opts[] = { NULL };
    static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k",
                                            NULL };
    /* gid=5 (tty) exists only when the container's ids are mapped in full */
    static const char *const devpts_opts[] = {
        "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL
    };
    static const char *const devpts_rootless_opts[] = { "nosuid",        "noexec",    "newinstance",
                                                        "ptmxmode=0666", "mode=0620", NULL };
    static const char *const shm_opts[] = { "nosuid",    "noexec",      "nodev",
                                            "mode=1777", "size=65536k", NULL };
    static const char *const mqueue_opts[] = { "nosuid", "noexec", "nodev", NULL };
    static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro", NULL };
    /* a user namespace without its own network namespace cannot mount sysfs */
    static const char *const sys_bind_opts[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
    static const char *const cgroup_opts[] = {
        "nosuid", "noexec", "nodev", "relatime", "ro", NULL
    };

    json_writer_key(w, "mounts");
    json_writer_begin_array(w);
    put_mount(w, "/proc", "proc", "proc", proc_opts);
    put_mount(w, "/dev", "tmpfs", "tmpfs", dev_opts);
    put_mount(w, "/dev/pts", "devpts", "devpts", rootless ? devpts_rootless_opts : devpts_opts);
    put_mount(w, "/dev/shm", "tmpfs", "shm", shm_opts);
    put_mount(w, "/dev/mqueue", "mqueue", "mqueue", mqueue_opts);
    if (rootless) {
        put_mount(w, "/sys", "none", "/sys", sys_bind_opts);
    } else {
        put_mount(w, "/sys", "sysfs", "sysfs", sys_opts);
        put_mount(w, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts);
    }
    json_writer_end_array(w);
}

static void put_process(struct json_writer *w)
{
    json_writer_key(w, "process");
    json_writer_begin_object(w);
    json_writer_key(w, "terminal");
    json_writer_bool(w, true);
    json_writer_key(w, "user");
    json_writer_begin_object(w);
    json_writer_key(w, "uid");
    json_writer_uint(w, 0);
    json_writer_key(w, "gid");
    json_writer_uint(w, 0);
    json_writer_end_object(w);
    put_strings(w, "args", (const char *const[]){ "sh", NULL });
    put_strings(w, "env", default_env);
    json_writer_key(w, "cwd");
    json_writer_string(w, "/");
    json_writer_key(w, "capabilities");
    json_writer_begin_object(w);
    put_strings(w, "bounding", default_caps);
    put_strings(w, "effective", default_caps);
    put_strings(w, "permitted", default_caps);
    json_writer_end_object(w);
    json_writer_key(w, "rlimits");
    json_writer_begin_array(w);
    json_writer_begin_object(w);
    json_writer_key(w, "type");
    json_writer_string(w, "RLIMIT_NOFILE");
    json_writer_key(w, "hard");
    json_writer_uint(w, 1024);
    json_writer_key(w, "soft");
    json_writer_uint(w, 1024);
    json_writer_end_object(w);
    json_writer_end_array(w);
    json_writer_key(w, "noNewPrivileges");
    json_writer_bool(w, true);
    json_writer_end_object(w);
}

static void put_idmap(struct json_writer *w, const char *key, uint32_t host_id)
{
    json_writer_key(w, key);
    json_writer_begin_array(w);
    json_writer_begin_object(w);
    json_writer_key(w, "containerID");
    json_writer_uint(w, 0);
    json_writer_key(w, "hostID");
    json_writer_uint(w, host_id);
    json_writer_key(w, "size");
    json_writer_uint(w, 1);
    json_writer_end_object(w);
    json_writer_end_array(w);
}

static void put_linux(struct json_writer *w, const struct hutch_spec_default_options *o)
{
    static const char *const root_ns[] = {
        "pid", "network", "ipc", "uts", "mount", "cgroup", NULL
    };
    static const char *const rootless_ns[] = {
        "pid", "ipc", "uts", "mount", "cgroup", "user", NULL
    };
    const char *const *ns = o->rootless ? rootless_ns : root_ns;

    json_writer_key(w, "linux");
    json_writer_begin_object(w);
    if (o->rootless) {
        put_idmap(w, "uidMappings", o->uid);
        put_idmap(w, "gidMappings", o->gid);
    } else {
        /* deny every device; the default ones are allowed by the runtime itself */
        json_writer_key(w, "resources");
        json_writer_begin_object(w);
        json_writer_key(w, "devices");
        json_writer_begin_array(w);
        json_writer_begin_object(w);
        json_writer_key(w, "allow");
        json_writer_bool(w, false);
        json_writer_key(w, "access");
        json_writer_string(w, "rwm");
        json_writer_end_object(w);
        json_writer_end_array(w);
        json_writer_end_object(w);
    }
    json_writer_key(w, "namespaces");
    json_writer_begin_array(w);
    for (size_t i = 0; ns[i] != NULL; i++) {
        json_writer_begin_object(w);
        json_writer_key(w, "type");
        json_writer_string(w, ns[i]);
        json_writer_end_object(w);
    }
    json_writer_end_array(w);
    put_seccomp(w);
    put_strings(w, "maskedPaths", masked_paths);
    put_strings(w, "readonlyPaths", readonly_paths);
    json_writer_end_object(w);
}

int hutch_spec_new_default(const struct hutch_spec_default_options *options,
                           struct hutch_spec **out, hutch_error *err)
{
    hutch_autofree char *json = NULL;
    struct json_writer w;
    size_t len = 0;

    json_writer_init(&w, false);
    json_writer_begin_object(&w);
    json_writer_key(&w, "ociVersion");
    json_writer_string(&w, HUTCH_OCI_VERSION);
    put_process(&w);
    json_writer_key(&w, "root");
    json_writer_begin_object(&w);
    json_writer_key(&w, "path");
    json_writer_string(&w, "rootfs");
    json_writer_key(&w, "readonly");
    json_writer_bool(&w, true);
    json_writer_end_object(&w);
    json_writer_key(&w, "hostname");
    json_writer_string(&w, "hutch");
    put_mounts(&w, options->rootless);
    put_linux(&w, options);
    json_writer_end_object(&w);
    if (json_writer_finish(&w, &json, &len, err) < 0)
        return hutch_error_wrap(err, "build the default configuration");
    if (hutch_spec_parse(json, len, "default configuration", out, err) < 0)
        return hutch_error_wrap(err, "internal error");
    return 0;
}
