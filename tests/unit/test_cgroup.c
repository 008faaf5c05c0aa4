/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup core against a temporary directory laid out like a cgroup2
 * mount: conversions (runc's), the files written, cgroupsPath resolution,
 * controllers enabled down the tree, delegation found from a process's cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#include "core/io.h"
#include "runtime/cgroup.h"
#include "unit.h"

static char root[] = "/tmp/hutch-test-cgroup.XXXXXX";

static void put(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s%s", root, rel);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static const char *get(const char *rel)
{
    static char *data;
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char path[512];
    size_t len;

    free(data);
    data = NULL;
    snprintf(path, sizeof(path), "%s%s", root, rel);
    ck_assert_int_eq(hutch_read_file(path, 1 << 16, &data, &len, &err), 0);
    return data;
}

/* A cgroup directory with the core files and `controllers` available. */
static void mkcg(const char *rel, const char *controllers)
{
    char path[512], file[600];

    snprintf(path, sizeof(path), "%s%s", root, rel);
    ck_assert_int_eq(mkdir(path, 0755) == 0 || errno == EEXIST, 1);
    snprintf(file, sizeof(file), "%s/cgroup.controllers", rel);
    put(file, controllers);
    snprintf(file, sizeof(file), "%s/cgroup.subtree_control", rel);
    put(file, "");
    snprintf(file, sizeof(file), "%s/cgroup.procs", rel);
    put(file, "");
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
    strcpy(root, "/tmp/hutch-test-cgroup.XXXXXX");
}

START_TEST(runc_conversions)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char buf[32];

    ck_assert_uint_eq(cgroup_cpu_weight(2), 1);
    ck_assert_uint_eq(cgroup_cpu_weight(1024), 39);
    ck_assert_uint_eq(cgroup_cpu_weight(262144), 10000);
    ck_assert_uint_eq(cgroup_io_weight(10), 1);
    ck_assert_uint_eq(cgroup_io_weight(500), 4950);
    ck_assert_uint_eq(cgroup_io_weight(1000), 10000);
    /* memory+swap to swap alone */
    ck_assert_int_eq(cgroup_swap_max(200, 100, "c", buf, sizeof(buf), &err), 0);
    ck_assert_str_eq(buf, "100");
    ck_assert_int_eq(cgroup_swap_max(-1, 100, "c", buf, sizeof(buf), &err), 0);
    ck_assert_str_eq(buf, "max");
    ck_assert_int_eq(cgroup_swap_max(0, -1, "c", buf, sizeof(buf), &err), 0);
    ck_assert_str_eq(buf, "max");
    ck_assert_int_eq(cgroup_swap_max(0, 100, "c", buf, sizeof(buf), &err), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(cgroup_swap_max(100, 100, "c", buf, sizeof(buf), &err), 0);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(cgroup_swap_max(50, 100, "c", buf, sizeof(buf), &err), -EINVAL);
    ck_assert_int_eq(cgroup_swap_max(50, 0, "c", buf, sizeof(buf), &err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "needs a memory limit"));
}
END_TEST

/* The writes of `r` as "file=value" lines. */
static char *plan_text(const struct hutch_spec_resources *r, int expect, hutch_error *err)
{
    struct cgroup_writes w;
    char *text = NULL;
    size_t size = 0;
    FILE *f;

    ck_assert_int_eq(cgroup_resources_plan(r, 0, "config.json", &w, err), expect);
    if (expect < 0)
        return NULL;
    f = open_memstream(&text, &size);
    for (size_t i = 0; i < w.n; i++)
        fprintf(f, "%s=%s\n", w.items[i].file, w.items[i].value);
    fclose(f);
    cgroup_writes_release(&w);
    return text;
}

START_TEST(resources_to_files)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory m = { .limit = { true, 100 << 20 },
                                   .reservation = { true, 50 << 20 },
                                   .swap = { true, 200 << 20 } };
    struct hutch_spec_cpu c = { .shares = { true, 1024 },
                                .quota = { true, 50000 },
                                .period = { true, 100000 },
                                .burst = { true, 1000 },
                                .cpus = (char *)"0-1",
                                .mems = (char *)"0",
                                .idle = { true, 1 } };
    struct hutch_spec_pids p = { .limit = -1 };
    struct hutch_spec_throttle_device rbps = { 8, 0, 1048576 }, wiops = { 8, 0, 100 },
                                      other = { 7, 1, 0 };
    struct hutch_spec_weight_device wd = { 8, 16, { true, 500 }, { false, 0 } };
    struct hutch_spec_block_io b = { .weight = { true, 10 } };
    struct hutch_spec_hugepage_limit h = { (char *)"2MB", 4 << 21 };
    struct hutch_spec_kv u = { (char *)"memory.high", (char *)"90000000" };
    struct hutch_spec_resources r = { .memory = &m, .cpu = &c, .pids = &p, .block_io = &b };
    hutch_autofree char *text = NULL;

    b.throttle_read_bps_device.items = &rbps;
    b.throttle_read_bps_device.n = 1;
    b.throttle_write_iops_device.items = &wiops;
    b.throttle_write_iops_device.n = 1;
    b.throttle_write_bps_device.items = &other;
    b.throttle_write_bps_device.n = 1;
    b.weight_device.items = &wd;
    b.weight_device.n = 1;
    r.hugepage_limits.items = &h;
    r.hugepage_limits.n = 1;
    r.unified.items = &u;
    r.unified.n = 1;
    text = plan_text(&r, 0, &err);
    ck_assert_str_eq(text, "memory.swap.max=104857600\n"
                           "memory.max=104857600\n"
                           "memory.low=52428800\n"
                           "cpu.weight=39\n"
                           "cpu.max=50000 100000\n"
                           "cpu.max.burst=1000\n"
                           "cpuset.cpus=0-1\n"
                           "cpuset.mems=0\n"
                           "cpu.idle=1\n"
                           "pids.max=max\n"
                           "io.weight=1\n"
                           "io.weight=8:16 4950\n"
                           "io.max=8:0 rbps=1048576 wiops=100\n"
                           "io.max=7:1 wbps=max\n"
                           "hugetlb.2MB.max=8388608\n"
                           "memory.high=90000000\n");
}
END_TEST

START_TEST(quota_without_period_and_unlimited)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_cpu c = { .quota = { true, -1 }, .period = { true, 100000 } };
    struct hutch_spec_memory m = { .limit = { true, -1 } };
    struct hutch_spec_resources r = { .cpu = &c, .memory = &m };
    hutch_autofree char *text = plan_text(&r, 0, &err);

    ck_assert_str_eq(text, "memory.swap.max=max\nmemory.max=max\ncpu.max=max 100000\n");
}
END_TEST

