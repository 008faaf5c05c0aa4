/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages between hutch-oci and the container process it is setting up,
 * over a socketpair. An error on the child's side travels as SYNC_ERROR
 * followed by the error itself (lib/core/error_channel.h).
 */
#ifndef HUTCH_RUNTIME_SYNC_H
#define HUTCH_RUNTIME_SYNC_H

#include <stdint.h>

#include <hutch/error.h>

enum sync_type {
    SYNC_USERNS = 1, /* child -> parent: I made a user namespace; map ids for pid `value` */
    SYNC_MAPS_DONE,  /* parent -> child: the id maps are written */
    SYNC_INIT_PID,   /* child -> parent: the container process is pid `value` */
    SYNC_READY,      /* child -> parent: set up */
    SYNC_RECORDED,   /* parent -> child: state recorded (init's host pid `value`); wait for start */
    SYNC_ERROR,      /* child -> parent: an error follows */
    SYNC_TERMINAL,   /* child -> parent: the terminal's master fd rides along (SCM_RIGHTS) */
    SYNC_MOUNTS_DONE, /* child -> parent, with create hooks only: mounted, before pivot_root */
    SYNC_HOOKS_DONE,  /* parent -> child: prestart, createRuntime ran; init's host pid `value` */
    SYNC_CGROUP_DONE, /* parent -> child: it is in its systemd scope; go on */
};

int sync_send(int fd, enum sync_type type, int32_t value, hutch_error *err);

/*
 * Read the next message, which must be `type`; a SYNC_ERROR becomes the
 * error (returned < 0), and so does the end of the stream.
 */
int sync_expect(int fd, enum sync_type type, int32_t *value, hutch_error *err);

/* A message with `pass` attached (SCM_RIGHTS); and its reading, the fd in *out. */
int sync_send_fd(int fd, enum sync_type type, int pass, hutch_error *err);
int sync_expect_fd(int fd, enum sync_type type, int *out, hutch_error *err);

/* The end of the stream (the process exec'd: its end was close-on-exec), or its error. */
int sync_expect_end(int fd, hutch_error *err);

/* Child side: report `failure` and nothing else can be done. */
void sync_send_error(int fd, const hutch_error *failure);

#endif
