/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci delete: remove a container and what it holds. */
#include <errno.h>
#include <stdbool.h>

#include "commands.h"
#include "oci.h"

enum { FLAG_FORCE = 'f' };

static const struct cli_flag delete_flags[] = {
    { FLAG_FORCE, "force", 'f', CLI_NO_ARG, NULL, "kill the container first if it is running" },
    { 0 },
};

static int delete_flag(void *opts, int id, const char *value)
{
    (void)value;
    if (id == FLAG_FORCE)
        *(bool *)opts = true;
    return 0;
}

static int run_delete(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    bool force = false;
    const char *id;
    int status;

    status = oci_parse(program, &oci_delete_command, argc, argv, &p, delete_flag, &force);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (hutch_container_delete(oci_runtime(program), id, force, &err) < 0) {
        /* runc: what does not exist is deleted already, as far as --force goes */
        if (force && err.code == ENOENT)
            return 0;
        return oci_fail(program, "delete", &err);
    }
    return 0;
}

const struct cli_command oci_delete_command = {
    .name = "delete",
    .summary = "delete a stopped or created container",
    .usage = "[FLAGS] ID",
    .description = "Delete container ID and its state. A running container is refused unless\n"
                   "--force, which kills it first; a created one is killed and deleted.",
    .flags = delete_flags,
    .run = run_delete,
};
