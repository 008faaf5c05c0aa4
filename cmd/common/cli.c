/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "version.h"

void cli_parser_init(struct cli_parser *p, const struct cli_program *program,
                     const struct cli_command *command, int argc, char **argv)
{
    memset(p, 0, sizeof(*p));
    p->program = program;
    p->command = command->name;
    p->usage = command->usage;
    p->description = command->description;
    p->flags = command->flags;
    p->argc = argc;
    p->argv = argv;
    p->index = 1;
}

static void vreport(const struct cli_program *program, const char *command, const char *fmt,
                    va_list ap) HUTCH_PRINTF(3, 0);
static void vreport(const struct cli_program *program, const char *command, const char *fmt,
                    va_list ap)
{
    fputs(program->name, stderr);
    if (command != NULL)
        fprintf(stderr, " %s", command);
    fputs(": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const struct cli_program *program, const char *command, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(program, command, fmt, ap);
    va_end(ap);
}

void cli_print_error(const struct cli_program *program, const char *command, const hutch_error *err)
{
    cli_error(program, command, "%s", hutch_error_message(err));
}

/* "see 'hutch-oci spec --help'" */
static void help_hint(const struct cli_parser *p, char *buf, size_t size)
{
    snprintf(buf, size, "see '%s%s%s --help'", p->program->name, p->command ? " " : "",
             p->command ? p->command : "");
}

static void vusage(const struct cli_parser *p, const char *fmt, va_list ap) HUTCH_PRINTF(2, 0);
static void vusage(const struct cli_parser *p, const char *fmt, va_list ap)
{
    char hint[128];
    char *msg = NULL;

    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    help_hint(p, hint, sizeof(hint));
    cli_error(p->program, p->command, "%s; %s", msg != NULL ? msg : "usage error", hint);
    free(msg);
}

int cli_usage_error(const struct cli_parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(p, fmt, ap);
    va_end(ap);
    return p->program->usage_status;
}

/* A usage error met while reading flags: printed, and CLI_ERROR for cli_next(). */
static int flag_error(const struct cli_parser *p, const char *fmt, ...) HUTCH_PRINTF(2, 3);
static int flag_error(const struct cli_parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(p, fmt, ap);
    va_end(ap);
    return CLI_ERROR;
}

static const struct cli_flag help_flag = {
    .id = 'h', .long_name = "help", .short_name = 'h', .arg = CLI_NO_ARG, .help = "show this help"
};

static const struct cli_flag *find_long(const struct cli_parser *p, const char *name, size_t len)
{
    for (const struct cli_flag *f = p->flags; f != NULL && f->id != 0; f++)
        if (strlen(f->long_name) == len && strncmp(f->long_name, name, len) == 0)
            return f;
    if (len == 4 && strncmp(name, "help", 4) == 0)
        return &help_flag;
    return NULL;
}

static const struct cli_flag *find_short(const struct cli_parser *p, char c)
{
    for (const struct cli_flag *f = p->flags; f != NULL && f->id != 0; f++)
        if (f->short_name != 0 && f->short_name == c)
            return f;
    if (c == 'h')
        return &help_flag;
    return NULL;
}

static int flag_found(struct cli_parser *p, const struct cli_flag *f)
{
    if (f == &help_flag) {
        cli_print_help(p);
        return CLI_HELP;
    }
    return f->id;
}

static int next_short(struct cli_parser *p, const char **value)
{
    char c = *p->cluster++;
    const struct cli_flag *f = find_short(p, c);

    if (f == NULL) {
        p->cluster = NULL;
        return flag_error(p, "unknown flag '-%c'", c);
    }
    if (f->arg == CLI_ARG) {
        if (*p->cluster != '\0') {
            *value = p->cluster;
        } else if (p->index < p->argc) {
            *value = p->argv[p->index++];
        } else {
            p->cluster = NULL;
            return flag_error(p, "flag '-%c' needs a value (%s)", c, f->arg_name);
        }
        p->cluster = NULL;
    } else if (*p->cluster == '\0') {
        p->cluster = NULL;
    }
    return flag_found(p, f);
}

int cli_next(struct cli_parser *p, const char **value)
{
    const char *arg;

    *value = NULL;
    if (p->cluster != NULL)
        return next_short(p, value);
    if (p->index >= p->argc)
        return CLI_END;
    arg = p->argv[p->index];
    if (strcmp(arg, "--") == 0) {
        p->index++;
        return CLI_END;
    }
    if (arg[0] != '-' || arg[1] == '\0')
        return CLI_END;
    p->index++;
    if (arg[1] != '-') {
        p->cluster = arg + 1;
        return next_short(p, value);
    }

    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct cli_flag *f = find_long(p, name, len);

    if (f == NULL)
        return flag_error(p, "unknown flag '--%.*s'", (int)len, name);
    if (f->arg == CLI_NO_ARG) {
        if (eq != NULL)
            return flag_error(p, "flag '--%s' takes no value", f->long_name);
    } else if (eq != NULL) {
        *value = eq + 1;
    } else if (p->index < p->argc) {
        *value = p->argv[p->index++];
    } else {
        return flag_error(p, "flag '--%s' needs a value (%s)", f->long_name, f->arg_name);
    }
    return flag_found(p, f);
}

static void print_flag(const struct cli_flag *f)
{
    char left[64];
    int n;

    if (f->short_name != 0)
        n = snprintf(left, sizeof(left), "-%c, --%s", f->short_name, f->long_name);
    else
        n = snprintf(left, sizeof(left), "    --%s", f->long_name);
    if (f->arg == CLI_ARG && n > 0 && (size_t)n < sizeof(left))
        snprintf(left + n, sizeof(left) - (size_t)n, " %s", f->arg_name);
    printf("  %-28s %s\n", left, f->help);
}

void cli_print_help(const struct cli_parser *p)
{
    printf("Usage: %s%s%s %s\n", p->program->name, p->command ? " " : "",
           p->command ? p->command : "", p->usage);
    if (p->description != NULL)
        printf("\n%s\n", p->description);
    if (p->subcommands != NULL) {
        printf("\nCommands:\n");
        for (const struct cli_command *const *c = p->subcommands; *c != NULL; c++)
            printf("  %-12s %s\n", (*c)->name, (*c)->summary);
    }
    printf("\nFlags:\n");
    for (const struct cli_flag *f = p->flags; f != NULL && f->id != 0; f++)
        print_flag(f);
    print_flag(&help_flag);
}

/* Edit distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[32];

    if (la >= 31 || lb >= 31)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int cli_dispatch(const struct cli_program *program, const struct cli_command *const *commands,
                 int argc, char **argv)
{
    const struct cli_command *closest = NULL;
    size_t best = 3;

    for (const struct cli_command *const *entry = commands; *entry != NULL; entry++) {
        const struct cli_command *c = *entry;
        size_t d;
        if (strcmp(c->name, argv[0]) == 0)
            return c->run(program, argc, argv);
        d = distance(c->name, argv[0]);
        if (d < best) {
            best = d;
            closest = c;
        }
    }
    if (closest != NULL)
        cli_error(program, NULL, "unknown command '%s'; did you mean '%s'? see '%s --help'",
                  argv[0], closest->name, program->name);
    else
        cli_error(program, NULL, "unknown command '%s'; see '%s --help'", argv[0], program->name);
    return program->usage_status;
}

int cli_flags_done(const struct cli_parser *p, int id)
{
    if (id == CLI_HELP)
        return 0;
    if (id == CLI_ERROR)
        return p->program->usage_status;
    return -1;
}

int cli_main(const struct cli_program *program, const struct cli_command *global,
             const struct cli_command *const *commands, int argc, char **argv)
{
    struct cli_parser p;
    const char *value;
    int id, status;

    cli_parser_init(&p, program, global, argc, argv);
    p.subcommands = commands;
    while ((id = cli_next(&p, &value)) > 0) {
        if (id == CLI_FLAG_VERSION) {
            cli_print_version(program->name);
            return 0;
        }
        if (program->global_flag != NULL && program->global_flag(program, id, value) < 0)
            return program->usage_status;
    }
    status = cli_flags_done(&p, id);
    if (status >= 0)
        return status;
    if (p.index >= argc)
        return cli_usage_error(&p, "missing command");
    if (program->prepare != NULL && program->prepare(program) < 0)
        return program->usage_status;
    return cli_dispatch(program, commands, argc - p.index, argv + p.index);
}
