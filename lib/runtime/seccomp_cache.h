/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiled seccomp filters, kept under the state root: libseccomp takes
 * milliseconds to compile a profile like podman's (hundreds of system calls),
 * which is most of a container's start. An entry is found by a hash of its
 * key and used only when the whole key (the filter's description, and what
 * the compilation depends on) matches byte for byte.
 */
#ifndef HUTCH_RUNTIME_SECCOMP_CACHE_H
#define HUTCH_RUNTIME_SECCOMP_CACHE_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

struct compiled_filter {
    struct sock_filter *insns;
    uint32_t len;
    uint32_t flags; /* SECCOMP_FILTER_FLAG_* to load it with */
};

/* The compiled filter for `key` from `root`'s cache: 0, or -1 when there is none. */
int seccomp_cache_get(const char *root, const char *key, size_t key_len,
                      struct compiled_filter *out);

/* Keep `f` for `key` (best effort: a cache that cannot be written is no error). */
void seccomp_cache_put(const char *root, const char *key, size_t key_len,
                       const struct compiled_filter *f);

#endif
