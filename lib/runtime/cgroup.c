/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the container's cgroup goes and making it: the host, delegation, paths, controllers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "cgroup.h"

bool cgroup_v2_mounted(const char *mount)
{
    struct statfs fs;

    return statfs(mount, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_of_process(const char *proc_cgroup_file, char **out, hutch_error *err)
{
    hutch_autofree char *data = NULL;
    char *line, *save = NULL;
    size_t len;

    *out = NULL;
    if (hutch_read_file(proc_cgroup_file, 1 << 16, &data, &len, err) < 0)
        return -err->code;
    for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "0::", 3) == 0) {
            *out = strdup(line + 3);
            if (*out == NULL)
                return hutch_error_set(err, ENOMEM, "out of memory");
            return 0;
        }
    return hutch_error_set(err, ENOENT, "%s: no cgroup v2 entry (0::)", proc_cgroup_file);
}

/* A cgroup of `uid`'s own: the directory and the files that delegation hands over. */
static bool owned_by(const char *dir, uid_t uid)
{
    static const char *const files[] = { "", "/cgroup.procs", "/cgroup.subtree_control" };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        hutch_autofree char *path = NULL;
        struct stat st;
        if (asprintf(&path, "%s%s", dir, files[i]) < 0) {
            path = NULL;
            return false;
        }
        if (stat(path, &st) < 0 || st.st_uid != uid)
            return false;
        if (i > 0 && access(path, W_OK) < 0)
            return false;
    }
    return true;
}

