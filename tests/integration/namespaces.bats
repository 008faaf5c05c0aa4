#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.namespaces: every type new, joined by path, a path of the wrong type refused; user
# namespaces as root (maps written directly) and rootless (a single mapping of one's own id
# written directly, wider ones through newuidmap/newgidmap after checking /etc/subuid and
# /etc/subgid).

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-ns-one) # no subordinate ids
    U_SUB=$(test_user_name hit-ns-sub) # NAME:START:65536 in /etc/subuid and /etc/subgid
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

# /proc/PID/ns names of the OCI namespace types
ns_file() {
    case $1 in
        network) echo net ;;
        mount) echo mnt ;;
        *) echo "$1" ;;
    esac
}

ALL_TYPES="user mount pid network uts ipc cgroup time"

# Print "TYPE NS-LINK" for every type, as the container sees it.
ns_inside() { # BUNDLE
    local script='' t
    for t in $ALL_TYPES; do
        script+="echo $t \$(readlink /proc/self/ns/$(ns_file "$t")); "
    done
    run_in_ok "$1" sh -c "$script"
}

host_ns() { # TYPE [PID]
    readlink "/proc/${2:-self}/ns/$(ns_file "$1")"
}

# check_ns_inside NEW-TYPES: the container (its output in $out) is in a new namespace of
# each type in NEW-TYPES and in the host's for every other type.
check_ns_inside() {
    local t link
    for t in $ALL_TYPES; do
        link=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$out")
        [ -n "$link" ] || { echo "no $t namespace link in: $out"; return 1; }
        if [[ " $1 " == *" $t "* ]]; then
            [ "$link" != "$(host_ns "$t")" ] || { echo "$t: the host's namespace ($link)"; return 1; }
        else
            [ "$link" = "$(host_ns "$t")" ] || { echo "$t: $link, not the host's $(host_ns "$t")"; return 1; }
        fi
    done
}

set_namespaces() { # BUNDLE TYPE...
    local b=$1
    shift
    config_set "$b" "
d['linux']['namespaces'] = [{'type': t} for t in '$*'.split()]
if 'uts' not in '$*'.split():
    d.pop('hostname', None)"
}

# Without its own pid namespace a container cannot mount a new /proc unless it is real root,
# and without its own ipc namespace no mqueue: take the host's /proc, skip /dev/mqueue.
host_proc_no_mqueue() { # BUNDLE
    config_set "$1" '
d["mounts"] = [m for m in d["mounts"] if m["destination"] != "/dev/mqueue"]
for m in d["mounts"]:
    if m["destination"] == "/proc":
        m.update(type="bind", source="/proc", options=["rbind", "nosuid", "noexec", "nodev"])'
}

@test "every namespace type is new when listed (root)" {
    use_root
    b=$(new_bundle)
    set_namespaces "$b" mount pid network uts ipc cgroup time user
    config_set "$b" '
d["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]
d["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]
# sysfs needs a network namespace owned by the user namespace: it has one
'
    ns_inside "$b"
    check_ns_inside "$ALL_TYPES"
}

@test "only the listed namespaces are new; the others are the host's (root)" {
    use_root
    b=$(new_bundle)
    set_namespaces "$b" mount
    ns_inside "$b"
    check_ns_inside "mount"
    b=$(new_bundle)
    set_namespaces "$b" mount uts ipc
    ns_inside "$b"
    check_ns_inside "mount uts ipc"
    b=$(new_bundle)
    set_namespaces "$b" mount pid cgroup
    ns_inside "$b"
    check_ns_inside "mount pid cgroup"
}

@test "every namespace type is new when listed (rootless)" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_namespaces "$b" user mount pid network uts ipc cgroup time
    ns_inside "$b"
    check_ns_inside "$ALL_TYPES"
}

@test "only the listed namespaces are new; the others are the host's (rootless)" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_namespaces "$b" user mount
    host_proc_no_mqueue "$b"
    ns_inside "$b"
    check_ns_inside "user mount"
    b=$(new_bundle)
    set_namespaces "$b" user mount pid uts
    config_set "$b" 'd["mounts"] = [m for m in d["mounts"] if m["destination"] != "/dev/mqueue"]'
    ns_inside "$b"
    check_ns_inside "user mount pid uts"
}

