/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#include "core/atomic_file.h"
#include "core/io.h"
#include "unit.h"

static char dir[] = "/tmp/hutch-atomic-XXXXXX";
static char path[256];

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/state.json", dir);
}

static void teardown(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *p)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *data = NULL;

    ck_assert_int_eq(hutch_read_file(p, 1 << 20, &data, NULL, &err), 0);
    return data;
}

/* Entries in the test directory: nothing but the target may be left. */
static int count_entries(void)
{
    hutch_autoclosedir DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    return n;
}

START_TEST(writes_new_file)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *data = NULL;

    ck_assert_int_eq(hutch_atomic_write_file(path, "hello", 5, 0600, 0, &err), 0);
    data = slurp(path);
    ck_assert_str_eq(data, "hello");
    ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(replaces_existing_file)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *data = NULL;

    ck_assert_int_eq(hutch_atomic_write_file(path, "old contents", 12, 0644, 0, &err), 0);
    ck_assert_int_eq(hutch_atomic_write_file(path, "new", 3, 0644, 0, &err), 0);
    data = slurp(path);
    ck_assert_str_eq(data, "new");
    ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(noreplace_refuses_and_keeps_old)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *data = NULL;
    char expected[300];

    ck_assert_int_eq(hutch_atomic_write_file(path, "old", 3, 0644, 0, &err), 0);
    ck_assert_int_eq(hutch_atomic_write_file(path, "new", 3, 0644, HUTCH_ATOMIC_NOREPLACE, &err),
                     -EEXIST);
    snprintf(expected, sizeof(expected), "%s already exists", path);
    ck_assert_str_eq(hutch_error_message(&err), expected);
    data = slurp(path);
    ck_assert_str_eq(data, "old");
    ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(mode_is_applied_less_umask)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct stat st;
    mode_t old = umask(022);

    ck_assert_int_eq(hutch_atomic_write_file(path, "x", 1, 0666, 0, &err), 0);
    umask(old);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
}
END_TEST

START_TEST(missing_directory_is_reported)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char missing[300];

    snprintf(missing, sizeof(missing), "%s/nope/file", dir);
    ck_assert_int_eq(hutch_atomic_write_file(missing, "x", 1, 0644, 0, &err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "open directory"));
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "No such file or directory"));
}
END_TEST

START_TEST(directory_as_target_fails_cleanly)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char sub[300];

    snprintf(sub, sizeof(sub), "%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    ck_assert_int_lt(hutch_atomic_write_file(sub, "x", 1, 0644, 0, &err), 0);
    /* the directory is still there and no temporary file is left beside it */
    ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(trailing_slash_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char bad[300];

    snprintf(bad, sizeof(bad), "%s/", dir);
    ck_assert_int_eq(hutch_atomic_write_file(bad, "x", 1, 0644, 0, &err), -EINVAL);
    ck_assert_int_eq(hutch_atomic_write_file("", "x", 1, 0644, 0, &err), -EINVAL);
}
END_TEST

static void write_text(const char *file, const char *text)
{
    int fd = open(file, O_WRONLY | O_CLOEXEC);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A mount namespace of this test process's own, so no mount is ever seen by the host. */
static void enter_private_mount_namespace(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    char map[64];

    if (uid == 0) {
        ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
    } else {
        ck_assert_int_eq(unshare(CLONE_NEWUSER | CLONE_NEWNS), 0);
        write_text("/proc/self/setgroups", "deny");
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        write_text("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        write_text("/proc/self/gid_map", map);
    }
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

START_TEST(full_device_reports_and_leaves_nothing)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char mnt[300], target[320];
    static char big[8192];

    /* a 4 KiB tmpfs cannot take 8 KiB: the write fails and must leave no temporary file */
    enter_private_mount_namespace();
    snprintf(mnt, sizeof(mnt), "%s/small", dir);
    ck_assert_int_eq(mkdir(mnt, 0755), 0);
    ck_assert_int_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=4k"), 0);
    snprintf(target, sizeof(target), "%s/f", mnt);
    memset(big, 'x', sizeof(big));
    ck_assert_int_eq(hutch_atomic_write_file(target, big, sizeof(big), 0644, 0, &err), -ENOSPC);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "No space left on device"));
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), target));
    {
        hutch_autoclosedir DIR *d = opendir(mnt);
        struct dirent *e;
        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d)) != NULL)
            ck_assert_msg(e->d_name[0] == '.' && (e->d_name[1] == '\0' || e->d_name[1] == '.'),
                          "left behind: %s", e->d_name);
    }
    ck_assert_int_eq(umount(mnt), 0);
}
END_TEST

START_TEST(read_file_refuses_oversized)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *data = NULL;

    ck_assert_int_eq(hutch_atomic_write_file(path, "0123456789", 10, 0644, 0, &err), 0);
    ck_assert_int_eq(hutch_read_file(path, 9, &data, NULL, &err), -EFBIG);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(hutch_read_file(path, 10, &data, NULL, &err), 0);
    ck_assert_str_eq(data, "0123456789");
    free(data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("atomic_file");
    TCase *tc = tcase_create("atomic_file");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, writes_new_file);
    tcase_add_test(tc, replaces_existing_file);
    tcase_add_test(tc, noreplace_refuses_and_keeps_old);
    tcase_add_test(tc, mode_is_applied_less_umask);
    tcase_add_test(tc, missing_directory_is_reported);
    tcase_add_test(tc, directory_as_target_fails_cleanly);
    tcase_add_test(tc, trailing_slash_is_refused);
    tcase_add_test(tc, full_device_reports_and_leaves_nothing);
    tcase_add_test(tc, read_file_refuses_oversized);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
