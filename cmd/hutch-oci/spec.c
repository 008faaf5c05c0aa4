/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hutch-oci spec: write a default config.json, as `runc spec` does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hutch/spec.h>

#include "commands.h"

enum { FLAG_BUNDLE = 'b', FLAG_ROOTLESS = 1000 };

static const struct cli_flag spec_flags[] = {
    { FLAG_BUNDLE, "bundle", 'b', CLI_ARG, "DIR",
      "write config.json in DIR (default: the current directory)" },
    { FLAG_ROOTLESS, "rootless", 0, CLI_NO_ARG, NULL,
      "a configuration for an unprivileged user: user namespace mapping your ids, no network "
      "namespace, /sys bind-mounted" },
    { 0 },
};

static int run_spec(const struct cli_program *program, int argc, char **argv)
{
    struct hutch_spec_default_options options = { .uid = getuid(), .gid = getgid() };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;
    const char *bundle = ".";
    char *path = NULL;
    struct cli_parser p;
    const char *value;
    struct stat st;
    int id, status;

    cli_parser_init(&p, program, &oci_spec_command, argc, argv);
    while ((id = cli_next(&p, &value)) > 0) {
        switch (id) {
        case FLAG_BUNDLE:
            bundle = value;
            break;
        case FLAG_ROOTLESS:
            options.rootless = true;
            break;
        default:
            break;
        }
    }
    status = cli_flags_done(&p, id);
    if (status >= 0)
        return status;
    if (p.index < argc)
        return cli_usage_error(&p, "unexpected argument '%s'", argv[p.index]);

    if (stat(bundle, &st) < 0) {
        cli_error(program, "spec", "bundle directory %s: %s", bundle, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error(program, "spec", "bundle %s is not a directory", bundle);
        return 1;
    }
    if (asprintf(&path, "%s/config.json", bundle) < 0) {
        cli_error(program, "spec", "out of memory");
        return 1;
    }
    if (hutch_spec_new_default(&options, &spec, &err) < 0 ||
        hutch_spec_save(spec, path, HUTCH_SPEC_SAVE_NOREPLACE, &err) < 0) {
        if (err.code == EEXIST)
            cli_error(program, "spec",
                      "%s already exists; remove it first or choose another "
                      "--bundle",
                      path);
        else
            cli_print_error(program, "spec", &err);
        free(path);
        return 1;
    }
    free(path);
    return 0;
}

const struct cli_command oci_spec_command = {
    .name = "spec",
    .summary = "write a default config.json for a bundle",
    .usage = "[FLAGS]",
    .description = "Write a default OCI runtime configuration (config.json) into the bundle\n"
                   "directory. An existing config.json is never overwritten.",
    .flags = spec_flags,
    .run = run_spec,
};
