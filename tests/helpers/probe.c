// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hutch-probe: a static helper that runs inside test containers and reports what it finds
 * as key=value lines on stdout. Exit 0, or 2 with one line on stderr for a wrong usage.
 *
 *   hutch-probe caps                 bounding=, effective=, permitted=, inheritable=, ambient=
 *   hutch-probe status               uid=, gid=, euid=, egid=, groups=, nnp=, seccomp=,
 *                                    dumpable=, pid=
 *   hutch-probe syscall NAME...      NAME=ok or NAME=ERRNO for harmless invocations
 *   hutch-probe label                label=, exec_label= (the LSM attributes)
 *   hutch-probe open PATH MODE...    r=, w=, rw=: open and close, never a byte written
 *   hutch-probe exe-attack SECONDS [STOPFILE]
 *                                    the CVE-2019-5736 write-open of the runtime's binary,
 *                                    without ever writing: seen=, exe=, writable=, errors=;
 *                                    for SECONDS, or until STOPFILE exists
 *   hutch-probe sleep SECONDS
 *   hutch-probe help
 *
 * Linked statically against glibc only (no libcap, no libselinux), so that it runs in any
 * rootfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#define PROBE_PATH "/nonexistent-probe"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_IS_SET
#define PR_CAP_AMBIENT_IS_SET 1
#endif

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

#define ERRNO_NAME(e)                                                                              \
    {                                                                                              \
        e, #e                                                                                      \
    }
static const struct {
    int num;
    const char *name;
} errno_names[] = {
    ERRNO_NAME(EPERM),       ERRNO_NAME(ENOENT),       ERRNO_NAME(ESRCH),
    ERRNO_NAME(EINTR),       ERRNO_NAME(EIO),          ERRNO_NAME(ENXIO),
    ERRNO_NAME(E2BIG),       ERRNO_NAME(ENOEXEC),      ERRNO_NAME(EBADF),
    ERRNO_NAME(ECHILD),      ERRNO_NAME(EAGAIN),       ERRNO_NAME(ENOMEM),
    ERRNO_NAME(EACCES),      ERRNO_NAME(EFAULT),       ERRNO_NAME(ENOTBLK),
    ERRNO_NAME(EBUSY),       ERRNO_NAME(EEXIST),       ERRNO_NAME(EXDEV),
    ERRNO_NAME(ENODEV),      ERRNO_NAME(ENOTDIR),      ERRNO_NAME(EISDIR),
    ERRNO_NAME(EINVAL),      ERRNO_NAME(ENFILE),       ERRNO_NAME(EMFILE),
    ERRNO_NAME(ENOTTY),      ERRNO_NAME(ETXTBSY),      ERRNO_NAME(EFBIG),
    ERRNO_NAME(ENOSPC),      ERRNO_NAME(ESPIPE),       ERRNO_NAME(EROFS),
    ERRNO_NAME(EMLINK),      ERRNO_NAME(EPIPE),        ERRNO_NAME(EDOM),
    ERRNO_NAME(ERANGE),      ERRNO_NAME(EDEADLK),      ERRNO_NAME(ENAMETOOLONG),
    ERRNO_NAME(ENOLCK),      ERRNO_NAME(ENOSYS),       ERRNO_NAME(ENOTEMPTY),
    ERRNO_NAME(ELOOP),       ERRNO_NAME(ENOMSG),       ERRNO_NAME(EIDRM),
    ERRNO_NAME(ENOSTR),      ERRNO_NAME(ENODATA),      ERRNO_NAME(ETIME),
    ERRNO_NAME(ENOSR),       ERRNO_NAME(EREMOTE),      ERRNO_NAME(ENOLINK),
    ERRNO_NAME(EPROTO),      ERRNO_NAME(EBADMSG),      ERRNO_NAME(EOVERFLOW),
    ERRNO_NAME(EILSEQ),      ERRNO_NAME(EUSERS),       ERRNO_NAME(ENOTSOCK),
    ERRNO_NAME(EMSGSIZE),    ERRNO_NAME(EPROTOTYPE),   ERRNO_NAME(ENOPROTOOPT),
    ERRNO_NAME(EOPNOTSUPP),  ERRNO_NAME(EAFNOSUPPORT), ERRNO_NAME(EADDRINUSE),
    ERRNO_NAME(ENETDOWN),    ERRNO_NAME(ENETUNREACH),  ERRNO_NAME(ECONNRESET),
    ERRNO_NAME(ENOBUFS),     ERRNO_NAME(EISCONN),      ERRNO_NAME(ENOTCONN),
    ERRNO_NAME(ETIMEDOUT),   ERRNO_NAME(ECONNREFUSED), ERRNO_NAME(EHOSTUNREACH),
    ERRNO_NAME(EALREADY),    ERRNO_NAME(EINPROGRESS),  ERRNO_NAME(ESTALE),
    ERRNO_NAME(EDQUOT),      ERRNO_NAME(ECANCELED),    ERRNO_NAME(ENOKEY),
    ERRNO_NAME(EKEYEXPIRED), ERRNO_NAME(EKEYREVOKED),  ERRNO_NAME(EKEYREJECTED),
    ERRNO_NAME(EOWNERDEAD),  ERRNO_NAME(ENOMEDIUM),    ERRNO_NAME(EMEDIUMTYPE),
    ERRNO_NAME(EBADFD),      ERRNO_NAME(ESHUTDOWN),    ERRNO_NAME(EPROTONOSUPPORT),
};

