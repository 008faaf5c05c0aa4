/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci: an OCI runtime with runc's command line. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "oci.h"

static const struct cli_command *const commands[] = {
    &oci_create_command,   &oci_delete_command, &oci_exec_command,
    &oci_features_command, &oci_kill_command,   &oci_list_command,
    &oci_pause_command,    &oci_ps_command,     &oci_resume_command,
    &oci_run_command,      &oci_spec_command,   &oci_start_command,
    &oci_state_command,    &oci_update_command, NULL,
};

static const struct cli_command global = {
    .usage = "[FLAGS] COMMAND [ARGS...]",
    .description = "hutch-oci runs containers from OCI bundles; its command line follows runc's.\n"
                   "Run 'hutch-oci COMMAND --help' for the flags of a command.",
    .flags = oci_global_flags,
};

int main(int argc, char **argv)
{
    struct oci_globals globals = { .argv = argv };
    const struct cli_program program = {
        .name = "hutch-oci",
        .usage_status = 1,
        .global_flag = oci_global_flag,
        .context = &globals,
        .prepare = oci_prepare,
    };

    int status = cli_main(&program, &global, commands, argc, argv);

    free(globals.default_root);
    if (globals.log_file != NULL)
        fclose(globals.log_file);
    return status;
}
