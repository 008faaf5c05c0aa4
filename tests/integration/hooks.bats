#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# OCI hooks: every kind at its point of the lifecycle and in order, the state on stdin, args
# and env exactly as given, in the namespaces the runtime-spec names (createContainer and
# startContainer in the container's mount namespace, the others in the runtime's), and what a
# failing or slow hook does to create, start and delete.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-hooks-one) # no subordinate ids: a single mapping
    create_test_user "$U_ONE"
}

teardown_file() {
    remove_test_user "$U_ONE"
}

# write_recorder PATH: a hook that records, for `record NAME`, one line NAME in $HOOK_OUT/log
# and its stdin, argv, environment, mount namespace and root (whether a file only in the
# rootfs is at /) in $HOOK_OUT/NAME.*. /proc/self is opened by the shell (or its fork, which
# has the same arguments and environment).
write_recorder() {
    cat >"$1" <<'EOF'
#!/bin/sh
name=$1
echo "$name" >>"$HOOK_OUT/log"
cat >"$HOOK_OUT/$name.stdin"
tr '\0' '\n' </proc/self/cmdline >"$HOOK_OUT/$name.argv"
tr '\0' '\n' </proc/self/environ >"$HOOK_OUT/$name.env"
readlink /proc/self/ns/mnt >"$HOOK_OUT/$name.mnt"
if [ -e /hook-rootfs-marker ]; then echo rootfs; else echo host; fi >"$HOOK_OUT/$name.root"
EOF
    chmod 755 "$1"
    own "$1"
}

# with_hooks BUNDLE 'python dict': set hooks to the dict. In it, rec(NAME[, timeout]) is a
# recorder on the host (run by /bin/sh with argv[0] "hook-argv0"), in_rootfs(NAME) the
# recorder at /record inside the rootfs (writing to /out), and sh(SCRIPT[, timeout]) a /bin/sh
# -c SCRIPT. Uses $SCRATCH/record and $o (the bundle's /out on the host).
with_hooks() {
    config_set "$1" "
def rec(name, timeout=None):
    h = {'path': '/bin/sh', 'args': ['hook-argv0', '$SCRATCH/record', name, 'two words'],
         'env': ['HOOK_OUT=$o', 'A=b c', 'EMPTY=']}
    if timeout is not None:
        h['timeout'] = timeout
    return h
def in_rootfs(name):
    return {'path': '/record', 'args': ['/record', name, 'two words'],
            'env': ['HOOK_OUT=/out', 'A=b c', 'EMPTY=']}
def sh(script, timeout=None):
    h = {'path': '/bin/sh', 'args': ['sh', '-c', script]}
    if timeout is not None:
        h['timeout'] = timeout
    return h
d['hooks'] = $2"
}

# A bundle with /out ($o on the host), the recorder on the host and in the rootfs, and a
# file only the rootfs has at /hook-rootfs-marker. Sets $b, $o and $id.
hook_bundle() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    write_recorder "$SCRATCH/record"
    write_recorder "$b/rootfs/record"
    touch "$b/rootfs/hook-rootfs-marker"
    own "$b/rootfs/hook-rootfs-marker"
    id=$(new_id)
}

# state_read NAME: "id status pid bundle" of the state document hook NAME read on stdin.
state_read() {
    json '" ".join(str(d[k]) for k in ("id", "status", "pid", "bundle")) if d["ociVersion"] else ""' \
        <"$o/$1.stdin"
}

# assert_no_process ID: no process carries ID on its command line (hutch-oci or its forks).
assert_no_process() {
    local p
    for p in /proc/[0-9]*; do
        if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF "$1"; then
            echo "process ${p#/proc/} still runs: $(tr '\0' ' ' <"$p/cmdline")" >&2
            return 1
        fi
    done
}

# ---------------------------------------------------------------------------------------
# every kind, at its point

