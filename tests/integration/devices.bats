#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# /dev in the container: the standard devices, the links, /dev/shm, and linux.devices
# (made with mknod as root, bind-mounted from the host rootless).

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-devices-one) # no subordinate ids
    U_SUB=$(test_user_name hit-devices-sub) # with /etc/subuid and /etc/subgid ranges
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

add_devices() { # BUNDLE 'python list of device objects'
    config_set "$1" "d['linux']['devices'] = $2"
}

standard_devices() {
    b=$(new_bundle)
    run_in_ok "$b" sh -c '
        for d in null zero full random urandom tty; do
            echo "$d $(stat -c "%F|%t:%T|%a" /dev/$d)"
        done
        echo ===
        echo x >/dev/null && echo null-ok
        head -c 4 /dev/zero | od -An -tx1 | tr -d " "
        echo x 2>&1 >/dev/full | grep -q "No space left" && echo full-ok
        head -c 16 /dev/urandom | wc -c
        head -c 16 /dev/random | wc -c
        for h in vda kvm loop0 kmsg mem; do [ -e /dev/$h ] && echo "host device $h"; done
        true'
    echo "$out"
    for spec in "null 1:3" "zero 1:5" "full 1:7" "random 1:8" "urandom 1:9" "tty 5:0"; do
        name=${spec% *}
        [ "$(grep "^$name " <<<"$out")" = "$name character special file|${spec#* }|666" ] ||
            { echo "/dev/$name is not a character device ${spec#* } with mode 666"; false; }
    done
    assert_eq "$(sed '1,/^===$/d' <<<"$out")" $'null-ok\n00000000\nfull-ok\n16\n16'
}

@test "/dev/null, zero, full, random, urandom, tty; no host device besides (root)" {
    use_root
    standard_devices
}

@test "/dev/null, zero, full, random, urandom, tty; no host device besides (rootless)" {
    use_rootless "$U_ONE"
    standard_devices
}

dev_links() {
    b=$(new_bundle)
    # (through pipes: reopening the test's own output files is not the point here)
    run_in_ok "$b" sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done
        echo ===; ls /dev/fd/ >/dev/null && echo fd-ok
        (echo via-stdout >>/dev/stdout) | cat
        (echo via-stderr >>/dev/stderr) 2>&1 | cat'
    assert_eq "$(sed '/^===$/,$d' <<<"$out")" $'ptmx pts/ptmx\nfd /proc/self/fd\nstdin /proc/self/fd/0\nstdout /proc/self/fd/1\nstderr /proc/self/fd/2'
    assert_eq "$(sed '1,/^===$/d' <<<"$out")" $'fd-ok\nvia-stdout\nvia-stderr'
}

@test "/dev/ptmx -> pts/ptmx, /dev/fd and stdin/stdout/stderr links (root)" {
    use_root
    dev_links
}

@test "/dev/ptmx -> pts/ptmx, /dev/fd and stdin/stdout/stderr links (rootless)" {
    use_rootless "$U_ONE"
    dev_links
}

dev_shm() {
    b=$(new_bundle)
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; stat -c %a /dev/shm; echo data >/dev/shm/f && cat /dev/shm/f'
    assert_mi /dev/shm 'm["fstype"] == "tmpfs"'
    assert_eq "$(after_marker)" $'1777\ndata'
}

@test "/dev/shm is a writable tmpfs, mode 1777 (root)" {
    use_root
    dev_shm
}

@test "/dev/shm is a writable tmpfs, mode 1777 (rootless)" {
    use_rootless "$U_ONE"
    dev_shm
}

