#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup v2 limits of hutch-oci containers (cgroupfs driver) on the guest's pure v2
# hierarchy, as root and as the rootless test user in its delegated cgroup: limits hold,
# read back as set, change live (update), freeze and thaw, ps and kill --all through the
# cgroup, and delete leaves no cgroup behind.

load lib

setup() {
    require_guest
    STATE=$BATS_TEST_TMPDIR/state
}

# set_resources DIR JSON: linux.resources of DIR/config.json (devices kept)
set_resources() {
    python3 - "$1/config.json" "$2" <<'PY'
import json, sys
path, res = sys.argv[1], json.loads(sys.argv[2])
d = json.load(open(path))
r = d["linux"].setdefault("resources", {})
r.update(res)
json.dump(d, open(path, "w"), indent="\t")
PY
}

oci() { "$HUTCH_OCI" --root "$STATE" "$@"; }

@test "root: a memory hog is OOM-killed at memory.max (status 137); the cgroup is gone after run" {
    b=$BATS_TEST_TMPDIR/b
    new_bundle "$b" dd if=/dev/zero of=/dev/null bs=96M count=1
    set_resources "$b" '{"memory": {"limit": 33554432, "swap": 33554432}}'
    run oci run --bundle "$b" hog
    echo "$output"
    [ "$status" -eq 137 ]
    [ ! -e /sys/fs/cgroup/hutch/hog ]
}

@test "root: the container starts in its cgroup (0::/ in its cgroup namespace); a fork loop stops at pids.max" {
    b=$BATS_TEST_TMPDIR/b
    new_bundle "$b" sh -c 'cat /proc/self/cgroup; for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo all-forked'
    set_resources "$b" '{"pids": {"limit": 4}}'
    run oci run --bundle "$b" forks
    echo "$output"
    [ "${lines[0]}" = "0::/" ]
    [[ "$output" == *fork* ]]
    [[ "$output" != *all-forked* ]]
    [ ! -e /sys/fs/cgroup/hutch/forks ]
    # without a cgroup namespace it sees the cgroup's own path
    set_args "$b" cat /proc/self/cgroup
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "cgroup"]; json.dump(d, open(sys.argv[1], "w"))' "$b/config.json"
    run oci run --bundle "$b" no-cgroupns
    echo "$output"
    [ "$output" = "0::/hutch/no-cgroupns" ]
}

@test "root: cpu.max, io.max, memory and pids read back as set; update lowers them live; delete removes the cgroup" {
    modprobe loop 2>/dev/null || true
    truncate -s 8M "$BATS_TEST_TMPDIR/disk"
    loop=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
    dev=$(cat "/sys/block/${loop#/dev/}/dev")
    maj=${dev%:*} min=${dev#*:}
    b=$BATS_TEST_TMPDIR/b
    new_bundle "$b" sleep 60
    set_resources "$b" "{\"cpu\": {\"quota\": 50000, \"period\": 100000, \"shares\": 1024},
        \"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 100},
        \"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
                      \"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 100}]}}"
    oci create --bundle "$b" lim
    cg=/sys/fs/cgroup/hutch/lim
    cat "$cg/cpu.max" "$cg/io.max" "$cg/cpu.weight"
    [ "$(cat "$cg/cpu.max")" = "50000 100000" ]
    [ "$(cat "$cg/cpu.weight")" = 39 ]
    [ "$(cat "$cg/memory.max")" = 67108864 ]
    [ "$(cat "$cg/pids.max")" = 100 ]
    grep -qx "$maj:$min rbps=1048576 wbps=max riops=max wiops=100" "$cg/io.max"
    oci start lim
    oci update --memory 32M --pids-limit 7 --cpu-quota 20000 lim
    [ "$(cat "$cg/memory.max")" = 33554432 ]
    [ "$(cat "$cg/pids.max")" = 7 ]
    [ "$(cat "$cg/cpu.max")" = "20000 100000" ]
    echo '{"pids": {"limit": 9}}' | oci update --resources - lim
    [ "$(cat "$cg/pids.max")" = 9 ]
    # bad values change nothing
    run oci update --pids-limit nine lim
    [ "$status" -ne 0 ]
    [ "$(cat "$cg/pids.max")" = 9 ]
    # device rules are made at create: update refuses them rather than drop them
    run oci update --resources - lim <<<'{"pids": {"limit": 5}, "devices": [{"allow": true, "access": "rwm"}]}'
    [ "$status" -ne 0 ]
    [[ "$output" == *"devices"*"cannot be updated"* ]]
    [ "$(cat "$cg/pids.max")" = 9 ]
    oci delete --force lim
    [ ! -e "$cg" ]
    losetup -d "$loop"
}

@test "root: pause freezes a busy loop and resume thaws it; ps lists the forked children; kill --all; exec joins the cgroup" {
    b=$BATS_TEST_TMPDIR/b
    # the loop's progress: the size of a file it appends to
    new_bundle "$b" sh -c 'sleep 60 & while :; do echo x >>/tmp/count; done'
    set_resources "$b" '{}'
    sed -i 's/"readonly": true/"readonly": false/' "$b/config.json"
    oci create --bundle "$b" busy
    oci start busy
    cg=/sys/fs/cgroup/hutch/busy
    sleep 1
    oci pause busy
    [ "$(cat "$cg/cgroup.freeze")" = 1 ]
    oci state busy | grep -q '"status": *"paused"'
    a=$(stat -c %s "$b/rootfs/tmp/count")
    sleep 1
    [ "$(stat -c %s "$b/rootfs/tmp/count")" = "$a" ]
    oci resume busy
    oci state busy | grep -q '"status": *"running"'
    sleep 1
    [ "$(stat -c %s "$b/rootfs/tmp/count")" -gt "$a" ]
    run oci exec busy cat /proc/self/cgroup
    echo "$output"
    [ "$output" = "0::/" ]
    run oci ps --format json busy
    echo "$output"
    [ "$(echo "$output" | tr ',' '\n' | grep -c '[0-9]')" -eq 2 ]
    [ "$output" = "[$(sort -n "$cg/cgroup.procs" | paste -sd,)]" ]
    oci kill --all busy KILL
    for _ in $(seq 50); do grep -qx 'populated 0' "$cg/cgroup.events" && break; sleep 0.1; done
    grep -qx 'populated 0' "$cg/cgroup.events"
    oci delete busy
    [ ! -e "$cg" ]
    [ ! -e /sys/fs/cgroup/hutch ]
}

@test "root: a limit v2 cannot honour and an unknown unified file are refused before anything starts" {
    b=$BATS_TEST_TMPDIR/b
    new_bundle "$b" true
    set_resources "$b" '{"memory": {"disableOOMKiller": true}}'
    create_fails "$b" disableOOMKiller
    set_resources "$b" '{"memory": {}, "unified": {"memory.nosuchfile": "1"}}'
    create_fails "$b" memory.nosuchfile
    [ ! -e /sys/fs/cgroup/hutch/must-fail ]
}

@test "rootless: limits in the delegated cgroup: OOM at memory.max, pids.max read back, delete cleans up" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless dd if=/dev/zero of=/dev/null bs=96M count=1
    as-user bash -c "$(declare -f set_resources); set_resources \"\$@\"" _ "$b" \
        '{"memory": {"limit": 33554432, "swap": 33554432}, "pids": {"limit": 20}}'
    run as-user "$HUTCH_OCI" run --bundle "$b" rl-hog
    echo "$output"
    [ "$status" -eq 137 ]
    cg=$HUTCH_VM_USER_CGROUP/hutch
    [ ! -e "$cg/rl-hog" ]
    as-user bash -c "$(declare -f set_args); set_args \"\$@\"" _ "$b" sleep 60
    as-user "$HUTCH_OCI" create --bundle "$b" rl
    [ "$(cat "$cg/rl/pids.max")" = 20 ]
    [ "$(cat "$cg/rl/memory.max")" = 33554432 ]
    as-user "$HUTCH_OCI" update --pids-limit 10 rl
    [ "$(cat "$cg/rl/pids.max")" = 10 ]
    as-user "$HUTCH_OCI" delete --force rl
    [ ! -e "$cg/rl" ]
    rm -rf "$b"
}

