#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container lifecycle of hutch-oci: global flags, create/start/run/state/kill/delete/list,
# foreground signal forwarding, --pid-file, bad input, and what is left after delete.
# Each point runs as root and, where it applies, as an unprivileged user.

load lib/common

setup_file() {
    common_setup_file
    # U_ONE has no subordinate ids (a single mapping of its own id); U_SUB has ranges in
    # /etc/subuid and /etc/subgid
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-lifecycle-one)
    U_SUB=$(test_user_name hit-lifecycle-sub)
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

# A container that writes /out/started when its process runs, ends with status 3 on SIGTERM
# and otherwise runs until killed. Sets $b (bundle), $o (its /out on the host), $id.
long_running() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    set_args "$b" sh -c 'trap "exit 3" TERM; echo ran >>/out/started; while :; do sleep 0.1; done'
    id=$(new_id)
}

# ---------------------------------------------------------------------------------------
# global flags

@test "hutch-oci --help lists the lifecycle commands and the global flags" {
    run_split "$HUTCH_OCI" --help
    [ "$status" -eq 0 ]
    for c in create start run state kill delete list spec; do
        [[ "$out" == *"  $c "* ]] || { echo "command $c not listed"; false; }
    done
    for f in --root --log --log-format --debug --systemd-cgroup --rootless; do
        [[ "$out" == *"$f"* ]] || { echo "flag $f not listed"; false; }
    done
}

@test "every lifecycle command has --help naming its flags" {
    for c in "create:--bundle --pid-file --no-pivot --no-new-keyring" start \
        "run:--bundle --detach --pid-file --no-pivot --keep" state "kill:--all" \
        "delete:--force" "list:--quiet --format"; do
        cmd=${c%%:*}
        run_split "$HUTCH_OCI" "$cmd" --help
        [ "$status" -eq 0 ] || { echo "$cmd --help: $status $err"; false; }
        [[ "$out" == "Usage: hutch-oci $cmd"* ]]
        if [[ "$c" == *:* ]]; then
            for f in ${c#*:}; do
                [[ "$out" == *"$f"* ]] || { echo "$cmd --help does not name $f"; false; }
            done
        fi
    done
}

@test "--root: the state lives in the given directory, made when missing (root)" {
    use_root
    STATE=$BATS_TEST_TMPDIR/new/state
    OCI=("$HUTCH_OCI" --root "$STATE")
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    [ -d "$STATE" ]
    [ -n "$(state_entries "$id")" ]
    # the state directory is not open to other users
    [ "$(( $(stat -c %#a "$STATE") & 8#022 ))" -eq 0 ]
    # another --root does not see it
    OCI=("$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/other")
    oci state "$id"
    [ "$status" -ne 0 ]
    OCI=("$HUTCH_OCI" --root "$STATE")
    oci_ok delete --force "$id"
    assert_no_state "$id"
}

@test "root's default --root is /run/hutch-oci (checked under a private /run)" {
    use_root
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id=$(new_id)
    # A private mount namespace with its own /run: the host's /run/hutch-oci is never touched.
    run_split timeout -k 5 60 unshare -m --propagation private bash -c '
        mount -t tmpfs tmpfs /run || exit 90
        "$1" create --bundle "$2" "$3" </dev/null >/dev/null 2>/run/err 3>&- || { cat /run/err >&2; exit 91; }
        ls /run/hutch-oci | grep -qF "$3"; found=$?
        "$1" delete --force "$3" || exit 92
        [ "$found" -eq 0 ] || exit 93
        ls /run/hutch-oci | grep -qF "$3" && exit 94
        exit 0' _ "$HUTCH_OCI" "$b" "$id"
    echo "status $status: $err"
    [ "$status" -eq 0 ]
}

@test "rootless: the default --root is \$XDG_RUNTIME_DIR/hutch-oci" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    [ -n "$(state_entries "$id")" ]
    # owned by the user, not open to others
    [ "$(stat -c %U "$STATE")" = "$U_ONE" ]
    [ "$(( $(stat -c %#a "$STATE") & 8#022 ))" -eq 0 ]
    if [ -d /run/hutch-oci ]; then
        [ -z "$(find /run/hutch-oci -name "*$id*")" ]
    fi
    oci_ok delete --force "$id"
    assert_no_state "$id"
}