static const char *errno_name(int e)
{
    static char num[16];
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
        if (errno_names[i].num == e)
            return errno_names[i].name;
    }
    snprintf(num, sizeof(num), "%d", e);
    return num;
}

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("hutch-probe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* A comma-separated list of the capability names of the bits set in MASK. */
static void print_caps(const char *key, uint64_t mask)
{
    bool first = true;
    printf("%s=", key);
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(mask & ((uint64_t)1 << bit)))
            continue;
        if (!first)
            putchar(',');
        first = false;
        if (bit < sizeof(cap_names) / sizeof(cap_names[0]))
            fputs(cap_names[bit], stdout);
        else
            printf("CAP_%u", bit);
    }
    putchar('\n');
}

/* prctl(OPTION, [ARG2,] bit) for bits 0..63 until EINVAL; the bits where it says 1. */
static uint64_t prctl_caps(int option, unsigned long arg2, bool with_arg2)
{
    uint64_t mask = 0;
    for (unsigned long bit = 0; bit < 64; bit++) {
        int r = with_arg2 ? prctl(option, arg2, bit, 0, 0) : prctl(option, bit, 0, 0, 0);
        if (r < 0)
            break;
        if (r > 0)
            mask |= (uint64_t)1 << bit;
    }
    return mask;
}

static int cmd_caps(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) < 0) {
        fprintf(stderr, "hutch-probe: capget: %s\n", strerror(errno));
        return 1;
    }
    print_caps("bounding", prctl_caps(PR_CAPBSET_READ, 0, false));
    print_caps("effective", data[0].effective | (uint64_t)data[1].effective << 32);
    print_caps("permitted", data[0].permitted | (uint64_t)data[1].permitted << 32);
    print_caps("inheritable", data[0].inheritable | (uint64_t)data[1].inheritable << 32);
    print_caps("ambient", prctl_caps(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, true));
    return 0;
}

/* key=N, or key=error:ERRNO when prctl fails. */
static void print_prctl(const char *key, int option)
{
    int r = prctl(option, 0, 0, 0, 0);
    if (r < 0)
        printf("%s=error:%s\n", key, errno_name(errno));
    else
        printf("%s=%d\n", key, r);
}

static int cmd_status(void)
{
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", (unsigned)getuid(), (unsigned)getgid(),
           (unsigned)geteuid(), (unsigned)getegid());
    printf("groups=");
    if (n < 0)
        printf("error:%s", errno_name(errno));
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", (unsigned)groups[i]);
    putchar('\n');
    print_prctl("nnp", PR_GET_NO_NEW_PRIVS);
    print_prctl("seccomp", PR_GET_SECCOMP);
    print_prctl("dumpable", PR_GET_DUMPABLE);
    printf("pid=%d\n", (int)getpid());
    return 0;
}

/*
 * The system calls, each invoked so that it changes nothing: an invalid argument, a path
 * that does not exist, or an operation on the probe's own process. Allowed and refused
 * (by seccomp, or for a missing capability where the kernel checks that first) give
 * different answers.
 */
static long sc_keyctl(void)
{
    /* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, create = 0 */
    return syscall(SYS_keyctl, 0, -3, 0);
}

static long sc_add_key(void)
{
    /* keyring 0 is no keyring: EINVAL when the call is allowed */
    return syscall(SYS_add_key, "user", "hutch-probe", NULL, 0, 0);
}

static long sc_unshare(void)
{
    return syscall(SYS_unshare, 0x04000000 /* CLONE_NEWUTS */);
}

static long sc_mount(void)
{
    return syscall(SYS_mount, "none", PROBE_PATH, "tmpfs", 0, NULL);
}

