/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every hutch-oci command shares: the global flags, the runtime context, error output. */
#ifndef HUTCH_OCI_OCI_H
#define HUTCH_OCI_OCI_H

#include <stdbool.h>
#include <stdio.h>

#include <hutch/runtime.h>

#include "../common/cli.h"

struct oci_globals {
    const char *root; /* --root, or NULL for the default */
    const char *log;  /* --log */
    bool log_json;    /* --log-format json */
    bool debug;       /* --debug */
    bool systemd_cgroup;
    bool cgroups_disabled; /* --cgroup-manager disabled */
    const char *rootless;  /* "auto", "true", "false" */
    FILE *log_file;
    char *default_root;
    struct hutch_runtime rt;
    char **argv; /* as main() got it */
};

/* The global flags of hutch-oci, with their handler and the step that opens the log. */
extern const struct cli_flag oci_global_flags[];
int oci_global_flag(const struct cli_program *program, int id, const char *value);
int oci_prepare(const struct cli_program *program);

/* The runtime context built from the global flags. */
const struct hutch_runtime *oci_runtime(const struct cli_program *program);

/* Report a failed command: one line on stderr, and in the --log file. Returns 1. */
int oci_fail(const struct cli_program *program, const char *command, const hutch_error *err);

/* Parse the flags of `command` up to its positional arguments; -1 to go on, else exit status. */
int oci_parse(const struct cli_program *program, const struct cli_command *command, int argc,
              char **argv, struct cli_parser *p,
              int (*on_flag)(void *opts, int id, const char *value), void *opts);

/* The one positional argument ID (with `max_args` more allowed); NULL after a usage error. */
const char *oci_container_id(const struct cli_parser *p, int max_extra, int *status);

#endif
