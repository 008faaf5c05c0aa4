/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_channel.h"
#include "io.h"

/* Wire format: int32 code, uint32 length, then `length` bytes of message. */
struct wire_header {
    int32_t code;
    uint32_t length;
};

int hutch_error_send(int fd, const hutch_error *sent, hutch_error *err)
{
    const char *msg = hutch_error_message(sent);
    size_t len = strnlen(msg, HUTCH_ERROR_CHANNEL_MAX_MSG);
    struct wire_header header = { .code = sent->code > 0 ? sent->code : EIO,
                                  .length = (uint32_t)len };

    if (hutch_write_all(fd, &header, sizeof(header)) < 0 || hutch_write_all(fd, msg, len) < 0)
        return hutch_error_syscall(err, errno, "send error to parent process");
    return 0;
}

int hutch_error_receive(int fd, hutch_error *received, hutch_error *err)
{
    struct wire_header header;
    char *msg;
    ssize_t n;

    n = hutch_read_all(fd, &header, sizeof(header));
    if (n < 0)
        return hutch_error_syscall(err, errno, "read error from child process");
    if ((size_t)n != sizeof(header))
        return hutch_error_set(err, EPIPE, "child process exited without reporting its error");
    if (header.length > HUTCH_ERROR_CHANNEL_MAX_MSG || header.code <= 0)
        return hutch_error_set(err, EPROTO, "child process sent a malformed error report");
    msg = malloc((size_t)header.length + 1);
    if (msg == NULL)
        return hutch_error_set(err, ENOMEM, "read error from child process: out of memory");
    n = hutch_read_all(fd, msg, header.length);
    if (n < 0 || (size_t)n != header.length) {
        free(msg);
        return hutch_error_set(err, EPIPE, "child process error report was cut short");
    }
    msg[header.length] = '\0';
    hutch_error_set(received, header.code, "%s", msg);
    free(msg);
    return 0;
}
