/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp as a libseccomp filter: built before start, loaded just before exec. */
#ifndef HUTCH_RUNTIME_SECCOMP_H
#define HUTCH_RUNTIME_SECCOMP_H

#include <stddef.h>

#include <hutch/error.h>
#include <hutch/runtime.h>
#include <hutch/spec.h>

struct seccomp_filter;

/*
 * Build the filter `s` describes. System call names this libseccomp does
 * not know are skipped (and reported at debug level through `rt`, as runc
 * does). NULL `s` gives a NULL filter.
 */
int seccomp_filter_build(const struct hutch_runtime *rt, const struct hutch_spec_seccomp *s,
                         struct seccomp_filter **out, hutch_error *err);

/* Load the filter into the calling process. */
int seccomp_filter_load(struct seccomp_filter *f, hutch_error *err);

void seccomp_filter_free(struct seccomp_filter *f);

/* The i-th action the filter applies, and the i-th flag it passes on; NULL past the last. */
const char *seccomp_action_name(size_t i);
const char *seccomp_flag_name(size_t i);

#endif
