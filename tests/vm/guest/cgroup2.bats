#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test bed itself, booted without SELinux: a pure cgroup v2 hierarchy whose limits
# hold, the host's / below a writable layer, the rootless test user, and hutch-oci running
# a busybox container as root and as that user. Runs inside the guest (vm-suite).

load lib

setup() {
    require_guest
}

@test "the guest's cgroups are a pure v2 hierarchy (cgroup_no_v1=all)" {
    grep -qw cgroup_no_v1=all /proc/cmdline
    [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
    # no v1 hierarchy anywhere
    ! awk '$3 == "cgroup"' /proc/mounts | grep -q .
    # every v1 controller is disabled: /proc/cgroups lists them with 0 hierarchies
    [ "$(awk 'NR > 1 && $2 != 0' /proc/cgroups)" = "" ]
    [ "$(cat /proc/self/cgroup)" = "0::/" ]
}

@test "the root cgroup enables cpu, cpuset, io, memory, pids and hugetlb for its children" {
    for c in cpu cpuset io memory pids hugetlb; do
        grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
        grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
    done
}

@test "the test user has a delegated cgroup with every controller" {
    cg=$HUTCH_VM_USER_CGROUP
    [ "$(stat -c %u "$cg")" = "$HUTCH_VM_UID" ]
    for f in cgroup.procs cgroup.subtree_control cgroup.threads; do
        [ "$(stat -c %u "$cg/$f")" = "$HUTCH_VM_UID" ]
    done
    for c in cpu cpuset io memory pids hugetlb; do
        grep -qw "$c" "$cg/cgroup.controllers"
        grep -qw "$c" "$cg/cgroup.subtree_control"
    done
    # as-user starts in it
    [ "$(as-user cat /proc/self/cgroup)" = "0::${cg#/sys/fs/cgroup}/session.scope" ]
}

@test "the test user makes a child cgroup, limits it and moves itself there" {
    cg=$HUTCH_VM_USER_CGROUP/t$BATS_TEST_NUMBER
    run as-user sh -c "
        mkdir $cg && echo 20M >$cg/memory.max && echo 16 >$cg/pids.max &&
        echo 50000 100000 >$cg/cpu.max && echo 0 >$cg/cpuset.cpus &&
        echo \$\$ >$cg/cgroup.procs && cat /proc/self/cgroup"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "0::${cg#/sys/fs/cgroup}" ]
    [ "$(cat "$cg/memory.max")" = $((20 << 20)) ]
    [ "$(cat "$cg/cpu.max")" = "50000 100000" ]
    rmdir "$cg"
}

@test "pids.max holds: the fourth process of a cgroup limited to 3 cannot be forked" {
    cg=/sys/fs/cgroup/t$BATS_TEST_NUMBER
    mkdir "$cg"
    echo 3 >"$cg/pids.max"
    # the shell and two sleeps; dash gives up at the third sleep
    run sh -c "echo \$\$ >$cg/cgroup.procs; for i in 1 2 3 4; do sleep 60 >/dev/null 2>&1 & done; echo all-forked"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *fork* ]]
    [[ "$output" != *all-forked* ]]
    [ "$(cat "$cg/pids.current")" -eq 2 ]
    [ "$(awk '$1 == "max" { print $2 }' "$cg/pids.events")" -ge 1 ]
    echo 1 >"$cg/cgroup.kill"
    for _ in $(seq 50); do grep -qx 'populated 0' "$cg/cgroup.events" && break; sleep 0.1; done
    rmdir "$cg"
}

@test "memory.max holds: a process over the limit is killed by the OOM killer" {
    cg=/sys/fs/cgroup/t$BATS_TEST_NUMBER
    mkdir "$cg"
    echo 32M >"$cg/memory.max"
    [ ! -e "$cg/memory.swap.max" ] || echo 0 >"$cg/memory.swap.max"
    run sh -c "echo \$\$ >$cg/cgroup.procs; exec python3 -c 'b = bytearray(128 << 20); b[::4096] = b\"x\" * len(b[::4096]); print(\"survived\")'"
    echo "$output"
    [ "$status" -eq 137 ]
    [[ "$output" != *survived* ]]
    [ "$(awk '$1 == "oom_kill" { print $2 }' "$cg/memory.events")" -ge 1 ]
    rmdir "$cg"
}

@test "the root is the host's / read-only over 9p under a writable tmpfs layer" {
    [ "$(awk '$2 == "/" { print $3 }' /proc/mounts)" = overlay ]
    [ "$(awk '$2 == "/run/hutch-vm/host" { print $3 }' /proc/mounts)" = 9p ]
    awk '$2 == "/run/hutch-vm/host" { print $4 }' /proc/mounts | grep -qw ro
    # the host's binaries, libraries and the build tree are there
    [ -x "$HUTCH_OCI" ]
    [ -x /bin/busybox ]
    # writable in the guest, never on the host
    echo guest >/etc/hutch-vm-probe
    [ "$(cat /etc/hutch-vm-probe)" = guest ]
    [ ! -e /run/hutch-vm/host/etc/hutch-vm-probe ]
    run touch /run/hutch-vm/host/etc/hutch-vm-probe2
    [ "$status" -ne 0 ]
    # /tmp and /run are writable
    touch /tmp/hutch-vm-probe /run/hutch-vm-probe
    rm /etc/hutch-vm-probe /tmp/hutch-vm-probe /run/hutch-vm-probe
}

@test "the test user exists with subordinate ids, a home and a runtime directory" {
    [ "$(id -u "$HUTCH_VM_USER")" = "$HUTCH_VM_UID" ]
    grep -qx "$HUTCH_VM_USER:$HUTCH_VM_SUBID_START:$HUTCH_VM_SUBID_COUNT" /etc/subuid
    grep -qx "$HUTCH_VM_USER:$HUTCH_VM_SUBID_START:$HUTCH_VM_SUBID_COUNT" /etc/subgid
    [ "$(as-user id -u)" = "$HUTCH_VM_UID" ]
    [ "$(as-user sh -c 'echo $HOME')" = "$HUTCH_VM_HOME" ]
    as-user sh -c 'touch "$HOME/probe" "$XDG_RUNTIME_DIR/probe"'
    # newuidmap maps the user's range into a user namespace of the user's
    run as-user unshare --map-auto --map-root-user cat /proc/self/uid_map
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(echo "${lines[0]}" | awk '{ print $1, $2, $3 }')" = "0 $HUTCH_VM_UID 1" ]
    [ "$(echo "${lines[1]}" | awk '{ print $1, $2, $3 }')" = "1 $HUTCH_VM_SUBID_START 65535" ]
}

@test "hutch-oci runs a busybox container as root" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" sh -c 'echo in-container; id -u; cat /proc/self/cgroup; exit 7'
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" root-ctr
    echo "$output"
    [ "$status" -eq 7 ]
    [ "${lines[0]}" = in-container ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = "0::/" ]
}

@test "hutch-oci runs a busybox container as the rootless test user" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'echo in-container; id -u; cat /proc/self/uid_map; exit 5'
    run as-user "$HUTCH_OCI" run --bundle "$b" rootless-ctr
    echo "$output"
    [ "$status" -eq 5 ]
    [ "${lines[0]}" = in-container ]
    [ "${lines[1]}" = 0 ]
    # container root is the test user
    [ "$(echo "${lines[2]}" | awk '{ print $1, $2, $3 }')" = "0 $HUTCH_VM_UID 1" ]
    rm -rf "$b"
}