@test "linux.devices as root: made with mknod, with type, numbers, mode and owner" {
    use_root
    b=$(new_bundle)
    add_devices "$b" '[
        {"path": "/dev/hutch-null", "type": "c", "major": 1, "minor": 3, "fileMode": 0o620, "uid": 1000, "gid": 1000},
        {"path": "/dev/deep/dir/zero", "type": "u", "major": 1, "minor": 5, "fileMode": 0o666},
        {"path": "/dev/hutch-block", "type": "b", "major": 7, "minor": 0, "fileMode": 0o600},
        {"path": "/dev/hutch-fifo", "type": "p", "fileMode": 0o600}]'
    run_in_ok "$b" sh -c '
        for d in hutch-null deep/dir/zero hutch-block hutch-fifo; do echo "$d $(stat -c "%F|%t:%T|%a|%u:%g" /dev/$d)"; done
        echo x >/dev/deep/dir/zero && echo write-ok
        head -c 2 /dev/deep/dir/zero | od -An -tx1 | tr -d " "
        echo ===; cat /proc/self/mountinfo'
    echo "$out"
    listing=$(sed '/^===$/,$d' <<<"$out")
    assert_eq "$(sed -n 1p <<<"$listing")" "hutch-null character special file|1:3|620|1000:1000"
    assert_eq "$(sed -n 2p <<<"$listing" | cut -d'|' -f1-3)" "deep/dir/zero character special file|1:5|666"
    assert_eq "$(sed -n 3p <<<"$listing" | cut -d'|' -f1-3)" "hutch-block block special file|7:0|600"
    assert_eq "$(sed -n 4p <<<"$listing" | cut -d'|' -f1,3)" "hutch-fifo fifo|600"
    assert_eq "$(sed -n 5,6p <<<"$listing")" $'write-ok\n0000'
    # nodes, not bind mounts
    mounts=$(sed '1,/^===$/d' <<<"$out" | awk '{ print $5 }')
    if grep -E '^/dev/(hutch-|deep)' <<<"$mounts"; then
        echo "a device is a bind mount"
        false
    fi
}

rootless_devices() {
    b=$(new_bundle)
    # host devices at the same path: the host's node is bind-mounted there
    add_devices "$b" '[
        {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 0o666},
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]'
    run_in_ok "$b" sh -c 'for d in net/tun fuse; do echo "$d $(stat -c "%F|%t:%T" /dev/$d)"; done; echo ===; cat /proc/self/mountinfo'
    echo "$out"
    assert_eq "$(sed '/^===$/,$d' <<<"$out")" $'net/tun character special file|a:c8\nfuse character special file|a:e5'
    out=$(sed '1,/^===$/d' <<<"$out")
    assert_mi /dev/net/tun 'True'
    assert_mi /dev/fuse 'True'
}

@test "linux.devices rootless: bind-mounted from the host" {
    [ -c /dev/net/tun ] && [ -c /dev/fuse ] || skip "the host has no /dev/net/tun or /dev/fuse to bind"
    use_rootless "$U_ONE"
    rootless_devices
}

@test "linux.devices rootless with subordinate ids: bind-mounted from the host" {
    [ -c /dev/net/tun ] && [ -c /dev/fuse ] || skip "the host has no /dev/net/tun or /dev/fuse to bind"
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    add_devices "$b" '[{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]'
    run_in_ok "$b" sh -c 'stat -c "%F|%t:%T" /dev/fuse; echo ===; cat /proc/self/mountinfo'
    assert_eq "$(sed -n 1p <<<"$out")" "character special file|a:e5"
    out=$(sed '1,/^===$/d' <<<"$out")
    assert_mi /dev/fuse 'True'
}

@test "linux.devices as root in a user namespace: the device is there" {
    [ -c /dev/fuse ] || skip "the host has no /dev/fuse"
    use_root
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"].append({"type": "user"})
d["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]
d["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]'
    add_devices "$b" '[{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]'
    run_in_ok "$b" stat -c "%F|%t:%T" /dev/fuse
    assert_eq "$out" "character special file|a:e5"
}

@test "linux.devices: a device of an unknown type is refused in one line" {
    use_root
    b=$(new_bundle)
    add_devices "$b" '[{"path": "/dev/x", "type": "q", "major": 1, "minor": 3}]'
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "linux.devices[0]"
    assert_no_state "$id"
}
