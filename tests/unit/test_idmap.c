/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/idmap.h"
#include "unit.h"

static char file[] = "/tmp/hutch-subid-XXXXXX";

static void write_subid(const char *text)
{
    FILE *f;
    int fd = mkstemp(file);

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static void teardown(void)
{
    unlink(file);
    strcpy(file, "/tmp/hutch-subid-XXXXXX");
}

START_TEST(ranges_by_name_and_by_uid)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct subid_range *r = NULL;
    size_t n = 0;

    write_subid("# comment\nalice:100000:65536\nbob:200000:65536\n1000:300000:10\n"
                "alice:bad:1\nalice:5:0\nalice:4294967290:10\nalice:400000\n");
    ck_assert_int_eq(subid_ranges(file, "alice", 1000, &r, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(r[0].start, 100000);
    ck_assert_uint_eq(r[0].count, 65536);
    ck_assert_uint_eq(r[1].start, 300000);
    free(r);
}
END_TEST

START_TEST(missing_file_grants_nothing)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct subid_range *r = NULL;
    size_t n = 7;

    ck_assert_int_eq(subid_ranges("/nonexistent/subuid", "alice", 1000, &r, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(allowed_maps_pass)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_idmap items[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
    hutch_spec_idmaps maps = { items, 2 };

    write_subid("alice:100000:65536\n");
    ck_assert_int_eq(idmap_check_allowed(&maps, "uidMappings", 1000, file, "alice", 1000, &err), 0);
}
END_TEST

START_TEST(missing_range_names_file_user_range_and_fix)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_idmap items[] = { { 0, 1000, 1 }, { 1, 100000, 65537 } };
    hutch_spec_idmaps maps = { items, 2 };
    char expected[512];

    write_subid("alice:100000:65536\n");
    ck_assert_int_eq(idmap_check_allowed(&maps, "uidMappings", 1000, file, "alice", 1000, &err),
                     -EPERM);
    snprintf(expected, sizeof(expected),
             "%s: user alice has no subordinate ids 100000-165536 (needed by "
             "linux.uidMappings[1]); add them with 'usermod --add-subuids 100000-165536 alice' "
             "or a line 'alice:100000:65537' in %s",
             file, file);
    ck_assert_str_eq(hutch_error_message(&err), expected);
}
END_TEST

START_TEST(someone_elses_id_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_idmap items[] = { { 0, 0, 1 } };
    hutch_spec_idmaps maps = { items, 1 };

    write_subid("");
    ck_assert_int_eq(idmap_check_allowed(&maps, "gidMappings", 1000, file, "alice", 1000, &err),
                     -EPERM);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "--add-subgids 0-0"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("idmap");
    TCase *tc = tcase_create("idmap");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, ranges_by_name_and_by_uid);
    tcase_add_test(tc, missing_file_grants_nothing);
    tcase_add_test(tc, allowed_maps_pass);
    tcase_add_test(tc, missing_range_names_file_user_range_and_fix);
    tcase_add_test(tc, someone_elses_id_is_refused);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
