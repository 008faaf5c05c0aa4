#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.resources.devices as a cgroup v2 device program (lib/runtime/cgroup_devices.c), in
# the test guest as root: first the program alone through tests/helpers/cgroup-devices.c
# (a cgroup of its own, opens and mknods from inside it), then hutch-oci containers.
# /dev/mem (c 1:1) is the device no default rule allows; root in the guest may open it
# (CAP_SYS_RAWIO), so only the device program can refuse it.

load lib

setup() {
    require_guest
    tool=$(dirname "${HUTCH_PROBE:?HUTCH_PROBE must name hutch-probe}")/hutch-cgroup-devices
    [ -x "$tool" ] || skip "$tool is not built"
    cg=/sys/fs/cgroup/devices-t$BATS_TEST_NUMBER
}

# config DIR RULES-JSON: DIR/config.json from `hutch-oci spec`, linux.resources.devices RULES
config() {
    mkdir -p "$1"
    "$HUTCH_OCI" spec --bundle "$1"
    python3 - "$1/config.json" "$2" <<'PY'
import json, sys
path, rules = sys.argv[1], json.loads(sys.argv[2])
d = json.load(open(path))
d["linux"].setdefault("resources", {})["devices"] = rules
json.dump(d, open(path, "w"), indent="\t")
PY
}

deny_all='{"allow": false, "access": "rwm"}'

@test "deny-all rules: the default devices work, /dev/mem and block devices do not" {
    config "$BATS_TEST_TMPDIR/c" "[$deny_all]"
    t=$BATS_TEST_TMPDIR
    run "$tool" "$cg" "$t/c/config.json" -- open:/dev/null:rw open:/dev/zero:r \
        open:/dev/urandom:r open:/dev/mem:r open:/dev/mem:w \
        mknod:$t/zero:c:1:5 mknod:$t/mem:c:1:1 mknod:$t/loop:b:7:0 mknod:$t/pts:c:136:9
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = programs=1 ]
    [ "${lines[1]}" = open:/dev/null:rw=ok ]
    [ "${lines[2]}" = open:/dev/zero:r=ok ]
    [ "${lines[3]}" = open:/dev/urandom:r=ok ]
    [ "${lines[4]}" = open:/dev/mem:r=EPERM ]
    [ "${lines[5]}" = open:/dev/mem:w=EPERM ]
    [ "${lines[6]}" = "mknod:$t/zero:c:1:5=ok" ]
    [ "${lines[7]}" = "mknod:$t/mem:c:1:1=EPERM" ]
    [ "${lines[8]}" = "mknod:$t/loop:b:7:0=EPERM" ]
    [ "${lines[9]}" = "mknod:$t/pts:c:136:9=ok" ]
    # the cgroup is gone, and outside it /dev/mem opens
    [ ! -e "$cg" ]
    head -c 1 /dev/mem >/dev/null
}

@test "an allow rule gives /dev/mem the access it names and no more" {
    config "$BATS_TEST_TMPDIR/c" "[$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 1, \"access\": \"r\"}]"
    t=$BATS_TEST_TMPDIR
    run "$tool" "$cg" "$t/c/config.json" -- open:/dev/mem:r open:/dev/mem:w open:/dev/mem:rw \
        mknod:$t/mem:c:1:1
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = open:/dev/mem:r=ok ]
    [ "${lines[2]}" = open:/dev/mem:w=EPERM ]
    [ "${lines[3]}" = open:/dev/mem:rw=EPERM ]
    [ "${lines[4]}" = "mknod:$t/mem:c:1:1=EPERM" ]
}