static long sc_umount2(void)
{
    return syscall(SYS_umount2, PROBE_PATH, 0);
}

static long sc_reboot(void)
{
    /* no magic: EINVAL with CAP_SYS_BOOT, EPERM without */
    return syscall(SYS_reboot, 0, 0, 0, NULL);
}

static long sc_kexec_load(void)
{
    /* no segments with an undefined flag and a foreign architecture: never an unload */
    return syscall(SYS_kexec_load, 0, 0, NULL, 0xffff8000UL);
}

static long sc_init_module(void)
{
    return syscall(SYS_init_module, NULL, 0, "");
}

static long sc_finit_module(void)
{
    return syscall(SYS_finit_module, -1, "", 0);
}

static long sc_delete_module(void)
{
    return syscall(SYS_delete_module, "hutch-probe-none", 0);
}

static long sc_bpf(void)
{
    return syscall(SYS_bpf, -1, NULL, 0);
}

static long sc_perf_event_open(void)
{
    return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}

static long sc_ptrace(void)
{
    return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, NULL, NULL);
}

static long sc_personality(void)
{
    return syscall(SYS_personality, 0xffffffffUL);
}

static long sc_clock_settime(void)
{
    struct timespec ts = { .tv_sec = 0, .tv_nsec = 2000000000L };
    return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
}

static long sc_settimeofday(void)
{
    struct {
        long tv_sec, tv_usec;
    } tv = { 0, 2000000L };
    return syscall(SYS_settimeofday, &tv, NULL);
}

static long sc_sethostname(void)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -1;
    return syscall(SYS_sethostname, u.nodename, strlen(u.nodename));
}

static long sc_setns(void)
{
    return syscall(SYS_setns, -1, 0);
}

static long sc_chmod(void)
{
#ifdef SYS_chmod
    return syscall(SYS_chmod, PROBE_PATH, 0755);
#else
    return syscall(SYS_fchmodat, AT_FDCWD, PROBE_PATH, 0755, 0);
#endif
}

static long sc_mknod(void)
{
#ifdef SYS_mknod
    return syscall(SYS_mknod, PROBE_PATH "/x", S_IFREG | 0600, 0);
#else
    return syscall(SYS_mknodat, AT_FDCWD, PROBE_PATH "/x", S_IFREG | 0600, 0);
#endif
}

static long sc_swapon(void)
{
    return syscall(SYS_swapon, PROBE_PATH, 0);
}

static long sc_pivot_root(void)
{
    return syscall(SYS_pivot_root, PROBE_PATH, PROBE_PATH);
}

static long sc_getpid(void)
{
    return syscall(SYS_getpid);
}

static const struct {
    const char *name;
    long (*call)(void);
    bool uses_path; /* needs PROBE_PATH to be missing */
} syscalls[] = {
    { "keyctl", sc_keyctl, false },
    { "add_key", sc_add_key, false },
    { "unshare", sc_unshare, false },
    { "mount", sc_mount, true },
    { "umount2", sc_umount2, true },
    { "reboot", sc_reboot, false },
    { "kexec_load", sc_kexec_load, false },
    { "init_module", sc_init_module, false },
    { "finit_module", sc_finit_module, false },
    { "delete_module", sc_delete_module, false },
    { "bpf", sc_bpf, false },
    { "perf_event_open", sc_perf_event_open, false },
    { "ptrace", sc_ptrace, false },
    { "personality", sc_personality, false },
    { "clock_settime", sc_clock_settime, false },
    { "settimeofday", sc_settimeofday, false },
    { "sethostname", sc_sethostname, false },
    { "setns", sc_setns, false },
    { "chmod", sc_chmod, true },
    { "mknod", sc_mknod, true },
    { "swapon", sc_swapon, true },
    { "pivot_root", sc_pivot_root, true },
    { "getpid", sc_getpid, false },
};

static int cmd_syscall(int argc, char **argv)
{
    size_t n = sizeof(syscalls) / sizeof(syscalls[0]);
    size_t *which;
    struct stat st;
    if (argc < 1)
        usage_error("usage: hutch-probe syscall NAME...");
    which = calloc((size_t)argc, sizeof(*which));
    if (!which)
        return 1;
    /* every name is checked before the first call */
    for (int i = 0; i < argc; i++) {
        size_t j;
        for (j = 0; j < n && strcmp(argv[i], syscalls[j].name) != 0; j++)
            ;
        if (j == n)
            usage_error("unknown syscall %s", argv[i]);
        which[i] = j;
        if (syscalls[j].uses_path && lstat(PROBE_PATH, &st) == 0) {
            fprintf(stderr, "hutch-probe: %s exists: %s would not be harmless\n", PROBE_PATH,
                    argv[i]);
            return 1;
        }
    }
    for (int i = 0; i < argc; i++) {
        long r;
        errno = 0;
        r = syscalls[which[i]].call();
        if (r < 0)
            printf("%s=%s\n", argv[i], errno_name(errno));
        else
            printf("%s=ok\n", argv[i]);
        fflush(stdout);
    }
    free(which);
    return 0;
}

