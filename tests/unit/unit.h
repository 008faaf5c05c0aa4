/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the Check unit tests: run a suite with TAP output, find test data. */
#ifndef HUTCH_TESTS_UNIT_H
#define HUTCH_TESTS_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Run `s` in fork mode, reporting TAP on stdout; the exit status for main(). */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* HUTCH_TEST_DATA/<rel>, in a static buffer. */
static inline const char *unit_data(const char *rel)
{
    static char path[4096];
    const char *root = getenv("HUTCH_TEST_DATA");

    snprintf(path, sizeof(path), "%s/%s", root != NULL ? root : "tests/data", rel);
    return path;
}

#endif