@test "a later deny rule takes its bit from an O_RDWR open; wildcards match" {
    config "$BATS_TEST_TMPDIR/c" "[$deny_all,
        {\"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"rw\"},
        {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 1, \"access\": \"w\"}]"
    run "$tool" "$cg" "$BATS_TEST_TMPDIR/c/config.json" -- open:/dev/mem:r open:/dev/mem:rw \
        open:/dev/mem:w open:/dev/kmsg:w
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = open:/dev/mem:r=ok ]
    [ "${lines[2]}" = open:/dev/mem:rw=EPERM ]
    [ "${lines[3]}" = open:/dev/mem:w=EPERM ]
    # c 1:11, allowed by the c 1:* rule
    [ "${lines[4]}" = open:/dev/kmsg:w=ok ]
}

@test "applying again (update) replaces hutch's program: one stays, the new rules hold" {
    config "$BATS_TEST_TMPDIR/a" "[$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 1, \"access\": \"r\"}]"
    config "$BATS_TEST_TMPDIR/b" "[$deny_all]"
    run "$tool" "$cg" "$BATS_TEST_TMPDIR/a/config.json" "$BATS_TEST_TMPDIR/b/config.json" \
        "$BATS_TEST_TMPDIR/b/config.json" -- open:/dev/mem:r open:/dev/null:rw
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = programs=1 ]
    [ "${lines[1]}" = open:/dev/mem:r=EPERM ]
    [ "${lines[2]}" = open:/dev/null:rw=ok ]
}

# ctr_bundle DIR RULES-JSON ARG...: a busybox bundle running ARG... with CAP_MKNOD and
# CAP_SYS_RAWIO (for /dev/mem), the device rules RULES
ctr_bundle() {
    local dir=$1 rules=$2
    shift 2
    new_bundle "$dir" "$@"
    python3 - "$dir/config.json" "$rules" <<'PY'
import json, sys
path, rules = sys.argv[1], json.loads(sys.argv[2])
d = json.load(open(path))
for s in ("bounding", "effective", "permitted"):
    d["process"]["capabilities"][s] += ["CAP_MKNOD", "CAP_SYS_RAWIO"]
d["linux"].setdefault("resources", {})["devices"] = rules
json.dump(d, open(path, "w"), indent="\t")
PY
}

@test "hutch-oci: a container with deny-all rules uses /dev/null and cannot make /dev/mem" {
    b=$BATS_TEST_TMPDIR/bundle
    # the rootfs is read-only: nodes go to /dev, a tmpfs of the container's
    ctr_bundle "$b" "[$deny_all]" sh -c '
        mknod /dev/zero2 c 1 5 && echo zero-made
        mknod /dev/mem c 1 1 2>&1
        mknod /dev/loop0 b 7 0 2>&1
        hutch-probe open /dev/null rw'
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" dev-deny
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = zero-made ]
    # CAP_MKNOD is there (zero-made): the device program refuses these
    [ "${lines[1]}" = "mknod: /dev/mem: Operation not permitted" ]
    [ "${lines[2]}" = "mknod: /dev/loop0: Operation not permitted" ]
    [ "${lines[3]}" = rw=ok ]
}

@test "hutch-oci: an allow rule for c 1:1 r lets the container read /dev/mem, not write it" {
    b=$BATS_TEST_TMPDIR/bundle
    ctr_bundle "$b" "[$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 1, \"access\": \"rm\"}]" \
        sh -c 'mknod /dev/mem c 1 1 && echo mem-made; hutch-probe open /dev/mem r w'
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" dev-allow
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = mem-made ]
    [ "${lines[1]}" = r=ok ]
    [ "${lines[2]}" = w=EPERM ]
}

@test "hutch-oci: a device of linux.devices is allowed whatever the rules say" {
    b=$BATS_TEST_TMPDIR/bundle
    ctr_bundle "$b" "[$deny_all]" hutch-probe open /dev/mem r
    python3 - "$b/config.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["linux"]["devices"] = [{"path": "/dev/mem", "type": "c", "major": 1, "minor": 1,
                          "fileMode": 0o600, "uid": 0, "gid": 0}]
json.dump(d, open(sys.argv[1], "w"), indent="\t")
PY
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" dev-listed
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = r=ok ]
}