/* key= the attribute file without trailing NULs and newlines, or key=error:ERRNO. */
static void print_attr(const char *key, const char *path)
{
    char buf[4096];
    ssize_t len;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("%s=error:%s\n", key, errno_name(errno));
        return;
    }
    len = read(fd, buf, sizeof(buf) - 1);
    if (len < 0) {
        printf("%s=error:%s\n", key, errno_name(errno));
        close(fd);
        return;
    }
    close(fd);
    while (len > 0 && (buf[len - 1] == '\0' || buf[len - 1] == '\n'))
        len--;
    buf[len] = '\0';
    printf("%s=%s\n", key, buf);
}

static int cmd_label(void)
{
    print_attr("label", "/proc/thread-self/attr/current");
    print_attr("exec_label", "/proc/thread-self/attr/exec");
    return 0;
}

static int cmd_open(int argc, char **argv)
{
    int *flags;
    if (argc < 2)
        usage_error("usage: hutch-probe open PATH MODE... (MODE: r, w or rw)");
    flags = calloc((size_t)argc, sizeof(*flags));
    if (!flags)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "r") == 0)
            flags[i] = O_RDONLY;
        else if (strcmp(argv[i], "w") == 0)
            flags[i] = O_WRONLY;
        else if (strcmp(argv[i], "rw") == 0)
            flags[i] = O_RDWR;
        else
            usage_error("unknown open mode %s (r, w or rw)", argv[i]);
    }
    for (int i = 1; i < argc; i++) {
        /* O_NONBLOCK: a fifo does not block; no O_CREAT, no O_TRUNC */
        int fd = open(argv[0], flags[i] | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
            printf("%s=%s\n", argv[i], errno_name(errno));
        } else {
            close(fd);
            printf("%s=ok\n", argv[i]);
        }
    }
    free(flags);
    return 0;
}

static double parse_seconds(const char *s)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400 * 365)
        usage_error("not a number of seconds: %s", s);
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int cmd_sleep(int argc, char **argv)
{
    if (argc != 1)
        usage_error("usage: hutch-probe sleep SECONDS");
    sleep_seconds(parse_seconds(argv[0]));
    return 0;
}

#define MAX_TARGETS 256

struct attack {
    int seen;
    char exe[PATH_MAX];
    bool writable;
    int errors[64];
    int nerrors;
    pid_t pids[MAX_TARGETS];   /* runtime processes seen */
    int path_fds[MAX_TARGETS]; /* their exe, O_PATH; -1 when done */
};

static void attack_result(struct attack *a, int fd_or_err)
{
    if (fd_or_err >= 0) {
        /* never a byte: the write-open alone is the finding */
        close(fd_or_err);
        a->writable = true;
        return;
    }
    for (int i = 0; i < a->nerrors; i++) {
        if (a->errors[i] == -fd_or_err)
            return;
    }
    if (a->nerrors < (int)(sizeof(a->errors) / sizeof(a->errors[0])))
        a->errors[a->nerrors++] = -fd_or_err;
}

/*
 * Whether a write would go through, without writing: open read-write and map the start of the
 * file shared and writable. A sealed memfd opens, but refuses the mapping (EPERM); a binary
 * that is running refuses the open (ETXTBSY). The mapping is dropped untouched.
 */
static int open_write(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    void *map;

    if (fd < 0)
        return -errno;
    map = mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        int saved = errno;
        close(fd);
        return -saved;
    }
    munmap(map, 1);
    return fd;
}

static bool is_runtime(pid_t pid, char *exe, size_t exe_size)
{
    char path[64], comm[64];
    ssize_t len;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    len = readlink(path, exe, exe_size - 1);
    if (len < 0)
        len = 0;
    exe[len] = '\0';
    comm[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, comm, sizeof(comm) - 1);
        comm[n > 0 ? n : 0] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        close(fd);
    }
    /* other probes are not the runtime */
    if (strncmp(comm, "hutch-probe", 11) == 0)
        return false;
    return strstr(exe, "hutch") != NULL || strstr(comm, "hutch") != NULL;
}

