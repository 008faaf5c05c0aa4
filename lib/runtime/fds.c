/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fds.h"

int close_inherited_fds(unsigned int first, const int *keep, size_t n, hutch_error *err)
{
    unsigned int from = first;
    int sorted[8];

    memcpy(sorted, keep, n * sizeof(int));
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    for (size_t i = 0; i <= n; i++) {
        unsigned int to = i < n ? (unsigned int)sorted[i] - 1 : ~0U;
        if (i < n && (unsigned int)sorted[i] < from)
            continue;
        if (to >= from && syscall(SYS_close_range, from, to, 0) < 0) {
            if (errno != ENOSYS)
                return hutch_error_syscall(err, errno, "close inherited file descriptors");
            for (unsigned int fd = from; fd <= to && fd < 65536; fd++)
                close((int)fd);
        }
        if (i < n)
            from = (unsigned int)sorted[i] + 1;
    }
    return 0;
}
