// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hutch-cgroup-devices: the cgroup device program alone, for guest/cgroup-devices.bats in
 * the test guest (pure cgroup v2, root). Never on the build host: it makes a cgroup and
 * moves a process into it, so it refuses to run unless HUTCH_VM=1.
 *
 *   hutch-cgroup-devices CGROUP CONFIG... -- ACTION...
 *
 * Makes the cgroup CGROUP (a directory that must not exist), applies the device rules of
 * each CONFIG (a config.json) in turn with cgroup_devices_apply() (the second and later
 * ones are what `update` does), prints programs=N (hutch's programs attached to CGROUP),
 * then runs the ACTIONs in a child moved into CGROUP and removes CGROUP. Actions, each
 * reported as ACTION=ok or ACTION=ERRNO-NAME on stdout:
 *
 *   open:PATH:MODE                 open (MODE r, w or rw) and close; nothing read or written
 *   mknod:PATH:TYPE:MAJOR:MINOR    make the node (TYPE c or b), then remove it
 *
 * Exit 0 when every action ran (whatever it reported), 1 with a line on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "runtime/cgroup_devices.h"

static void report(const char *action, int rc)
{
    printf("%s=%s\n", action, rc == 0 ? "ok" : strerrorname_np(rc));
}

static int do_open(const char *action, char *args)
{
    char *mode = strrchr(args, ':');
    int flags, fd;

    if (mode == NULL)
        return -1;
    *mode++ = '\0';
    if (strcmp(mode, "r") == 0)
        flags = O_RDONLY;
    else if (strcmp(mode, "w") == 0)
        flags = O_WRONLY;
    else if (strcmp(mode, "rw") == 0)
        flags = O_RDWR;
    else
        return -1;
    fd = open(args, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    report(action, fd < 0 ? errno : 0);
    if (fd >= 0)
        close(fd);
    return 0;
}

static int do_mknod(const char *action, char *args)
{
    char *path = strtok(args, ":"), *type = strtok(NULL, ":");
    char *major = strtok(NULL, ":"), *minor = strtok(NULL, ":");
    mode_t kind;

    if (path == NULL || type == NULL || major == NULL || minor == NULL)
        return -1;
    if (strcmp(type, "c") == 0)
        kind = S_IFCHR;
    else if (strcmp(type, "b") == 0)
        kind = S_IFBLK;
    else
        return -1;
    if (mknod(path, kind | 0600, makedev(strtoul(major, NULL, 10), strtoul(minor, NULL, 10))) < 0) {
        report(action, errno);
        return 0;
    }
    report(action, 0);
    unlink(path);
    return 0;
}

/* The child: into the cgroup, then the actions. */
static int run_actions(const char *cgroup, char **actions, int n)
{
    char procs[4096];
    int fd;

    snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
    fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) {
        fprintf(stderr, "hutch-cgroup-devices: enter %s: %s\n", cgroup, strerror(errno));
        return 1;
    }
    close(fd);
    for (int i = 0; i < n; i++) {
        hutch_autofree char *args = strdup(actions[i]);
        int rc = -1;

        if (args == NULL)
            return 1;
        if (strncmp(args, "open:", 5) == 0)
            rc = do_open(actions[i], args + 5);
        else if (strncmp(args, "mknod:", 6) == 0)
            rc = do_mknod(actions[i], args + 6);
        if (rc < 0) {
            fprintf(stderr, "hutch-cgroup-devices: bad action %s\n", actions[i]);
            return 1;
        }
        fflush(stdout);
    }
    return 0;
}

static int apply_configs(int cgroup_fd, char **configs, int n)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    size_t attached = 0;

    for (int i = 0; i < n; i++) {
        struct hutch_spec *spec = NULL;
        int rc = hutch_spec_load(configs[i], &spec, &err);

        if (rc == 0)
            rc = cgroup_devices_apply(cgroup_fd, spec, &err);
        hutch_spec_free(spec);
        if (rc < 0) {
            fprintf(stderr, "hutch-cgroup-devices: %s: %s\n", configs[i],
                    hutch_error_message(&err));
            return -1;
        }
    }
    if (cgroup_devices_attached(cgroup_fd, &attached, &err) < 0) {
        fprintf(stderr, "hutch-cgroup-devices: %s\n", hutch_error_message(&err));
        return -1;
    }
    printf("programs=%zu\n", attached);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    hutch_autoclose int fd = -1;
    const char *cgroup;
    int sep, status = 1;
    pid_t pid;

    for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
        ;
    if (argc < 4 || sep < 3 || sep == argc) {
        fprintf(stderr, "usage: hutch-cgroup-devices CGROUP CONFIG... -- ACTION...\n");
        return 2;
    }
    if (getenv("HUTCH_VM") == NULL || strcmp(getenv("HUTCH_VM"), "1") != 0) {
        fprintf(stderr, "hutch-cgroup-devices: runs in the test guest only (HUTCH_VM=1)\n");
        return 2;
    }
    cgroup = argv[1];
    if (mkdir(cgroup, 0755) < 0) {
        fprintf(stderr, "hutch-cgroup-devices: mkdir %s: %s\n", cgroup, strerror(errno));
        return 1;
    }
    fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && apply_configs(fd, argv + 2, sep - 2) == 0) {
        pid = fork();
        if (pid == 0)
            _exit(run_actions(cgroup, argv + sep + 1, argc - sep - 1));
        if (pid > 0 && waitpid(pid, &status, 0) == pid)
            status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        else
            fprintf(stderr, "hutch-cgroup-devices: fork: %s\n", strerror(errno));
    } else if (fd < 0) {
        fprintf(stderr, "hutch-cgroup-devices: open %s: %s\n", cgroup, strerror(errno));
    }
    /* the child is reaped: the cgroup is empty, its programs go with it */
    for (int i = 0; rmdir(cgroup) < 0 && i < 50; i++)
        usleep(20000);
    return status;
}
