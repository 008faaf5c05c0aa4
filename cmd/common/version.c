/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include <seccomp.h>

#include <hutch/version.h>

#include "version.h"

void cli_print_version(const char *program)
{
    const struct scmp_version *seccomp = seccomp_version();

    printf("%s version %s\n", program, hutch_version());
    printf("commit: %s\n", hutch_commit());
    printf("spec: %s\n", hutch_oci_spec_version());
    if (seccomp != NULL)
        printf("libseccomp: %u.%u.%u\n", seccomp->major, seccomp->minor, seccomp->micro);
    printf("selinux: %s\n", hutch_built_with_selinux() ? "supported" : "not built in");
}
