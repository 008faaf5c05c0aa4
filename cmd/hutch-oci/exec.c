/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci exec: run another process in a container. */
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>

#include "commands.h"
#include "oci.h"

enum {
    FLAG_PROCESS = 'p',
    FLAG_TTY = 't',
    FLAG_DETACH = 'd',
    FLAG_ENV = 'e',
    FLAG_USER = 'u',
    FLAG_CAP = 'c',
    FLAG_CWD = 3000,
    FLAG_PID_FILE,
    FLAG_NO_NEW_PRIVS,
    FLAG_APPARMOR,
    FLAG_PROCESS_LABEL,
    FLAG_IGNORE_PAUSED,
};

static const struct cli_flag exec_flags[] = {
    { FLAG_PROCESS, "process", 'p', CLI_ARG, "FILE",
      "the whole process as JSON (the \"process\" object of config.json); the flags that "
      "describe the process are then ignored" },
    { FLAG_TTY, "tty", 't', CLI_NO_ARG, NULL, "give the process a terminal" },
    { FLAG_DETACH, "detach", 'd', CLI_NO_ARG, NULL, "return once the process runs" },
    { FLAG_PID_FILE, "pid-file", 0, CLI_ARG, "FILE", "write the process's pid to FILE" },
    { OCI_FLAG_CONSOLE_SOCKET, "console-socket", 0, CLI_ARG, "PATH", OCI_CONSOLE_SOCKET_HELP },
    { FLAG_CWD, "cwd", 0, CLI_ARG, "DIR", "the working directory in the container" },
    { FLAG_ENV, "env", 'e', CLI_ARG, "NAME=VALUE", "set an environment variable (repeatable)" },
    { FLAG_USER, "user", 'u', CLI_ARG, "UID[:GID]", "run as this user (numeric ids)" },
    { FLAG_CAP, "cap", 'c', CLI_ARG, "CAP", "add a capability (repeatable)" },
    { FLAG_NO_NEW_PRIVS, "no-new-privs", 0, CLI_NO_ARG, NULL, "set no_new_privs" },
    { FLAG_APPARMOR, "apparmor", 0, CLI_ARG, "PROFILE", "the AppArmor profile" },
    { FLAG_PROCESS_LABEL, "process-label", 0, CLI_ARG, "LABEL", "the SELinux process label" },
    { OCI_FLAG_PRESERVE_FDS, "preserve-fds", 0, CLI_ARG, "N", OCI_PRESERVE_FDS_HELP },
    { FLAG_IGNORE_PAUSED, "ignore-paused", 0, CLI_NO_ARG, NULL,
      "accepted for runc's sake (this version cannot pause containers)" },
    { 0 },
};

/* The options and the repeatable flags' values (NULL-terminated lists). */
struct exec_cli {
    struct hutch_exec_options o;
    char **env, **caps;
    size_t n_env, n_caps;
};

static int append(char ***list, size_t *n, const char *value)
{
    char **grown = realloc(*list, (*n + 2) * sizeof(char *));

    if (grown == NULL)
        return -1;
    grown[(*n)++] = (char *)value;
    grown[*n] = NULL;
    *list = grown;
    return 0;
}

static int exec_flag(void *opts, int id, const char *value)
{
    struct exec_cli *c = opts;
    struct hutch_exec_options *o = &c->o;

    switch (id) {
    case FLAG_PROCESS:
        o->process_file = value;
        break;
    case FLAG_TTY:
        o->tty = true;
        break;
    case FLAG_DETACH:
        o->detach = true;
        break;
    case FLAG_PID_FILE:
        o->pid_file = value;
        break;
    case OCI_FLAG_CONSOLE_SOCKET:
        o->console_socket = value;
        break;
    case FLAG_CWD:
        o->cwd = value;
        break;
    case FLAG_ENV:
        return append(&c->env, &c->n_env, value);
    case FLAG_USER:
        o->user = value;
        break;
    case FLAG_CAP:
        return append(&c->caps, &c->n_caps, value);
    case FLAG_NO_NEW_PRIVS:
        o->no_new_privs = true;
        break;
    case FLAG_APPARMOR:
        o->apparmor_profile = value;
        break;
    case FLAG_PROCESS_LABEL:
        o->selinux_label = value;
        break;
    case OCI_FLAG_PRESERVE_FDS:
        return oci_parse_count(value, &o->preserve_fds);
    default:
        break;
    }
    return 0;
}

static int run_exec(const struct cli_program *program, int argc, char **argv)
{
    struct exec_cli c = { 0 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    const char *id;
    int status, exit_status = 0;

    status = oci_parse(program, &oci_exec_command, argc, argv, &p, exec_flag, &c);
    if (status < 0) {
        if (p.index >= p.argc) {
            status = cli_usage_error(&p, "missing container id");
        } else if (c.o.process_file == NULL && p.index + 1 >= p.argc) {
            status = cli_usage_error(&p, "missing the command to run (or --process FILE)");
        } else if (c.o.process_file != NULL && p.index + 1 < p.argc) {
            status = cli_usage_error(&p, "unexpected argument '%s' after --process",
                                     p.argv[p.index + 1]);
        } else {
            id = p.argv[p.index];
            c.o.args = p.argv + p.index + 1;
            c.o.env = c.env;
            c.o.caps = c.caps;
            if (hutch_container_exec(oci_runtime(program), id, &c.o, &exit_status, &err) < 0)
                status = oci_fail(program, "exec", &err);
            else
                status = exit_status;
        }
    }
    free(c.env);
    free(c.caps);
    return status;
}

const struct cli_command oci_exec_command = {
    .name = "exec",
    .summary = "run another process in a running container",
    .usage = "[FLAGS] ID COMMAND [ARGS...]  |  [FLAGS] --process FILE ID",
    .description = "Run COMMAND in container ID: it joins every namespace of the container and\n"
                   "runs with the container's process settings (user, capabilities, rlimits,\n"
                   "labels, no_new_privs) and seccomp filter, changed by the flags. In the\n"
                   "foreground, exec forwards signals and exits with the process's status.",
    .flags = exec_flags,
    .run = run_exec,
};