log_format_json() {
    b=$(new_bundle)
    id=$(new_id)
    log=$SCRATCH/log.json
    oci --log "$log" --log-format json create --bundle "$SCRATCH/missing" "$id"
    assert_error "$SCRATCH/missing"
    [ -s "$log" ]
    # every line is one JSON object with level and msg; the error is among them
    python3 - "$log" "$SCRATCH/missing" <<'EOF'
import json, sys
path, needle = sys.argv[1], sys.argv[2]
found = False
for n, line in enumerate(open(path), 1):
    rec = json.loads(line)
    assert isinstance(rec, dict), f"line {n} is not an object"
    assert isinstance(rec.get("msg"), str), f"line {n}: no msg"
    assert isinstance(rec.get("level"), str), f"line {n}: no level"
    if rec["level"] == "error" and needle in rec["msg"]:
        found = True
assert found, "no error record naming " + needle
EOF
    assert_no_state "$id"
}

@test "--log FILE --log-format json: the error also goes to the log as JSON (root)" {
    use_root
    log_format_json
}

@test "--log FILE --log-format json: the error also goes to the log as JSON (rootless)" {
    use_rootless "$U_ONE"
    log_format_json
}

@test "--log FILE (text): the error is on stderr and in the log" {
    use_root
    id=$(new_id)
    log=$SCRATCH/log.txt
    oci --log "$log" --log-format text create --bundle "$SCRATCH/missing" "$id"
    assert_error "$SCRATCH/missing"
    grep -qF "$SCRATCH/missing" "$log"
    # text is not JSON
    if python3 -c 'import json,sys; json.loads(open(sys.argv[1]).readline())' "$log" 2>/dev/null; then
        echo "the text log is JSON"
        false
    fi
}

@test "--debug writes debug records to the log" {
    use_root
    b=$(new_bundle)
    set_args "$b" true
    id=$(new_id)
    log=$SCRATCH/debug.json
    oci_ok --debug --log "$log" --log-format json run --bundle "$b" "$id"
    python3 - "$log" <<'EOF'
import json, sys
levels = [json.loads(l)["level"] for l in open(sys.argv[1]) if l.strip()]
assert "debug" in levels, f"no debug record, levels: {levels}"
EOF
}

@test "--log-format and --rootless refuse unknown values in one line" {
    use_root
    oci --log-format xml list
    assert_error "xml"
    oci --rootless maybe list
    assert_error "maybe"
}

@test "--systemd-cgroup and --rootless auto|true|false are accepted" {
    use_root
    oci_ok --systemd-cgroup list
    for v in auto true false; do
        oci_ok --rootless "$v" list
        oci_ok "--rootless=$v" list
    done
    b=$(new_bundle)
    set_args "$b" true
    oci_ok --rootless false run --bundle "$b" "$(new_id)"
}

@test "--rootless true as an unprivileged user runs a container" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_args "$b" echo ok
    oci_ok --rootless true run --bundle "$b" "$(new_id)"
    assert_eq "$out" ok
}

# ---------------------------------------------------------------------------------------
# the lifecycle

lifecycle() {
    long_running
    config_set "$b" 'd["annotations"] = {"org.hutch.test": "yes", "a.b": ""}'
    oci_ok create --bundle "$b" "$id"
    [ -z "$out" ]
    # the state is where this mode expects it (--root, or $XDG_RUNTIME_DIR/hutch-oci)
    [ -n "$(state_entries "$id")" ]
    st=$(state_field "$id" 'd')
    echo "state: $st"
    [ "$(json 'd["id"]' <<<"$st")" = "$id" ]
    [ "$(json 'd["status"]' <<<"$st")" = created ]
    [[ "$(json 'd["ociVersion"]' <<<"$st")" =~ ^1\.[0-9]+\.[0-9]+ ]]
    [ "$(json 'd["bundle"]' <<<"$st")" = "$(realpath "$b")" ]
    [ "$(json 'd["annotations"] == {"org.hutch.test": "yes", "a.b": ""}' <<<"$st")" = true ]
    pid=$(json 'd["pid"]' <<<"$st")
    [ "$pid" -gt 1 ]
    pid_alive "$pid"
    # created: the user process has not run yet
    sleep 0.3
    [ ! -e "$o/started" ]

    oci_ok start "$id"
    wait_file "$o/started"
    [ "$(ctr_status "$id")" = running ]
    [ "$(ctr_pid "$id")" = "$pid" ]
    # the process is the container's: its command line is the one in config.json
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = 'sh -c trap "exit 3" TERM; echo ran >>/out/started; while :; do sleep 0.1; done ' ]

    oci_ok kill "$id"
    wait_status "$id" stopped
    st=$(state_field "$id" 'd')
    [ "$(json 'd.get("pid", 0)' <<<"$st")" = 0 ]

    oci_ok delete "$id"
    oci state "$id"
    assert_error "$id"
    assert_no_state "$id"
}

