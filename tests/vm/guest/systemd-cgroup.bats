#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd cgroup driver (lib/runtime/cgroup_systemd.c) in a guest booted with systemd
# (run-in-vm --systemd): transient scopes with Delegate=yes and the limits as unit
# properties, over the system bus as root and over the user bus of the test user's manager
# (user@UID.service) when rootless; first the driver alone (tests/helpers/systemd-scope.c),
# then hutch-oci --systemd-cgroup.

load lib

setup() {
    require_systemd
    STATE=$BATS_TEST_TMPDIR/state
    # beside hutch-oci in the build tree, unless named
    SCOPE_HELPER=${HUTCH_SYSTEMD_SCOPE:-$(dirname "$HUTCH_OCI")/../tests/helpers/hutch-systemd-scope}
}

# show UNIT PROPS [--user]: NAME=VALUE lines of UNIT's properties PROPS ("A,B"), in $shown
# (one systemctl for all: starting a program is slow under TCG)
show() {
    if [ "${3:-}" = --user ]; then
        shown=$(as-user systemctl --user show "$1" -p "$2")
    else
        shown=$(systemctl show "$1" -p "$2")
    fi
    echo "$shown"
}

# has NAME=VALUE: a line of the last show
has() {
    grep -qx "$1" <<<"$shown"
}

# set_cgroup DIR JSON-RESOURCES CGROUPS-PATH: linux.resources and linux.cgroupsPath of
# DIR/config.json, without a cgroup namespace (so that /proc/self/cgroup inside shows the
# scope)
set_cgroup() {
    python3 - "$1/config.json" "$2" "$3" <<'PY'
import json, sys
path, res, cgpath = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
d = json.load(open(path))
d["linux"].setdefault("resources", {}).update(res)
d["linux"]["cgroupsPath"] = cgpath
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "cgroup"]
json.dump(d, open(path, "w"), indent="\t")
PY
}

@test "driver, root: a scope on the system bus with Delegate=yes and the limits; stop removes it" {
    [ -x "$SCOPE_HELPER" ] || skip "no $SCOPE_HELPER (tests/helpers)"
    run "$SCOPE_HELPER" start -m 67108864 -p 50 -q 50000 -P 100000 -c 0 system.slice:hutch:drv1 ctr
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"cgroup=/system.slice/hutch-drv1.scope"* ]]
    pid=$(sed -n 's/^pid=//p' <<<"$output")
    grep -qx '0::/system.slice/hutch-drv1.scope' "/proc/$pid/cgroup"
    show hutch-drv1.scope Delegate,MemoryMax,TasksMax,CPUQuotaPerSecUSec,AllowedCPUs
    has Delegate=yes
    has MemoryMax=67108864
    has TasksMax=50
    has CPUQuotaPerSecUSec=500ms
    has AllowedCPUs=0
    cg=/sys/fs/cgroup/system.slice/hutch-drv1.scope
    [ "$(cat "$cg/memory.max")" = 67108864 ]
    [ "$(cat "$cg/cpu.max")" = "50000 100000" ]
    # a second scope of the same name: systemd's refusal, in one line
    run "$SCOPE_HELPER" start system.slice:hutch:drv1 ctr
    echo "$output"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"start the systemd scope hutch-drv1.scope in system.slice: Unit hutch-drv1.scope "* ]]
    "$SCOPE_HELPER" stop hutch-drv1.scope
    [ ! -e "$cg" ]
    run kill -0 "$pid"
    [ "$status" -ne 0 ]
    show hutch-drv1.scope LoadState
    has LoadState=not-found
    # gone already: no error
    "$SCOPE_HELPER" stop hutch-drv1.scope
}

@test "driver, rootless: a scope on the user bus, in the user manager's user.slice" {
    [ -x "$SCOPE_HELPER" ] || skip "no $SCOPE_HELPER (tests/helpers)"
    run as-user "$SCOPE_HELPER" start -r -m 33554432 -p 30 :hutch:drv2 ctr
    echo "$output"
    [ "$status" -eq 0 ]
    cg=$HUTCH_VM_USER_CGROUP/user.slice/hutch-drv2.scope
    [[ "$output" == *"cgroup=${cg#/sys/fs/cgroup}"* ]]
    show hutch-drv2.scope Delegate,MemoryMax --user
    has Delegate=yes
    has MemoryMax=33554432
    [ "$(cat "$cg/memory.max")" = 33554432 ]
    [ "$(cat "$cg/pids.max")" = 30 ]
    # delegated: the user owns the scope's cgroup
    [ "$(stat -c %u "$cg")" = "$HUTCH_VM_UID" ]
    as-user "$SCOPE_HELPER" stop -r hutch-drv2.scope
    [ ! -e "$cg" ]
}

