/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-systemd: the systemd cgroup driver's D-Bus half, run by hutch-oci
 * (lib/runtime/cgroup_systemd.c) and by nobody else:
 *
 *   hutch-systemd start [--user] SLICE SCOPE PID [NAME=t:U64 | NAME=y:HEX]...
 *   hutch-systemd stop [--user] SCOPE
 *
 * start prints the cgroup the process is in once the scope runs; on failure
 * either prints one error line and exits with its errno value (1 when none
 * fits). hutch-oci checks every argument before it runs this.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>

#include "bus.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: hutch-systemd start [--user] SLICE SCOPE PID [NAME=t:U64|NAME=y:HEX]...\n"
            "       hutch-systemd stop [--user] SCOPE\n"
            "(run by hutch-oci --systemd-cgroup)\n");
    return 2;
}

static int fail(hutch_error *err)
{
    fprintf(stderr, "%s\n", hutch_error_message(err));
    return err->code > 0 && err->code < 126 ? err->code : 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "NAME=t:U64" or "NAME=y:HEX" into *p; its name points into `arg`. */
static int parse_property(char *arg, struct systemd_property *p, hutch_error *err)
{
    char *eq = strchr(arg, '='), *value, *end;

    memset(p, 0, sizeof(*p));
    if (eq == NULL || eq == arg || (eq[1] != 't' && eq[1] != 'y') || eq[2] != ':')
        return hutch_error_set(err, EINVAL, "property %s: expected NAME=t:U64 or NAME=y:HEX", arg);
    *eq = '\0';
    p->name = arg;
    p->type = eq[1];
    value = eq + 3;
    if (p->type == 't') {
        errno = 0;
        p->value = strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || value[0] == '-')
            return hutch_error_set(err, EINVAL, "property %s: %s is not a u64", arg, value);
        return 0;
    }
    if (strlen(value) % 2 != 0)
        return hutch_error_set(err, EINVAL, "property %s: odd number of hex digits", arg);
    p->n_bytes = strlen(value) / 2;
    if (p->n_bytes == 0)
        return 0;
    p->bytes = malloc(p->n_bytes);
    if (p->bytes == NULL)
        return hutch_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_bytes; i++) {
        int hi = hex_digit(value[2 * i]), lo = hex_digit(value[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return hutch_error_set(err, EINVAL, "property %s: %s is not hex", arg, value);
        p->bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int start(bool user, int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct systemd_properties props = { 0 };
    struct systemd_unit_name name;
    hutch_autofree char *cgroup = NULL;
    char *end;
    long pid;
    int rc;

    if (argc < 3 || (size_t)(argc - 3) > SYSTEMD_PROPERTIES_MAX)
        return usage();
    name.slice = argv[0];
    name.scope = argv[1];
    errno = 0;
    pid = strtol(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || pid <= 0 || pid > INT32_MAX)
        return usage();
    for (int i = 3; i < argc; i++) {
        if (parse_property(argv[i], &props.items[props.n++], &err) < 0) {
            systemd_properties_release(&props);
            return fail(&err);
        }
    }
    rc = bus_scope_start(user, &name, (pid_t)pid, &props, &cgroup, &err);
    systemd_properties_release(&props);
    if (rc < 0)
        return fail(&err);
    printf("%s\n", cgroup);
    return fflush(stdout) == 0 ? 0 : EIO;
}

int main(int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    bool user = false;
    int i = 2;

    if (argc < 2)
        return usage();
    if (argc > 2 && strcmp(argv[2], "--user") == 0) {
        user = true;
        i = 3;
    }
    if (strcmp(argv[1], "start") == 0)
        return start(user, argc - i, argv + i);
    if (strcmp(argv[1], "stop") == 0 && argc - i == 1) {
        if (bus_scope_stop(user, argv[i], &err) < 0)
            return fail(&err);
        return 0;
    }
    return usage();
}