every_kind_in_order() { # [python statements on the config first]
    hook_bundle
    [ -z "${1:-}" ] || config_set "$b" "$1"
    with_hooks "$b" "{
        'prestart': [rec('prestart')],
        'createRuntime': [rec('createRuntime', 5)],
        'createContainer': [rec('createContainer')],
        'startContainer': [in_rootfs('startContainer')],
        'poststart': [rec('poststart'), rec('poststart-2')],
        'poststop': [rec('poststop')]}"
    set_args "$b" sleep 1000
    bundle=$(realpath "$b")
    host_mnt=$(readlink /proc/self/ns/mnt)

    oci_ok create --bundle "$b" "$id"
    assert_eq "$(cat "$o/log")" $'prestart\ncreateRuntime\ncreateContainer'
    pid=$(ctr_pid "$id")
    ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
    [ "$ctr_mnt" != "$host_mnt" ]
    oci_ok start "$id"
    assert_eq "$(cat "$o/log")" \
        $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststart-2'
    [ "$(ctr_status "$id")" = running ]
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci_ok delete "$id"
    [ -z "$err" ]
    assert_eq "$(cat "$o/log")" \
        $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststart-2\npoststop'

    # the state as it was at each point
    for name in prestart createRuntime createContainer; do
        assert_eq "$(state_read "$name")" "$id creating $pid $bundle"
    done
    assert_eq "$(state_read startContainer)" "$id created $pid $bundle"
    assert_eq "$(state_read poststart)" "$id running $pid $bundle"
    assert_eq "$(state_read poststart-2)" "$id running $pid $bundle"
    assert_eq "$(state_read poststop)" "$id stopped 0 $bundle"

    # args (argv[0] too) and env exactly as given
    for name in prestart createRuntime createContainer poststart poststop; do
        assert_eq "$(cat "$o/$name.argv")" "hook-argv0"$'\n'"$SCRATCH/record"$'\n'"$name"$'\ntwo words'
        assert_eq "$(cat "$o/$name.env")" "HOOK_OUT=$o"$'\nA=b c\nEMPTY='
    done
    # a script: the kernel runs its interpreter with the path in place of argv[0]
    assert_eq "$(cat "$o/startContainer.argv")" $'/bin/sh\n/record\nstartContainer\ntwo words'
    assert_eq "$(cat "$o/startContainer.env")" $'HOOK_OUT=/out\nA=b c\nEMPTY='

    # namespaces and root: createContainer in the container's mount namespace before
    # pivot_root (the host's tree), startContainer in the rootfs, the others on the host
    for name in prestart createRuntime poststart poststop; do
        assert_eq "$(cat "$o/$name.mnt") $(cat "$o/$name.root")" "$host_mnt host"
    done
    assert_eq "$(cat "$o/createContainer.mnt") $(cat "$o/createContainer.root")" "$ctr_mnt host"
    assert_eq "$(cat "$o/startContainer.mnt") $(cat "$o/startContainer.root")" "$ctr_mnt rootfs"
}

@test "every kind of hook runs at its point, in order, with the state, args and env (root)" {
    use_root
    every_kind_in_order
}

@test "every kind of hook runs at its point, in order, with the state, args and env (rootless)" {
    use_rootless "$U_ONE"
    every_kind_in_order
}

@test "every kind of hook, with a namespace joined by path (the init is forked in stages)" {
    use_root
    every_kind_in_order "
d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] != 'network']
d['linux']['namespaces'].append({'type': 'network', 'path': '/proc/$$/ns/net'})"
}

# A hook that leaves its stdin unread never blocks or kills hutch-oci, and a hook that reads
# gets the whole state, however large.
large_state() {
    hook_bundle
    config_set "$b" 'd["annotations"] = {"big": "x" * 300000}'
    with_hooks "$b" "{'prestart': [sh('exit 0')], 'createRuntime': [rec('createRuntime')],
                      'poststart': [sh('true')]}"
    set_args "$b" sleep 1000
    oci_ok create --bundle "$b" "$id"
    oci_ok start "$id"
    [ "$(json 'len(d["annotations"]["big"])' <"$o/createRuntime.stdin")" -eq 300000 ]
}

@test "a large state goes to hooks whole, and one that does not read it is no problem (root)" {
    use_root
    large_state
}

@test "a large state goes to hooks whole, and one that does not read it is no problem (rootless)" {
    use_rootless "$U_ONE"
    large_state
}

# ---------------------------------------------------------------------------------------
# failures

