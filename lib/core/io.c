/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "io.h"

int hutch_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t hutch_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int hutch_read_file(const char *path, size_t max_size, char **out, size_t *out_len,
                    hutch_error *err)
{
    hutch_autoclose int fd = -1;
    hutch_autofree char *buf = NULL;
    size_t len = 0, cap = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", path);
    for (;;) {
        ssize_t n;
        if (len == cap) {
            size_t new_cap = cap == 0 ? 4096 : cap * 2;
            char *grown;
            if (cap > max_size)
                return hutch_error_set(err, EFBIG, "%s: file is larger than %zu bytes", path,
                                       max_size);
            grown = realloc(buf, new_cap + 1);
            if (grown == NULL)
                return hutch_error_set(err, ENOMEM, "read %s: out of memory", path);
            buf = grown;
            cap = new_cap;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return hutch_error_syscall(err, errno, "read %s", path);
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max_size)
        return hutch_error_set(err, EFBIG, "%s: file is larger than %zu bytes", path, max_size);
    buf[len] = '\0';
    *out = hutch_steal_pointer(&buf);
    if (out_len != NULL)
        *out_len = len;
    return 0;
}

int hutch_send_fd(int sock, const void *data, size_t len, int pass)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov,
                          .msg_iovlen = 1,
                          .msg_control = control.buf,
                          .msg_controllen = sizeof(control.buf) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

    memset(&control, 0, sizeof(control));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass, sizeof(int));
    while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

ssize_t hutch_recv_fd(int sock, void *data, size_t len, int *out)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = data, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov,
                          .msg_iovlen = 1,
                          .msg_control = control.buf,
                          .msg_controllen = sizeof(control.buf) };
    struct cmsghdr *c;
    ssize_t n;

    *out = -1;
    while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return -1;
    c = CMSG_FIRSTHDR(&msg);
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(out, CMSG_DATA(c), sizeof(int));
    if (n > 0 && (size_t)n < len) {
        ssize_t rest = hutch_read_all(sock, (char *)data + n, len - (size_t)n);
        if (rest < 0)
            return -1;
        n += rest;
    }
    return n;
}
