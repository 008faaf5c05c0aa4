/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runtime runs from a sealed in-memory copy of its executable, so that
 * a container process that reaches a runtime process's /proc/PID/exe (while
 * it joins the container) finds a file nobody can write, not the binary on
 * disk that root runs next time.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* Our executable is already a memfd with every seal: nothing to do. */
static bool running_sealed(int exe_fd)
{
    int seals = fcntl(exe_fd, F_GET_SEALS);

    return seals >= 0 && (seals & SEALS) == SEALS;
}

/* memfd_create that may hold an executable, on kernels before and after MFD_EXEC. */
static int exec_memfd(const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd;
}

static int copy_all(int from, int to, off_t size)
{
    off_t done = 0;

    while (done < size) {
        ssize_t n = sendfile(to, from, NULL, (size_t)(size - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? (errno = EIO, -1) : -1;
        done += n;
    }
    return 0;
}

int hutch_reexec_sealed(char *const argv[], hutch_error *err)
{
    hutch_autoclose int exe = -1, copy = -1;
    struct stat st;

    exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0)
        return hutch_error_syscall(err, errno, "open /proc/self/exe");
    if (running_sealed(exe)) {
        /* the kernel named us after the fd we were executed from: take our name back */
        const char *slash = strrchr(argv[0], '/');
        prctl(PR_SET_NAME, slash != NULL ? slash + 1 : argv[0], 0, 0, 0);
        return 0;
    }
    if (fstat(exe, &st) < 0)
        return hutch_error_syscall(err, errno, "stat /proc/self/exe");
    copy = exec_memfd("hutch-runtime");
    if (copy < 0)
        return hutch_error_syscall(err, errno, "make a sealed copy of the runtime: memfd_create");
    if (copy_all(exe, copy, st.st_size) < 0)
        return hutch_error_syscall(err, errno, "make a sealed copy of the runtime: copy");
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
        return hutch_error_syscall(err, errno, "make a sealed copy of the runtime: seal");
    syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
    return hutch_error_syscall(err, errno, "execute the sealed copy of the runtime");
}