@test "create, start, kill, delete: created, running, stopped, gone (root)" {
    use_root
    lifecycle
}

@test "create, start, kill, delete: created, running, stopped, gone (rootless, own id)" {
    use_rootless "$U_ONE"
    lifecycle
}

@test "create, start, kill, delete: created, running, stopped, gone (rootless, subordinate ids)" {
    use_rootless "$U_SUB"
    # the bundle must be readable by the mapped ids too
    lifecycle_sub() {
        long_running
        map_subids "$b"
        oci_ok create --bundle "$b" "$id"
        [ "$(ctr_status "$id")" = created ]
        oci_ok start "$id"
        wait_file "$o/started"
        [ "$(ctr_status "$id")" = running ]
        oci_ok kill "$id" TERM
        wait_status "$id" stopped
        oci_ok delete "$id"
        assert_no_state "$id"
    }
    lifecycle_sub
}

relative_bundle() {
    long_running
    cd "$(dirname "$b")"
    oci_ok create --bundle "$(basename "$b")" "$id"
    [ "$(state_field "$id" 'd["bundle"]')" = "$(realpath "$b")" ]
    oci_ok delete --force "$id"
    # without --bundle the bundle is the current directory
    cd "$b"
    id2=$(new_id)
    oci_ok create "$id2"
    [ "$(state_field "$id2" 'd["bundle"]')" = "$(realpath "$b")" ]
    oci_ok delete --force "$id2"
    cd /
}

@test "a relative or absent --bundle is resolved against the current directory (root)" {
    use_root
    relative_bundle
}

@test "a relative or absent --bundle is resolved against the current directory (rootless)" {
    use_rootless "$U_ONE"
    relative_bundle
}

kill_signals() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    set_args "$b" sh -c '
        for s in TERM HUP INT QUIT USR1 USR2; do trap "echo $s >>/out/got" $s; done
        touch /out/started
        while :; do sleep 0.1; done'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    expect=
    for sig in "" USR1 SIGHUP 12 sigint Quit; do
        # shellcheck disable=SC2086 # "" means no signal argument: the default, SIGTERM
        oci_ok kill "$id" $sig
        case $sig in "") name=TERM ;; 12) name=USR2 ;; sigint) name=INT ;; Quit) name=QUIT ;; *) name=${sig#SIG} ;; esac
        expect+="$name"$'\n'
        for _ in $(seq 50); do
            [ "$(cat "$o/got" 2>/dev/null)"$'\n' = "$expect" ] && break
            sleep 0.1
        done
        [ "$(cat "$o/got")"$'\n' = "$expect" ] || { echo "after kill '$sig': got $(cat "$o/got")"; false; }
    done
    [ "$(ctr_status "$id")" = running ]
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci_ok delete "$id"
}

@test "kill: SIGTERM by default; names with or without SIG, in any case, and numbers (root)" {
    use_root
    kill_signals
}

@test "kill: SIGTERM by default; names with or without SIG, in any case, and numbers (rootless)" {
    use_rootless "$U_ONE"
    kill_signals
}

kill_all() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    # pid 1 of the container's pid namespace has no SIGTERM handler: the kernel drops a
    # SIGTERM sent to it alone. Its child sleep dies of one.
    set_args "$b" sh -c 'sleep 1000 & echo $! >/out/child; wait; echo done >/out/done'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/child"
    oci_ok kill "$id" TERM
    sleep 1
    [ "$(ctr_status "$id")" = running ]
    oci_ok kill --all "$id" TERM
    wait_status "$id" stopped
    [ "$(cat "$o/done")" = "done" ]
    oci_ok delete "$id"
}

@test "kill --all signals every process of the container (root)" {
    use_root
    kill_all
}

@test "kill --all signals every process of the container (rootless)" {
    use_rootless "$U_ONE"
    kill_all
}

run_detach_pid_file() {
    long_running
    oci_ok run --detach --pid-file "$SCRATCH/ctr.pid" --bundle "$b" "$id"
    wait_file "$o/started"
    [ "$(ctr_status "$id")" = running ]
    pid=$(cat "$SCRATCH/ctr.pid")
    [ "$pid" = "$(ctr_pid "$id")" ]
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = 'sh -c trap "exit 3" TERM; echo ran >>/out/started; while :; do sleep 0.1; done ' ]
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci_ok delete "$id"
}

