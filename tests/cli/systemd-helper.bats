#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-systemd, the systemd cgroup driver's D-Bus half that hutch-oci runs
# (cmd/hutch-systemd): its arguments checked before any bus is touched, and one error line
# when there is no systemd to talk to (this host has none as its service manager; the real
# scopes are tested in the qemu guest, tests/vm/guest/systemd-cgroup.bats). And hutch-oci
# itself: linked statically where it can be, so that no dynamic loading costs a start.

load helpers

setup() {
    [ -n "${HUTCH_SYSTEMD:-}" ] || skip "hutch was built without libsystemd-dev: no hutch-systemd"
}

@test "hutch-systemd: usage errors exit 2 and say how to call it" {
    for args in "" "start" "start system.slice" "start system.slice x.scope" \
        "start system.slice x.scope 0" "start system.slice x.scope -5" \
        "start system.slice x.scope 12abc" "stop" "stop a b" "restart x.scope"; do
        # shellcheck disable=SC2086 # the words are the arguments
        run_split "$HUTCH_SYSTEMD" $args
        [ "$status" -eq 2 ] || { echo "'$args': status $status"; return 1; }
        [[ "$err" == *"usage: hutch-systemd start"* ]] || { echo "'$args': $err"; return 1; }
    done
}

@test "hutch-systemd: a malformed property is one error line (EINVAL) before any bus" {
    for prop in "Foo" "=t:1" "Foo=t:" "Foo=t:-1" "Foo=t:1x" "Foo=t:99999999999999999999" \
        "Foo=x:1" "Foo=y:abc" "Foo=y:zz" "Foo=t1"; do
        run_split "$HUTCH_SYSTEMD" start system.slice hutch-x.scope 1 "$prop"
        [ "$status" -eq 22 ] || { echo "'$prop': status $status: $err"; return 1; }
        assert_one_error_line "property"
        [[ "$err" != *"systemd"* ]] || { echo "'$prop' reached the bus: $err"; return 1; }
    done
}

@test "hutch-systemd: no systemd to talk to is one error line naming what is missing" {
    [ ! -S /run/dbus/system_bus_socket ] && [ ! -S /run/systemd/private ] ||
        skip "this machine runs systemd: the guest tests cover it (never a scope on the host)"
    run_split "$HUTCH_SYSTEMD" stop hutch-none.scope
    [ "$status" -ne 0 ]
    assert_one_error_line "cannot reach systemd"
    [[ "$err" == *"cgroupfs driver"* ]]
    run_split env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS "$HUTCH_SYSTEMD" stop --user \
        hutch-none.scope
    [ "$status" -ne 0 ]
    assert_one_error_line "XDG_RUNTIME_DIR is not set"
}

@test "hutch-oci is linked statically unless built with sanitizers" {
    command -v readelf >/dev/null || skip "no readelf (binutils)"
    if readelf -s "$HUTCH_OCI" | grep -q '__asan_init\|__ubsan_handle'; then
        skip "a sanitizer build: those need the shared libc"
    fi
    run readelf -l "$HUTCH_OCI"
    [ "$status" -eq 0 ]
    [[ "$output" != *"Requesting program interpreter"* ]] || {
        echo "hutch-oci is dynamically linked"
        return 1
    }
    [[ "$output" == *"DYN"* ]] # static-pie: still position independent, randomised
}
