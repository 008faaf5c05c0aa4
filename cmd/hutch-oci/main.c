/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci: an OCI runtime with runc's command line. */
#include <stdio.h>

#include "../common/version.h"
#include "commands.h"

enum { FLAG_VERSION = 'v' };

static const struct cli_flag global_flags[] = {
    { FLAG_VERSION, "version", 'v', CLI_NO_ARG, NULL, "print the version and exit" },
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
