/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci create: set up a container from a bundle, ready for start. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "commands.h"
#include "oci.h"

const struct cli_flag oci_create_flags[] = {
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
    { 0 },
};

int oci_parse_count(const char *value, unsigned int *out)
{
    char *end;
    unsigned long n;

    if (value[0] < '0' || value[0] > '9')
        return -1;
    errno = 0;
    n = strtoul(value, &end, 10);
    if (errno != 0 || *end != '\0' || n > 65536)
        return -1;
    *out = (unsigned int)n;
    return 0;
}

int oci_create_flag(void *opts, int id, const char *value)
{
    struct hutch_create_options *o = opts;

    switch (id) {
    case OCI_FLAG_BUNDLE:
        o->bundle = value;
        break;
    case OCI_FLAG_PID_FILE:
        o->pid_file = value;
        break;
    case OCI_FLAG_NO_PIVOT:
        o->no_pivot = true;
        break;
    case OCI_FLAG_NO_NEW_KEYRING:
        o->no_new_keyring = true;
        break;
    case OCI_FLAG_PRESERVE_FDS:
        return oci_parse_count(value, &o->preserve_fds);
    case OCI_FLAG_CONSOLE_SOCKET:
        o->console_socket = value;
        break;
    default:
        break;
    }
    return 0;
}

static int run_create(const struct cli_program *program, int argc, char **argv)
{
    struct hutch_create_options o = { 0 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    const char *id;
    int status;

    status = oci_parse(program, &oci_create_command, argc, argv, &p, oci_create_flag, &o);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 0, &status);
    if (id == NULL)
        return status;
    if (hutch_container_create(oci_runtime(program), id, &o, &err) < 0)
        return oci_fail(program, "create", &err);
    return 0;
}

const struct cli_command oci_create_command = {
    .name = "create",
    .summary = "create a container from a bundle; it waits for start",
    .usage = "[FLAGS] ID",
    .description = "Create container ID from the bundle: namespaces, id maps, root file system,\n"
                   "mounts, devices and process attributes. The container process then waits\n"
                   "for 'hutch-oci start ID' before it runs its program.",
    .flags = oci_create_flags,
    .run = run_create,
};