failing_create_runtime() {
    hook_bundle
    with_hooks "$b" "{'prestart': [rec('prestart')], 'createRuntime': [sh('exit 3')],
                      'createContainer': [rec('createContainer')]}"
    oci create --bundle "$b" "$id"
    assert_error "hooks.createRuntime[0] /bin/sh: exited with status 3"
    assert_no_state "$id"
    assert_no_process "$id"
    # prestart ran, createContainer never did
    assert_eq "$(cat "$o/log")" prestart
}

@test "a failing createRuntime hook fails create in one line and leaves nothing (root)" {
    use_root
    failing_create_runtime
}

@test "a failing createRuntime hook fails create in one line and leaves nothing (rootless)" {
    use_rootless "$U_ONE"
    failing_create_runtime
}

failing_create_container() {
    hook_bundle
    with_hooks "$b" "{'createContainer': [sh('kill -9 \$\$')]}"
    oci create --bundle "$b" "$id"
    assert_error "hooks.createContainer[0] /bin/sh: killed by SIGKILL"
    assert_no_state "$id"
    assert_no_process "$id"
}

@test "a createContainer hook killed by a signal fails create in one line (root)" {
    use_root
    failing_create_container
}

@test "a createContainer hook killed by a signal fails create in one line (rootless)" {
    use_rootless "$U_ONE"
    failing_create_container
}

hook_timeout() {
    hook_bundle
    with_hooks "$b" "{'createRuntime': [sh('exec sleep 10', 1)]}"
    t0=$(date +%s%N)
    oci create --bundle "$b" "$id"
    ms=$((($(date +%s%N) - t0) / 1000000))
    assert_error "hooks.createRuntime[0] /bin/sh: did not exit within 1 s: killed"
    [ "$ms" -lt 5000 ] || { echo "create took $ms ms"; false; }
    assert_no_state "$id"
    assert_no_process "$id"
}

@test "a hook that outlives its timeout is killed and fails create within seconds (root)" {
    use_root
    hook_timeout
}

@test "a hook that outlives its timeout is killed and fails create within seconds (rootless)" {
    use_rootless "$U_ONE"
    hook_timeout
}

failing_start_container() {
    hook_bundle
    with_hooks "$b" "{'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'exit 4']}],
                      'poststart': [rec('poststart')]}"
    set_args "$b" sh -c 'echo ran >/out/ran'
    oci_ok create --bundle "$b" "$id"
    oci start "$id"
    assert_error "hooks.startContainer[0] /bin/sh: exited with status 4"
    wait_status "$id" stopped
    [ ! -e "$o/ran" ] || { echo "the program ran"; false; }
    [ ! -e "$o/log" ] || { echo "poststart ran: $(cat "$o/log")"; false; }
    oci_ok delete "$id"
}

@test "a failing startContainer hook fails start and the program never runs (root)" {
    use_root
    failing_start_container
}

@test "a failing startContainer hook fails start and the program never runs (rootless)" {
    use_rootless "$U_ONE"
    failing_start_container
}

@test "a startContainer hook's path resolves inside the rootfs" {
    use_root
    hook_bundle
    # the recorder is on the host only
    with_hooks "$b" "{'startContainer': [{'path': '$SCRATCH/record', 'args': ['record', 'x']}]}"
    set_args "$b" sh -c 'echo ran >/out/ran'
    oci_ok create --bundle "$b" "$id"
    oci start "$id"
    assert_error "hooks.startContainer[0] $SCRATCH/record: exec: No such file or directory"
    [ ! -e "$o/ran" ]
}

failing_poststart() {
    hook_bundle
    with_hooks "$b" "{'poststart': [sh('exit 6'), rec('poststart-2')]}"
    set_args "$b" sleep 1000
    oci_ok create --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    start=$(pid_starttime "$pid")
    oci start "$id"
    assert_error "hooks.poststart[0] /bin/sh: exited with status 6"
    # as runc does: the container is killed, and the next poststart hooks do not run
    [ "$(ctr_status "$id")" = stopped ]
    pid_gone "$pid" "$start"
    [ ! -e "$o/log" ]
}

@test "a failing poststart hook fails start and stops the container, as with runc (root)" {
    use_root
    failing_poststart
}

@test "a failing poststart hook fails start and stops the container, as with runc (rootless)" {
    use_rootless "$U_ONE"
    failing_poststart
}

