/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cgroup_systemd.h"
#include "unit.h"

static int parse(const char *path, bool rootless, struct systemd_unit_name *n, hutch_error *err)
{
    return systemd_unit_name_parse(path, "ctr1", rootless, n, err);
}

START_TEST(names_from_runc_paths)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct systemd_unit_name n;

    ck_assert_int_eq(parse("system.slice:hutch:test1", false, &n, &err), 0);
    ck_assert_str_eq(n.slice, "system.slice");
    ck_assert_str_eq(n.scope, "hutch-test1.scope");
    systemd_unit_name_release(&n);

    ck_assert_int_eq(parse("machine-web.slice:crio:abc_1.2", false, &n, &err), 0);
    ck_assert_str_eq(n.slice, "machine-web.slice");
    ck_assert_str_eq(n.scope, "crio-abc_1.2.scope");
    systemd_unit_name_release(&n);

    /* an empty slice is the default one, an empty prefix drops the dash */
    ck_assert_int_eq(parse(":p:n", false, &n, &err), 0);
    ck_assert_str_eq(n.slice, "system.slice");
    ck_assert_str_eq(n.scope, "p-n.scope");
    systemd_unit_name_release(&n);
    ck_assert_int_eq(parse("::n", true, &n, &err), 0);
    ck_assert_str_eq(n.slice, "user.slice");
    ck_assert_str_eq(n.scope, "n.scope");
    systemd_unit_name_release(&n);

    /* an empty name is the container's id */
    ck_assert_int_eq(parse("-.slice:pre:", false, &n, &err), 0);
    ck_assert_str_eq(n.slice, "-.slice");
    ck_assert_str_eq(n.scope, "pre-ctr1.scope");
    systemd_unit_name_release(&n);
}
END_TEST

START_TEST(empty_path_gives_the_default)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct systemd_unit_name n;

    ck_assert_int_eq(parse(NULL, false, &n, &err), 0);
    ck_assert_str_eq(n.slice, "system.slice");
    ck_assert_str_eq(n.scope, "hutch-ctr1.scope");
    systemd_unit_name_release(&n);
    ck_assert_int_eq(parse("", true, &n, &err), 0);
    ck_assert_str_eq(n.slice, "user.slice");
    ck_assert_str_eq(n.scope, "hutch-ctr1.scope");
    systemd_unit_name_release(&n);
    systemd_unit_name_release(&n); /* twice is harmless */
}
END_TEST

START_TEST(hostile_paths_are_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct systemd_unit_name n;
    char long_name[300];
    const char *bad[] = {
        "/sys/fs/cgroup/x",
        "system.slice",
        "system.slice:hutch",
        "a:b:c:d",
        "system.slice:hutch:../x",
        "system.slice:hutch:a/b",
        "system.slice:hutch:a..b",
        "system.slice:../..:x",
        "system.slice:hutch:a b",
        "system.slice:hutch:a\nb",
        "system.slice:hutch:tmpl@x",
        "system.slice:hutch:a\\x2fb",
        "system.slice:hutch:caf\xc3\xa9",
        "system.slice:hutch:x.slice",
        "system:hutch:x",
        "../system.slice:hutch:x",
        "sys/tem.slice:hutch:x",
        "a--b.slice:hutch:x",
        "-a.slice:hutch:x",
        "a-.slice:hutch:x",
        ".slice:hutch:x",
        "a..slice:hutch:x",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n.slice = n.scope = (char *)"untouched";
        ck_assert_msg(parse(bad[i], false, &n, &err) == -EINVAL, "%s", bad[i]);
        ck_assert_ptr_null(n.slice);
        ck_assert_ptr_null(n.scope);
        ck_assert_ptr_null(strchr(hutch_error_message(&err), '\n'));
    }
    ck_assert_int_eq(parse("system.slice:hutch:../x", false, &n, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err),
                     "linux.cgroupsPath: \"system.slice:hutch:../x\": a unit name may hold only "
                     "letters, digits, '-', '_' and single '.'s (--systemd-cgroup expects "
                     "\"slice:prefix:name\", e.g. \"system.slice:hutch:web\")");

    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    ck_assert_int_eq(systemd_unit_name_parse("", long_name, false, &n, &err), -EINVAL);
    /* no container id and no name */
    ck_assert_int_eq(systemd_unit_name_parse("system.slice:p:", NULL, false, &n, &err), -EINVAL);
}
END_TEST

static void assert_mask(const char *list, const uint8_t *want, size_t want_len)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    uint8_t *mask;
    size_t len;

    ck_assert_msg(systemd_cpuset_mask(list, "cpus", &mask, &len, &err) == 0, "%s: %s", list,
                  hutch_error_message(&err));
    ck_assert_uint_eq(len, want_len);
    if (want_len > 0)
        ck_assert_mem_eq(mask, want, want_len);
    free(mask);
}