@test "run --detach returns once the process runs; --pid-file names it (root)" {
    use_root
    run_detach_pid_file
}

@test "run --detach returns once the process runs; --pid-file names it (rootless)" {
    use_rootless "$U_ONE"
    run_detach_pid_file
}

pid_file_atomic() {
    long_running
    d=$SCRATCH/piddir
    mkdir "$d"
    echo sentinel >"$d/other"
    # The pid file exists as a second name of "other": written in place, "other" would
    # change; written to a temporary file and renamed over, "other" keeps its content.
    ln "$d/other" "$d/ctr.pid"
    own "$d"
    cd "$d"
    oci_ok create --pid-file ctr.pid --bundle "$b" "$id"
    cd /
    [ "$(cat "$d/other")" = sentinel ]
    [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "ctr.pid other " ]
    pid=$(cat "$d/ctr.pid")
    [[ "$pid" =~ ^[0-9]+$ ]]
    [ "$pid" = "$(ctr_pid "$id")" ]
    # the pid as the host sees it: first field of NSpid; 1 inside the container's pid namespace
    nspid=$(awk '/^NSpid:/ { print $2, $NF }' "/proc/$pid/status")
    [ "$nspid" = "$pid 1" ]
    oci_ok delete --force "$id"
}

@test "create --pid-file: relative to the current directory, atomic, the host pid (root)" {
    use_root
    pid_file_atomic
}

@test "create --pid-file: relative to the current directory, atomic, the host pid (rootless)" {
    use_rootless "$U_ONE"
    pid_file_atomic
}

@test "create --no-pivot and --no-new-keyring are accepted" {
    use_root
    long_running
    oci_ok create --no-pivot --no-new-keyring --bundle "$b" "$id"
    oci_ok start "$id"
    wait_file "$o/started"
    oci_ok delete --force "$id"
}

run_status() {
    b=$(new_bundle)
    set_args "$b" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
    id=$(new_id)
    oci run --bundle "$b" "$id"
    [ "$status" -eq 7 ]
    [ "$out" = to-stdout ]
    [ "$err" = to-stderr ]
    # run without --keep deletes the container when it exits
    assert_no_state "$id"
    oci state "$id"
    [ "$status" -ne 0 ]

    id=$(new_id)
    oci run --keep --bundle "$b" "$id"
    [ "$status" -eq 7 ]
    [ "$(ctr_status "$id")" = stopped ]
    oci_ok delete "$id"
    assert_no_state "$id"
}

@test "run: the container's stdio and exit status; --keep keeps it stopped (root)" {
    use_root
    run_status
}

@test "run: the container's stdio and exit status; --keep keeps it stopped (rootless)" {
    use_rootless "$U_ONE"
    run_status
}

# foreground run forwards SIG to the container, which exits CODE from its trap
forward_signals() {
    for pair in TERM:42 INT:43 HUP:44 QUIT:45 USR1:46 USR2:47; do
        sig=${pair%:*}
        code=${pair#*:}
        b=$(new_bundle)
        o=$(add_out_mount "$b")
        set_args "$b" sh -c "trap 'exit $code' $sig; touch /out/ready; while :; do sleep 0.1; done"
        id=$(new_id)
        start_bg pid run --bundle "$b" "$id"
        wait_file "$o/ready" || { cat "$BATS_TEST_TMPDIR/bg.err"; false; }
        kill -"$sig" "$pid"
        wait_pid "$pid"
        echo "SIG$sig: run exited $rc, expected $code; stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
        [ "$rc" -eq "$code" ]
        assert_no_state "$id"
    done
}

@test "run in the foreground forwards TERM, INT, HUP, QUIT, USR1, USR2 (root)" {
    use_root
    forward_signals
}

@test "run in the foreground forwards TERM, INT, HUP, QUIT, USR1, USR2 (rootless)" {
    use_rootless "$U_ONE"
    forward_signals
}

untrapped_term() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    # Not pid 1 of its own pid namespace: there the kernel would drop the SIGTERM.
    drop_namespaces "$b" pid
    set_args "$b" sh -c 'touch /out/ready; exec sleep 1000'
    id=$(new_id)
    start_bg pid run --bundle "$b" "$id"
    wait_file "$o/ready"
    sleep 0.2
    kill -TERM "$pid"
    wait_pid "$pid"
    [ "$rc" -eq 143 ]
}

@test "run in the foreground: a container killed by the forwarded SIGTERM gives 143 (root)" {
    use_root
    untrapped_term
}

