/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci start: let a created container run its program. */
#include <stddef.h>

#include "commands.h"
#include "oci.h"

static int run_start(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    const char *id;
    int status;

    status = oci_parse(program, &oci_start_command, argc, argv, &p, NULL, NULL);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (hutch_container_start(oci_runtime(program), id, &err) < 0)
        return oci_fail(program, "start", &err);
    return 0;
}

const struct cli_command oci_start_command = {
    .name = "start",
    .summary = "start a created container",
    .usage = "ID",
    .description = "Run the program of container ID, which must be in the created state.",
    .run = run_start,
};
