/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.namespaces: which to create, which to join by path, and joining them. */
#ifndef HUTCH_RUNTIME_NAMESPACES_H
#define HUTCH_RUNTIME_NAMESPACES_H

#include <sched.h>
#include <stdbool.h>

#include <hutch/error.h>
#include <hutch/spec.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6; older C libraries lack the name */
#endif

/* The CLONE_NEW* flag of a spec namespace type ("pid" -> CLONE_NEWPID), 0 if unknown. */
int namespace_flag(const char *type);

struct namespace_join {
    int flag; /* CLONE_NEW* */
    int fd;   /* open on the namespace file */
    const char *path;
};

struct namespace_plan {
    int create_flags;              /* namespaces to create */
    struct namespace_join join[8]; /* namespaces to join, the user namespace first */
    size_t n_join;
};

/*
 * Open every namespace path of `l` (checking that the file is a namespace of
 * the declared type) and work out the flags of those to create.
 */
int namespace_plan_prepare(const struct hutch_spec_linux *l, struct namespace_plan *plan,
                           hutch_error *err);

/* setns() into every namespace to join, user namespace first. */
int namespace_plan_join(const struct namespace_plan *plan, hutch_error *err);

void namespace_plan_close(struct namespace_plan *plan);

#endif