failing_poststop() {
    hook_bundle
    with_hooks "$b" "{'poststop': [sh('exit 5'), rec('poststop-2')]}"
    set_args "$b" true
    oci run --bundle "$b" "$id"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    # one warning, and the next hook ran anyway, after the container was deleted
    [ "$(wc -l <<<"$err")" -eq 1 ]
    [[ "$err" == *"warning: hooks.poststop[0] /bin/sh: exited with status 5"* ]]
    assert_eq "$(cat "$o/log")" poststop-2
    assert_eq "$(state_read poststop-2)" "$id stopped 0 $(realpath "$b")"
    assert_no_state "$id"
}

@test "a failing poststop hook is a warning: the next ones run and run deletes (root)" {
    use_root
    failing_poststop
}

@test "a failing poststop hook is a warning: the next ones run and run deletes (rootless)" {
    use_rootless "$U_ONE"
    failing_poststop
}

@test "poststop hooks run when create fails after the container process was made" {
    use_root
    hook_bundle
    with_hooks "$b" "{'createRuntime': [sh('exit 7')], 'poststop': [rec('poststop')]}"
    oci create --bundle "$b" "$id"
    [ "$status" -eq 1 ]
    [[ "$err" == *"hooks.createRuntime[0] /bin/sh: exited with status 7"* ]]
    assert_eq "$(cat "$o/log")" poststop
    assert_eq "$(state_read poststop)" "$id stopped 0 $(realpath "$b")"
    assert_no_state "$id"
}

# ---------------------------------------------------------------------------------------
# bad hooks in config.json

bad_hooks() {
    b=$(new_bundle)
    for c in "{'createRuntime': [{'path': 'bin/true'}]}|hooks.createRuntime[0].path: expected an absolute path, found \"bin/true\"" \
        "{'poststop': [{'path': '/bin/true', 'timeout': 0}]}|hooks.poststop[0].timeout: expected a positive number of seconds, found 0" \
        "{'prestart': [{'path': '/bin/true', 'timeout': -1}]}|hooks.prestart[0].timeout: expected a positive number of seconds, found -1"; do
        config_set "$b" "d['hooks'] = ${c%%|*}"
        id=$(new_id)
        oci create --bundle "$b" "$id"
        assert_error "config.json: ${c#*|}"
        assert_no_state "$id"
    done
}

@test "a hook with a relative path or a timeout of 0 or less is refused at create in one line (root)" {
    use_root
    bad_hooks
}

@test "a hook with a relative path or a timeout of 0 or less is refused at create in one line (rootless)" {
    use_rootless "$U_ONE"
    bad_hooks
}

@test "start and delete read the saved config again only for poststart or poststop hooks" {
    use_root
    hook_bundle
    # no poststart or poststop hook: neither start nor delete touches the saved config, so a
    # damaged copy makes no difference (and costs no parse, bench/)
    with_hooks "$b" "{'createRuntime': [rec('createRuntime')]}"
    set_args "$b" sleep 1000
    oci_ok create --bundle "$b" "$id"
    echo '{"damaged' >"$STATE/$id/config.json"
    oci_ok start "$id"
    [ "$(ctr_status "$id")" = running ]
    oci_ok delete --force "$id"
    [ -z "$err" ]
    assert_no_state "$id"

    # with one, the saved config is read: the damage is named
    id=$(new_id)
    with_hooks "$b" "{'poststop': [rec('poststop')]}"
    oci_ok create --bundle "$b" "$id"
    echo '{"damaged' >"$STATE/$id/config.json"
    oci_ok delete --force "$id"
    [[ "$err" == *"warning: delete $id: no poststop hooks run"*"config.json"* ]] || {
        echo "err: $err"
        false
    }
    assert_no_state "$id"
}

@test "a record from before laterHooks (an older hutch-oci's) still gets its poststop hooks" {
    use_root
    hook_bundle
    with_hooks "$b" "{'poststop': [rec('poststop')]}"
    set_args "$b" sleep 1000
    oci_ok create --bundle "$b" "$id"
    python3 - "$STATE/$id/state.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d.pop("laterHooks") is True
json.dump(d, open(sys.argv[1], "w"))
PY
    oci_ok delete --force "$id"
    assert_eq "$(cat "$o/log")" poststop
    assert_no_state "$id"
}
