/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci pause and resume: freeze and thaw the processes of a container. */
#include <stddef.h>

#include "commands.h"
#include "oci.h"

static int run_freezer(const struct cli_program *program, const struct cli_command *command,
                       int argc, char **argv,
                       int (*change)(const struct hutch_runtime *, const char *, hutch_error *))
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    const char *id;
    int status;

    status = oci_parse(program, command, argc, argv, &p, NULL, NULL);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (change(oci_runtime(program), id, &err) < 0)
        return oci_fail(program, command->name, &err);
    return 0;
}

static int run_pause(const struct cli_program *program, int argc, char **argv)
{
    return run_freezer(program, &oci_pause_command, argc, argv, hutch_container_pause);
}

static int run_resume(const struct cli_program *program, int argc, char **argv)
{
    return run_freezer(program, &oci_resume_command, argc, argv, hutch_container_resume);
}

const struct cli_command oci_pause_command = {
    .name = "pause",
    .summary = "freeze the processes of a container (cgroup v2 freezer)",
    .usage = "ID",
    .description = "Freeze every process of container ID with the cgroup v2 freezer and wait\n"
                   "until they are frozen; state then says \"paused\". A container without a\n"
                   "cgroup of its own (no cgroup v2, or rootless without delegation) cannot be\n"
                   "paused.",
    .run = run_pause,
};

const struct cli_command oci_resume_command = {
    .name = "resume",
    .summary = "thaw the processes of a paused container",
    .usage = "ID",
    .description = "Thaw the processes of container ID, frozen by pause, and wait until they\n"
                   "run again.",
    .run = run_resume,
};
