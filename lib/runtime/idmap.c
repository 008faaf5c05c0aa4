/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#include "../core/io.h"
#include "../core/spawn.h"
#include "../core/strbuf.h"
#include "idmap.h"

#define SUBUID_FILE "/etc/subuid"
#define SUBGID_FILE "/etc/subgid"

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;

    if (!isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int subid_ranges(const char *file, const char *user, uid_t uid, struct subid_range **out, size_t *n,
                 hutch_error *err)
{
    hutch_autofclose FILE *f = fopen(file, "re");
    hutch_autofree char *line = NULL;
    struct subid_range *ranges = NULL;
    size_t cap = 0, count = 0, size = 0;
    char uid_text[16];

    *out = NULL;
    *n = 0;
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        return hutch_error_syscall(err, errno, "open %s", file);
    }
    snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)uid);
    while (getline(&line, &size, f) >= 0) {
        char *name = line, *start, *len_text;
        uint32_t first, len;

        line[strcspn(line, "\n")] = '\0';
        start = strchr(name, ':');
        if (name[0] == '#' || start == NULL)
            continue;
        *start++ = '\0';
        len_text = strchr(start, ':');
        if (len_text == NULL)
            continue;
        *len_text++ = '\0';
        if ((user == NULL || strcmp(name, user) != 0) && strcmp(name, uid_text) != 0)
            continue;
        /* a malformed line grants nothing, as in shadow-utils */
        if (!parse_u32(start, &first) || !parse_u32(len_text, &len) || len == 0 ||
            (uint64_t)first + len > UINT32_MAX)
            continue;
        if (count == cap) {
            struct subid_range *grown = reallocarray(ranges, cap ? cap * 2 : 4, sizeof(*ranges));
            if (grown == NULL) {
                free(ranges);
                return hutch_error_set(err, ENOMEM, "read %s: out of memory", file);
            }
            ranges = grown;
            cap = cap ? cap * 2 : 4;
        }
        ranges[count].start = first;
        ranges[count].count = len;
        count++;
    }
    *out = ranges;
    *n = count;
    return 0;
}

/* Whether [start, start+count) lies in one of the ranges or is the own id. */
static bool covered(uint32_t start, uint32_t count, uint32_t own, const struct subid_range *r,
                    size_t n)
{
    if (start == own && count == 1)
        return true;
    for (size_t i = 0; i < n; i++)
        if (start >= r[i].start && (uint64_t)start + count <= (uint64_t)r[i].start + r[i].count)
            return true;
    return false;
}

int idmap_check_allowed(const hutch_spec_idmaps *maps, const char *what, uint32_t own,
                        const char *file, const char *user, uid_t uid, hutch_error *err)
{
    hutch_autofree struct subid_range *ranges = NULL;
    size_t n = 0;
    char name[64];

    if (subid_ranges(file, user, uid, &ranges, &n, err) < 0)
        return -err->code;
    snprintf(name, sizeof(name), "%s", user != NULL ? user : "");
    if (name[0] == '\0')
        snprintf(name, sizeof(name), "%u", (unsigned)uid);
    for (size_t i = 0; i < maps->n; i++) {
        const struct hutch_spec_idmap *m = &maps->items[i];
        if (covered(m->host_id, m->size, own, ranges, n))
            continue;
        return hutch_error_set(err, EPERM,
                               "%s: user %s has no subordinate ids %" PRIu32 "-%" PRIu64
                               " (needed by linux.%s[%zu]); add them with 'usermod "
                               "--add-sub%cids %" PRIu32 "-%" PRIu64 " %s' or a line '%s:%" PRIu32
                               ":%" PRIu32 "' in %s",
                               file, name, m->host_id, (uint64_t)m->host_id + m->size - 1, what, i,
                               what[0], m->host_id, (uint64_t)m->host_id + m->size - 1, name, name,
                               m->host_id, m->size, file);
    }
    return 0;
}