time_offsets() {
    # offsets far above the host's uptime
    up=$(cut -d. -f1 /proc/uptime)
    boot=$((up + 5000000))
    mono=$((up + 3000000))
    b=$(new_bundle)
    config_set "$b" "
d['linux']['namespaces'].append({'type': 'time'})
d['linux']['timeOffsets'] = {'boottime': {'secs': $boot, 'nanosecs': 0},
                             'monotonic': {'secs': $mono, 'nanosecs': 500}}"
    run_in_ok "$b" sh -c 'cat /proc/self/timens_offsets; cat /proc/uptime'
    echo "$out"
    [ "$(awk '$1 == "monotonic" { print $2, $3 }' <<<"$out")" = "$mono 500" ]
    [ "$(awk '$1 == "boottime" { print $2, $3 }' <<<"$out")" = "$boot 0" ]
    inside=$(tail -n1 <<<"$out" | cut -d. -f1)
    [ "$inside" -ge "$boot" ]
    # the host's clock is untouched
    [ "$(cut -d. -f1 /proc/uptime)" -lt "$boot" ]
}

@test "time namespace with timeOffsets: boottime and monotonic shift inside only (root)" {
    use_root
    time_offsets
}

@test "time namespace with timeOffsets: boottime and monotonic shift inside only (rootless)" {
    use_rootless "$U_ONE"
    time_offsets
}

@test "a time namespace without timeOffsets has zero offsets" {
    use_root
    b=$(new_bundle)
    config_set "$b" "d['linux']['namespaces'].append({'type': 'time'})"
    run_in_ok "$b" sh -c 'cat /proc/self/timens_offsets; readlink /proc/self/ns/time'
    [ "$(awk '$1 == "monotonic" || $1 == "boottime" { print $2 + $3 }' <<<"$out" | sort -u)" = 0 ]
    [ "$(tail -n1 <<<"$out")" != "$(host_ns time)" ]
}

# ---------------------------------------------------------------------------------------
# joining namespaces by path

# start_holder VAR CMD...: run CMD (a process that holds namespaces) in the background as the
# mode's user; its pid into VAR once it has left the host's uts namespace.
start_holder() {
    local __var=$1 __pid
    shift
    if [ "$MODE" = rootless ]; then
        local AS_USER
        as_user_argv "$TEST_USER"
        "${AS_USER[@]}" "$@" </dev/null >/dev/null 2>&1 3>&- &
    else
        "$@" </dev/null >/dev/null 2>&1 3>&- &
    fi
    __pid=$!
    track_pid "$__pid"
    for _ in $(seq 50); do
        [ "$(host_ns uts "$__pid" 2>/dev/null)" != "$(host_ns uts)" ] && [ -n "$(host_ns uts "$__pid" 2>/dev/null)" ] && break
        sleep 0.1
    done
    [ "$(host_ns uts "$__pid")" != "$(host_ns uts)" ] || { echo "holder $__pid did not unshare" >&2; return 1; }
    printf -v "$__var" '%s' "$__pid"
}

@test "joining existing network, uts, ipc and pid namespaces by path (root)" {
    use_root
    # unshare -p -f: the holder's child (sleep) is pid 1 of the new pid namespace
    start_holder h unshare -n -u -i -p -f sh -c 'hostname holder-uts; exec sleep 1000'
    # the namespaces are those of the sleep, the child of unshare
    sleep_exe=$(readlink -f "$(command -v sleep)")
    for _ in $(seq 50); do
        child=$(awk '{ print $1 }' "/proc/$h/task/$h/children" 2>/dev/null)
        [ -n "$child" ] && [ "$(readlink "/proc/$child/exe")" = "$sleep_exe" ] && break
        sleep 0.1
    done
    [ -n "$child" ] && [ "$(readlink "/proc/$child/exe")" = "$sleep_exe" ]
    track_pid "$child"
    b=$(new_bundle)
    config_set "$b" "
d.pop('hostname', None)
paths = {'network': '/proc/$child/ns/net', 'uts': '/proc/$child/ns/uts',
         'ipc': '/proc/$child/ns/ipc', 'pid': '/proc/$child/ns/pid'}
d['linux']['namespaces'] = [{'type': 'mount'}] + [{'type': t, 'path': p} for t, p in paths.items()]"
    run_in_ok "$b" sh -c 'for n in net uts ipc pid; do echo $n $(readlink /proc/self/ns/$n); done; hostname; echo mypid $$'
    echo "$out"
    for n in net uts ipc pid; do
        [ "$(awk -v n="$n" '$1 == n { print $2 }' <<<"$out")" = "$(readlink "/proc/$child/ns/$n")" ]
    done
    [[ "$out" == *$'\nholder-uts\n'* ]]
    # not pid 1: the holder's sleep is
    p=$(awk '$1 == "mypid" { print $2 }' <<<"$out")
    [ "$p" -gt 1 ]
}

