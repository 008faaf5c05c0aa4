/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/error_channel.h"
#include "../core/io.h"
#include "sync.h"

struct sync_message {
    int32_t type;
    int32_t value;
};

int sync_send(int fd, enum sync_type type, int32_t value, hutch_error *err)
{
    struct sync_message m = { .type = (int32_t)type, .value = value };

    if (hutch_write_all(fd, &m, sizeof(m)) < 0)
        return hutch_error_syscall(err, errno, "talk to the container process");
    return 0;
}

/* The message in `m` (n bytes of it read) must be `type`; else the error it carries. */
static int check_message(int fd, const struct sync_message *m, ssize_t n, enum sync_type type,
                         hutch_error *err)
{
    if (n < 0)
        return hutch_error_syscall(err, errno, "talk to the container process");
    if (n != (ssize_t)sizeof(*m))
        return hutch_error_set(err, ECHILD, "the container process exited during its setup");
    if (m->type == SYNC_ERROR) {
        hutch_error received = HUTCH_ERROR_INIT;
        if (hutch_error_receive(fd, &received, err) < 0)
            return -err->code;
        hutch_error_set(err, received.code, "%s", hutch_error_message(&received));
        hutch_error_clear(&received);
        return -err->code;
    }
    if (m->type != (int32_t)type)
        return hutch_error_set(err, EPROTO,
                               "the container process sent message %d where %d was due",
                               (int)m->type, (int)type);
    return 0;
}

int sync_expect(int fd, enum sync_type type, int32_t *value, hutch_error *err)
{
    struct sync_message m;
    ssize_t n = hutch_read_all(fd, &m, sizeof(m));

    if (check_message(fd, &m, n, type, err) < 0)
        return -err->code;
    if (value != NULL)
        *value = m.value;
    return 0;
}

int sync_expect_end(int fd, hutch_error *err)
{
    struct sync_message m;
    ssize_t n = hutch_read_all(fd, &m, sizeof(m));

    if (n == 0)
        return 0;
    /* anything but an error here is out of turn */
    return check_message(fd, &m, n, SYNC_ERROR, err) < 0
                   ? -err->code
                   : hutch_error_set(err, EPROTO, "unexpected message");
}

int sync_send_fd(int fd, enum sync_type type, int pass, hutch_error *err)
{
    struct sync_message m = { .type = (int32_t)type, .value = 0 };

    if (hutch_send_fd(fd, &m, sizeof(m), pass) < 0)
        return hutch_error_syscall(err, errno, "pass a file descriptor");
    return 0;
}

int sync_expect_fd(int fd, enum sync_type type, int *out, hutch_error *err)
{
    struct sync_message m;
    ssize_t n = hutch_recv_fd(fd, &m, sizeof(m), out);

    if (check_message(fd, &m, n, type, err) < 0) {
        if (*out >= 0)
            close(*out);
        return -err->code;
    }
    if (*out < 0)
        return hutch_error_set(err, EPROTO, "no file descriptor came with message %d", (int)type);
    return 0;
}

void sync_send_error(int fd, const hutch_error *failure)
{
    struct sync_message m = { .type = SYNC_ERROR, .value = 0 };
    hutch_error ignored = HUTCH_ERROR_INIT;

    if (hutch_write_all(fd, &m, sizeof(m)) == 0)
        hutch_error_send(fd, failure, &ignored);
    hutch_error_clear(&ignored);
}