START_TEST(cpuset_lists_as_byte_masks)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    const char *bad[] = { "a", "1-", "-1", "3-1", "1,,2", "1,", "1 2", "8192", "0-99999999999" };
    uint8_t *mask = (uint8_t *)"x";
    size_t len = 7;

    assert_mask("0-2,5", (const uint8_t[]){ 0x27 }, 1);
    assert_mask("0", (const uint8_t[]){ 0x01 }, 1);
    assert_mask("7", (const uint8_t[]){ 0x80 }, 1);
    assert_mask("8", (const uint8_t[]){ 0x00, 0x01 }, 2);
    assert_mask("9,0-1", (const uint8_t[]){ 0x03, 0x02 }, 2);
    assert_mask("0-15", (const uint8_t[]){ 0xff, 0xff }, 2);
    assert_mask("1\n", (const uint8_t[]){ 0x02 }, 1);
    assert_mask("", NULL, 0);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(systemd_cpuset_mask(bad[i], "linux.resources.cpu.cpus", &mask, &len, &err) ==
                              -EINVAL,
                      "%s", bad[i]);
    ck_assert_ptr_null(mask);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(hutch_error_message(&err), "linux.resources.cpu.cpus: \"0-99999999999\" is "
                                                "not a list of numbers and ranges below 8192 "
                                                "(\"0-2,5\")");
}
END_TEST

START_TEST(cpu_conversions)
{
    /* quota per second, rounded up to whole percent */
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(50000, 100000), 500000);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(50000, 0), 500000);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(200000, 100000), 2000000);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(12345, 100000), 130000);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(1, 1000000), 10000);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(-1, 100000), SYSTEMD_INFINITY);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(0, 100000), SYSTEMD_INFINITY);
    ck_assert_uint_eq(systemd_cpu_quota_per_sec(INT64_MAX, 100000), SYSTEMD_INFINITY);

    ck_assert_uint_eq(systemd_cpu_weight(2), 1);
    ck_assert_uint_eq(systemd_cpu_weight(1024), 39);
    ck_assert_uint_eq(systemd_cpu_weight(262144), 10000);
    ck_assert_uint_eq(systemd_cpu_weight(0), 1);
    ck_assert_uint_eq(systemd_cpu_weight(UINT64_MAX), 10000);

    ck_assert_uint_eq(systemd_io_weight(10), 1);
    ck_assert_uint_eq(systemd_io_weight(500), 4950);
    ck_assert_uint_eq(systemd_io_weight(1000), 10000);
    ck_assert_uint_eq(systemd_io_weight(5000), 10000);
}
END_TEST

static const struct systemd_property *find(const struct systemd_properties *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}

static uint64_t u64(const struct systemd_properties *p, const char *name)
{
    const struct systemd_property *it = find(p, name);

    ck_assert_msg(it != NULL, "no %s", name);
    ck_assert_int_eq(it->type, 't');
    return it->value;
}