int cgroup_delegated_root(const char *mount, const char *self, uid_t uid, char **out,
                          hutch_error *err)
{
    hutch_autofree char *rel = strdup(self);
    char *found = NULL;

    *out = NULL;
    if (rel == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    while (rel[0] == '/' && rel[1] != '\0') {
        hutch_autofree char *dir = NULL;
        char *slash;
        if (asprintf(&dir, "%s%s", mount, rel) < 0) {
            dir = NULL;
            free(found);
            return hutch_error_set(err, ENOMEM, "out of memory");
        }
        if (!owned_by(dir, uid))
            break;
        free(found);
        found = strdup(rel);
        if (found == NULL)
            return hutch_error_set(err, ENOMEM, "out of memory");
        slash = strrchr(rel, '/');
        if (slash == rel)
            break; /* the mount's root is never delegated */
        *slash = '\0';
    }
    *out = found;
    return 0;
}

int cgroup_resolve_path(const char *cgroups_path, const char *top, const char *id, char **out,
                        hutch_error *err)
{
    const char *p = cgroups_path != NULL ? cgroups_path : "";
    const char *c;
    int n;

    *out = NULL;
    for (c = p; *c != '\0';) {
        size_t len = strcspn(c, "/");
        if (len == 2 && c[0] == '.' && c[1] == '.')
            return hutch_error_set(
                    err, EINVAL, "linux.cgroupsPath \"%s\": a \"..\" component is not allowed", p);
        c += len;
        c += strspn(c, "/");
    }
    if (p[0] == '/')
        n = asprintf(out, "%s", p);
    else
        n = asprintf(out, "%s/%s/%s", top, CGROUP_DEFAULT_PARENT, p[0] != '\0' ? p : id);
    if (n < 0) {
        *out = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    /* no trailing slash, and no doubled ones */
    for (char *r = *out, *w = *out;; r++) {
        if (*r == '/' && (r[1] == '/' || r[1] == '\0') && w != *out)
            continue;
        *w++ = *r;
        if (*r == '\0')
            break;
    }
    if (strcmp(*out, "/") == 0) {
        free(*out);
        *out = NULL;
        return hutch_error_set(err, EINVAL,
                               "linux.cgroupsPath \"%s\": the root cgroup cannot be a "
                               "container's",
                               p);
    }
    return 0;
}

/* Whether the word `name` is in the space-separated list of the file at `path`. */
static int file_has_word(const char *path, const char *name, bool *has, hutch_error *err)
{
    hutch_autofree char *data = NULL;
    size_t len, nlen = strlen(name);

    *has = false;
    if (hutch_read_file(path, 1 << 16, &data, &len, err) < 0)
        return -err->code;
    for (char *w = data; *w != '\0';) {
        size_t wl;
        w += strspn(w, " \n");
        wl = strcspn(w, " \n");
        if (wl == nlen && memcmp(w, name, nlen) == 0)
            *has = true;
        w += wl;
    }
    return 0;
}

static int enable_controller(const char *dir, const char *name, bool needed, hutch_error *err)
{
    hutch_autofree char *controllers = NULL, *subtree = NULL;
    hutch_autoclose int fd = -1;
    char line[32];
    bool has;

    if (asprintf(&controllers, "%s/cgroup.controllers", dir) < 0 ||
        asprintf(&subtree, "%s/cgroup.subtree_control", dir) < 0)
        return hutch_error_set(err, ENOMEM, "out of memory");
    if (file_has_word(subtree, name, &has, err) < 0 || has)
        return has ? 0 : -err->code;
    if (file_has_word(controllers, name, &has, err) < 0)
        return -err->code;
    if (!has)
        return needed ? hutch_error_set(err, ENOTSUP,
                                        "the %s controller is not available in %s (not in its "
                                        "cgroup.controllers)",
                                        name, dir)
                      : 0;
    snprintf(line, sizeof(line), "+%s", name);
    fd = open(subtree, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 || hutch_write_all(fd, line, strlen(line)) < 0) {
        if (!needed)
            return 0;
        return hutch_error_syscall(err, errno, "enable the %s controller in %s", name, subtree);
    }
    return 0;
}

static int make_dir(const char *path, char **created_top, hutch_error *err)
{
    if (mkdir(path, 0755) == 0) {
        if (*created_top == NULL && (*created_top = strdup(path)) == NULL)
            return hutch_error_set(err, ENOMEM, "out of memory");
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    return hutch_error_syscall(err, errno, "create cgroup %s", path);
}

/* Whether the cgroup at `path` has child cgroups; -1 (errno set) when it cannot be read. */
static int has_children(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    int found = 0;

    if (dir == NULL)
        return -1;
    while (!found && (e = readdir(dir)) != NULL)
        found = e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dir);
    return found;
}

/*
 * An existing cgroup is taken only while empty, with no processes and no child
 * cgroups: it must not be another container's or a service's, whose processes
 * delete's cgroup.kill would end.
 */
static int check_empty(const char *path, hutch_error *err)
{
    hutch_autofree char *procs = NULL, *data = NULL;
    size_t len;
    int children;

    if (asprintf(&procs, "%s/cgroup.procs", path) < 0) {
        procs = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (hutch_read_file(procs, 1 << 20, &data, &len, err) < 0)
        return -err->code;
    if (len > 0)
        return hutch_error_set(err, EEXIST,
                               "cgroup %s exists and holds processes: it belongs to another "
                               "container or service",
                               path);
    children = has_children(path);
    if (children < 0)
        return hutch_error_syscall(err, errno, "read cgroup %s", path);
    if (children > 0)
        return hutch_error_set(err, EEXIST,
                               "cgroup %s exists and has cgroups below it: a container's cgroup "
                               "must be a new or empty leaf",
                               path);
    return 0;
}

int cgroup_make(const char *mount, const char *top, const char *rel, unsigned int needed,
                unsigned int wanted, char **created_top, hutch_error *err)
{
    hutch_autofree char *path = NULL;
    size_t top_len = strlen(mount) + strlen(top), end;
    int ret = 0;

    *created_top = NULL;
    if (asprintf(&path, "%s%s", mount, rel) < 0) {
        path = NULL;
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    if (strncmp(rel, top, strlen(top)) != 0 || (rel[strlen(top)] != '/' && top[0] != '\0'))
        top_len = strlen(mount); /* outside what is delegated: from the root */
    end = strlen(path);
    /* every ancestor from top down: made if missing, then controllers for its children */
    for (size_t i = top_len; ret == 0 && i <= end; i++) {
        char saved;
        if (i != end && path[i] != '/')
            continue;
        saved = path[i];
        path[i] = '\0';
        if (i > top_len)
            ret = make_dir(path, created_top, err);
        for (unsigned int bit = 1; ret == 0 && i != end && bit <= CGROUP_CONTROLLERS_ALL; bit <<= 1)
            if ((needed | wanted) & bit)
                ret = enable_controller(path, cgroup_controller_name(bit), (needed & bit) != 0,
                                        err);
        path[i] = saved;
    }
    if (ret == 0 && *created_top == NULL)
        ret = check_empty(path, err);
    if (ret < 0 && *created_top != NULL) {
        hutch_error ignored = HUTCH_ERROR_INIT;
        cgroup_remove(path, *created_top, &ignored);
        hutch_error_clear(&ignored);
        free(*created_top);
        *created_top = NULL;
    }
    return ret;
}
