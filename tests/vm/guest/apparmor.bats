#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test bed booted plain: Debian's kernel runs AppArmor (no profiles loaded). A profile
# of the test's own is loaded with apparmor_parser; process.apparmorProfile confines the
# container's program with it, as root and rootless.

load lib

PROFILE=hutch-test-confined

setup() {
    require_guest
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
        skip "AppArmor is not enabled in this guest"
    command -v apparmor_parser >/dev/null || skip "apparmor_parser is missing (apt-get install apparmor)"
    cat >"$BATS_TEST_TMPDIR/profile" <<EOP
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /secret r,
}
EOP
    apparmor_parser -r -W "$BATS_TEST_TMPDIR/profile"
}

teardown() {
    apparmor_parser -R "$BATS_TEST_TMPDIR/profile" 2>/dev/null || true
}

profile() { # DIR NAME
    python3 - "$1/config.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["process"]["apparmorProfile"] = sys.argv[2]
json.dump(d, open(sys.argv[1], "w"), indent="\t")
PY
}

@test "process.apparmorProfile confines the container's program (root)" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" sh -c 'hutch-probe label | grep ^label=; cat /secret; cat /public'
    echo secret >"$b/rootfs/secret"
    echo public >"$b/rootfs/public"
    profile "$b" "$PROFILE"
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" aa-root
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "label=$PROFILE (enforce)" ]
    [[ "${lines[1]}" == *secret*"Permission denied"* ]]
    [ "${lines[2]}" = public ]
    # without the profile the same container reads it
    profile "$b" unconfined
    run "$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" aa-root
    echo "$output"
    [ "${lines[0]}" = label=unconfined ]
    [ "${lines[1]}" = secret ]
}

@test "process.apparmorProfile confines the container's program (rootless)" {
    b=$HUTCH_VM_HOME/bundle-$BATS_TEST_NUMBER
    new_bundle "$b" --rootless sh -c 'hutch-probe label | grep ^label=; cat /secret'
    echo secret >"$b/rootfs/secret"
    profile "$b" "$PROFILE"
    chown -R "$HUTCH_VM_UID:$HUTCH_VM_GID" "$b"
    run as-user "$HUTCH_OCI" run --bundle "$b" aa-rootless
    echo "$output"
    rm -rf "$b"
    [ "${lines[0]}" = "label=$PROFILE (enforce)" ]
    [[ "${lines[1]}" == *secret*"Permission denied"* ]]
    [ "$status" -ne 0 ]
}

@test "a profile that is not loaded fails create with one line naming it, and leaves nothing" {
    b=$BATS_TEST_TMPDIR/bundle
    new_bundle "$b" true
    profile "$b" hutch-no-such-profile
    create_fails "$b" 'process.apparmorProfile: "hutch-no-such-profile" is not loaded'
}