@test "rootless: pause and resume, ps, exec and kill --all through the delegated cgroup" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'sleep 60 & sleep 60 & wait'
    as-user "$HUTCH_OCI" run --detach --bundle "$b" rl-busy
    cg=$HUTCH_VM_USER_CGROUP/hutch/rl-busy
    for _ in $(seq 50); do [ "$(wc -l <"$cg/cgroup.procs")" -eq 3 ] && break; sleep 0.1; done
    run as-user "$HUTCH_OCI" ps --format json rl-busy
    echo "$output"
    [ "$output" = "[$(sort -n "$cg/cgroup.procs" | paste -sd,)]" ]
    [ "$(echo "$output" | tr ',' '\n' | grep -c '[0-9]')" -eq 3 ]
    as-user "$HUTCH_OCI" pause rl-busy
    grep -qx 'frozen 1' "$cg/cgroup.events"
    as-user "$HUTCH_OCI" state rl-busy | grep -q '"status": *"paused"'
    run as-user "$HUTCH_OCI" exec rl-busy true
    [ "$status" -ne 0 ]
    as-user "$HUTCH_OCI" resume rl-busy
    grep -qx 'frozen 0' "$cg/cgroup.events"
    run as-user "$HUTCH_OCI" exec rl-busy cat /proc/self/cgroup
    echo "$output"
    [ "$output" = "0::/" ]
    as-user "$HUTCH_OCI" kill --all rl-busy KILL
    for _ in $(seq 50); do grep -qx 'populated 0' "$cg/cgroup.events" && break; sleep 0.1; done
    as-user "$HUTCH_OCI" delete rl-busy
    [ ! -e "$cg" ]
    rm -rf "$b"
}

# CMD... as the test user, staying in the guest's root cgroup: nothing is delegated to it.
as_undelegated_user() {
    setpriv --reuid="$HUTCH_VM_UID" --regid="$HUTCH_VM_GID" --init-groups \
        env HOME="$HUTCH_VM_HOME" XDG_RUNTIME_DIR="/run/user/$HUTCH_VM_UID" "$@"
}

@test "rootless without delegation: a limit is refused saying how to get it; no limits runs without a cgroup" {
    [ "$(cat /proc/self/cgroup)" = "0::/" ]
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless cat /proc/self/cgroup
    run as_undelegated_user "$HUTCH_OCI" run --bundle "$b" rl-plain
    echo "$output"
    [ "$status" -eq 0 ]
    as-user bash -c "$(declare -f set_resources); set_resources \"\$@\"" _ "$b" \
        '{"pids": {"limit": 20}}'
    run as_undelegated_user "$HUTCH_OCI" run --bundle "$b" rl-limited
    echo "$output"
    [ "$status" -ne 0 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"linux.resources.pids.limit: needs the pids controller"* ]]
    [[ "$output" == *"Delegate=yes"* ]]
    [ ! -e "$HUTCH_VM_USER_CGROUP/hutch/rl-limited" ]
    rm -rf "$b"
}
