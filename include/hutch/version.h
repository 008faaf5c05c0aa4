/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_VERSION_H
#define HUTCH_VERSION_H

#include <hutch/export.h>

/* "0.1.0" */
HUTCH_API const char *hutch_version(void);
/* The git commit the library was built from ("v0.1.0-3-gabc1234"), or "unknown". */
HUTCH_API const char *hutch_commit(void);
/* The OCI runtime-spec version implemented, HUTCH_OCI_VERSION. */
HUTCH_API const char *hutch_oci_spec_version(void);
/* Whether this build has SELinux support. */
HUTCH_API int hutch_built_with_selinux(void);

#endif
