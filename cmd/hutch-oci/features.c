/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci features: what config.json may ask of this runtime (runtime-spec features.md). */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "oci.h"

static int run_features(const struct cli_program *program, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct cli_parser p;
    char *json = NULL;
    int status;

    status = oci_parse(program, &oci_features_command, argc, argv, &p, NULL, NULL);
    if (status >= 0)
        return status;
    if (p.index < argc)
        return cli_usage_error(&p, "unexpected argument '%s'", argv[p.index]);
    if (hutch_runtime_features_json(&json, &err) < 0)
        return oci_fail(program, "features", &err);
    fputs(json, stdout);
    free(json);
    return 0;
}

const struct cli_command oci_features_command = {
    .name = "features",
    .summary = "print the features document of this runtime as JSON",
    .usage = "[FLAGS]",
    .description = "Print the OCI features document: the runtime-spec versions, hooks, mount\n"
                   "options, namespaces, capabilities, cgroup managers, seccomp actions,\n"
                   "operators, architectures and flags, and the security modules that\n"
                   "config.json may use with this version of hutch-oci.",
    .run = run_features,
};
