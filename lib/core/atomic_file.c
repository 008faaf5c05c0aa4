/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "atomic_file.h"
#include "io.h"

/* Split `path` into a directory to open and the file name within it. */
static int split_path(const char *path, char **dir, const char **name, hutch_error *err)
{
    const char *slash = strrchr(path, '/');

    if (path[0] == '\0' || (slash != NULL && slash[1] == '\0'))
        return hutch_error_set(err, EINVAL, "write %s: not a file name", path);
    if (slash == NULL) {
        *dir = strdup(".");
        *name = path;
    } else if (slash == path) {
        *dir = strdup("/");
        *name = slash + 1;
    } else {
        *dir = strndup(path, (size_t)(slash - path));
        *name = slash + 1;
    }
    if (*dir == NULL)
        return hutch_error_set(err, ENOMEM, "write %s: out of memory", path);
    return 0;
}

/* Create a fresh temporary file next to the target; returns its fd. */
static int create_temporary(int dirfd, const char *name, mode_t mode, char *tmp, size_t tmp_size)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned int nonce = 0;
        int fd;

        if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != sizeof(nonce))
            nonce = (unsigned int)getpid() * 2654435761u + (unsigned int)attempt;
        if ((size_t)snprintf(tmp, tmp_size, ".%.200s.tmp-%08x", name, nonce) >= tmp_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Move the temporary file into place, without replacing when asked not to. */
static int publish(int dirfd, const char *tmp, const char *name, unsigned flags)
{
    if (!(flags & HUTCH_ATOMIC_NOREPLACE))
        return renameat(dirfd, tmp, dirfd, name);
    if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* The file system has no RENAME_NOREPLACE: link() fails on an existing name too. */
    if (linkat(dirfd, tmp, dirfd, name, 0) < 0)
        return -1;
    unlinkat(dirfd, tmp, 0);
    return 0;
}

int hutch_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                            unsigned flags, hutch_error *err)
{
    hutch_autofree char *dir = NULL;
    hutch_autoclose int dirfd = -1;
    hutch_autoclose int fd = -1;
    char tmp[NAME_MAX + 1];
    const char *name = NULL;
    int saved;

    if (split_path(path, &dir, &name, err) < 0)
        return -err->code;
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return hutch_error_syscall(err, errno, "write %s: open directory %s", path, dir);
    fd = create_temporary(dirfd, name, mode, tmp, sizeof(tmp));
    if (fd < 0)
        return hutch_error_syscall(err, errno, "write %s: create temporary file", path);
    if (hutch_write_all(fd, data, len) < 0 || (!(flags & HUTCH_ATOMIC_NO_SYNC) && fsync(fd) < 0))
        goto fail;
    if (close(hutch_steal_fd(&fd)) < 0)
        goto fail;
    if (publish(dirfd, tmp, name, flags) < 0) {
        saved = errno;
        unlinkat(dirfd, tmp, 0);
        if (saved == EEXIST)
            return hutch_error_set(err, EEXIST, "%s already exists", path);
        return hutch_error_syscall(err, saved, "write %s: rename into place", path);
    }
    if (!(flags & HUTCH_ATOMIC_NO_SYNC) && fsync(dirfd) < 0)
        return hutch_error_syscall(err, errno, "write %s: sync directory %s", path, dir);
    return 0;

fail:
    saved = errno;
    unlinkat(dirfd, tmp, 0);
    return hutch_error_syscall(err, saved, "write %s", path);
}
