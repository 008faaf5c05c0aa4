/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs of hutch-oci, one file each. */
#ifndef HUTCH_OCI_COMMANDS_H
#define HUTCH_OCI_COMMANDS_H

#include "../common/cli.h"

extern const struct cli_command oci_spec_command;

#endif
