/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci state: the OCI state of a container, as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "oci.h"

static int run_state(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state s;
    struct cli_parser p;
    char *json = NULL;
    const char *id;
    int status;

    status = oci_parse(program, &oci_state_command, argc, argv, &p, NULL, NULL);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (hutch_container_state(oci_runtime(program), id, &s, &err) < 0)
        return oci_fail(program, "state", &err);
    status = hutch_container_state_json(&s, true, &json, &err);
    hutch_container_state_release(&s);
    if (status < 0)
        return oci_fail(program, "state", &err);
    fputs(json, stdout);
    free(json);
    return 0;
}

const struct cli_command oci_state_command = {
    .name = "state",
    .summary = "print the state of a container as JSON",
    .usage = "ID",
    .description = "Print the OCI state of container ID: ociVersion, id, status (creating,\n"
                   "created, running or stopped), pid, bundle and annotations.",
    .run = run_state,
};