@test "run in the foreground: a container killed by the forwarded SIGTERM gives 143 (rootless)" {
    use_rootless "$U_ONE"
    # without a pid namespace the rootless user cannot mount a new /proc: take the host's
    config_proc_bind() {
        config_set "$1" '
for m in d["mounts"]:
    if m["destination"] == "/proc":
        m.update(type="bind", source="/proc", options=["rbind", "nosuid", "noexec", "nodev"])'
    }
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    drop_namespaces "$b" pid
    config_proc_bind "$b"
    set_args "$b" sh -c 'touch /out/ready; exec sleep 1000'
    id=$(new_id)
    start_bg pid run --bundle "$b" "$id"
    wait_file "$o/ready" || { cat "$BATS_TEST_TMPDIR/bg.err"; false; }
    sleep 0.2
    kill -TERM "$pid"
    wait_pid "$pid"
    [ "$rc" -eq 143 ]
}

run_killed() {
    long_running
    start_bg pid run --bundle "$b" "$id"
    wait_file "$o/started"
    oci_ok kill "$id" KILL
    wait_pid "$pid"
    [ "$rc" -eq 137 ]
}

@test "run in the foreground: kill ID KILL from elsewhere gives 137 (root)" {
    use_root
    run_killed
}

@test "run in the foreground: kill ID KILL from elsewhere gives 137 (rootless)" {
    use_rootless "$U_ONE"
    run_killed
}

died() {
    long_running
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    pid=$(ctr_pid "$id")
    # the container's process dies behind hutch-oci's back
    kill -KILL "$pid"
    wait_status "$id" stopped
    oci_ok delete "$id"
    assert_no_state "$id"
}

@test "a container whose process died reports stopped (root)" {
    use_root
    died
}

@test "a container whose process died reports stopped (rootless)" {
    use_rootless "$U_ONE"
    died
}

start_only_created() {
    long_running
    oci_ok create --bundle "$b" "$id"
    oci_ok start "$id"
    wait_file "$o/started"
    oci start "$id"
    assert_error "$id"
    [ "$(ctr_status "$id")" = running ]
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci start "$id"
    assert_error "$id"
    [ "$(ctr_status "$id")" = stopped ]
    # the process ran once
    [ "$(cat "$o/started")" = ran ]
    oci_ok delete "$id"
}

@test "start only from created: a second start and a start after stop fail (root)" {
    use_root
    start_only_created
}

@test "start only from created: a second start and a start after stop fail (rootless)" {
    use_rootless "$U_ONE"
    start_only_created
}

delete_running() {
    long_running
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    pid=$(ctr_pid "$id")
    t0=$(pid_starttime "$pid")
    oci delete "$id"
    assert_error "$id"
    [ "$(ctr_status "$id")" = running ]
    pid_alive "$pid"
    oci_ok delete --force "$id"
    assert_no_state "$id"
    for _ in $(seq 50); do pid_gone "$pid" "$t0" && break; sleep 0.1; done
    pid_gone "$pid" "$t0"
}

@test "delete of a running container is refused; --force kills and deletes it (root)" {
    use_root
    delete_running
}

@test "delete of a running container is refused; --force kills and deletes it (rootless)" {
    use_rootless "$U_ONE"
    delete_running
}

delete_created() {
    long_running
    oci_ok create --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    t0=$(pid_starttime "$pid")
    oci_ok delete "$id"
    assert_no_state "$id"
    for _ in $(seq 50); do pid_gone "$pid" "$t0" && break; sleep 0.1; done
    pid_gone "$pid" "$t0"
    [ ! -e "$o/started" ]
}

@test "delete of a created container needs no --force and ends its process (root)" {
    use_root
    delete_created
}

@test "delete of a created container needs no --force and ends its process (rootless)" {
    use_rootless "$U_ONE"
    delete_created
}

# ---------------------------------------------------------------------------------------
# list

