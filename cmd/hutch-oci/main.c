/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci: an OCI runtime with runc's command line. */
#include <stddef.h>

#include "commands.h"

static const struct cli_flag global_flags[] = {
    { CLI_FLAG_VERSION, "version", 'v', CLI_NO_ARG, NULL, "print the version and exit" },
    { 0 },
};

static const struct cli_command *const commands[] = {
    &oci_spec_command,
    NULL,
};

static const struct cli_command global = {
    .usage = "[FLAGS] COMMAND [ARGS...]",
    .description = "hutch-oci runs containers from OCI bundles; its command line follows runc's.\n"
                   "Run 'hutch-oci COMMAND --help' for the flags of a command.",
    .flags = global_flags,
};

int main(int argc, char **argv)
{
    const struct cli_program program = { .name = "hutch-oci", .usage_status = 1 };

    return cli_main(&program, &global, commands, argc, argv);
}
