/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci run: create and start; in the foreground, wait and return the container's status. */
#include <stddef.h>

#include "commands.h"
#include "oci.h"

enum { FLAG_DETACH = 'd', FLAG_KEEP = 2000 };

/* create's flags and run's own; cli_parse takes one table */
static const struct cli_flag run_flags[] = {
    { OCI_FLAG_BUNDLE, "bundle", 'b', CLI_ARG, "DIR",
      "the bundle: config.json and the rootfs (default: the current directory)" },
    { OCI_FLAG_PID_FILE, "pid-file", 0, CLI_ARG, "FILE",
      "write the container process's pid to FILE" },
    { OCI_FLAG_NO_PIVOT, "no-pivot", 0, CLI_NO_ARG, NULL,
      "move the rootfs over / and chroot instead of pivot_root (for a ramdisk root)" },
    { OCI_FLAG_NO_NEW_KEYRING, "no-new-keyring", 0, CLI_NO_ARG, NULL,
      "keep the session keyring of the caller" },
    { OCI_FLAG_PRESERVE_FDS, "preserve-fds", 0, CLI_ARG, "N", OCI_PRESERVE_FDS_HELP },
    { OCI_FLAG_CONSOLE_SOCKET, "console-socket", 0, CLI_ARG, "PATH", OCI_CONSOLE_SOCKET_HELP },
    { FLAG_DETACH, "detach", 'd', CLI_NO_ARG, NULL, "return once the container runs" },
    { FLAG_KEEP, "keep", 0, CLI_NO_ARG, NULL,
      "keep the container's state after it exits (delete it later)" },
    { 0 },
};

static int run_flag(void *opts, int id, const char *value)
{
    struct hutch_run_options *o = opts;

    if (id == FLAG_DETACH)
        o->detach = true;
    else if (id == FLAG_KEEP)
        o->keep = true;
    else
        return oci_create_flag(&o->create, id, value);
    return 0;
}

static int run_run(const struct cli_program *program, int argc, char **argv)
{
    struct hutch_run_options o = { 0 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    const char *id;
    int status, exit_status = 0;

    status = oci_parse(program, &oci_run_command, argc, argv, &p, run_flag, &o);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (hutch_container_run(oci_runtime(program), id, &o, &exit_status, &err) < 0)
        return oci_fail(program, "run", &err);
    return exit_status;
}

const struct cli_command oci_run_command = {
    .name = "run",
    .summary = "create and start a container, and wait for it",
    .usage = "[FLAGS] ID",
    .description = "Create and start container ID. In the foreground hutch-oci forwards SIGTERM,\n"
                   "SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the container process,\n"
                   "exits with its status (128+N when killed by signal N), and deletes the\n"
                   "container unless --keep.",
    .flags = run_flags,
    .run = run_run,
};
