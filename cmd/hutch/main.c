/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch: the container engine's command line; flags and exit codes follow podman. */
#include <stddef.h>

#include "commands.h"

static const struct cli_flag global_flags[] = {
    { CLI_FLAG_VERSION, "version", 'v', CLI_NO_ARG, NULL, "print the version and exit" },
    { 0 },
};

static const struct cli_command *const commands[] = {
    &hutch_version_command,
    NULL,
};

static const struct cli_command global = {
    .usage = "[FLAGS] COMMAND [ARGS...]",
    .description = "hutch runs containers, rootless first. Its commands and flags follow podman.\n"
                   "Run 'hutch COMMAND --help' for the flags of a command.",
    .flags = global_flags,
};

int main(int argc, char **argv)
{
    const struct cli_program program = { .name = "hutch", .usage_status = HUTCH_EXIT_FAILURE };

    return cli_main(&program, &global, commands, argc, argv);
}
