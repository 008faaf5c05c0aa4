/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch version: the same block as `hutch --version`. */
#include <stddef.h>

#include "../common/version.h"
#include "commands.h"

static int run_version(const struct cli_program *program, int argc, char **argv)
{
    struct cli_parser p;
    const char *value;
    int id, status;

    cli_parser_init(&p, program, &hutch_version_command, argc, argv);
    while ((id = cli_next(&p, &value)) > 0)
        ;
    status = cli_flags_done(&p, id);
    if (status >= 0)
        return status;
    if (p.index < argc)
        return cli_usage_error(&p, "unexpected argument '%s'", argv[p.index]);
    cli_print_version(program->name);
    return 0;
}

const struct cli_command hutch_version_command = {
    .name = "version",
    .summary = "print the version of hutch and of the libraries it uses",
    .usage = "[FLAGS]",
    .flags = NULL,
    .run = run_version,
};
