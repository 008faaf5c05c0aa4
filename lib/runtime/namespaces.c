/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "namespaces.h"

static const struct {
    const char *type;
    int flag;
} namespace_types[] = {
    { "user", CLONE_NEWUSER },     { "mount", CLONE_NEWNS },  { "pid", CLONE_NEWPID },
    { "network", CLONE_NEWNET },   { "uts", CLONE_NEWUTS },   { "ipc", CLONE_NEWIPC },
    { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

int namespace_flag(const char *type)
{
    for (size_t i = 0; i < sizeof(namespace_types) / sizeof(namespace_types[0]); i++)
        if (strcmp(namespace_types[i].type, type) == 0)
            return namespace_types[i].flag;
    return 0;
}

static const char *namespace_type_name(int flag)
{
    for (size_t i = 0; i < sizeof(namespace_types) / sizeof(namespace_types[0]); i++)
        if (namespace_types[i].flag == flag)
            return namespace_types[i].type;
    return "unknown";
}

int namespace_plan_prepare(const struct hutch_spec_linux *l, struct namespace_plan *plan,
                           hutch_error *err)
{
    memset(plan, 0, sizeof(*plan));
    if (l == NULL)
        return 0;
    for (size_t i = 0; i < l->namespaces.n; i++) {
        const struct hutch_spec_namespace *ns = &l->namespaces.items[i];
        int flag = namespace_flag(ns->type);
        struct namespace_join *j;
        int type;

        if (ns->path == NULL) {
            plan->create_flags |= flag;
            continue;
        }
        j = &plan->join[plan->n_join];
        j->flag = flag;
        j->path = ns->path;
        j->fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (j->fd < 0)
            return hutch_error_syscall(err, errno, "open %s namespace %s", ns->type, ns->path);
        plan->n_join++;
        type = ioctl(j->fd, NS_GET_NSTYPE);
        if (type < 0)
            return hutch_error_set(err, EINVAL, "%s namespace %s: not a namespace file", ns->type,
                                   ns->path);
        if (type != flag)
            return hutch_error_set(err, EINVAL,
                                   "%s namespace %s: the file is a %s namespace, not a %s one",
                                   ns->type, ns->path, namespace_type_name(type), ns->type);
    }
    /* the user namespace is joined first, so that the others are joined with its rights */
    for (size_t i = 1; i < plan->n_join; i++) {
        if (plan->join[i].flag == CLONE_NEWUSER) {
            struct namespace_join user = plan->join[i];
            memmove(&plan->join[1], &plan->join[0], i * sizeof(plan->join[0]));
            plan->join[0] = user;
        }
    }
    return 0;
}

int namespace_plan_join(const struct namespace_plan *plan, hutch_error *err)
{
    for (size_t i = 0; i < plan->n_join; i++)
        if (setns(plan->join[i].fd, plan->join[i].flag) < 0)
            return hutch_error_syscall(err, errno, "join %s namespace %s",
                                       namespace_type_name(plan->join[i].flag), plan->join[i].path);
    return 0;
}

void namespace_plan_close(struct namespace_plan *plan)
{
    for (size_t i = 0; i < plan->n_join; i++)
        if (plan->join[i].fd >= 0)
            close(plan->join[i].fd);
    plan->n_join = 0;
}
