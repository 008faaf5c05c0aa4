/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci list: the containers under the state root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "oci.h"

enum { FLAG_QUIET = 'q', FLAG_FORMAT = 'f' };

struct list_options {
    bool quiet;
    bool json;
};

static const struct cli_flag list_flags[] = {
    { FLAG_QUIET, "quiet", 'q', CLI_NO_ARG, NULL, "print only the ids" },
    { FLAG_FORMAT, "format", 'f', CLI_ARG, "FORMAT", "table (default) or json" },
    { 0 },
};

static int list_flag(void *opts, int id, const char *value)
{
    struct list_options *o = opts;

    if (id == FLAG_QUIET)
        o->quiet = true;
    else if (id == FLAG_FORMAT && strcmp(value, "json") == 0)
        o->json = true;
    else if (id == FLAG_FORMAT && strcmp(value, "table") != 0)
        return -1;
    return 0;
}

static void print_table(const struct hutch_container_state *list, size_t n)
{
    printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
    for (size_t i = 0; i < n; i++) {
        const struct hutch_container_state *s = &list[i];
        char owner[256];
        time_t secs = (time_t)(s->created / 1000000000);
        char created[40] = "";
        struct tm tm;

        if (gmtime_r(&secs, &tm) != NULL)
            strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        hutch_user_name(s->owner, owner, sizeof(owner));
        printf("%-12s %-8d %-10s %-40s %-30s %s\n", s->id, (int)s->pid,
               hutch_container_status_name(s->status), s->bundle, created, owner);
    }
}

static int print_json(const struct cli_program *program, const struct hutch_container_state *list,
                      size_t n)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *json = NULL;

    if (hutch_container_list_json(list, n, &json, &err) < 0)
        return oci_fail(program, "list", &err);
    puts(json);
    free(json);
    return 0;
}

static int run_list(const struct cli_program *program, int argc, char **argv)
{
    struct list_options o = { 0 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state *list = NULL;
    struct cli_parser p;
    size_t n = 0;
    int status;

    status = oci_parse(program, &oci_list_command, argc, argv, &p, list_flag, &o);
    if (status >= 0)
        return status;
    if (p.index < argc)
        return cli_usage_error(&p, "unexpected argument '%s'", argv[p.index]);
    if (hutch_container_list(oci_runtime(program), &list, &n, &err) < 0)
        return oci_fail(program, "list", &err);
    if (o.quiet) {
        for (size_t i = 0; i < n; i++)
            puts(list[i].id);
    } else if (o.json) {
        status = print_json(program, list, n);
    } else {
        print_table(list, n);
    }
    hutch_container_list_free(list, n);
    return status > 0 ? status : 0;
}

const struct cli_command oci_list_command = {
    .name = "list",
    .summary = "list the containers",
    .usage = "[FLAGS]",
    .description = "List the containers under the state root (--root).",
    .flags = list_flags,
    .run = run_list,
};