@test "joining an existing user namespace with its network and uts namespaces (rootless)" {
    use_rootless "$U_ONE"
    start_holder h unshare -U -r -n -u -i sleep 1000
    b=$(new_bundle)
    config_set "$b" "
d.pop('hostname', None)
d['linux'].pop('uidMappings', None)
d['linux'].pop('gidMappings', None)
paths = {'user': '/proc/$h/ns/user', 'network': '/proc/$h/ns/net', 'uts': '/proc/$h/ns/uts',
         'ipc': '/proc/$h/ns/ipc'}
d['linux']['namespaces'] = [{'type': 'mount'}, {'type': 'pid'}] + [{'type': t, 'path': p} for t, p in paths.items()]"
    run_in_ok "$b" sh -c 'for n in user net uts ipc pid; do echo $n $(readlink /proc/self/ns/$n); done'
    echo "$out"
    for n in user net uts ipc; do
        [ "$(awk -v n="$n" '$1 == n { print $2 }' <<<"$out")" = "$(readlink "/proc/$h/ns/$n")" ]
    done
    [ "$(awk '$1 == "pid" { print $2 }' <<<"$out")" != "$(host_ns pid)" ]
}

wrong_type() {
    if [ "$MODE" = rootless ]; then
        start_holder h unshare -U -r -n -u sleep 1000
    else
        start_holder h unshare -n -u sleep 1000
    fi
    b=$(new_bundle)
    # a uts namespace given as the network namespace
    config_set "$b" "
d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] != 'network']
d['linux']['namespaces'].append({'type': 'network', 'path': '/proc/$h/ns/uts'})"
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "/proc/$h/ns/uts"
    assert_no_state "$id"
    oci run --bundle "$b" "$id"
    assert_error "/proc/$h/ns/uts"
    assert_no_state "$id"

    # not a namespace at all, and a path that does not exist
    for p in "$b/config.json" "/proc/$h/ns/nonexistent"; do
        b=$(new_bundle)
        config_set "$b" "
d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] != 'uts']
d['linux']['namespaces'].append({'type': 'uts', 'path': '$p'})"
        oci create --bundle "$b" "$id"
        assert_error "$p"
        assert_no_state "$id"
    done
}

@test "a namespace path of another type, a non-namespace or a missing path: one line, no state (root)" {
    use_root
    wrong_type
}

@test "a namespace path of another type, a non-namespace or a missing path: one line, no state (rootless)" {
    use_rootless "$U_ONE"
    wrong_type
}

# ---------------------------------------------------------------------------------------
# user namespaces and id maps

# The maps as the container sees them, one "inside host size" per line, blanks squeezed.
read_maps() { # BUNDLE [ARG...]: sets uid_map, gid_map, setgroups from the container
    run_in_ok "$1" sh -c 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups'
    uid_map=$(awk '/^--$/ { exit } { print $1, $2, $3 }' <<<"$out")
    gid_map=$(awk '/^--$/ { n++; next } n == 1 { print $1, $2, $3 }' <<<"$out")
    setgroups=$(tail -n1 <<<"$out")
}

