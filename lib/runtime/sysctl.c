/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "../core/io.h"
#include "sysctl.h"

/* IPC sysctls (man 7 ipc_namespaces); the fs.mqueue.* ones are matched by prefix. */
static const char *const ipc_keys[] = {
    "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",      "kernel.sem",
    "kernel.shmall",      "kernel.shmmax",      "kernel.shmmni",      "kernel.shm_rmid_forced",
    "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id", NULL,
};

/* The namespace a key belongs to (CLONE_NEW*), or 0 when it is global. */
static int key_namespace(const char *key)
{
    if (strncmp(key, "net.", 4) == 0)
        return CLONE_NEWNET;
    if (strncmp(key, "fs.mqueue.", 10) == 0)
        return CLONE_NEWIPC;
    for (size_t i = 0; ipc_keys[i] != NULL; i++)
        if (strcmp(ipc_keys[i], key) == 0)
            return CLONE_NEWIPC;
    if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
        return CLONE_NEWUTS;
    return 0;
}

/* "net/ipv4/ip_forward" -> "net.ipv4.ip_forward" */
static void dotted(const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s", key);
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '/')
            *p = '.';
}

int sysctl_check(const struct hutch_spec *spec, int create_flags, hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;
    char key[256];

    for (size_t i = 0; l != NULL && i < l->sysctl.n; i++) {
        int ns;
        dotted(l->sysctl.items[i].key, key, sizeof(key));
        ns = key_namespace(key);
        if (ns == 0)
            return hutch_error_set(err, EINVAL,
                                   "linux.sysctl: %s is not namespaced: setting it would change "
                                   "the host; refused",
                                   key);
        if (!(create_flags & ns))
            return hutch_error_set(err, EINVAL,
                                   "linux.sysctl: %s needs a %s namespace of the container's own",
                                   key,
                                   ns == CLONE_NEWNET   ? "network"
                                   : ns == CLONE_NEWIPC ? "ipc"
                                                        : "uts");
    }
    return 0;
}

int sysctl_apply(const struct hutch_spec *spec, hutch_error *err)
{
    const struct hutch_spec_linux *l = spec->linux_cfg;

    for (size_t i = 0; l != NULL && i < l->sysctl.n; i++) {
        hutch_autoclose int fd = -1;
        const char *value = l->sysctl.items[i].value;
        char path[300], key[256];

        dotted(l->sysctl.items[i].key, key, sizeof(key));
        snprintf(path, sizeof(path), "/proc/sys/%s", key);
        for (char *p = path + strlen("/proc/sys/"); *p != '\0'; p++)
            if (*p == '.')
                *p = '/';
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return hutch_error_syscall(err, errno, "linux.sysctl: %s", key);
        if (hutch_write_all(fd, value, strlen(value)) < 0)
            return hutch_error_syscall(err, errno, "linux.sysctl: set %s to \"%s\"", key, value);
    }
    return 0;
}