START_TEST(properties_from_resources)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory mem = { 0 };
    struct hutch_spec_cpu cpu = { 0 };
    struct hutch_spec_pids pids = { 100 };
    struct hutch_spec_block_io bio = { 0 };
    struct hutch_spec_resources r = { 0 };
    struct systemd_properties p;
    const struct systemd_property *it;

    mem.limit = (hutch_opt_i64){ true, 64 << 20 };
    mem.reservation = (hutch_opt_i64){ true, 32 << 20 };
    mem.swap = (hutch_opt_i64){ true, 96 << 20 };
    cpu.shares = (hutch_opt_u64){ true, 1024 };
    cpu.quota = (hutch_opt_i64){ true, 50000 };
    cpu.period = (hutch_opt_u64){ true, 200000 };
    cpu.cpus = (char *)"0-2,5";
    cpu.mems = (char *)"0";
    bio.weight = (hutch_opt_u16){ true, 500 };
    r.memory = &mem;
    r.cpu = &cpu;
    r.pids = &pids;
    r.block_io = &bio;

    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), 0);
    ck_assert_uint_eq(p.n, 10);
    ck_assert_uint_eq(u64(&p, "MemoryMax"), 64 << 20);
    ck_assert_uint_eq(u64(&p, "MemoryLow"), 32 << 20);
    ck_assert_uint_eq(u64(&p, "MemorySwapMax"), 32 << 20);
    ck_assert_uint_eq(u64(&p, "CPUWeight"), 39);
    ck_assert_uint_eq(u64(&p, "CPUQuotaPerSecUSec"), 250000);
    ck_assert_uint_eq(u64(&p, "CPUQuotaPeriodUSec"), 200000);
    ck_assert_uint_eq(u64(&p, "TasksMax"), 100);
    ck_assert_uint_eq(u64(&p, "IOWeight"), 4950);
    it = find(&p, "AllowedCPUs");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->type, 'y');
    ck_assert_uint_eq(it->n_bytes, 1);
    ck_assert_uint_eq(it->bytes[0], 0x27);
    it = find(&p, "AllowedMemoryNodes");
    ck_assert_ptr_nonnull(it);
    ck_assert_uint_eq(it->bytes[0], 0x01);
    systemd_properties_release(&p);
    ck_assert_uint_eq(p.n, 0);

    /* -1 is infinity; unlimited memory with no swap given: swap unlimited too (runc) */
    mem = (struct hutch_spec_memory){ 0 };
    mem.limit = (hutch_opt_i64){ true, -1 };
    mem.swap = (hutch_opt_i64){ true, 0 };
    pids.limit = -1;
    r = (struct hutch_spec_resources){ 0 };
    r.memory = &mem;
    r.pids = &pids;
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), 0);
    ck_assert_uint_eq(u64(&p, "MemoryMax"), SYSTEMD_INFINITY);
    ck_assert_uint_eq(u64(&p, "MemorySwapMax"), SYSTEMD_INFINITY);
    ck_assert_uint_eq(u64(&p, "TasksMax"), SYSTEMD_INFINITY);
    systemd_properties_release(&p);

    /* nothing asked, nothing set */
    ck_assert_int_eq(systemd_properties_build(NULL, &p, &err), 0);
    ck_assert_uint_eq(p.n, 0);
    r = (struct hutch_spec_resources){ 0 };
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), 0);
    ck_assert_uint_eq(p.n, 0);
}
END_TEST

START_TEST(impossible_resources_are_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory mem = { 0 };
    struct hutch_spec_cpu cpu = { 0 };
    struct hutch_spec_resources r = { 0 };
    struct systemd_properties p;

    r.memory = &mem;
    mem.swap = (hutch_opt_i64){ true, 1 << 20 };
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err), "linux.resources.memory.swap: a swap limit needs "
                                                "a memory limit (memory.limit)");
    mem.limit = (hutch_opt_i64){ true, 2 << 20 };
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err),
                     "linux.resources.memory.swap: 1048576 is below memory.limit 2097152 (swap "
                     "is memory plus swap)");
    mem = (struct hutch_spec_memory){ 0 };
    mem.limit = (hutch_opt_i64){ true, -5 };
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), -EINVAL);
    ck_assert_str_eq(hutch_error_message(&err),
                     "linux.resources.memory.limit: -5 is neither -1 nor a limit");

    /* a bad mask after good properties: nothing leaks (ASan build) */
    r = (struct hutch_spec_resources){ 0 };
    r.cpu = &cpu;
    cpu.cpus = (char *)"0-1";
    cpu.mems = (char *)"x";
    ck_assert_int_eq(systemd_properties_build(&r, &p, &err), -EINVAL);
    ck_assert_uint_eq(p.n, 0);
}
END_TEST

START_TEST(bus_addresses_are_escaped)
{
    char *a = systemd_bus_address("/run/user/1000/systemd/private");

    ck_assert_str_eq(a, "unix:path=/run/user/1000/systemd/private");
    free(a);
    a = systemd_bus_address("/tmp/a b,c=d;%");
    ck_assert_str_eq(a, "unix:path=/tmp/a%20b%2cc%3dd%3b%25");
    free(a);
}
END_TEST

/* ---- the scope through the helper: a script in its place records what it is given ---- */

static char helper_dir[64];

