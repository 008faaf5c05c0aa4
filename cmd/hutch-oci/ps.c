/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci ps: the processes of a container, as ps(1) shows them or as JSON. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "commands.h"
#include "oci.h"

extern char **environ;

enum { FLAG_FORMAT = 'f' };

static const struct cli_flag ps_flags[] = {
    { FLAG_FORMAT, "format", 'f', CLI_ARG, "FORMAT", "table (default) or json" },
    { 0 },
};

static int ps_flag(void *opts, int id, const char *value)
{
    bool *json = opts;

    if (id != FLAG_FORMAT)
        return 0;
    if (strcmp(value, "json") != 0 && strcmp(value, "table") != 0)
        return -1;
    *json = strcmp(value, "json") == 0; /* the last --format counts */
    return 0;
}

/* runc's output: a JSON array of numbers. */
static void print_json(const pid_t *pids, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i > 0 ? "," : "", (int)pids[i]);
    puts("]");
}

static bool listed(const pid_t *pids, size_t n, long pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* The whitespace-separated field `index` of `line` as a number, or -1. */
static long field_number(const char *line, int index)
{
    const char *p = line;
    char *end;
    long value;

    for (int i = 0;; i++) {
        p += strspn(p, " \t");
        if (*p == '\0' || *p == '\n')
            return -1;
        if (i == index)
            break;
        p += strcspn(p, " \t\n");
    }
    value = strtol(p, &end, 10);
    return end != p && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\0') ? value : -1;
}

/* The position of the PID column in the header of ps, or -1. */
static int pid_column(const char *header)
{
    const char *p = header;

    for (int i = 0;; i++) {
        size_t len;

        p += strspn(p, " \t");
        len = strcspn(p, " \t\n");
        if (len == 0)
            return -1;
        if (len == 3 && strncmp(p, "PID", 3) == 0)
            return i;
        p += len;
    }
}

/* Copy the header of ps and its lines of the listed pids to stdout. */
static int filter_table(const struct cli_program *program, FILE *in, const pid_t *pids, size_t n)
{
    hutch_autofree char *line = NULL;
    size_t cap = 0;
    int column;

    if (getline(&line, &cap, in) < 0)
        return 0; /* ps printed nothing: its exit status tells why */
    column = pid_column(line);
    if (column < 0) {
        cli_error(program, "ps",
                  "the output of ps has no PID column: choose ps arguments that "
                  "print one");
        return -1;
    }
    fputs(line, stdout);
    while (getline(&line, &cap, in) >= 0)
        if (listed(pids, n, field_number(line, column)))
            fputs(line, stdout);
    return 0;
}

/* Run ps with `args` (default -ef), keeping the lines of the container's processes. */
static int print_table(const struct cli_program *program, char **args, int nargs, const pid_t *pids,
                       size_t n)
{
    hutch_autofree const char **argv = calloc((size_t)nargs + 3, sizeof(*argv));
    posix_spawn_file_actions_t actions;
    FILE *in;
    int fds[2], rc, wstatus, status;
    pid_t child;

    if (argv == NULL || pipe2(fds, O_CLOEXEC) < 0) {
        cli_error(program, "ps", "run ps: %s", strerror(argv == NULL ? ENOMEM : errno));
        return 1;
    }
    argv[0] = "ps";
    argv[1] = "-ef";
    for (int i = 0; i < nargs; i++)
        argv[i + 1] = args[i];
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    rc = posix_spawnp(&child, "ps", &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        cli_error(program, "ps", "run ps: %s (the table format needs ps(1) of procps)",
                  strerror(rc));
        return 1;
    }
    in = fdopen(fds[0], "r");
    if (in == NULL) {
        cli_error(program, "ps", "read the output of ps: %s", strerror(errno));
        close(fds[0]);
        status = -1;
    } else {
        status = filter_table(program, in, pids, n);
        fclose(in); /* before the wait: a ps whose output is not read any more must not block */
    }
    while (waitpid(child, &wstatus, 0) < 0)
        if (errno != EINTR)
            return 1;
    if (status < 0)
        return 1;
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        cli_error(program, "ps", "ps failed (status %d)",
                  WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
        return 1;
    }
    return 0;
}

static int run_ps(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree pid_t *pids = NULL;
    struct cli_parser p;
    bool json = false;
    const char *id;
    size_t n = 0;
    int status;

    status = oci_parse(program, &oci_ps_command, argc, argv, &p, ps_flag, &json);
    if (status >= 0)
        return status;
    id = oci_container_id(&p, argc, &status);
    if (id == NULL)
        return status;
    if (json && p.index + 1 < argc)
        return cli_usage_error(&p, "ps arguments ('%s') go with the table format only",
                               argv[p.index + 1]);
    if (hutch_container_pids(oci_runtime(program), id, &pids, &n, &err) < 0)
        return oci_fail(program, "ps", &err);
    if (json) {
        print_json(pids, n);
        return 0;
    }
    return print_table(program, argv + p.index + 1, argc - p.index - 1, pids, n);
}

const struct cli_command oci_ps_command = {
    .name = "ps",
    .summary = "list the processes of a container",
    .usage = "[FLAGS] ID [PS-ARGS...]",
    .description = "List the processes of container ID: the header of ps(1) (run with PS-ARGS,\n"
                   "default -ef) and its lines of those processes, or with --format json\n"
                   "an array of their pids. Without a cgroup of its own, a container's\n"
                   "processes are those of its pid namespace; a container that shares its\n"
                   "pid namespace shows only its init.",
    .flags = ps_flags,
    .run = run_ps,
};
