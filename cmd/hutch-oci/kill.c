/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci kill: send a signal to a container. */
#include <signal.h>
#include <stdbool.h>

#include <hutch/signals.h>

#include "commands.h"
#include "oci.h"

enum { FLAG_ALL = 'a' };

static const struct cli_flag kill_flags[] = {
    { FLAG_ALL, "all", 'a', CLI_NO_ARG, NULL,
      "signal every process of the container, not only its init" },
    { 0 },
};

static int kill_flag(void *opts, int id, const char *value)
{
    (void)value;
    if (id == FLAG_ALL)
        *(bool *)opts = true;
    return 0;
}

static int run_kill(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    bool all = false;
    int signo = SIGTERM;
    const char *id;
    int status;

    status = oci_parse(program, &oci_kill_command, argc, argv, &p, kill_flag, &all);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, 1, &status);
    if (id == NULL)
        return status;
    if (p.index + 1 < argc && hutch_signal_parse(argv[p.index + 1], &signo, &err) < 0)
        return oci_fail(program, "kill", &err);
    if (hutch_container_kill(oci_runtime(program), id, signo, all, &err) < 0)
        return oci_fail(program, "kill", &err);
    return 0;
}

const struct cli_command oci_kill_command = {
    .name = "kill",
    .summary = "send a signal to a container (default SIGTERM)",
    .usage = "[FLAGS] ID [SIGNAL]",
    .description = "Send SIGNAL to the process of container ID. SIGNAL is a name with or without\n"
                   "SIG (TERM, SIGKILL, RTMIN+1) or a number; the default is SIGTERM.",
    .flags = kill_flags,
    .run = run_kill,
};