static int format_map(const hutch_spec_idmaps *maps, struct strbuf *out)
{
    for (size_t i = 0; i < maps->n; i++)
        strbuf_printf(out, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", maps->items[i].container_id,
                      maps->items[i].host_id, maps->items[i].size);
    return out->failed ? -ENOMEM : 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *text, hutch_error *err)
{
    hutch_autoclose int fd = -1;
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", path);
    if (hutch_write_all(fd, text, strlen(text)) < 0)
        return hutch_error_syscall(err, errno, "write %s", path);
    return 0;
}

static int write_direct(pid_t pid, const hutch_spec_idmaps *uids, const hutch_spec_idmaps *gids,
                        bool deny_setgroups, hutch_error *err)
{
    struct strbuf u = STRBUF_INIT, g = STRBUF_INIT;
    int ret = 0;

    if (format_map(uids, &u) < 0 || format_map(gids, &g) < 0)
        ret = hutch_error_set(err, ENOMEM, "out of memory");
    if (ret == 0 && deny_setgroups)
        ret = write_proc_file(pid, "setgroups", "deny", err);
    if (ret == 0)
        ret = write_proc_file(pid, "uid_map", strbuf_str(&u), err);
    if (ret == 0)
        ret = write_proc_file(pid, "gid_map", strbuf_str(&g), err);
    strbuf_release(&u);
    strbuf_release(&g);
    return ret;
}

/* Run newuidmap/newgidmap PID ID HOST SIZE...; its complaint becomes the message. */
static int run_helper(const char *helper, pid_t pid, const hutch_spec_idmaps *maps,
                      hutch_error *err)
{
    size_t argc = 2 + 3 * maps->n + 1;
    hutch_autofree char **argv = calloc(argc, sizeof(char *));
    hutch_autofree char *numbers = malloc(argc * 12);
    char output[512];
    int rc;

    if (argv == NULL || numbers == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    argv[0] = (char *)helper;
    argv[1] = numbers;
    snprintf(numbers, 12, "%d", (int)pid);
    for (size_t i = 0; i < maps->n; i++) {
        uint32_t v[3] = { maps->items[i].container_id, maps->items[i].host_id,
                          maps->items[i].size };
        for (size_t k = 0; k < 3; k++) {
            char *slot = numbers + (2 + 3 * i + k) * 12;
            snprintf(slot, 12, "%" PRIu32, v[k]);
            argv[2 + 3 * i + k] = slot;
        }
    }
    rc = hutch_spawn_output(argv, output, sizeof(output));
    if (rc == -ENOENT)
        return hutch_error_set(err, ENOENT,
                               "%s not found: it maps subordinate ids for unprivileged users; "
                               "install it (Debian: apt-get install uidmap)",
                               helper);
    if (rc < 0)
        return hutch_error_syscall(err, -rc, "run %s", helper);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
        return hutch_error_set(err, EPERM, "%s failed: %s", helper,
                               output[0] ? output : "no reason given");
    return 0;
}

bool idmap_is_own_single(const hutch_spec_idmaps *maps, uint32_t own)
{
    return maps->n == 1 && maps->items[0].host_id == own && maps->items[0].size == 1;
}

int idmap_write(pid_t pid, const hutch_spec_idmaps *uids, const hutch_spec_idmaps *gids,
                hutch_error *err)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    char name[256];
    const char *user;

    if (uid == 0)
        return write_direct(pid, uids, gids, false, err);
    if (idmap_is_own_single(uids, uid) && idmap_is_own_single(gids, gid))
        return write_direct(pid, uids, gids, true, err);
    user = hutch_user_name(uid, name, sizeof(name)) ? name : NULL;
    if (idmap_check_allowed(uids, "uidMappings", uid, SUBUID_FILE, user, uid, err) < 0 ||
        idmap_check_allowed(gids, "gidMappings", gid, SUBGID_FILE, user, uid, err) < 0)
        return -err->code;
    if (run_helper("newuidmap", pid, uids, err) < 0 || run_helper("newgidmap", pid, gids, err) < 0)
        return -err->code;
    return 0;
}
