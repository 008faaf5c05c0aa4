/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "rootfs_path.h"

static int openat2_in_root(int rootfs_fd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };

    while (*path == '/')
        path++;
    if (*path == '\0')
        path = ".";
    return (int)syscall(SYS_openat2, rootfs_fd, path, &how, sizeof(how));
}

int rootfs_open(int rootfs_fd, const char *path, int flags, hutch_error *err)
{
    int fd = openat2_in_root(rootfs_fd, path, flags | O_PATH);

    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s in the rootfs", path);
    return fd;
}

int rootfs_open_or_create(int rootfs_fd, const char *path, bool as_file, hutch_error *err)
{
    hutch_autofree char *copy = strdup(path);
    char *slash;
    int fd;

    if (copy == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    fd = openat2_in_root(rootfs_fd, copy, O_PATH);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0)
            return hutch_error_syscall(err, errno, "open %s in the rootfs", path);
        return fd;
    }
    /* create the parent first (recursively), then the last component in it */
    while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
        copy[strlen(copy) - 1] = '\0';
    slash = strrchr(copy, '/');
    {
        hutch_autoclose int parent = -1;
        const char *name = slash != NULL ? slash + 1 : copy;

        if (slash != NULL && slash != copy) {
            *slash = '\0';
            parent = rootfs_open_or_create(rootfs_fd, copy, false, err);
        } else {
            parent = openat2_in_root(rootfs_fd, "/", O_PATH | O_DIRECTORY);
            if (parent < 0)
                hutch_error_syscall(err, errno, "open the rootfs");
        }
        if (parent < 0)
            return -err->code;
        if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0 || name[0] == '\0')
            return hutch_error_set(err, EINVAL, "%s: cannot create '%s'", path, name);
        if (as_file) {
            /* O_EXCL: an existing symlink is never followed to create its target */
            int created = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                 0644);
            if (created < 0 && errno != EEXIST)
                return hutch_error_syscall(err, errno, "create %s in the rootfs", path);
            if (created >= 0)
                close(created);
        } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
            return hutch_error_syscall(err, errno, "create directory %s in the rootfs", path);
        }
        /* open what is there now, resolved in the rootfs like everything else */
        fd = openat2_in_root(rootfs_fd, path, O_PATH);
        if (fd < 0) {
            if (errno == ENOENT)
                return hutch_error_set(
                        err, ENOENT, "%s: a symlink in the rootfs points to a missing path", path);
            return hutch_error_syscall(err, errno, "open %s in the rootfs", path);
        }
    }
    return fd;
}

void fd_path(int fd, char *buf, size_t size)
{
    snprintf(buf, size, "/proc/self/fd/%d", fd);
}
