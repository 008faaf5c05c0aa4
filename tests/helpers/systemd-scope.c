/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hutch-systemd-scope: drives the systemd cgroup driver (lib/runtime/cgroup_systemd.c) alone,
 * for the test guest (tests/vm/guest/systemd-cgroup.bats).
 *
 *   hutch-systemd-scope start [-r] [-m BYTES] [-p PIDS] [-c CPUS] [-q QUOTA] [-P PERIOD]
 *                       CGROUPSPATH ID
 *       forks a child that sleeps, starts the scope for it with those limits and prints
 *       "pid=PID", "scope=NAME" and "cgroup=PATH"; the child stays (the scope's stop ends it)
 *   hutch-systemd-scope stop [-r] SCOPE
 *
 * -r: rootless (the user's bus). Errors: one line on stderr, status 1; usage: status 2.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "runtime/cgroup_systemd.h"

static int usage(void)
{
    fprintf(stderr, "usage: hutch-systemd-scope start [-r] [-m BYTES] [-p PIDS] [-c CPUS] "
                    "[-q QUOTA] [-P PERIOD] CGROUPSPATH ID\n"
                    "       hutch-systemd-scope stop [-r] SCOPE\n");
    return 2;
}

static int fail(const char *what, hutch_error *err)
{
    fprintf(stderr, "hutch-systemd-scope: %s: %s\n", what, hutch_error_message(err));
    return 1;
}

static int start(int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory mem = { 0 };
    struct hutch_spec_cpu cpu = { 0 };
    struct hutch_spec_pids pids = { 0 };
    struct hutch_spec_resources r = { 0 };
    struct systemd_unit_name name;
    hutch_autofree char *cgroup = NULL;
    bool rootless = false;
    pid_t child;
    int opt, rc;

    while ((opt = getopt(argc, argv, "rm:p:c:q:P:")) != -1) {
        switch (opt) {
        case 'r':
            rootless = true;
            break;
        case 'm':
            mem.limit = (hutch_opt_i64){ true, strtoll(optarg, NULL, 10) };
            r.memory = &mem;
            break;
        case 'p':
            pids.limit = strtoll(optarg, NULL, 10);
            r.pids = &pids;
            break;
        case 'c':
            cpu.cpus = optarg;
            r.cpu = &cpu;
            break;
        case 'q':
            cpu.quota = (hutch_opt_i64){ true, strtoll(optarg, NULL, 10) };
            r.cpu = &cpu;
            break;
        case 'P':
            cpu.period = (hutch_opt_u64){ true, strtoull(optarg, NULL, 10) };
            r.cpu = &cpu;
            break;
        default:
            return usage();
        }
    }
    if (argc - optind != 2)
        return usage();
    if (systemd_unit_name_parse(argv[optind], argv[optind + 1], rootless, &name, &err) < 0)
        return fail("start", &err);
    child = fork();
    if (child < 0) {
        perror("hutch-systemd-scope: fork");
        systemd_unit_name_release(&name);
        return 1;
    }
    if (child == 0) {
        /* out of the caller's pipes and fds (bats waits for its fd 3), so that nobody
         * waits for it */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
            close_range(3, ~0u, 0) < 0)
            _exit(1);
        setsid();
        for (;;)
            pause();
    }
    rc = systemd_scope_start(rootless, &name, child, &r, &cgroup, &err);
    if (rc < 0) {
        kill(child, SIGKILL);
        systemd_unit_name_release(&name);
        return fail("start", &err);
    }
    printf("pid=%d\nscope=%s\nslice=%s\ncgroup=%s\n", (int)child, name.scope, name.slice, cgroup);
    systemd_unit_name_release(&name);
    return 0;
}

static int stop(int argc, char **argv)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    bool rootless = false;
    int opt;

    while ((opt = getopt(argc, argv, "r")) != -1) {
        if (opt != 'r')
            return usage();
        rootless = true;
    }
    if (argc - optind != 1)
        return usage();
    if (systemd_scope_stop(rootless, argv[optind], &err) < 0)
        return fail("stop", &err);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "start") == 0)
        return start(argc - 1, argv + 1);
    if (strcmp(argv[1], "stop") == 0)
        return stop(argc - 1, argv + 1);
    return usage();
}
