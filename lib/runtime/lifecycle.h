/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lifecycle steps on an open, locked container, shared by the commands and run. */
#ifndef HUTCH_RUNTIME_LIFECYCLE_H
#define HUTCH_RUNTIME_LIFECYCLE_H

#include <stdbool.h>

#include <hutch/runtime.h>

#include "state.h"

bool container_alive(const struct state_record *r);
enum hutch_container_status container_status(const struct container_dir *d,
                                             const struct state_record *r);
int container_open_locked(const struct hutch_runtime *rt, const char *id, struct container_dir *d,
                          struct state_record *r, hutch_error *err);
int container_start_locked(const struct container_dir *d, const struct state_record *r,
                           hutch_error *err);
int container_signal(const struct container_dir *d, const struct state_record *r, int signo,
                     bool all, hutch_error *err);
int container_delete_locked(struct container_dir *d, const struct state_record *r, bool force,
                            hutch_error *err);

#endif
