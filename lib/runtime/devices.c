/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "devices.h"
#include "rootfs_path.h"

struct device {
    const char *path;
    mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
    unsigned major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

static const struct device default_devices[] = {
    { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },    { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
    { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },    { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
    { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 }, { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static const struct {
    const char *path;
    const char *target;
} default_links[] = {
    { "/dev/fd", "/proc/self/fd" },       { "/dev/stdin", "/proc/self/fd/0" },
    { "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
    { "/dev/ptmx", "pts/ptmx" },
};

/* Split "/dev/net/tun" into an open parent ("/dev/net", created if missing) and "tun". */
static int open_parent(int rootfs_fd, const char *path, const char **name, hutch_error *err)
{
    hutch_autofree char *dir = strdup(path);
    char *slash = dir != NULL ? strrchr(dir, '/') : NULL;

    if (dir == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    if (slash == NULL || slash[1] == '\0')
        return hutch_error_set(err, EINVAL, "device %s: not a path to a file", path);
    *name = path + (slash - dir) + 1;
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    return rootfs_open_or_create(rootfs_fd, dir, false, err);
}

/*
 * Bind the host's node at the same path onto an empty file: for user
 * namespaces. Only a device under /dev that is the very device asked for.
 */
static int bind_from_host(int parent, const char *name, const struct device *dev, hutch_error *err)
{
    const char *path = dev->path;
    hutch_autoclose int host = -1;
    hutch_autoclose int fd = -1;
    char source[64], target[64];
    struct stat st;
    int created;

    host = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (strncmp(path, "/dev/", 5) != 0 || strstr(path, "/../") != NULL || host < 0 ||
        fstat(host, &st) < 0 || (st.st_mode & S_IFMT) != dev->type ||
        major(st.st_rdev) != dev->major || minor(st.st_rdev) != dev->minor)
        return hutch_error_set(err, EPERM,
                               "device %s: in a user namespace it can only be bound from the "
                               "host's identical device node, and there is none",
                               path);

    created = openat(parent, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (created < 0)
        return hutch_error_syscall(err, errno, "create %s for the host's device", path);
    close(created);
    fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", path);
    fd_path(fd, target, sizeof(target));
    fd_path(host, source, sizeof(source));
    if (mount(source, target, NULL, MS_BIND, NULL) < 0)
        return hutch_error_syscall(err, errno, "bind the host's %s", path);
    return 0;
}

/* The node `name` in `parent` bound onto itself: a mount of its own, for its own flags. */
static int bind_onto_itself(int parent, const char *name, const char *path, hutch_error *err)
{
    hutch_autoclose int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    char target[64];

    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", path);
    fd_path(fd, target, sizeof(target));
    if (mount(target, target, NULL, MS_BIND, NULL) < 0)
        return hutch_error_syscall(err, errno, "bind %s onto itself", path);
    return 0;
}

static int create_device(int rootfs_fd, const struct device *dev, bool own_mount, hutch_error *err)
{
    hutch_autoclose int parent = -1;
    const char *name = NULL;

    parent = open_parent(rootfs_fd, dev->path, &name, err);
    if (parent < 0)
        return parent;
    if (mknodat(parent, name, dev->type | (dev->mode & 07777), makedev(dev->major, dev->minor)) <
        0) {
        if (errno == EEXIST) {
            struct stat st;
            /* the image's own node, or a mount of one: keep it if it is the same device */
            if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                (st.st_mode & S_IFMT) == dev->type && major(st.st_rdev) == dev->major &&
                minor(st.st_rdev) == dev->minor)
                return own_mount ? bind_onto_itself(parent, name, dev->path, err) : 0;
            if (unlinkat(parent, name, 0) < 0)
                return hutch_error_syscall(err, errno, "replace %s", dev->path);
            return create_device(rootfs_fd, dev, own_mount, err);
        }
        if (errno == EPERM && dev->type != S_IFIFO)
            return bind_from_host(parent, name, dev, err);
        return hutch_error_syscall(err, errno, "create device %s", dev->path);
    }
    /* mknod applied the umask: set the mode and the owner as asked */
    if (fchmodat(parent, name, dev->mode & 07777, 0) < 0)
        return hutch_error_syscall(err, errno, "set the mode of %s", dev->path);
    if (fchownat(parent, name, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return hutch_error_syscall(err, errno, "set the owner of %s", dev->path);
    return own_mount ? bind_onto_itself(parent, name, dev->path, err) : 0;
}

static mode_t device_type(const char *type)
{
    switch (type[0]) {
    case 'b':
        return S_IFBLK;
    case 'p':
        return S_IFIFO;
    default: /* "c" and "u" */
        return S_IFCHR;
    }
}

/*
 * A node that stays usable under devices_enforce_rules(): the default
 * devices and linux.devices are allowed whatever the rules say, as runc
 * appends them to the rules (fifos need no device access).
 */
static bool stays_usable(const struct device *dev)
{
    return dev->type != S_IFIFO;
}

int devices_create(const struct hutch_spec *spec, int rootfs_fd, bool enforce_rules,
                   hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;

    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
        const struct device *dev = &default_devices[i];
        if (create_device(rootfs_fd, dev, enforce_rules && stays_usable(dev), err) < 0)
            return -err->code;
    }
    for (size_t i = 0; l != NULL && i < l->devices.n; i++) {
        const struct hutch_spec_device *d = &l->devices.items[i];
        struct device dev = {
            .path = d->path,
            .type = device_type(d->type),
            .major = d->major.set ? (unsigned)d->major.value : 0,
            .minor = d->minor.set ? (unsigned)d->minor.value : 0,
            .mode = d->file_mode.set ? d->file_mode.value : 0666,
            .uid = d->uid.set ? d->uid.value : 0,
            .gid = d->gid.set ? d->gid.value : 0,
        };
        if (create_device(rootfs_fd, &dev, enforce_rules && stays_usable(&dev), err) < 0)
            return hutch_error_wrap(err, "linux.devices[%zu]", i);
    }
    for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++) {
        hutch_autoclose int parent = -1;
        const char *name = NULL;

        parent = open_parent(rootfs_fd, default_links[i].path, &name, err);
        if (parent < 0)
            return parent;
        if (symlinkat(default_links[i].target, parent, name) < 0 && errno != EEXIST)
            return hutch_error_syscall(err, errno, "link %s", default_links[i].path);
    }
    {
        hutch_autoclose int shm = rootfs_open_or_create(rootfs_fd, "/dev/shm", false, err);
        if (shm < 0)
            return shm;
    }
    return 0;
}

static const struct hutch_spec_resources *resources(const struct hutch_spec *spec)
{
    return spec->linux_cfg != NULL ? spec->linux_cfg->resources : NULL;
}

bool devices_all_allowed(const struct hutch_spec *spec)
{
    const struct hutch_spec_resources *r = resources(spec);
    bool all = true;

    for (size_t i = 0; r != NULL && i < r->devices.n; i++) {
        const struct hutch_spec_device_rule *rule = &r->devices.items[i];
        bool everything = (rule->type == NULL || rule->type[0] == 'a') &&
                          (!rule->major.set || rule->major.value == -1) &&
                          (!rule->minor.set || rule->minor.value == -1);
        if (rule->access != NULL && strpbrk(rule->access, "rw") == NULL)
            continue; /* "m" alone: about mknod, not about opening */
        if (!rule->allow)
            all = false; /* even a narrow deny */
        else if (everything)
            all = true;
    }
    return all;
}

/* Give the mount at `path` (inside the rootfs) its devices back. */
static int allow_devices_on(int rootfs_fd, const char *path, hutch_error *err)
{
    struct mount_attr attr = { .attr_clr = MOUNT_ATTR_NODEV };
    hutch_autoclose int fd = rootfs_open(rootfs_fd, path, 0, err);

    if (fd < 0)
        return fd;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return hutch_error_syscall(err, errno, "allow the device %s", path);
    return 0;
}

int devices_enforce_rules(const struct hutch_spec *spec, int rootfs_fd, hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;
    struct mount_attr nodev = { .attr_set = MOUNT_ATTR_NODEV };
    hutch_autoclose int pts = -1;
    struct statfs sfs;

    if (syscall(SYS_mount_setattr, rootfs_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &nodev,
                sizeof(nodev)) < 0)
        return hutch_error_syscall(err, errno, "make the rootfs nodev (device rules)");
    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
        if (stays_usable(&default_devices[i]) &&
            allow_devices_on(rootfs_fd, default_devices[i].path, err) < 0)
            return -err->code;
    for (size_t i = 0; l != NULL && i < l->devices.n; i++) {
        const struct hutch_spec_device *d = &l->devices.items[i];
        struct device dev = { .path = d->path,
                              .type = device_type(d->type),
                              .major = d->major.set ? (unsigned)d->major.value : 0,
                              .minor = d->minor.set ? (unsigned)d->minor.value : 0 };
        if (stays_usable(&dev) && allow_devices_on(rootfs_fd, d->path, err) < 0)
            return hutch_error_wrap(err, "linux.devices[%zu]", i);
    }
    /* the container's ptys (allowed as runc allows 136:* and 5:2): devpts makes no other
     * nodes */
    pts = rootfs_open(rootfs_fd, "/dev/pts", 0, err);
    if (pts < 0) {
        hutch_error_clear(err);
        return 0;
    }
    if (fstatfs(pts, &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC &&
        allow_devices_on(rootfs_fd, "/dev/pts", err) < 0)
        return -err->code;
    return 0;
}
