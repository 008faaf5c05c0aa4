#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test bed booted with SELinux enforcing (run-in-vm --selinux --enforcing): the policy
# really denies, and a test can switch between enforcing and permissive.

load lib

setup() {
    require_guest
    [ -e /sys/fs/selinux/enforce ] || skip "needs the guest booted with --selinux --enforcing"
    # a tmpfs of the test's own (the overlay's files are unlabelled: not an entrypoint)
    d=$BATS_TEST_TMPDIR/c
    mkdir "$d"
    mount -t tmpfs -o mode=755 tmpfs "$d"
    cp /bin/busybox "$d/busybox"
    echo mine >"$d/mine"
    echo theirs >"$d/theirs"
    chcon -R system_u:object_r:container_file_t:s0:c1,c2 "$d"
    chcon system_u:object_r:container_file_t:s0:c3,c4 "$d/theirs"
}

teardown() {
    setenforce 1 2>/dev/null || true
    umount "$d" 2>/dev/null || true
}

# ARG...: busybox ARG... as container_t with categories c1,c2, in $d (the path above it is
# unlabelled: container_t may not search it)
in_container() {
    (cd "$d" && runcon system_u:system_r:container_t:s0:c1,c2 ./busybox "$@")
}

@test "the guest enforces" {
    [ "$(getenforce)" = Enforcing ]
    [ "$(cat /sys/fs/selinux/enforce)" = 1 ]
}

@test "enforcing: a container process reads its own categories and is denied others" {
    run in_container sh -c 'tr -d "\0" </proc/self/attr/current'
    [ "$output" = system_u:system_r:container_t:s0:c1,c2 ]
    run in_container cat mine
    [ "$status" -eq 0 ]
    [ "$output" = mine ]
    run in_container cat theirs
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
    dmesg | grep 'avc:  denied' | grep 'name="theirs"' | grep -q 'permissive=0'
}

@test "enforcing: type enforcement denies container_t an entrypoint it has no rule for" {
    run runcon system_u:system_r:container_t:s0:c1,c2 /bin/cat "$d/mine"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Permission denied"* ]]
}

@test "setenforce 0 lets the same read through, setenforce 1 denies it again" {
    setenforce 0
    [ "$(getenforce)" = Permissive ]
    run in_container cat theirs
    [ "$status" -eq 0 ]
    [ "$output" = theirs ]
    setenforce 1
    run in_container cat theirs
    [ "$status" -ne 0 ]
}

@test "enforcing: hutch-oci runs a busybox container as root" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" sh -c 'echo in-container'
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" enforcing-root
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = in-container ]
}

@test "enforcing: hutch-oci runs a busybox container as the rootless test user" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'echo in-container'
    run as-user "$HUTCH_OCI" run --bundle "$b" enforcing-rootless
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = in-container ]
    rm -rf "$b"
}

@test "enforcing: a container labelled container_t:c1,c2 reads its own files and is denied c3,c4" {
    b=$d/bundle
    new_bundle "$b" sh -c 'cat /mine; cat /theirs'
    echo mine >"$b/rootfs/mine"
    echo theirs >"$b/rootfs/theirs"
    chcon -R system_u:object_r:container_file_t:s0:c1,c2 "$b/rootfs"
    chcon system_u:object_r:container_file_t:s0:c3,c4 "$b/rootfs/theirs"
    python3 - "$b/config.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"
d["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2"
json.dump(d, open(sys.argv[1], "w"))
PY
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" enforcing-labelled
    echo "$output"
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = mine ]
    [[ "${lines[1]}" == *theirs*"Permission denied"* ]]
    dmesg | grep 'avc:  denied' | grep 'name="theirs"' | grep 'scontext=system_u:system_r:container_t:s0:c1,c2' | grep -q 'permissive=0'
}