static void attack_scan(struct attack *a, pid_t self)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char exe[PATH_MAX], path[64];
        char *end;
        long v = strtol(e->d_name, &end, 10);
        pid_t pid;
        bool known = false;
        int n;
        if (*end || end == e->d_name || v <= 0)
            continue;
        pid = (pid_t)v;
        if (pid == self)
            continue;
        n = a->seen < MAX_TARGETS ? a->seen : MAX_TARGETS;
        for (int i = 0; i < n; i++) {
            if (a->pids[i] == pid)
                known = true;
        }
        if (known || !is_runtime(pid, exe, sizeof(exe)))
            continue;
        if (a->seen == 0)
            snprintf(a->exe, sizeof(a->exe), "%s", exe);
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
        if (a->seen < MAX_TARGETS) {
            a->pids[a->seen] = pid;
            /* (b) a handle on the binary now, write-opened again until the deadline */
            a->path_fds[a->seen] = open(path, O_PATH | O_CLOEXEC);
        }
        a->seen++;
        /* (a) the direct write-open */
        attack_result(a, open_write(path));
    }
    closedir(d);
}

static void attack_retry(struct attack *a)
{
    int n = a->seen < MAX_TARGETS ? a->seen : MAX_TARGETS;
    for (int i = 0; i < n; i++) {
        char path[64];
        int r;
        if (a->path_fds[i] < 0)
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", a->path_fds[i]);
        r = open_write(path);
        attack_result(a, r);
        if (r >= 0) {
            close(a->path_fds[i]);
            a->path_fds[i] = -1;
        }
    }
}

static int cmd_exe_attack(int argc, char **argv)
{
    static struct attack a;
    double deadline;
    pid_t self = getpid();
    int n;
    if (argc != 1 && argc != 2)
        usage_error("usage: hutch-probe exe-attack SECONDS [STOPFILE]");
    deadline = now() + parse_seconds(argv[0]);
    do {
        attack_scan(&a, self);
        attack_retry(&a);
        sleep_seconds(0.001);
    } while (now() < deadline && (argc == 1 || access(argv[1], F_OK) != 0));
    n = a.seen < MAX_TARGETS ? a.seen : MAX_TARGETS;
    for (int i = 0; i < n; i++) {
        if (a.path_fds[i] >= 0)
            close(a.path_fds[i]);
    }
    printf("seen=%d\nexe=%s\nwritable=%d\nerrors=", a.seen, a.exe, a.writable ? 1 : 0);
    for (int i = 0; i < a.nerrors; i++)
        printf("%s%s", i ? "," : "", errno_name(a.errors[i]));
    putchar('\n');
    return 0;
}

static void help(FILE *out)
{
    fputs("usage: hutch-probe COMMAND [ARG...]\n"
          "  caps                 the capability sets\n"
          "  status               ids, groups, no_new_privs, seccomp mode, dumpable, pid\n"
          "  syscall NAME...      harmless invocations: NAME=ok or NAME=ERRNO\n"
          "  label                the LSM labels of this thread\n"
          "  open PATH MODE...    open (r, w or rw) and close: MODE=ok or MODE=ERRNO\n"
          "  exe-attack SECONDS [STOPFILE]\n"
          "                       try to write-open the runtime's binary (never writes)\n"
          "  sleep SECONDS\n"
          "  help\n",
          out);
}

int main(int argc, char **argv)
{
    const char *cmd;
    int n;
    if (argc < 2)
        usage_error("missing command (hutch-probe help lists them)");
    cmd = argv[1];
    n = argc - 2;
    argv += 2;
    if (strcmp(cmd, "caps") == 0 || strcmp(cmd, "status") == 0 || strcmp(cmd, "label") == 0 ||
        strcmp(cmd, "help") == 0) {
        if (n != 0)
            usage_error("%s takes no arguments", cmd);
    }
    if (strcmp(cmd, "caps") == 0)
        return cmd_caps();
    if (strcmp(cmd, "status") == 0)
        return cmd_status();
    if (strcmp(cmd, "syscall") == 0)
        return cmd_syscall(n, argv);
    if (strcmp(cmd, "label") == 0)
        return cmd_label();
    if (strcmp(cmd, "open") == 0)
        return cmd_open(n, argv);
    if (strcmp(cmd, "exe-attack") == 0)
        return cmd_exe_attack(n, argv);
    if (strcmp(cmd, "sleep") == 0)
        return cmd_sleep(n, argv);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
        help(stdout);
        return 0;
    }
    usage_error("unknown command %s (hutch-probe help lists them)", cmd);
}