START_TEST(what_v2_cannot_do_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory oom = { .disable_oom_killer = { true, true } };
    struct hutch_spec_memory kernel = { .kernel = { true, 1 << 20 } };
    struct hutch_spec_cpu rt = { .realtime_runtime = { true, 1000 } };
    struct hutch_spec_network net = { .class_id = { true, 1 } };
    struct hutch_spec_kv bad = { (char *)"../memory.max", (char *)"1" };
    struct hutch_spec_resources r = { .memory = &oom };

    ck_assert_ptr_null(plan_text(&r, -ENOTSUP, &err));
    ck_assert_str_eq(hutch_error_message(&err),
                     "config.json: linux.resources.memory.disableOOMKiller: cgroup v2 cannot "
                     "turn the OOM killer off for a cgroup; remove it to run");
    r.memory = &kernel;
    ck_assert_ptr_null(plan_text(&r, -ENOTSUP, &err));
    r.memory = NULL;
    r.cpu = &rt;
    ck_assert_ptr_null(plan_text(&r, -ENOTSUP, &err));
    r.cpu = NULL;
    r.network = &net;
    ck_assert_ptr_null(plan_text(&r, -ENOTSUP, &err));
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "linux.resources.network"));
    r.network = NULL;
    r.unified.items = &bad;
    r.unified.n = 1;
    ck_assert_ptr_null(plan_text(&r, -EINVAL, &err));
}
END_TEST

