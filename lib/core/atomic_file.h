/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic file replacement: the data goes to a temporary file in the same
 * directory, is fsynced, renamed over the target, and the directory is
 * fsynced. A reader sees the old file or the new one, never a torn one,
 * also after a crash.
 */
#ifndef HUTCH_CORE_ATOMIC_FILE_H
#define HUTCH_CORE_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include <hutch/error.h>

enum hutch_atomic_flags {
    /* Fail with EEXIST instead of replacing an existing file. */
    HUTCH_ATOMIC_NOREPLACE = 1 << 0,
    /* No fsync: for state that does not outlive a reboot (under /run); still atomic for
     * readers, and after a crash of the writer. */
    HUTCH_ATOMIC_NO_SYNC = 1 << 1,
};

/*
 * Write `len` bytes of `data` to `path` (created with `mode`, less the
 * umask). On failure the target is unchanged and no temporary file remains.
 */
int hutch_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                            unsigned flags, hutch_error *err);

#endif