list_formats() {
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id1=$(new_id)
    id2=$(new_id)
    oci_ok create --bundle "$b" "$id1"
    oci_ok run --detach --bundle "$b" "$id2"
    owner=${TEST_USER:-root}

    oci_ok list
    echo "$out"
    header=$(head -n1 <<<"$out" | tr -s ' ')
    [ "$header" = "ID PID STATUS BUNDLE CREATED OWNER" ]
    for pair in "$id1:created" "$id2:running"; do
        i=${pair%:*}
        row=$(awk -v id="$i" '$1 == id' <<<"$out")
        [ -n "$row" ]
        read -r r_id r_pid r_status r_bundle r_created r_owner r_rest <<<"$row"
        [ "$r_pid" = "$(ctr_pid "$i")" ]
        [ "$r_status" = "${pair#*:}" ]
        [ "$r_bundle" = "$(realpath "$b")" ]
        [[ "$r_created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
        [ "$r_owner" = "$owner" ]
        [ -z "$r_rest" ]
    done

    oci_ok list -q
    [[ $'\n'"$out"$'\n' == *$'\n'"$id1"$'\n'* ]]
    [[ $'\n'"$out"$'\n' == *$'\n'"$id2"$'\n'* ]]
    oci_ok list --quiet
    [[ $'\n'"$out"$'\n' == *$'\n'"$id1"$'\n'* ]]

    oci_ok list --format json
    echo "$out" >"$BATS_TEST_TMPDIR/list.json"
    python3 - "$BATS_TEST_TMPDIR/list.json" "$id1" "$id2" "$(realpath "$b")" "$owner" <<'EOF'
import json, sys
path, id1, id2, bundle, owner = sys.argv[1:]
items = {c["id"]: c for c in json.load(open(path))}
assert items[id1]["status"] == "created", items[id1]
assert items[id2]["status"] == "running", items[id2]
for i in (id1, id2):
    assert items[i]["bundle"] == bundle, items[i]
    assert isinstance(items[i]["pid"], int) and items[i]["pid"] > 0, items[i]
    assert items[i]["owner"] == owner, items[i]
    assert isinstance(items[i]["created"], str), items[i]
EOF
    oci_ok list --format table
    [ "$(head -n1 <<<"$out" | tr -s ' ')" = "ID PID STATUS BUNDLE CREATED OWNER" ]

    oci list --format yaml
    assert_error yaml

    oci_ok delete --force "$id1"
    oci_ok delete --force "$id2"
    oci_ok list -q
    [[ $'\n'"$out"$'\n' != *$'\n'"$id1"$'\n'* ]]
    [[ $'\n'"$out"$'\n' != *$'\n'"$id2"$'\n'* ]]
}

@test "list: table (ID PID STATUS BUNDLE CREATED OWNER), -q and --format json (root)" {
    use_root
    # a state directory of its own, so that list shows exactly this test's containers
    STATE=$BATS_TEST_TMPDIR/state
    OCI=("$HUTCH_OCI" --root "$STATE")
    list_formats
    oci_ok list -q
    [ -z "$out" ]
    oci_ok list --format json
    [[ "$out" == "[]" || "$out" == "null" ]]
}

@test "list: table (ID PID STATUS BUNDLE CREATED OWNER), -q and --format json (rootless)" {
    use_rootless "$U_ONE"
    list_formats
}

@test "list of an absent --root directory is empty" {
    use_root
    OCI=("$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/never-made")
    oci_ok list -q
    [ -z "$out" ]
    [ -z "$err" ]
}

@test "list stays fast with 300 containers" {
    use_root
    STATE=$BATS_TEST_TMPDIR/state
    OCI=("$HUTCH_OCI" --root "$STATE")
    b=$(new_bundle)
    set_args "$b" sleep 1000
    drop_namespaces "$b" network
    n=300
    for i in $(seq $n); do
        oci_ok create --bundle "$b" "$(new_id)"
    done
    start=$(date +%s%N)
    oci_ok list
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$(($(wc -l <<<"$out") - 1))" -eq "$n" ]
    echo "list took $ms ms"
    [ "$ms" -lt 1500 ]
    start=$(date +%s%N)
    oci_ok list --format json
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "list --format json took $ms ms"
    [ "$ms" -lt 1500 ]
    oci_ok list -q
    [ "$(wc -l <<<"$out")" -eq "$n" ]
    while read -r i; do
        oci_ok delete --force "$i"
    done <"$BATS_TEST_TMPDIR/ids"
    oci_ok list -q
    [ -z "$out" ]
}

# ---------------------------------------------------------------------------------------
# concurrency

concurrent_start() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    set_args "$b" sh -c 'echo ran >>/out/log; exec sleep 1000'
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    pids=()
    for i in $(seq 8); do
        timeout -k 5 60 "${OCI[@]}" start "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/start.$i" 3>&- &
        pids+=($!)
    done
    ok=0
    for p in "${pids[@]}"; do
        if wait "$p"; then ok=$((ok + 1)); fi
    done
    echo "successful starts: $ok"
    cat "$BATS_TEST_TMPDIR"/start.*
    [ "$ok" -eq 1 ]
    # every failure is one line naming the id
    for i in $(seq 8); do
        f=$BATS_TEST_TMPDIR/start.$i
        [ ! -s "$f" ] || { [ "$(wc -l <"$f")" -eq 1 ] && grep -qF "$id" "$f"; }
    done
    wait_file "$o/log"
    sleep 0.5
    [ "$(cat "$o/log")" = ran ]
    [ "$(ctr_status "$id")" = running ]
    oci_ok delete --force "$id"
}

@test "concurrent starts of one container: exactly one succeeds, the process runs once (root)" {
    use_root
    concurrent_start
}

@test "concurrent starts of one container: exactly one succeeds, the process runs once (rootless)" {
    use_rootless "$U_ONE"
    concurrent_start
}

concurrent_create_delete() {
    b=$(new_bundle)
    set_args "$b" true
    id=$(new_id)
    pids=()
    for i in $(seq 6); do
        timeout -k 5 60 "${OCI[@]}" create --bundle "$b" "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/create.$i" 3>&- &
        pids+=($!)
    done
    ok=0
    for p in "${pids[@]}"; do
        if wait "$p"; then ok=$((ok + 1)); fi
    done
    cat "$BATS_TEST_TMPDIR"/create.*
    [ "$ok" -eq 1 ]
    for i in $(seq 6); do
        f=$BATS_TEST_TMPDIR/create.$i
        [ ! -s "$f" ] || { [ "$(wc -l <"$f")" -eq 1 ] && grep -qF "$id" "$f"; }
    done
    [ "$(ctr_status "$id")" = created ]
    pid_alive "$(ctr_pid "$id")"
    oci_ok start "$id"
    wait_status "$id" stopped

    pids=()
    for i in $(seq 6); do
        timeout -k 5 60 "${OCI[@]}" delete "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/delete.$i" 3>&- &
        pids+=($!)
    done
    ok=0
    for p in "${pids[@]}"; do
        if wait "$p"; then ok=$((ok + 1)); fi
    done
    cat "$BATS_TEST_TMPDIR"/delete.*
    [ "$ok" -eq 1 ]
    assert_no_state "$id"
}

@test "concurrent creates of one id and deletes of one container: exactly one succeeds (root)" {
    use_root
    concurrent_create_delete
}

@test "concurrent creates of one id and deletes of one container: exactly one succeeds (rootless)" {
    use_rootless "$U_ONE"
    concurrent_create_delete
}

# ---------------------------------------------------------------------------------------
# bad input: one line of error, status 1, no state left

bad_ids() {
    b=$(new_bundle)
    set_args "$b" true
    mkdir -p "$STATE"
    chmod 700 "$STATE"
    [ "$MODE" = root ] || chown "$TEST_USER:" "$STATE"
    before=$(cd "$STATE" && find . | sort)
    for bad in "a/b" ".." "." "../escape" "a b" "x/../y"; do
        oci create --bundle "$b" "$bad"
        assert_error "$bad" || { echo "id '$bad'"; false; }
        [ "$(cd "$STATE" && find . | sort)" = "$before" ] || { echo "id '$bad' left state"; false; }
    done
    [ ! -e "$(dirname "$STATE")/escape" ]
    oci create --bundle "$b" ""
    [ "$status" -eq 1 ]
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
    [[ "$err" == *id* ]]
    [ "$(cd "$STATE" && find . | sort)" = "$before" ]
}

@test "ids are validated: no /, no .., not empty (root)" {
    use_root
    bad_ids
}

@test "ids are validated: no /, no .., not empty (rootless)" {
    use_rootless "$U_ONE"
    bad_ids
}

bad_bundles() {
    id=$(new_id)
    oci create --bundle "$SCRATCH/missing" "$id"
    assert_error "$SCRATCH/missing"
    assert_no_state "$id"

    b=$(new_bundle)
    rm -rf "$b/rootfs"
    oci create --bundle "$b" "$id"
    assert_error "$b/rootfs"
    assert_no_state "$id"

    b=$(new_bundle)
    rm "$b/config.json"
    oci create --bundle "$b" "$id"
    assert_error "$b/config.json"
    assert_no_state "$id"

    b=$(new_bundle)
    echo '{"ociVersion": "1.2.0", "process": ' >"$b/config.json"
    own "$b/config.json"
    oci create --bundle "$b" "$id"
    assert_error "config.json"
    assert_no_state "$id"

    # the same through run
    oci run --bundle "$SCRATCH/missing" "$id"
    assert_error "$SCRATCH/missing"
    assert_no_state "$id"
}

@test "missing bundle, rootfs or config, and a malformed config: one line, no state (root)" {
    use_root
    bad_bundles
}

@test "missing bundle, rootfs or config, and a malformed config: one line, no state (rootless)" {
    use_rootless "$U_ONE"
    bad_bundles
}

id_in_use() {
    long_running
    oci_ok create --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    before=$(state_field "$id" 'd')
    oci create --bundle "$b" "$id"
    assert_error "$id"
    oci run --detach --bundle "$b" "$id"
    assert_error "$id"
    # the first container is untouched
    [ "$(state_field "$id" 'd')" = "$before" ]
    pid_alive "$pid"
    oci_ok start "$id"
    wait_file "$o/started"
    oci_ok delete --force "$id"
}

@test "an id in use is refused and the container keeps its state (root)" {
    use_root
    id_in_use
}

@test "an id in use is refused and the container keeps its state (rootless)" {
    use_rootless "$U_ONE"
    id_in_use
}

unknown_id() {
    id=$(new_id)
    for cmd in state start kill delete; do
        oci "$cmd" "$id"
        assert_error "$id" || { echo "command $cmd"; false; }
    done
    oci kill "$id" KILL
    assert_error "$id"
    assert_no_state "$id"
}

@test "an unknown id: state, start, kill, delete fail naming it (root)" {
    use_root
    unknown_id
}

@test "an unknown id: state, start, kill, delete fail naming it (rootless)" {
    use_rootless "$U_ONE"
    unknown_id
}

kill_stopped_and_bad_signal() {
    long_running
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    for sig in SIGFOO FOO 99; do
        oci kill "$id" "$sig"
        want=$sig
        [ "$sig" = SIGFOO ] && want=FOO
        assert_error "$want" || { echo "signal '$sig'"; false; }
    done
    [ "$(ctr_status "$id")" = running ]
    oci_ok kill "$id" KILL
    wait_status "$id" stopped
    oci kill "$id" TERM
    assert_error "$id"
    [ "$(ctr_status "$id")" = stopped ]
    oci_ok delete "$id"
}

@test "kill of a stopped container and an unknown signal fail in one line (root)" {
    use_root
    kill_stopped_and_bad_signal
}

@test "kill of a stopped container and an unknown signal fail in one line (rootless)" {
    use_rootless "$U_ONE"
    kill_stopped_and_bad_signal
}

# ---------------------------------------------------------------------------------------
# nothing left after delete

# After delete: no mount of the rootfs in the host's mount table, no state entry, no
# process, no fifo or socket (in the state directory or the bundle).
assert_released() { # ID BUNDLE PID STARTTIME
    local rootfs
    rootfs=$(realpath "$2/rootfs")
    if grep -F " $rootfs" /proc/self/mountinfo; then
        echo "the rootfs is still mounted on the host" >&2
        return 1
    fi
    assert_no_state "$1"
    for _ in $(seq 50); do pid_gone "$3" "$4" && break; sleep 0.1; done
    pid_gone "$3" "$4" || { echo "process $3 still there" >&2; return 1; }
    local fifos
    fifos=$(find "$STATE" "$2" \( -type p -o -type s \) 2>/dev/null)
    [ -z "$fifos" ] || { echo "fifos or sockets left: $fifos" >&2; return 1; }
}

released() {
    long_running
    # a created container that is deleted
    oci_ok create --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    t0=$(pid_starttime "$pid")
    oci_ok delete "$id"
    assert_released "$id" "$b" "$pid" "$t0"
    # a running one, deleted with --force
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    pid=$(ctr_pid "$id")
    t0=$(pid_starttime "$pid")
    oci_ok delete --force "$id"
    assert_released "$id" "$b" "$pid" "$t0"
    # a stopped one
    id=$(new_id)
    rm -f "$o/started"
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    pid=$(ctr_pid "$id")
    t0=$(pid_starttime "$pid")
    oci_ok kill "$id"
    wait_status "$id" stopped
    oci_ok delete "$id"
    assert_released "$id" "$b" "$pid" "$t0"
    # a foreground run
    id=$(new_id)
    set_args "$b" true
    oci_ok run --bundle "$b" "$id"
    assert_released "$id" "$b" 0 0
}

@test "after delete no mount, state, process or fifo remains (root)" {
    use_root
    released
}

@test "after delete no mount, state, process or fifo remains (rootless)" {
    use_rootless "$U_ONE"
    released
}
