/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs of hutch-oci, one file each. */
#ifndef HUTCH_OCI_COMMANDS_H
#define HUTCH_OCI_COMMANDS_H

#include "../common/cli.h"

extern const struct cli_command oci_create_command;
extern const struct cli_command oci_delete_command;
extern const struct cli_command oci_kill_command;
extern const struct cli_command oci_list_command;
extern const struct cli_command oci_run_command;
extern const struct cli_command oci_spec_command;
extern const struct cli_command oci_start_command;
extern const struct cli_command oci_state_command;

/* The flags of create, which run takes too. */
enum {
    OCI_FLAG_BUNDLE = 'b',
    OCI_FLAG_PID_FILE = 1000,
    OCI_FLAG_NO_PIVOT,
    OCI_FLAG_NO_NEW_KEYRING
};
extern const struct cli_flag oci_create_flags[];
int oci_create_flag(void *opts, int id, const char *value);

#endif
