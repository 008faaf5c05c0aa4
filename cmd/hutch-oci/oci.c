/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

enum {
    FLAG_ROOT = 1000,
    FLAG_LOG,
    FLAG_LOG_FORMAT,
    FLAG_DEBUG,
    FLAG_SYSTEMD_CGROUP,
    FLAG_CGROUP_MANAGER,
    FLAG_ROOTLESS,
};

const struct cli_flag oci_global_flags[] = {
    { CLI_FLAG_VERSION, "version", 'v', CLI_NO_ARG, NULL, "print the version and exit" },
    { FLAG_ROOT, "root", 0, CLI_ARG, "DIR",
      "state directory (default: /run/hutch-oci, or $XDG_RUNTIME_DIR/hutch-oci rootless)" },
    { FLAG_LOG, "log", 0, CLI_ARG, "FILE", "also write errors (and --debug messages) to FILE" },
    { FLAG_LOG_FORMAT, "log-format", 0, CLI_ARG, "FORMAT", "format of --log: text or json" },
    { FLAG_DEBUG, "debug", 0, CLI_NO_ARG, NULL, "log debug messages" },
    { FLAG_SYSTEMD_CGROUP, "systemd-cgroup", 0, CLI_NO_ARG, NULL,
      "containers' cgroups are transient systemd scopes (sd-bus)" },
    { FLAG_CGROUP_MANAGER, "cgroup-manager", 0, CLI_ARG, "cgroupfs|systemd|disabled",
      "crun's form of --systemd-cgroup (disabled: no cgroups; limits are refused)" },
    { FLAG_ROOTLESS, "rootless", 0, CLI_ARG, "auto|true|false",
      "run as an unprivileged user (default auto: when not root)" },
    { 0 },
};

static struct oci_globals *globals(const struct cli_program *program)
{
    return program->context;
}

int oci_global_flag(const struct cli_program *program, int id, const char *value)
{
    struct oci_globals *g = globals(program);

    switch (id) {
    case FLAG_ROOT:
        if (value[0] == '\0') {
            cli_error(program, NULL, "--root: the directory must not be empty");
            return -1;
        }
        g->root = value;
        break;
    case FLAG_LOG:
        g->log = value;
        break;
    case FLAG_LOG_FORMAT:
        if (strcmp(value, "json") != 0 && strcmp(value, "text") != 0) {
            cli_error(program, NULL, "--log-format: expected text or json, found '%s'", value);
            return -1;
        }
        g->log_json = strcmp(value, "json") == 0;
        break;
    case FLAG_DEBUG:
        g->debug = true;
        break;
    case FLAG_SYSTEMD_CGROUP:
        g->systemd_cgroup = true;
        break;
    case FLAG_CGROUP_MANAGER:
        if (strcmp(value, "cgroupfs") != 0 && strcmp(value, "systemd") != 0 &&
            strcmp(value, "disabled") != 0) {
            cli_error(program, NULL,
                      "--cgroup-manager: expected cgroupfs, systemd or disabled, found '%s'",
                      value);
            return -1;
        }
        g->systemd_cgroup = strcmp(value, "systemd") == 0;
        g->cgroups_disabled = strcmp(value, "disabled") == 0;
        break;
    case FLAG_ROOTLESS:
        if (strcmp(value, "auto") != 0 && strcmp(value, "true") != 0 &&
            strcmp(value, "false") != 0) {
            cli_error(program, NULL, "--rootless: expected auto, true or false, found '%s'", value);
            return -1;
        }
        g->rootless = value;
        break;
    default:
        break;
    }
    return 0;
}

