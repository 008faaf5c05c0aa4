/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <hutch/spec.h>
#include <hutch/version.h>

#include "build-version.h"

const char *hutch_version(void)
{
    return HUTCH_BUILD_VERSION;
}

const char *hutch_commit(void)
{
    return HUTCH_BUILD_COMMIT;
}

const char *hutch_oci_spec_version(void)
{
    return HUTCH_OCI_VERSION;
}

int hutch_built_with_selinux(void)
{
#ifdef HUTCH_HAVE_SELINUX
    return 1;
#else
    return 0;
#endif
}