/* A helper that writes its arguments, one per line, to DIR/args and then runs `body`. */
static void fake_helper(const char *body)
{
    char path[128];
    FILE *f;

    strcpy(helper_dir, "/tmp/hutch-test-systemd-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(helper_dir));
    snprintf(path, sizeof(path), "%s/hutch-systemd", helper_dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s/args\n%s\n", helper_dir, body);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, 0755), 0);
    ck_assert_int_eq(setenv("HUTCH_SYSTEMD_HELPER", path, 1), 0);
}

/* What the helper was given, in a static buffer; the fake goes away. */
static const char *helper_args(void)
{
    static char args[1024];
    char path[128];
    size_t n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/args", helper_dir);
    f = fopen(path, "r");
    if (f != NULL) {
        n = fread(args, 1, sizeof(args) - 1, f);
        fclose(f);
        unlink(path);
    }
    args[n] = '\0';
    snprintf(path, sizeof(path), "%s/hutch-systemd", helper_dir);
    unlink(path);
    rmdir(helper_dir);
    return args;
}

START_TEST(scope_start_gives_the_helper_name_pid_and_properties)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec_memory mem = { 0 };
    struct hutch_spec_cpu cpu = { 0 };
    struct hutch_spec_resources r = { 0 };
    struct systemd_unit_name n;
    char *cgroup = NULL;

    mem.limit = (hutch_opt_i64){ true, 64 << 20 };
    cpu.cpus = (char *)"0-2,9";
    r.memory = &mem;
    r.cpu = &cpu;
    fake_helper("echo /machine.slice/hutch-web.scope");
    ck_assert_int_eq(parse("machine.slice:hutch:web", false, &n, &err), 0);
    ck_assert_int_eq(systemd_scope_start(false, &n, 4242, &r, &cgroup, &err), 0);
    ck_assert_str_eq(cgroup, "/machine.slice/hutch-web.scope");
    ck_assert_str_eq(helper_args(), "start\nmachine.slice\nhutch-web.scope\n4242\n"
                                    "MemoryMax=t:67108864\nAllowedCPUs=y:0702\n");
    free(cgroup);
    cgroup = NULL;

    /* rootless: the user's manager */
    fake_helper("echo /user.slice/hutch-web.scope");
    ck_assert_int_eq(systemd_scope_start(true, &n, 7, NULL, &cgroup, &err), 0);
    ck_assert_str_eq(helper_args(), "start\n--user\nmachine.slice\nhutch-web.scope\n7\n");
    free(cgroup);
    systemd_unit_name_release(&n);
}
END_TEST

START_TEST(scope_stop_gives_the_helper_the_scope)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;

    fake_helper("true");
    ck_assert_int_eq(systemd_scope_stop(false, "hutch-web.scope", &err), 0);
    ck_assert_str_eq(helper_args(), "stop\nhutch-web.scope\n");
    fake_helper("true");
    ck_assert_int_eq(systemd_scope_stop(true, "hutch-web.scope", &err), 0);
    ck_assert_str_eq(helper_args(), "stop\n--user\nhutch-web.scope\n");
    /* never handed on: not a unit name */
    fake_helper("true");
    ck_assert_int_eq(systemd_scope_stop(false, "../../etc.scope", &err), -EINVAL);
    ck_assert_str_eq(helper_args(), "");
}
END_TEST

START_TEST(helper_failures_are_the_error)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct systemd_unit_name n;
    char *cgroup = NULL;

    ck_assert_int_eq(parse("", false, &n, &err), 0);
    /* its message and its errno-valued status */
    fake_helper("echo 'start the systemd scope hutch-ctr1.scope in system.slice: Access denied'"
                "; exit 13");
    ck_assert_int_eq(systemd_scope_start(false, &n, 1, NULL, &cgroup, &err), -EACCES);
    ck_assert_str_eq(hutch_error_message(&err),
                     "start the systemd scope hutch-ctr1.scope in system.slice: Access denied");
    helper_args();
    hutch_error_clear(&err);
    /* no cgroup in its output */
    fake_helper("echo nonsense");
    ck_assert_int_eq(systemd_scope_start(false, &n, 1, NULL, &cgroup, &err), -EIO);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "gave no cgroup"));
    helper_args();
    hutch_error_clear(&err);
    /* killed without a word */
    fake_helper("kill -KILL $$");
    ck_assert_int_eq(systemd_scope_stop(false, "hutch-ctr1.scope", &err), -EIO);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "failed without a reason"));
    helper_args();
    hutch_error_clear(&err);
    /* not there at all */
    ck_assert_int_eq(setenv("HUTCH_SYSTEMD_HELPER", "/nonexistent/hutch-systemd", 1), 0);
    ck_assert_int_eq(systemd_scope_start(false, &n, 1, NULL, &cgroup, &err), -ENOTSUP);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "/nonexistent/hutch-systemd"));
    ck_assert_ptr_null(cgroup);
    systemd_unit_name_release(&n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgroup_systemd");
    TCase *tc = tcase_create("cgroup_systemd");

    tcase_add_test(tc, names_from_runc_paths);
    tcase_add_test(tc, empty_path_gives_the_default);
    tcase_add_test(tc, hostile_paths_are_refused);
    tcase_add_test(tc, cpuset_lists_as_byte_masks);
    tcase_add_test(tc, cpu_conversions);
    tcase_add_test(tc, properties_from_resources);
    tcase_add_test(tc, impossible_resources_are_refused);
    tcase_add_test(tc, bus_addresses_are_escaped);
    tcase_add_test(tc, scope_start_gives_the_helper_name_pid_and_properties);
    tcase_add_test(tc, scope_stop_gives_the_helper_the_scope);
    tcase_add_test(tc, helper_failures_are_the_error);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
