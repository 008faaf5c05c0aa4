#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroups on this host, whose hierarchy is hybrid (v1 controllers, a cgroup2 mount at
# /sys/fs/cgroup/unified with hugetlb only): hutch-oci creates no cgroup at all there; a
# container without limits runs, and one that asks for any limit is refused before
# anything starts, naming the controller and why; update has nothing to change. The limits
# themselves are tested on a pure v2 kernel: tests/vm/guest/cgroup-limits.bats.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-cgroup-one)
    create_test_user "$U_ONE"
}

teardown_file() {
    remove_test_user "$U_ONE"
}

# The cgroup directories named hutch anywhere under /sys/fs/cgroup (none may appear).
hutch_cgroups() {
    find /sys/fs/cgroup -maxdepth 4 -name hutch 2>/dev/null || true
}

limits_refused() {
    [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "this host is pure cgroup v2"
    before=$(hutch_cgroups)
    for res in '{"memory": {"limit": 268435456}}:memory' \
        '{"memory": {"reservation": 1048576}}:memory' \
        '{"cpu": {"quota": 50000, "period": 100000}}:cpu' \
        '{"cpu": {"cpus": "0"}}:cpuset' \
        '{"pids": {"limit": 10}}:pids' \
        '{"blockIO": {"weight": 100}}:io' \
        '{"hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}:hugetlb' \
        '{"unified": {"memory.high": "1000000"}}:memory'; do
        b=$(new_bundle)
        config_set "$b" "d['linux']['resources'] = ${res%:*}"
        set_args "$b" true
        id=$(new_id)
        oci create --bundle "$b" "$id"
        echo "${res%:*}: status $status: $err"
        assert_error "needs the ${res##*:} controller of cgroup v2"
        [[ "$err" == *"cgroup v1 or a hybrid layout"* ]]
        assert_no_state "$id"
    done
    # what v2 itself cannot do says so, on any host
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["resources"] = {"memory": {"disableOOMKiller": True}}'
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "linux.resources.memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off"
    assert_no_state "$id"
    assert_eq "$(hutch_cgroups)" "$before"
}

@test "hybrid host: every kind of limit is refused before anything starts, naming its controller (root)" {
    use_root
    limits_refused
}

@test "hybrid host: every kind of limit is refused before anything starts, naming its controller (rootless)" {
    use_rootless "$U_ONE"
    limits_refused
}

no_limits_run() {
    [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "this host is pure cgroup v2"
    before=$(hutch_cgroups)
    b=$(new_bundle)
    # device rules and empty limit objects are no limits
    config_set "$b" 'd["linux"].setdefault("resources", {}).update({"memory": {}, "cpu": {}})'
    set_args "$b" sh -c 'sleep 1000 & wait'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    assert_eq "$(cat "/proc/$pid/cgroup")" "$(cat /proc/self/cgroup)"
    # no cgroup recorded: update has nothing to change, kill --all goes by the pid namespace
    oci update --pids-limit 10 "$id"
    assert_error "cannot update container $id: it has no cgroup of its own"
    oci_ok kill --all "$id" KILL
    wait_status "$id" stopped
    oci_ok delete "$id"
    assert_no_state "$id"
    assert_eq "$(hutch_cgroups)" "$before"
}

@test "hybrid host: a container without limits runs in no cgroup of its own, and leaves none (root)" {
    use_root
    no_limits_run
}

@test "hybrid host: a container without limits runs in no cgroup of its own, and leaves none (rootless)" {
    use_rootless "$U_ONE"
    no_limits_run
}
