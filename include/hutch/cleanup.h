/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope-bound cleanup for the resources hutch code holds: heap memory, file
 * descriptors, FILE and DIR streams, and child processes. A variable
 * declared with one of these attributes is released when it goes out of
 * scope, so an early return leaks nothing. Hand ownership on with
 * hutch_steal_pointer() / hutch_steal_fd(). Every cleanup accepts NULL / -1
 * and keeps errno unchanged.
 */
#ifndef HUTCH_CLEANUP_H
#define HUTCH_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void hutch_freep(void *p)
{
    int saved = errno;
    free(*(void **)p);
    errno = saved;
}

static inline void hutch_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

static inline void hutch_fclosep(FILE **f)
{
    if (*f != NULL) {
        int saved = errno;
        fclose(*f);
        errno = saved;
    }
}

static inline void hutch_closedirp(DIR **d)
{
    if (*d != NULL) {
        int saved = errno;
        closedir(*d);
        errno = saved;
    }
}

/* A child that is still owned when the scope ends is killed and reaped. */
static inline void hutch_killpidp(pid_t *pid)
{
    if (*pid > 0) {
        int saved = errno;
        kill(*pid, SIGKILL);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
            ;
        errno = saved;
    }
}

#define hutch_autofree     __attribute__((cleanup(hutch_freep)))
#define hutch_autoclose    __attribute__((cleanup(hutch_closep)))
#define hutch_autofclose   __attribute__((cleanup(hutch_fclosep)))
#define hutch_autoclosedir __attribute__((cleanup(hutch_closedirp)))
#define hutch_autokillpid  __attribute__((cleanup(hutch_killpidp)))

/* Take the pointer out of `*pp`, leaving NULL behind for the cleanup. */
static inline void *hutch_steal_pointer(void *pp)
{
    void **p = pp;
    void *value = *p;
    *p = NULL;
    return value;
}

/* Take the fd out of `*fd`, leaving -1 behind for the cleanup. */
static inline int hutch_steal_fd(int *fd)
{
    int value = *fd;
    *fd = -1;
    return value;
}

/* Take the pid out of `*pid`, leaving 0 behind for the cleanup. */
static inline pid_t hutch_steal_pid(pid_t *pid)
{
    pid_t value = *pid;
    *pid = 0;
    return value;
}

#endif