@test "driver, rootless: without the user bus, the manager's private socket" {
    [ -x "$SCOPE_HELPER" ] || skip "no $SCOPE_HELPER (tests/helpers)"
    run as-user env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$SCOPE_HELPER" start -r :hutch:drv3 ctr
    echo "$output"
    [ "$status" -eq 0 ]
    [ -d "$HUTCH_VM_USER_CGROUP/user.slice/hutch-drv3.scope" ]
    as-user env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$SCOPE_HELPER" stop -r hutch-drv3.scope
    [ ! -e "$HUTCH_VM_USER_CGROUP/user.slice/hutch-drv3.scope" ]
}

@test "driver, rootless: no user manager is one line that says what to do" {
    [ -x "$SCOPE_HELPER" ] || skip "no $SCOPE_HELPER (tests/helpers)"
    run as-user env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent XDG_RUNTIME_DIR=/nonexistent \
        "$SCOPE_HELPER" start -r :hutch:drv4 ctr
    echo "$output"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"cannot reach your systemd user manager"*"loginctl enable-linger"* ]]
}

@test "hutch-oci, root: --systemd-cgroup puts the container in system.slice/hutch-test1.scope with its limit; delete removes the scope" {
    b=$BATS_TEST_TMPDIR/b
    new_bundle "$b" sh -c 'cat /proc/self/cgroup; exec sleep 60'
    set_cgroup "$b" '{"memory": {"limit": 67108864}}' system.slice:hutch:test1
    "$HUTCH_OCI" --root "$STATE" --systemd-cgroup create --bundle "$b" test1 \
        </dev/null >"$b/out" 2>&1
    pid=$("$HUTCH_OCI" --root "$STATE" state test1 | grep -o '"pid": *[0-9]*' | grep -o '[0-9]*$')
    grep -qx '0::/system.slice/hutch-test1.scope' "/proc/$pid/cgroup"
    show hutch-test1.scope MemoryMax,Delegate
    has MemoryMax=67108864
    has Delegate=yes
    cg=/sys/fs/cgroup/system.slice/hutch-test1.scope
    [ "$(cat "$cg/memory.max")" = 67108864 ]
    "$HUTCH_OCI" --root "$STATE" start test1
    for _ in $(seq 50); do [ -s "$b/out" ] && break; sleep 0.1; done
    cat "$b/out"
    grep -qx '0::/system.slice/hutch-test1.scope' "$b/out"
    "$HUTCH_OCI" --root "$STATE" delete --force test1
    [ ! -e "$cg" ]
    show hutch-test1.scope LoadState
    has LoadState=not-found
}

@test "hutch-oci, rootless: --systemd-cgroup on the user bus; the scope in the user manager's user.slice" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'cat /proc/self/cgroup; exec sleep 60'
    as-user bash -c "$(declare -f set_cgroup); set_cgroup \"\$@\"" _ "$b" \
        '{"memory": {"limit": 33554432}}' user.slice:hutch:test2
    as-user "$HUTCH_OCI" --systemd-cgroup create --bundle "$b" test2 </dev/null >"$b/out" 2>&1 ||
        { cat "$b/out"; false; }
    cg=$HUTCH_VM_USER_CGROUP/user.slice/hutch-test2.scope
    show hutch-test2.scope MemoryMax,Delegate --user
    has MemoryMax=33554432
    has Delegate=yes
    [ "$(cat "$cg/memory.max")" = 33554432 ]
    as-user "$HUTCH_OCI" start test2
    for _ in $(seq 50); do [ -s "$b/out" ] && break; sleep 0.1; done
    cat "$b/out"
    grep -qx "0::${cg#/sys/fs/cgroup}" "$b/out"
    as-user "$HUTCH_OCI" delete --force test2
    [ ! -e "$cg" ]
    show hutch-test2.scope LoadState --user
    has LoadState=not-found
    rm -rf "$b"
}
