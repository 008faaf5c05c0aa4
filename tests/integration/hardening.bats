#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What a container's config or image must never reach: fds of the caller, hutch-oci's own
# process before start, device nodes of the image, other processes, the host's sysctls, host
# files bound as devices; and state that must not trap the user (a crashed create, a foreign
# state directory).

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-hardening-one)
    create_test_user "$U_ONE"
}

teardown_file() {
    remove_test_user "$U_ONE"
}

no_caller_fd() {
    b=$(new_bundle)
    set_args "$b" sh -c 'ls /proc/self/fd | tr "\n" " "'
    id=$(new_id)
    # fd 7 is a directory of the host, as a careless caller might leave open
    exec 7</
    oci run --bundle "$b" "$id"
    exec 7<&-
    echo "$out"
    [ "$status" -eq 0 ]
    [ "$out" = "0 1 2 3 " ]
    config_set "$b" 'd["process"]["cwd"] = "/proc/self/fd/7"'
    exec 7</
    oci run --bundle "$b" "$(new_id)"
    exec 7<&-
    [ "$status" -ne 0 ]
    assert_one_error_line "process.cwd"
}

@test "no fd of the caller reaches the container, and a cwd through one fails (root)" {
    use_root
    no_caller_fd
}

@test "no fd of the caller reaches the container, and a cwd through one fails (rootless)" {
    use_rootless "$U_ONE"
    no_caller_fd
}

@test "a created container's process is not dumpable: its exe and fds are closed to its own user" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_args "$b" true
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    run as_user "$U_ONE" readlink "/proc/$pid/exe"
    echo "$output"
    [ "$status" -ne 0 ]
    run as_user "$U_ONE" ls "/proc/$pid/fd"
    [ "$status" -ne 0 ]
    oci_ok delete "$id"
}

@test "device nodes of the image do not open: the rootfs is nodev under a /dev of its own" {
    use_root
    b=$(new_bundle)
    mknod "$b/rootfs/imagenull" c 1 3
    run_in_ok "$b" sh -c 'echo x 2>/dev/null > /imagenull && echo opened || echo refused'
    [ "$out" = refused ]
}

# With device rules but no cgroup to enforce them, a root container without a user namespace
# that may mknod gets nodev on every mount but its own device nodes and devpts.
device_rules_bundle() { # RULES (a python list)
    b=$(new_bundle)
    config_set "$b" '
d["linux"].setdefault("resources", {})["devices"] = '"$1"'
d["linux"]["devices"] = [{"path": "/dev/kmsg0", "type": "c", "major": 1, "minor": 11}]
d["root"]["readonly"] = False
for s in ("bounding", "effective", "permitted"):
    d["process"]["capabilities"][s].append("CAP_MKNOD")'
    mkdir -p "$SCRATCH/hostdir"
    mknod "$SCRATCH/hostdir/null" c 1 3
    config_set "$b" 'd["mounts"].append({"destination": "/hostdir", "type": "bind", "source": "'"$SCRATCH/hostdir"'", "options": ["rbind", "rw"]})'
    set_args "$b" sh -c '
try() { if (echo x >"$1") 2>/dev/null; then echo "$1=opened"; else echo "$1=refused"; fi; }
for f in /dev/made /tmp/made /dev/shm/made; do mknod "$f" c 1 3 || echo "mknod $f failed"; done
for f in /dev/made /tmp/made /dev/shm/made /hostdir/null /dev/null /dev/zero /dev/kmsg0; do try "$f"; done
test -c /dev/ptmx && exec 3<>/dev/ptmx && echo ptmx=opened'
}

@test "device rules without a cgroup: nodes the container makes, or that a bound directory holds, do not open; its own devices do" {
    use_root
    device_rules_bundle '[{"allow": False, "access": "rwm"}]'
    oci_ok run --bundle "$b" "$(new_id)"
    echo "$out"
    assert_eq "$out" "/dev/made=refused
/tmp/made=refused
/dev/shm/made=refused
/hostdir/null=refused
/dev/null=opened
/dev/zero=opened
/dev/kmsg0=opened
ptmx=opened"
}

@test "device rules that allow everything leave device nodes usable (privileged containers)" {
    use_root
    device_rules_bundle '[{"allow": False, "access": "rwm"}, {"allow": True, "access": "rwm"}]'
    oci_ok run --bundle "$b" "$(new_id)"
    echo "$out"
    grep -qx "/dev/made=opened" <<<"$out"
    grep -qx "/hostdir/null=opened" <<<"$out"
}

@test "kill --all is refused for a container without a pid namespace of its own" {
    use_root
    b=$(new_bundle)
    drop_namespaces "$b" pid
    set_args "$b" sleep 30
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    oci kill --all "$id" TERM
    assert_error "pid namespace"
    oci_ok delete --force "$id"
}

@test "a long capability list with repeats is taken as a set" {
    use_root
    b=$(new_bundle)
    # a non-root user keeps after exec only what the ambient set carries
    config_set "$b" '
c = d["process"]["capabilities"]
c["effective"] = c["ambient"] = ["CAP_KILL"] * 2000
c["inheritable"] = c["permitted"] = ["CAP_KILL"] * 70
d["process"]["user"] = {"uid": 1000, "gid": 1000}'
    run_in_ok "$b" sh -c 'grep CapEff /proc/self/status'
    [ "$out" = $'CapEff:\t0000000000000020' ]
}

@test "a bind mount refuses options it cannot apply, and applies recursive ones" {
    use_root
    b=$(new_bundle)
    mkdir -p "$b/vol"
    config_set "$b" 'd["mounts"].append({"destination": "/v", "type": "bind", "source": "vol",
        "options": ["rbind", "nodevv"]})'
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "nodevv"
    assert_no_state "$id"
    # relative sources are taken from the bundle, not from the caller's directory
    config_set "$b" 'd["mounts"][-1]["options"] = ["rbind", "rnosuid", "rnoexec"]'
    cd /
    run_in_ok "$b" sh -c 'grep " /v " /proc/self/mountinfo'
    echo "$out"
    [[ "$out" == *nosuid* ]]
    [[ "$out" == *noexec* ]]
}

@test "sysctls are refused for a joined network namespace" {
    use_root
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "network"]
d["linux"]["namespaces"].append({"type": "network", "path": "/proc/self/ns/net"})
d["linux"]["sysctl"] = {"net.ipv4.ip_unprivileged_port_start": "77"}'
    set_args "$b" true
    before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "net.ipv4.ip_unprivileged_port_start"
    [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$before" ]
    assert_no_state "$id"
}

@test "rootless, a device is only ever the host's identical device node" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    echo secret > "$SCRATCH/hostfile"
    config_set "$b" "d['linux']['devices'] = [{'path': '$SCRATCH/hostfile', 'type': 'c',
        'major': 1, 'minor': 3}]"
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "$SCRATCH/hostfile"
    assert_no_state "$id"
}

@test "delete --force clears what a crashed command left in the state directory" {
    use_root
    b=$(new_bundle)
    set_args "$b" true
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    touch "$STATE/$id/.state.json.tmp-deadbeef"
    oci_ok delete --force "$id"
    [ ! -e "$STATE/$id" ]
}

@test "a state directory that another user could write is refused" {
    use_root
    root=$SCRATCH/foreign-state
    mkdir -p "$root"
    chmod 777 "$root"
    run "$HUTCH_OCI" --root "$root" state whatever
    [ "$status" -eq 1 ]
    [[ "$output" == *"writable by you only"* ]]
    run "$HUTCH_OCI" --root "$root" list
    [ "$status" -eq 1 ]
    [[ "$output" == *"writable by you only"* ]]
}
