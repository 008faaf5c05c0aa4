#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test bed booted with SELinux (run-in-vm --selinux): Debian's reference policy plus
# tests/vm/container.cil loaded, permissive; process and file labels can be set and read
# back, the contexts of lxc_contexts are valid, and hutch-oci still runs containers.

load lib

setup() {
    require_guest
    [ "$(cat /sys/fs/selinux/enforce 2>/dev/null)" = 0 ] ||
        skip "needs the guest booted with --selinux (permissive)"
}

# The kernel's verdict on a context: /sys/fs/selinux/context accepts valid ones only.
valid_context() {
    printf '%s' "$1" >/sys/fs/selinux/context 2>/dev/null
}

@test "SELinux is on: the reference policy is loaded, permissive, with MLS/MCS" {
    grep -qw security=selinux /proc/cmdline
    grep -qw selinux=1 /proc/cmdline
    [ "$(cat /sys/kernel/security/lsm 2>/dev/null | tr ',' '\n' | grep -c '^selinux$')" -eq 1 ]
    [ "$(getenforce)" = Permissive ]
    run sestatus
    echo "$output"
    [[ "$output" == *"SELinux status:"*enabled* ]]
    [[ "$output" == *"Loaded policy name:"*default* ]]
    [[ "$output" == *"Policy MLS status:"*enabled* ]]
    [ "$(cat /sys/fs/selinux/mls)" = 1 ]
}

@test "id -Z and /proc/self/attr/current report the guest's real context" {
    ctx=$(id -Z)
    echo "$ctx"
    [ "$ctx" = system_u:system_r:kernel_t:s0 ]
    [ "$(tr -d '\0' </proc/self/attr/current)" = "$ctx" ]
    valid_context "$ctx"
}

@test "the kernel rejects a context the policy does not define" {
    ! valid_context system_u:system_r:no_such_type_t:s0
    run runcon system_u:system_r:no_such_type_t:s0 true
    [ "$status" -ne 0 ]
}

@test "every context of Debian's lxc_contexts is valid (container.cil is loaded)" {
    n=0
    while IFS='=' read -r key value; do
        ctx=$(echo "$value" | tr -d ' "')
        [ -n "$ctx" ] || continue
        echo "$key: $ctx"
        valid_context "$ctx"
        valid_context "$ctx:c1,c2" || valid_context "${ctx%:s0}:s0:c1,c2"
        n=$((n + 1))
    done </etc/selinux/default/contexts/lxc_contexts
    [ "$n" -ge 4 ]
}

@test "a process runs as container_t and as svirt_t with MCS categories and reads it back" {
    for t in container_t svirt_t; do
        run runcon "system_u:system_r:$t:s0:c1,c2" sh -c 'tr -d "\0" </proc/self/attr/current'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "system_u:system_r:$t:s0:c1,c2" ]
        run runcon "system_u:system_r:$t:s0:c1,c2" id -Z
        [ "$output" = "system_u:system_r:$t:s0:c1,c2" ]
    done
}

@test "files are labelled container_file_t and svirt_image_t with categories and read back" {
    d=$BATS_TEST_TMPDIR/m
    mkdir "$d"
    mount -t tmpfs tmpfs "$d"
    for t in container_file_t container_ro_file_t svirt_image_t; do
        echo x >"$d/$t"
        chcon "system_u:object_r:$t:s0:c1,c2" "$d/$t"
        [ "$(stat -c %C "$d/$t")" = "system_u:object_r:$t:s0:c1,c2" ]
    done
    # the security.selinux attribute itself
    run python3 -c '
import os, sys
for f in sys.argv[1:]:
    print(os.getxattr(f, "security.selinux").rstrip(b"\0").decode())' "$d/container_file_t" "$d/svirt_image_t"
    [ "${lines[0]}" = system_u:object_r:container_file_t:s0:c1,c2 ]
    [ "${lines[1]}" = system_u:object_r:svirt_image_t:s0:c1,c2 ]
    # and a mount's context= option labels every file of it
    umount "$d"
    mount -t tmpfs -o 'context="system_u:object_r:container_file_t:s0:c3,c4"' tmpfs "$d"
    touch "$d/f"
    [ "$(stat -c %C "$d/f")" = "system_u:object_r:container_file_t:s0:c3,c4" ]
    umount "$d"
}

