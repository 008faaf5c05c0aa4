/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "lsm.h"
#include "mount_options.h"
#include "mounts.h"
#include "rootfs_path.h"

#define FLAG_OPTIONS                                                                               \
    (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |     \
     MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_SILENT |        \
     MS_I_VERSION)

static unsigned long current_flags(int fd)
{
    static const struct {
        unsigned long st, ms;
    } map[] = {
        { ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },
        { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
        { ST_RELATIME, MS_RELATIME },
    };
    struct statvfs st;
    unsigned long flags = 0;

    if (fstatvfs(fd, &st) < 0)
        return 0;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (st.f_flag & map[i].st)
            flags |= map[i].ms;
    return flags;
}

int remount_keeping_locked(int fd, unsigned long flags, unsigned long clear, const char *what,
                           hutch_error *err)
{
    char target[64];
    unsigned long keep = current_flags(fd) & ~clear;

    /* an explicit atime choice replaces the one the mount had */
    if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
        keep &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
    fd_path(fd, target, sizeof(target));
    if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags | keep, NULL) < 0)
        return hutch_error_syscall(err, errno, "remount %s with its options", what);
    return 0;
}

static bool is_bind(const struct hutch_spec_mount *m, const struct mount_options *o)
{
    return o->bind || (m->type != NULL && strcmp(m->type, "bind") == 0);
}

static bool is_type(const struct hutch_spec_mount *m, const char *type)
{
    return m->type != NULL && strcmp(m->type, type) == 0;
}

/* Bind `source` (a host path) on `target`; recursive for rbind. */
static int bind(const char *source, const char *target, bool recursive)
{
    return mount(source, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL);
}

/*
 * A new file system of m->type. Where the kernel does not let this
 * container make one (sysfs without a network namespace of its own, cgroup
 * or mqueue without the namespace), the host's is bound instead, read-only
 * for sysfs and cgroup.
 */
static int mount_new(const struct hutch_spec_mount *m, const struct mount_options *o,
                     const struct lsm_plan *lsm, const char *target, bool *bound_from_host,
                     hutch_error *err)
{
    const char *type = m->type != NULL ? m->type : "none";
    const char *source = m->source != NULL ? m->source : type;
    const char *host = NULL;
    hutch_autofree char *labeled = NULL;
    int saved;

    *bound_from_host = false;
    if (is_type(m, "cgroup") || is_type(m, "cgroup2")) {
        /* only the unified hierarchy: hutch never mounts or writes cgroup v1 */
        if (mount("cgroup2", target, "cgroup2", o->flags, NULL) == 0)
            return 0;
        host = "/sys/fs/cgroup";
    } else {
        if (lsm_mount_data(lsm, type, o->data, &labeled) < 0)
            return hutch_error_set(err, ENOMEM, "out of memory");
        if (mount(source, target, type, o->flags, labeled != NULL ? labeled : o->data) == 0)
            return 0;
        if (is_type(m, "sysfs"))
            host = "/sys";
        else if (is_type(m, "mqueue"))
            host = "/dev/mqueue";
    }
    saved = errno;
    if (host != NULL && (saved == EPERM || saved == EBUSY || saved == EINVAL || saved == ENOENT)) {
        if (bind(host, target, true) == 0) {
            *bound_from_host = true;
            return 0;
        }
        return hutch_error_syscall(err, errno, "bind host %s on %s (mounting %s failed: %s)", host,
                                   m->destination, type, strerror(saved));
    }
    return hutch_error_syscall(err, saved, "mount %s on %s", type, m->destination);
}

static int mount_one(const struct hutch_spec_mount *m, int rootfs_fd, const struct lsm_plan *lsm,
                     hutch_error *err)
{
    struct mount_options o;
    hutch_autoclose int fd = -1;
    bool as_file = false, bound_from_host = false;
    unsigned long remount_flags;
    char target[64];
    int ret = 0;

    if (mount_options_parse(&m->options, &o, err) < 0)
        return -err->code;
    if (is_bind(m, &o) && o.data != NULL) {
        /* a bind mount has no file system to take these: refuse rather than drop them */
        ret = hutch_error_set(err, EINVAL, "bind mount on %s: unknown option(s) %s", m->destination,
                              o.data);
        goto out;
    }
    if (is_bind(m, &o)) {
        struct stat st;
        if (m->source == NULL) {
            ret = hutch_error_set(err, EINVAL, "bind mount on %s: no source", m->destination);
            goto out;
        }
        if (stat(m->source, &st) < 0) {
            ret = hutch_error_syscall(err, errno, "bind mount source %s", m->source);
            goto out;
        }
        as_file = !S_ISDIR(st.st_mode);
    }
    fd = rootfs_open_or_create(rootfs_fd, m->destination, as_file, err);
    if (fd < 0) {
        ret = fd;
        goto out;
    }
    fd_path(fd, target, sizeof(target));
    if (is_bind(m, &o)) {
        if (bind(m->source, target, o.recursive) < 0) {
            ret = hutch_error_syscall(err, errno, "bind %s on %s", m->source, m->destination);
            goto out;
        }
    } else if (mount_new(m, &o, lsm, target, &bound_from_host, err) < 0) {
        ret = -err->code;
        goto out;
    }
    /* from here on, work on the new mount: reopen the destination, which now leads to it */
    close(hutch_steal_fd(&fd));
    fd = rootfs_open(rootfs_fd, m->destination, 0, err);
    if (fd < 0) {
        ret = fd;
        goto out;
    }
    if (is_type(m, "mqueue") && !bound_from_host) {
        fd_path(fd, target, sizeof(target));
        if (lsm_label_mount_root(lsm, target, m->destination, err) < 0) {
            ret = -err->code;
            goto out;
        }
    }
    remount_flags = o.flags & FLAG_OPTIONS;
    if (bound_from_host && !is_type(m, "mqueue"))
        remount_flags |= MS_RDONLY;
    if ((is_bind(m, &o) || bound_from_host) && remount_flags != 0 &&
        remount_keeping_locked(fd, remount_flags, o.clear, m->destination, err) < 0) {
        ret = -err->code;
        goto out;
    }
    /* the host's /sys or /sys/fs/cgroup bound in: read-only with every submount */
    if (o.recursive_readonly || (bound_from_host && !is_type(m, "mqueue")))
        o.attr_set |= MOUNT_ATTR_RDONLY;
    if (o.attr_set != 0 || o.attr_clr != 0) {
        struct mount_attr attr = { .attr_set = o.attr_set, .attr_clr = o.attr_clr };
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
            0) {
            ret = hutch_error_syscall(err, errno, "apply the recursive options of %s",
                                      m->destination);
            goto out;
        }
    }
    if (o.propagation != 0) {
        fd_path(fd, target, sizeof(target));
        if (mount(NULL, target, NULL, o.propagation, NULL) < 0)
            ret = hutch_error_syscall(err, errno, "set the propagation of %s", m->destination);
    }
out:
    mount_options_release(&o);
    return ret;
}

int mounts_apply(const struct hutch_spec *spec, int rootfs_fd, const struct lsm_plan *lsm,
                 hutch_error *err)
{
    for (size_t i = 0; i < spec->mounts.n; i++)
        if (mount_one(&spec->mounts.items[i], rootfs_fd, lsm, err) < 0)
            return hutch_error_wrap(err, "mounts[%zu]", i);
    return 0;
}
