/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-buffer reads and writes on file descriptors, and whole-file reads. */
#ifndef HUTCH_CORE_IO_H
#define HUTCH_CORE_IO_H

#include <stddef.h>
#include <sys/types.h>

#include <hutch/error.h>

/* Write all `len` bytes, retrying on EINTR and short writes. 0, or -1 with errno. */
int hutch_write_all(int fd, const void *buf, size_t len);

/*
 * Read until `len` bytes or end of file, retrying on EINTR. Returns the
 * number of bytes read (less than `len` only at end of file), or -1 with errno.
 */
ssize_t hutch_read_all(int fd, void *buf, size_t len);

/*
 * Read the whole file at `path` into a NUL-terminated heap buffer. A file
 * larger than `max_size` bytes is refused with EFBIG.
 */
int hutch_read_file(const char *path, size_t max_size, char **out, size_t *out_len,
                    hutch_error *err);

/*
 * Send `len` bytes of `data` with the fd `pass` attached (SCM_RIGHTS) over the
 * unix socket `sock`. 0, or -1 with errno.
 */
int hutch_send_fd(int sock, const void *data, size_t len, int pass);

/*
 * Receive `len` bytes into `data` and the fd that came with them (close-on-
 * exec) into *out, -1 when none came. Returns the bytes read (less than
 * `len` only at the end of the stream), or -1 with errno.
 */
ssize_t hutch_recv_fd(int sock, void *data, size_t len, int *out);

#endif