START_TEST(writes_land_in_files_and_missing_ones_name_the_controller)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_pids p = { .limit = 42 };
    struct hutch_spec_memory m = { .limit = { true, 1 << 20 } };
    struct hutch_spec_resources r = { .pids = &p };
    struct cgroup_writes w;
    hutch_autoclose int fd = -1;
    char dir[512];

    mkcg("/c", "");
    put("/c/pids.max", "max\n");
    snprintf(dir, sizeof(dir), "%s/c", root);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_eq(cgroup_resources_plan(&r, 0, "config.json", &w, &err), 0);
    ck_assert_uint_eq(cgroup_writes_controllers(&w), CGROUP_PIDS);
    ck_assert_int_eq(cgroup_writes_apply(fd, dir, &w, &err), 0);
    cgroup_writes_release(&w);
    ck_assert_str_eq(get("/c/pids.max"), "42");
    r.pids = NULL;
    r.memory = &m;
    ck_assert_int_eq(cgroup_resources_plan(&r, 0, "config.json", &w, &err), 0);
    ck_assert_int_eq(cgroup_writes_apply(fd, dir, &w, &err), -ENOTSUP);
    cgroup_writes_release(&w);
    ck_assert_ptr_nonnull(
            strstr(hutch_error_message(&err), "the memory controller is not enabled"));
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "/c/memory.max"));
}
END_TEST

START_TEST(cgroups_path_as_runc)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *out;

    ck_assert_int_eq(cgroup_resolve_path("/machine/web", "", "id", &out, &err), 0);
    ck_assert_str_eq(out, "/machine/web");
    free(out);
    ck_assert_int_eq(cgroup_resolve_path("web/x/", "", "id", &out, &err), 0);
    ck_assert_str_eq(out, "/hutch/web/x");
    free(out);
    ck_assert_int_eq(cgroup_resolve_path(NULL, "", "id", &out, &err), 0);
    ck_assert_str_eq(out, "/hutch/id");
    free(out);
    ck_assert_int_eq(cgroup_resolve_path("", "/user.slice/user@1000.service", "id", &out, &err), 0);
    ck_assert_str_eq(out, "/user.slice/user@1000.service/hutch/id");
    free(out);
    ck_assert_int_eq(cgroup_resolve_path("/a/../b", "", "id", &out, &err), -EINVAL);
    ck_assert_int_eq(cgroup_resolve_path("..", "", "id", &out, &err), -EINVAL);
    ck_assert_int_eq(cgroup_resolve_path("/", "", "id", &out, &err), -EINVAL);
    ck_assert_int_eq(cgroup_resolve_path("a..b", "", "id", &out, &err), 0);
    free(out);
}
END_TEST

START_TEST(make_enables_controllers_down_the_tree)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *created = NULL;
    char expect[512];

    mkcg("", "cpu memory pids");
    mkcg("/hutch", "pids memory");
    /* the needed one, and of the wanted ones those that are available */
    ck_assert_int_eq(cgroup_make(root, "", "/hutch/c1", CGROUP_PIDS, CGROUP_IO | CGROUP_MEMORY,
                                 &created, &err),
                     0);
    snprintf(expect, sizeof(expect), "%s/hutch/c1", root);
    ck_assert_str_eq(created, expect);
    ck_assert_str_eq(get("/cgroup.subtree_control"), "+memory+pids");
    ck_assert_str_eq(get("/hutch/cgroup.subtree_control"), "+memory+pids");
    /* needed and not available: an error naming it, nothing left behind */
    free(created);
    created = NULL;
    mkcg("/other", "memory");
    ck_assert_int_eq(cgroup_make(root, "", "/other/c2", CGROUP_PIDS, 0, &created, &err), -ENOTSUP);
    ck_assert_ptr_nonnull(
            strstr(hutch_error_message(&err), "the pids controller is not available"));
    ck_assert_ptr_null(created);
    ck_assert_int_eq(access(expect, F_OK), 0);
    /* a directory made on the way is removed again when a level below it fails (here: a
     * plain directory, without the kernel's files) */
    snprintf(expect, sizeof(expect), "%s/other/new", root);
    ck_assert_int_eq(cgroup_make(root, "", "/other/new/c2", CGROUP_MEMORY, 0, &created, &err),
                     -ENOENT);
    ck_assert_ptr_null(created);
    ck_assert_int_eq(access(expect, F_OK), -1);
    put("/other/cgroup.subtree_control", "");
    /* a directory made on the way is removed again when a level below fails */
    snprintf(expect, sizeof(expect), "%s/other/new", root);
    ck_assert_int_eq(cgroup_make(root, "", "/other/new/c2", CGROUP_PIDS, 0, &created, &err),
                     -ENOTSUP);
    ck_assert_int_eq(access(expect, F_OK), -1);
    /* under a delegated top, nothing is written above it */
    put("/cgroup.subtree_control", "");
    ck_assert_int_eq(cgroup_make(root, "/other", "/other/c3", CGROUP_MEMORY, 0, &created, &err), 0);
    ck_assert_str_eq(get("/cgroup.subtree_control"), "");
    ck_assert_str_eq(get("/other/cgroup.subtree_control"), "+memory");
}
END_TEST

