/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch: the container engine's command line; flags and exit codes follow podman. */
#include <stdio.h>

#include "../common/version.h"
#include "commands.h"

enum { FLAG_VERSION = 'v' };

static const struct cli_flag global_flags[] = {
    { FLAG_VERSION, "version", 'v', CLI_NO_ARG, NULL, "print the version and exit" },
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
    struct cli_parser p;
    const char *value;
    int id;

    cli_parser_init(&p, &program, &global, argc, argv);
    p.subcommands = commands;
    while ((id = cli_next(&p, &value)) > 0) {
        if (id == FLAG_VERSION) {
            cli_print_version(program.name);
            return 0;
        }
    }
    if (id == CLI_HELP)
        return 0;
    if (id == CLI_ERROR)
        return program.usage_status;
    if (p.index >= argc)
        return cli_usage_error(&p, "missing command");
    return cli_dispatch(&program, commands, argc - p.index, argv + p.index);
}
