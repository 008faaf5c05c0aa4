#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci ps, pause and resume on real containers, as root and rootless. Without cgroups,
# a container's processes are those of its pid namespace (only its init when it has none of
# its own); pause and resume need the cgroup v2 freezer, which this hybrid host cannot give.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-ps-one)
    U_SUB=$(test_user_name hit-ps-sub)
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

# The pids whose pid namespace is the one of PID, ascending, read from /proc by the test.
ns_members() {
    local want p
    want=$(readlink "/proc/$1/ns/pid")
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$want" ] && echo "${p#/proc/}"
    done | sort -n
}

# The pids of `ps --format json ID`, one a line; fails unless it is an array of numbers.
json_pids() {
    oci_ok ps --format json "$1"
    json '"\n".join(str(p) for p in d) if all(type(p) is int for p in d) else 1/0' <<<"$out"
}

# wait_pids ID N: until `ps --format json ID` lists N processes (10 s).
wait_pids() {
    local n=100 got
    while [ "$n" -gt 0 ]; do
        got=$(json_pids "$1" | grep -c .) || true
        [ "$got" = "$2" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    echo "container $1: $got processes, expected $2: $(json_pids "$1" | tr '\n' ' ')" >&2
    return 1
}

# A container running sh with two sleeps in its own pid namespace. Sets $b, $id, $init.
three_processes() {
    b=$(new_bundle)
    set_args "$b" sh -c 'sleep 30 & sleep 30 & wait'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    init=$(ctr_pid "$id")
    wait_pids "$id" 3
}

ps_lists_the_pid_namespace() {
    three_processes
    pids=$(json_pids "$id")
    # exactly the processes of the container's pid namespace: its init and the two sleeps
    assert_eq "$pids" "$(ns_members "$init")"
    [ "$(readlink "/proc/$init/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
    grep -qx "$init" <<<"$pids"
    for p in $pids; do
        [ "$p" = "$init" ] && continue
        [ "$(cat "/proc/$p/comm")" = sleep ]
        [ "$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f2)" = "$init" ]
    done
    # the compact array runc prints
    oci_ok ps --format json "$id"
    [[ "$out" =~ ^\[[0-9]+,[0-9]+,[0-9]+\]$ ]]

    # the table: the header of `ps -ef` and one line per process, nothing else
    oci_ok ps "$id"
    [[ "$(head -n1 <<<"$out")" =~ ^UID\ +PID\ +PPID ]]
    [ "$(tail -n +2 <<<"$out" | awk '{print $2}' | sort -n)" = "$pids" ]
    [[ "$out" == *"sh -c sleep 30 & sleep 30 & wait"* ]]
    # ps arguments of the caller's choosing; the PID column found wherever it is
    oci_ok ps "$id" -o comm,pid
    [[ "$(head -n1 <<<"$out")" =~ ^COMMAND\ +PID$ ]]
    [ "$(tail -n +2 <<<"$out" | awk '{print $2}' | sort -n)" = "$pids" ]
    [ "$(tail -n +2 <<<"$out" | awk '{print $1}' | sort | tr '\n' ' ')" = "sh sleep sleep " ]
    oci ps "$id" -o comm
    assert_error "no PID column"

    # stopped: an empty list, and the header alone
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci_ok ps --format json "$id"
    [ "$out" = "[]" ]
    oci_ok ps "$id"
    [ "$(grep -c . <<<"$out")" = 1 ]
    [[ "$out" == UID* ]]
    oci_ok delete "$id"
    oci ps "$id"
    assert_error "container $id does not exist"
}

@test "ps lists the processes of the container's pid namespace; [] once stopped (root)" {
    use_root
    ps_lists_the_pid_namespace
}

@test "ps lists the processes of the container's pid namespace; [] once stopped (rootless)" {
    use_rootless "$U_ONE"
    ps_lists_the_pid_namespace
}

@test "ps lists processes of a subordinate uid (rootless, newuidmap)" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    config_set "$b" 'd["process"]["user"] = {"uid": 1000, "gid": 1000}'
    set_args "$b" sh -c 'sleep 30 & sleep 30 & wait'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    init=$(ctr_pid "$id")
    wait_pids "$id" 3
    # the processes belong to a host uid that is not the user's
    [ "$(stat -c %u "/proc/$init")" != "$(id -u "$U_SUB")" ]
    assert_eq "$(json_pids "$id")" "$(ns_members "$init")"
}

@test "ps of a created container lists its init (root)" {
    use_root
    b=$(new_bundle)
    set_args "$b" sh -c 'sleep 30 & wait'
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    assert_eq "$(json_pids "$id")" "$(ctr_pid "$id")"
}

@test "ps of a container in the host's pid namespace lists its init only (root)" {
    use_root
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    drop_namespaces "$b" pid
    set_args "$b" sh -c 'sleep 30 & echo $! >/out/child; wait'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/child"
    child=$(cat "$o/child")
    # not the container's init: delete kills only that
    track_pid "$child"
    init=$(ctr_pid "$id")
    [ "$(sed 's/.*) //' "/proc/$child/stat" | cut -d' ' -f2)" = "$init" ]
    assert_eq "$(json_pids "$id")" "$init"
    oci_ok ps "$id"
    [ "$(tail -n +2 <<<"$out" | awk '{print $2}')" = "$init" ]
}

pause_resume_refused() {
    three_processes
    before=$(json_pids "$id")
    files=$(ls -A "$STATE/$id")
    for c in pause resume; do
        oci "$c" "$id"
        assert_error "cgroup v2 freezer"
        [[ "$err" == "hutch-oci $c: container $id: "*"ing needs the container's own cgroup"* ]]
    done
    # nothing changed: still running, the same processes, none stopped, the same state files
    [ "$(ctr_status "$id")" = running ]
    assert_eq "$(json_pids "$id")" "$before"
    for p in $before; do
        [[ "$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f1)" =~ ^[SR]$ ]]
    done
    assert_eq "$(ls -A "$STATE/$id")" "$files"
    # a stopped container is not running: that is said first
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci pause "$id"
    assert_error "cannot pause container $id: it is stopped"
    oci resume "$id"
    assert_error "cannot resume container $id: it is stopped"
    # and one that does not exist, before anything else
    oci_ok delete "$id"
    for c in pause resume; do
        oci "$c" "$id"
        assert_error "container $id does not exist"
    done
}

@test "pause and resume fail without a cgroup freezer, changing nothing (root)" {
    use_root
    pause_resume_refused
}

@test "pause and resume fail without a cgroup freezer, changing nothing (rootless)" {
    use_rootless "$U_ONE"
    pause_resume_refused
}