START_TEST(existing_busy_cgroup_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *created = NULL;
    char child[512], cmd[600];

    mkcg("", "pids");
    mkcg("/taken", "pids");
    put("/taken/cgroup.procs", "123\n");
    ck_assert_int_eq(cgroup_make(root, "", "/taken", 0, 0, &created, &err), -EEXIST);
    ck_assert_ptr_null(created);
    put("/taken/cgroup.procs", "");
    /* no processes of its own, but a child cgroup (a slice): delete's cgroup.kill would
     * reach the child's processes */
    mkcg("/taken/service", "pids");
    ck_assert_int_eq(cgroup_make(root, "", "/taken", 0, 0, &created, &err), -EEXIST);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "has cgroups below it"));
    ck_assert_ptr_null(created);
    snprintf(child, sizeof(child), "%s/taken/service", root);
    ck_assert_int_eq(access(child, F_OK), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", child);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(cgroup_make(root, "", "/taken", 0, 0, &created, &err), 0);
    ck_assert_ptr_null(created);
}
END_TEST

START_TEST(delegation_is_the_highest_owned_cgroup)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *found = NULL;

    mkcg("/user.slice", "");
    mkcg("/user.slice/user@1.service", "");
    mkcg("/user.slice/user@1.service/session.scope", "");
    /* everything here is the test's (root's or the caller's): owned up to the top */
    ck_assert_int_eq(cgroup_delegated_root(root, "/user.slice/user@1.service/session.scope",
                                           geteuid(), &found, &err),
                     0);
    ck_assert_str_eq(found, "/user.slice");
    free(found);
    ck_assert_int_eq(cgroup_delegated_root(root, "/user.slice/user@1.service/session.scope",
                                           geteuid() + 1, &found, &err),
                     0);
    ck_assert_ptr_null(found);
}
END_TEST

START_TEST(procs_are_read_sorted)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree pid_t *pids = NULL;
    char dir[512];
    size_t n;

    mkcg("/p", "");
    put("/p/cgroup.procs", "30\n7\n12\n");
    snprintf(dir, sizeof(dir), "%s/p", root);
    ck_assert_int_eq(cgroup_procs(dir, &pids, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(pids[0], 7);
    ck_assert_int_eq(pids[2], 30);
    put("/p/cgroup.freeze", "1\n");
    ck_assert(cgroup_is_frozen(dir));
}
END_TEST

START_TEST(process_cgroup_line)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *cg = NULL;
    char file[512];

    put("/self", "12:pids:/x\n0::/user.slice/a b\n");
    snprintf(file, sizeof(file), "%s/self", root);
    ck_assert_int_eq(cgroup_of_process(file, &cg, &err), 0);
    ck_assert_str_eq(cg, "/user.slice/a b");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgroup");
    TCase *tc = tcase_create("cgroup");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, runc_conversions);
    tcase_add_test(tc, resources_to_files);
    tcase_add_test(tc, quota_without_period_and_unlimited);
    tcase_add_test(tc, what_v2_cannot_do_is_refused);
    tcase_add_test(tc, writes_land_in_files_and_missing_ones_name_the_controller);
    tcase_add_test(tc, cgroups_path_as_runc);
    tcase_add_test(tc, make_enables_controllers_down_the_tree);
    tcase_add_test(tc, existing_busy_cgroup_is_refused);
    tcase_add_test(tc, delegation_is_the_highest_owned_cgroup);
    tcase_add_test(tc, procs_are_read_sorted);
    tcase_add_test(tc, process_cgroup_line);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