static void write_log_line(struct oci_globals *g, const char *level, const char *msg)
{
    char stamp[64];
    struct timespec ts;
    struct tm tm;

    if (g->log_file == NULL)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    if (g->log_json) {
        fprintf(g->log_file, "{\"level\":\"%s\",\"msg\":\"", level);
        for (const char *p = msg; *p != '\0'; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '"' || c == '\\')
                fprintf(g->log_file, "\\%c", c);
            else if (c < 0x20)
                fprintf(g->log_file, "\\u%04x", c);
            else
                fputc(c, g->log_file);
        }
        fprintf(g->log_file, "\",\"time\":\"%s.%09ldZ\"}\n", stamp, ts.tv_nsec);
    } else {
        fprintf(g->log_file, "time=\"%s.%09ldZ\" level=%s msg=\"", stamp, ts.tv_nsec, level);
        for (const char *p = msg; *p != '\0'; p++)
            fputc(*p == '"' ? '\'' : *p, g->log_file);
        fputs("\"\n", g->log_file);
    }
    fflush(g->log_file);
}

static void runtime_log(void *data, enum hutch_log_level level, const char *message)
{
    struct oci_globals *g = data;
    static const char *const names[] = { "error", "warning", "info", "debug" };

    if (level == HUTCH_LOG_DEBUG && !g->debug)
        return;
    write_log_line(g, names[level], message);
    if (g->log_file == NULL && level != HUTCH_LOG_DEBUG)
        fprintf(stderr, "hutch-oci: %s: %s\n", names[level], message);
    else if (g->log_file == NULL && g->debug)
        fprintf(stderr, "hutch-oci: debug: %s\n", message);
}

int oci_prepare(const struct cli_program *program)
{
    struct oci_globals *g = globals(program);
    hutch_autoerror err = HUTCH_ERROR_INIT;

    if (g->log != NULL) {
        g->log_file = fopen(g->log, "ae");
        if (g->log_file == NULL) {
            cli_error(program, NULL, "--log %s: %s", g->log, strerror(errno));
            return -1;
        }
    }
    if (g->rootless == NULL || strcmp(g->rootless, "auto") == 0)
        g->rt.rootless = geteuid() != 0;
    else
        g->rt.rootless = strcmp(g->rootless, "true") == 0;
    if (g->root == NULL) {
        if (hutch_runtime_default_root(g->rt.rootless, &g->default_root, &err) < 0) {
            cli_print_error(program, NULL, &err);
            return -1;
        }
        g->root = g->default_root;
    }
    g->rt.state_root = g->root;
    g->rt.systemd_cgroup = g->systemd_cgroup;
    g->rt.cgroups_disabled = g->cgroups_disabled;
    g->rt.debug = g->debug;
    g->rt.log = runtime_log;
    g->rt.log_data = g;
    g->rt.reexec_argv = g->argv;
    return 0;
}

const struct hutch_runtime *oci_runtime(const struct cli_program *program)
{
    return &globals(program)->rt;
}

int oci_fail(const struct cli_program *program, const char *command, const hutch_error *err)
{
    cli_print_error(program, command, err);
    write_log_line(globals(program), "error", hutch_error_message(err));
    return 1;
}

static const char *flag_name(const struct cli_command *command, int id)
{
    for (const struct cli_flag *f = command->flags; f != NULL && f->id != 0; f++)
        if (f->id == id)
            return f->long_name;
    return "?";
}

int oci_parse(const struct cli_program *program, const struct cli_command *command, int argc,
              char **argv, struct cli_parser *p,
              int (*on_flag)(void *opts, int id, const char *value), void *opts)
{
    const char *value;
    int id;

    cli_parser_init(p, program, command, argc, argv);
    while ((id = cli_next(p, &value)) > 0) {
        if (on_flag != NULL && on_flag(opts, id, value) < 0)
            return cli_usage_error(p, "flag '--%s' does not take '%s'", flag_name(command, id),
                                   value);
    }
    return cli_flags_done(p, id);
}

const char *oci_container_id(const struct cli_parser *p, int max_extra, int *status)
{
    if (p->index >= p->argc) {
        *status = cli_usage_error(p, "missing container id");
        return NULL;
    }
    if (p->argc - p->index - 1 > max_extra) {
        *status = cli_usage_error(p, "unexpected argument '%s'", p->argv[p->index + 1 + max_extra]);
        return NULL;
    }
    return p->argv[p->index];
}
