/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs of hutch-oci, one file each. */
#ifndef HUTCH_OCI_COMMANDS_H
#define HUTCH_OCI_COMMANDS_H

#include "../common/cli.h"

extern const struct cli_command oci_create_command;
extern const struct cli_command oci_delete_command;
extern const struct cli_command oci_exec_command;
extern const struct cli_command oci_features_command;
extern const struct cli_command oci_kill_command;
extern const struct cli_command oci_list_command;
extern const struct cli_command oci_pause_command;
extern const struct cli_command oci_ps_command;
extern const struct cli_command oci_resume_command;
extern const struct cli_command oci_run_command;
extern const struct cli_command oci_spec_command;
extern const struct cli_command oci_start_command;
extern const struct cli_command oci_state_command;
extern const struct cli_command oci_update_command;

/* The flags of create, which run takes too. */
enum {
    OCI_FLAG_BUNDLE = 'b',
    OCI_FLAG_PID_FILE = 1000,
    OCI_FLAG_NO_PIVOT,
    OCI_FLAG_NO_NEW_KEYRING,
    OCI_FLAG_PRESERVE_FDS,
    OCI_FLAG_CONSOLE_SOCKET
};

/* The help line of --preserve-fds, shared by create, run and exec. */
#define OCI_PRESERVE_FDS_HELP "pass the caller's fds 3 to 3+N-1 on to the container process"

#define OCI_CONSOLE_SOCKET_HELP                                                                    \
    "send the terminal's master to the unix socket PATH (SCM_RIGHTS, as runc)"

/* --preserve-fds N: a count; -1 when it is not one. */
int oci_parse_count(const char *value, unsigned int *out);
extern const struct cli_flag oci_create_flags[];
int oci_create_flag(void *opts, int id, const char *value);

#endif
