/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing shared by hutch and hutch-oci: a table of flags per
 * command, one-line errors naming the bad flag with a hint, and --help.
 * Parsing stops at the first argument that is not a flag (or after "--"),
 * so a container's own command line is never taken for hutch's flags.
 */
#ifndef HUTCH_CMD_CLI_H
#define HUTCH_CMD_CLI_H

#include <stdbool.h>

#include <hutch/error.h>
#include <hutch/export.h>

enum cli_arg {
    CLI_NO_ARG,
    CLI_ARG,
};

struct cli_flag {
    int id;                /* returned by cli_next(); the short letter when there is one */
    const char *long_name; /* without "--" */
    char short_name;       /* 0 for none */
    enum cli_arg arg;
    const char *arg_name; /* shown in help: "DIR" */
    const char *help;
};

struct cli_program {
    const char *name; /* "hutch" */
    int usage_status; /* exit status for a usage error: 125 for hutch, 1 for hutch-oci */
    /* Global flags other than --version, handed over by cli_main(); < 0 stops with an error. */
    int (*global_flag)(const struct cli_program *program, int id, const char *value);
    void *context; /* what the global flags fill in, for the commands */
    /* Called by cli_main() after the global flags, before the command; < 0 stops. */
    int (*prepare)(const struct cli_program *program);
};

struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;            /* after the command name: "[FLAGS] ID" */
    const char *description;      /* a paragraph for --help, may be NULL */
    const struct cli_flag *flags; /* ends with an entry whose id is 0 */
    int (*run)(const struct cli_program *program, int argc, char **argv);
};

/* The id of the --version flag a program's global flags use with cli_main(). */
#define CLI_FLAG_VERSION 'v'

/* What cli_next() returns besides a flag id. */
enum {
    CLI_END = 0,   /* no more flags; positional arguments start at parser->index */
    CLI_HELP = -1, /* --help was given and printed: exit 0 */
    CLI_ERROR = -2 /* a usage error was printed: exit with usage_status */
};

struct cli_parser {
    const struct cli_program *program;
    const char *command; /* "spec", or NULL for the program's global flags */
    const char *usage;
    const char *description;
    const struct cli_flag *flags;
    const struct cli_command *const *subcommands; /* listed by --help, may be NULL */
    int argc;
    char **argv;
    int index;           /* next argv element to read */
    const char *cluster; /* rest of a "-abc" group being read */
};

void cli_parser_init(struct cli_parser *p, const struct cli_program *program,
                     const struct cli_command *command, int argc, char **argv);

/* The next flag's id with its value in *value, or CLI_END / CLI_HELP / CLI_ERROR. */
int cli_next(struct cli_parser *p, const char **value);

/*
 * After the flag loop of a command: -1 to go on, or the exit status to return
 * (0 after --help, usage_status after a usage error).
 */
int cli_flags_done(const struct cli_parser *p, int id);

/*
 * A whole program: read the global flags of `global` (--version, --help),
 * then run the command named by the first positional argument.
 */
int cli_main(const struct cli_program *program, const struct cli_command *global,
             const struct cli_command *const *commands, int argc, char **argv);

/* Print --help for the parser's command to stdout. */
void cli_print_help(const struct cli_parser *p);

/* "<program>[ <command>]: <message>" on stderr. */
void cli_error(const struct cli_program *program, const char *command, const char *fmt, ...)
        HUTCH_PRINTF(3, 4);

/* Print a library error with the program (and command) prefix. */
void cli_print_error(const struct cli_program *program, const char *command,
                     const hutch_error *err);

/* Usage error about positional arguments, with the --help hint; returns usage_status. */
int cli_usage_error(const struct cli_parser *p, const char *fmt, ...) HUTCH_PRINTF(2, 3);

/*
 * Run the command named argv[0] from `commands` (ending with NULL).
 * An unknown name gets one line naming it, a close match if there is one,
 * and the --help hint.
 */
int cli_dispatch(const struct cli_program *program, const struct cli_command *const *commands,
                 int argc, char **argv);

#endif