@test "root: the id maps are written as given, setgroups allowed" {
    use_root
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"].append({"type": "user"})
d["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 1000},
                             {"containerID": 1000, "hostID": 1000, "size": 1},
                             {"containerID": 1001, "hostID": 3001001, "size": 64535}]
d["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 3100000, "size": 65536}]'
    read_maps "$b"
    [ "$uid_map" = $'0 3000000 1000\n1000 1000 1\n1001 3001001 64535' ]
    [ "$gid_map" = "0 3100000 65536" ]
    [ "$setgroups" = allow ]
}

@test "root: the container's root is the mapped host id" {
    use_root
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"].append({"type": "user"})
d["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]
d["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 3000000, "size": 65536}]'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    [ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "3000000 3000000 3000000 3000000" ]
    [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = 3000000 ]
    oci_ok delete --force "$id"
}

@test "rootless, own id only: the single mapping is written directly, setgroups denied" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    read_maps "$b"
    [ "$uid_map" = "0 $(id -u "$U_ONE") 1" ]
    [ "$gid_map" = "0 $(id -g "$U_ONE") 1" ]
    [ "$setgroups" = deny ]
}

@test "rootless with subordinate ids: 65537 ids mapped through newuidmap/newgidmap" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    read_maps "$b"
    su=$(subid_start "$U_SUB" /etc/subuid)
    sg=$(subid_start "$U_SUB" /etc/subgid)
    [ "$uid_map" = $'0 '"$(id -u "$U_SUB")"$' 1\n1 '"$su"' 65536' ]
    [ "$gid_map" = $'0 '"$(id -g "$U_SUB")"$' 1\n1 '"$sg"' 65536' ]
    [ "$setgroups" = allow ]
}

@test "rootless with subordinate ids: container uid 1000 is the host's subordinate id" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    config_set "$b" 'd["process"]["user"] = {"uid": 1000, "gid": 1000}'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    su=$(subid_start "$U_SUB" /etc/subuid)
    sg=$(subid_start "$U_SUB" /etc/subgid)
    [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = $((su + 999)) ]
    [ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = $((sg + 999)) ]
    oci_ok delete --force "$id"
}

# The error for ids the user may not map: one line naming the file, the user, the range and
# how to add it; nothing left.
assert_subid_error() { # FILE RANGE-START
    echo "$err"
    assert_error "$1"
    [[ "$err" == *"$TEST_USER"* ]] || { echo "the user is not named"; return 1; }
    [[ "$err" == *"$2"* ]] || { echo "the range ($2...) is not named"; return 1; }
    [[ "$err" == *usermod* || "$err" == *"$TEST_USER:"* ]] || { echo "no hint how to add it"; return 1; }
}

@test "rootless without subordinate ids: a wider mapping fails naming /etc/subuid, user, range, remedy" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    config_set "$b" "
d['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $(id -u "$U_ONE"), 'size': 1},
                             {'containerID': 1, 'hostID': 300000, 'size': 65536}]
d['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $(id -g "$U_ONE"), 'size': 1},
                             {'containerID': 1, 'hostID': 300000, 'size': 65536}]"
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_subid_error /etc/subuid 300000
    assert_no_state "$id"
    oci run --bundle "$b" "$id"
    assert_subid_error /etc/subuid 300000
    assert_no_state "$id"
}

@test "rootless with subordinate ids: a gid range outside /etc/subgid fails naming it" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    config_set "$b" "d['linux']['gidMappings'][1]['hostID'] = 900000"
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_subid_error /etc/subgid 900000
    assert_no_state "$id"
}

@test "rootless with subordinate ids: a uid range larger than the allocation fails naming /etc/subuid" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    su=$(subid_start "$U_SUB" /etc/subuid)
    config_set "$b" "d['linux']['uidMappings'][1]['size'] = 70000"
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    echo "$err"
    assert_error /etc/subuid
    [[ "$err" == *"$TEST_USER"* ]]
    [[ "$err" == *"$su"* || "$err" == *"$((su + 65536))"* || "$err" == *"$((su + 69999))"* ]]
    assert_no_state "$id"
}

@test "rootless without a user namespace is refused in one line" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "user"]
d["linux"].pop("uidMappings", None)
d["linux"].pop("gidMappings", None)'
    set_args "$b" true
    id=$(new_id)
    oci create --bundle "$b" "$id"
    echo "status $status: $err"
    [ "$status" -eq 1 ]
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
    [[ "$err" == *user* ]]
    assert_no_state "$id"
}