@test "hutch-oci runs a busybox container as root with SELinux on" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" sh -c 'echo in-container; tr -d "\0" </proc/self/attr/current'
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" selinux-root
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = in-container ]
    [[ "${lines[1]}" == system_u:system_r:*_t:s0* ]]
}

@test "hutch-oci runs a busybox container as the rootless test user with SELinux on" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'echo in-container; tr -d "\0" </proc/self/attr/current'
    run as-user "$HUTCH_OCI" run --bundle "$b" selinux-rootless
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = in-container ]
    [[ "${lines[1]}" == system_u:system_r:*_t:s0* ]]
    rm -rf "$b"
}

# labels DIR PROCESS-LABEL MOUNT-LABEL: set process.selinuxLabel and linux.mountLabel
labels() {
    python3 - "$1/config.json" "$2" "$3" <<'PY'
import json, sys
path, process, mount = sys.argv[1:]
d = json.load(open(path))
d["process"]["selinuxLabel"] = process
d["linux"]["mountLabel"] = mount
json.dump(d, open(path, "w"), indent="\t")
PY
}

# run_labelled STATE BUNDLE ID [as-user]: create, read the labels of the container's mounts
# from outside through /proc/PID/root into $BATS_TEST_TMPDIR/mounts, start, wait, delete
run_labelled() {
    local state=$1 b=$2 id=$3 runner=${4:-}
    $runner "$HUTCH_OCI" --root "$state" create --bundle "$b" "$id"
    pid=$($runner "$HUTCH_OCI" --root "$state" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    for m in /dev/shm /dev/mqueue /dev/pts /dev; do
        echo "$m $(stat -c %C "/proc/$pid/root$m")"
    done >"$BATS_TEST_TMPDIR/mounts"
    $runner "$HUTCH_OCI" --root "$state" start "$id"
    for _ in $(seq 100); do
        [ "$($runner "$HUTCH_OCI" --root "$state" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
        sleep 0.1
    done
    $runner "$HUTCH_OCI" --root "$state" delete "$id"
}

@test "process.selinuxLabel is the container's context, linux.mountLabel labels its tmpfs, devpts and mqueue (root)" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" hutch-probe label
    labels "$b" system_u:system_r:svirt_t:s0:c1,c2 system_u:object_r:svirt_image_t:s0:c1,c2
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" lab-root
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = label=system_u:system_r:svirt_t:s0:c1,c2 ]
    set_args "$b" sleep 0.5
    run_labelled "$BATS_TEST_TMPDIR/state" "$b" lab-root2
    cat "$BATS_TEST_TMPDIR/mounts"
    for m in /dev/shm /dev/mqueue /dev/pts /dev; do
        grep -qx "$m system_u:object_r:svirt_image_t:s0:c1,c2" "$BATS_TEST_TMPDIR/mounts"
    done
}

@test "process.selinuxLabel and linux.mountLabel in a rootless container" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless hutch-probe label
    labels "$b" system_u:system_r:svirt_t:s0:c5,c6 system_u:object_r:svirt_image_t:s0:c5,c6
    chown "$HUTCH_VM_UID:$HUTCH_VM_GID" "$b/config.json"
    run as-user "$HUTCH_OCI" run --bundle "$b" lab-rootless
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = label=system_u:system_r:svirt_t:s0:c5,c6 ]
    as-user bash -c "$(declare -f set_args); set_args \"\$@\"" _ "$b" sleep 0.5
    run_labelled "$HUTCH_VM_HOME/state-$BATS_TEST_NUMBER" "$b" lab-rootless2 as-user
    cat "$BATS_TEST_TMPDIR/mounts"
    for m in /dev/shm /dev/mqueue /dev/pts /dev; do
        grep -qx "$m system_u:object_r:svirt_image_t:s0:c5,c6" "$BATS_TEST_TMPDIR/mounts"
    done
    rm -rf "$b" "$HUTCH_VM_HOME/state-$BATS_TEST_NUMBER"
}

@test "a label the policy rejects fails create with one line naming it, and leaves nothing" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" true
    labels "$b" system_u:system_r:no_such_type_t:s0 system_u:object_r:svirt_image_t:s0
    create_fails "$b" 'process.selinuxLabel: "system_u:system_r:no_such_type_t:s0" is not a valid context'
    labels "$b" system_u:system_r:svirt_t:s0 system_u:object_r:no_such_file_t:s0
    create_fails "$b" 'linux.mountLabel: "system_u:object_r:no_such_file_t:s0" is not a valid context'
}
