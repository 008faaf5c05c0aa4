/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hutch/cleanup.h>

#include "../core/atomic_file.h"
#include "../core/io.h"
#include "seccomp_cache.h"

#define CACHE_DIR ".seccomp-cache"
#define MAGIC     "hutch-bpf-1\n"
#define MAX_ENTRY (4u * 1024 * 1024)
#define MAX_INSNS 4096 /* BPF_MAXINSNS */

/* An entry: MAGIC, key length (u32), key, flags (u32), instruction count (u32), instructions. */

static uint64_t fnv1a(const char *data, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static char *entry_path(const char *root, const char *key, size_t key_len)
{
    char *path = NULL;

    if (asprintf(&path, "%s/" CACHE_DIR "/%016" PRIx64, root, fnv1a(key, key_len)) < 0)
        return NULL;
    return path;
}

int seccomp_cache_get(const char *root, const char *key, size_t key_len,
                      struct compiled_filter *out)
{
    hutch_autofree char *path = entry_path(root, key, key_len);
    hutch_autofree char *data = NULL;
    hutch_error ignored = HUTCH_ERROR_INIT;
    size_t len = 0, at = sizeof(MAGIC) - 1;
    uint32_t stored_key_len, flags, n;

    if (path == NULL || hutch_read_file(path, MAX_ENTRY, &data, &len, &ignored) < 0) {
        hutch_error_clear(&ignored);
        return -1;
    }
    if (len < at + 12 || memcmp(data, MAGIC, at) != 0)
        return -1;
    memcpy(&stored_key_len, data + at, 4);
    at += 4;
    if (stored_key_len != key_len || len - at < (size_t)key_len + 8 ||
        memcmp(data + at, key, key_len) != 0)
        return -1; /* another filter under the same hash, or a damaged entry */
    at += key_len;
    memcpy(&flags, data + at, 4);
    memcpy(&n, data + at + 4, 4);
    at += 8;
    if (n == 0 || n > MAX_INSNS || len - at != (size_t)n * sizeof(struct sock_filter))
        return -1;
    out->insns = malloc((size_t)n * sizeof(struct sock_filter));
    if (out->insns == NULL)
        return -1;
    memcpy(out->insns, data + at, (size_t)n * sizeof(struct sock_filter));
    out->len = n;
    out->flags = flags;
    return 0;
}

void seccomp_cache_put(const char *root, const char *key, size_t key_len,
                       const struct compiled_filter *f)
{
    hutch_autofree char *path = entry_path(root, key, key_len);
    hutch_autofree char *dir = NULL;
    hutch_autofree char *data = NULL;
    hutch_error ignored = HUTCH_ERROR_INIT;
    size_t insns = (size_t)f->len * sizeof(struct sock_filter);
    size_t len = sizeof(MAGIC) - 1 + 4 + key_len + 8 + insns, at = 0;
    uint32_t k = (uint32_t)key_len;

    if (path == NULL || asprintf(&dir, "%s/" CACHE_DIR, root) < 0 || key_len > MAX_ENTRY) {
        dir = NULL;
        return;
    }
    /* the state root is ours and nobody else's (state_root_check): so is this */
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return;
    data = malloc(len);
    if (data == NULL)
        return;
    memcpy(data, MAGIC, sizeof(MAGIC) - 1);
    at = sizeof(MAGIC) - 1;
    memcpy(data + at, &k, 4);
    memcpy(data + at + 4, key, key_len);
    at += 4 + key_len;
    memcpy(data + at, &f->flags, 4);
    memcpy(data + at + 4, &f->len, 4);
    memcpy(data + at + 8, f->insns, insns);
    hutch_atomic_write_file(path, data, len, 0600, HUTCH_ATOMIC_NO_SYNC, &ignored);
    hutch_error_clear(&ignored);
}
