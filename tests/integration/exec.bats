#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci exec: another process in a running (or created) container. It joins every
# namespace of the container, sees its rootfs and pid namespace, gets its seccomp filter and
# capabilities (plus --cap), its user, env and cwd changed by the flags; the exit status
# and the signals of a foreground exec; --detach, --pid-file, --process FILE; and the fds a
# container gets: --preserve-fds for create, run and exec, systemd's socket activation.
# (exec --tty and --console-socket: terminal.bats.) Each point as root and rootless.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-exec-one) # no subordinate ids
    U_SUB=$(test_user_name hit-exec-sub) # with /etc/subuid and /etc/subgid ranges
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

# The value of KEY in the key=value lines of $out.
value() {
    sed -n "s/^$1=//p" <<<"$out"
}

# A running container whose process (pid 1 of its pid namespace) first records what
# hutch-probe sees of itself in /out/caps and /out/status, then sleeps. KEEP=me is in its
# environment and /etc/marker in its rootfs. Sets $b (bundle), $o (its /out on the host),
# $id, $ipid (its process, as the host sees it). With --subids: ids 1-65536 mapped too
# (rootless; see map_subids).
running_container() {
    b=$(new_bundle)
    [ "${1:-}" = --subids ] && map_subids "$b"
    o=$(add_out_mount "$b")
    echo "marker-$BATS_TEST_NUMBER" >"$b/rootfs/etc/marker"
    config_set "$b" 'd["process"]["env"].append("KEEP=me")'
    set_args "$b" sh -c 'hutch-probe caps >/out/caps; hutch-probe status >/out/status
        touch /out/started; exec sleep 1000'
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_file "$o/started"
    ipid=$(ctr_pid "$id")
}

# The comma-separated list $1 plus $2, one name a line, sorted.
set_plus() {
    { tr , '\n' <<<"$1"; [ -n "${2:-}" ] && echo "$2"; } | sed '/^$/d' | sort -u
}

# ---------------------------------------------------------------------------------------
# the command line

@test "exec --help names its flags" {
    run_split "$HUTCH_OCI" exec --help
    [ "$status" -eq 0 ]
    [[ "$out" == "Usage: hutch-oci exec"* ]]
    for f in --process --tty --detach --pid-file --console-socket --cwd --env --user --cap \
        --no-new-privs --apparmor --process-label --preserve-fds; do
        [[ "$out" == *"$f"* ]] || { echo "exec --help does not name $f"; false; }
    done
    run_split "$HUTCH_OCI" --help
    [[ "$out" == *"  exec "* ]]
}

@test "exec: usage errors and bad flag values are one line, status 1" {
    use_root
    running_container
    oci exec
    assert_error "container id"
    oci exec "$id"
    assert_error "command"
    oci exec --process "$SCRATCH/p.json" "$id" true
    assert_error "true"
    oci exec --user abc "$id" true
    assert_error abc
    oci exec --env FOO "$id" true
    assert_error FOO
    oci exec --cwd tmp "$id" pwd
    assert_error tmp
    oci exec --preserve-fds x "$id" true
    assert_error x
}

# ---------------------------------------------------------------------------------------
# the container's namespaces, rootfs and pid namespace

NS_TYPES="mnt pid net ipc uts user cgroup"

exec_namespaces() {
    running_container
    # the namespace types the container has of its own (config names)
    own=$(config_get "$b" '" ".join(n["type"] for n in d["linux"]["namespaces"])')
    echo "container namespaces: $own"
    # shellcheck disable=SC2016 # expanded by the container's shell
    oci_ok exec "$id" sh -c 'for n in '"$NS_TYPES"'; do echo "$n $(readlink /proc/self/ns/$n)"; done'
    echo "$out"
    for n in $NS_TYPES; do
        got=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$out")
        want=$(readlink "/proc/$ipid/ns/$n")
        [ -n "$want" ]
        echo "$n: exec $got, container $want"
        assert_eq "$got" "$want"
        case $n in mnt) t=mount ;; net) t=network ;; *) t=$n ;; esac
        # a namespace the container has of its own is not the host's: the comparison
        # above is not trivially true
        if [[ " $own " == *" $t "* ]]; then
            [ "$got" != "$(readlink "/proc/$$/ns/$n")" ]
        fi
    done
    # the rootfs and hostname of the container
    oci_ok exec "$id" sh -c 'cat /etc/marker; hostname'
    assert_eq "$out" "marker-$BATS_TEST_NUMBER"$'\n'"$(config_get "$b" 'd["hostname"]')"
    # its pid namespace: the container's process is pid 1; nothing else but ps itself
    oci_ok exec "$id" ps
    echo "$out"
    assert_eq "$(awk '$1 == 1 { $1 = ""; $2 = ""; print }' <<<"$out" | sed 's/^ *//')" "sleep 1000"
    assert_eq "$(sed 1d <<<"$out" | wc -l)" 2
    [ "$(awk '$NF == "ps" { print $1 }' <<<"$out")" -gt 1 ]
}

@test "exec joins every namespace of the container, sees its rootfs and pid namespace (root)" {
    use_root
    exec_namespaces
    [[ " $own " != *" user "* ]]
}

@test "exec joins every namespace of the container, sees its rootfs and pid namespace (rootless)" {
    use_rootless "$U_ONE"
    exec_namespaces
    [[ " $own " == *" user "* ]]
}

exec_created() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    echo "marker-$BATS_TEST_NUMBER" >"$b/rootfs/etc/marker"
    set_args "$b" sh -c 'touch /out/started; exec sleep 1000'
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    ipid=$(ctr_pid "$id")
    # shellcheck disable=SC2016
    oci_ok exec "$id" sh -c 'cat /etc/marker; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid
        echo $$; hutch-probe status | grep ^seccomp='
    echo "$out"
    assert_eq "$(sed -n 1p <<<"$out")" "marker-$BATS_TEST_NUMBER"
    assert_eq "$(sed -n 2p <<<"$out")" "$(readlink "/proc/$ipid/ns/mnt")"
    assert_eq "$(sed -n 3p <<<"$out")" "$(readlink "/proc/$ipid/ns/pid")"
    [ "$(sed -n 4p <<<"$out")" -gt 1 ]
    assert_eq "$(sed -n 5p <<<"$out")" seccomp=2
    # the container is still only created: its process has not run
    [ "$(ctr_status "$id")" = created ]
    [ ! -e "$o/started" ]
    oci_ok start "$id"
    wait_file "$o/started"
    [ "$(ctr_status "$id")" = running ]
}

@test "exec into a created container (not started): its namespaces; start still works (root)" {
    use_root
    exec_created
}

@test "rootless exec into a created container is refused in one line: its process is not dumpable until start" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    oci exec "$id" true
    assert_error "before it is started"
    # nothing changed: it still starts
    [ "$(ctr_status "$id")" = created ]
    oci_ok start "$id"
    [ "$(ctr_status "$id")" = running ]
    # and once it runs, exec works
    oci_ok exec "$id" true
}

exec_not_running() {
    oci exec "no-such-$BATS_TEST_NUMBER" true
    assert_error "no-such-$BATS_TEST_NUMBER"
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    set_args "$b" true
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    wait_status "$id" stopped
    oci exec "$id" sh -c 'touch /out/ran'
    assert_error "$id"
    [ ! -e "$o/ran" ]
}

@test "exec on an unknown id or a stopped container: one line, status 1 (root)" {
    use_root
    exec_not_running
}

@test "exec on an unknown id or a stopped container: one line, status 1 (rootless)" {
    use_rootless "$U_ONE"
    exec_not_running
}

# ---------------------------------------------------------------------------------------
# seccomp, capabilities, no_new_privs

exec_security() {
    running_container
    # the same as the container's process: seccomp (the default profile), ids, nnp, caps
    oci_ok exec "$id" hutch-probe status
    echo "$out"
    assert_eq "$(value seccomp)" 2
    assert_eq "$(grep -v '^pid=' <<<"$out")" "$(grep -v '^pid=' "$o/status")"
    oci_ok exec "$id" hutch-probe caps
    echo "$out"
    assert_eq "$out" "$(cat "$o/caps")"
    [ -n "$(value bounding)" ]
    # --cap adds to the bounding, effective and permitted sets
    [[ ",$(value bounding)," != *,CAP_SYS_ADMIN,* ]]
    oci_ok exec --cap CAP_SYS_ADMIN "$id" hutch-probe caps
    echo "$out"
    for k in bounding effective permitted; do
        assert_eq "$(set_plus "$(value "$k")")" \
            "$(set_plus "$(sed -n "s/^$k=//p" "$o/caps")" CAP_SYS_ADMIN)"
    done
    assert_eq "$(value inheritable)" "$(sed -n 's/^inheritable=//p' "$o/caps")"
    # a name that is no capability: refused, nothing runs
    oci exec --cap CAP_FOO "$id" sh -c 'touch /out/ran'
    assert_error CAP_FOO
    [ ! -e "$o/ran" ]
}

@test "exec gets the container's seccomp filter and capabilities, plus --cap (root)" {
    use_root
    exec_security
}

@test "exec gets the container's seccomp filter and capabilities, plus --cap (rootless)" {
    use_rootless "$U_ONE"
    exec_security
}

exec_nnp() {
    [ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)" = 0 ] ||
        skip "this shell runs with no_new_privs"
    b=$(new_bundle)
    config_set "$b" 'd["process"]["noNewPrivileges"] = False'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    oci_ok exec "$id" hutch-probe status
    assert_eq "$(value nnp)" 0
    oci_ok exec --no-new-privs "$id" hutch-probe status
    assert_eq "$(value nnp)" 1
}

@test "exec --no-new-privs sets no_new_privs where the container's process has none (root)" {
    use_root
    exec_nnp
}

@test "exec --no-new-privs sets no_new_privs where the container's process has none (rootless)" {
    use_rootless "$U_ONE"
    exec_nnp
}

exec_labels() {
    [ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
        skip "AppArmor is enabled on this host"
    running_container
    # as for create (labels.bats): the SELinux label skipped without a word, the AppArmor
    # profile with one warning
    oci exec --process-label system_u:system_r:svirt_t:s0:c1,c2 "$id" echo ran
    [ "$status" -eq 0 ]
    assert_eq "$out" ran
    assert_eq "$err" ""
    oci exec --apparmor hutch-default "$id" echo ran
    [ "$status" -eq 0 ]
    assert_eq "$out" ran
    echo "$err"
    [ "$(wc -l <<<"$err")" -eq 1 ]
    [[ "$err" == *'"hutch-default" ignored: AppArmor is not enabled on this host'* ]]
}

@test "exec --process-label and --apparmor where no LSM is enabled: as for create (root)" {
    use_root
    exec_labels
}

@test "exec --process-label and --apparmor where no LSM is enabled: as for create (rootless)" {
    use_rootless "$U_ONE"
    exec_labels
}

# ---------------------------------------------------------------------------------------
# user, env, cwd

exec_user() {
    running_container "$@"
    oci_ok exec "$id" hutch-probe status
    assert_eq "$(value uid):$(value gid)" 0:0
    oci_ok exec --user 1000:1000 "$id" hutch-probe status
    echo "$out"
    for k in uid euid gid egid; do assert_eq "$(value $k)" 1000; done
    # the capabilities of a process that is not root: none in effect after execve
    oci_ok exec --user 1000:1000 "$id" hutch-probe caps
    assert_eq "$(value effective)" ""
    # -u, and a uid alone: gid 0
    oci_ok exec -u 1000 "$id" hutch-probe status
    assert_eq "$(value uid):$(value gid)" 1000:0
}

@test "exec --user UID:GID and --user UID run as that user (root)" {
    use_root
    exec_user
}

@test "exec --user UID:GID and --user UID run as that user (rootless, subordinate ids)" {
    use_rootless "$U_SUB"
    exec_user --subids
}

@test "exec --user with an id the container does not map fails in one line (rootless, own id)" {
    use_rootless "$U_ONE"
    running_container
    oci exec --user 1000:1000 "$id" sh -c 'touch /out/ran'
    echo "status $status: $err"
    [ "$status" -eq 1 ]
    assert_one_error_line 1000
    [ ! -e "$o/ran" ]
}

exec_env_cwd() {
    running_container
    oci_ok exec --env A=1 --env A=2 -e B=x=y --env TERM=dumb "$id" env
    echo "$out"
    assert_eq "$(grep -c '^A=' <<<"$out")" 1
    grep -qx A=2 <<<"$out"
    grep -qx B=x=y <<<"$out"
    # the container's environment is kept; a name given again replaces its value
    grep -qx KEEP=me <<<"$out"
    grep -qx "$(config_get "$b" '[e for e in d["process"]["env"] if e.startswith("PATH=")][0]')" <<<"$out"
    assert_eq "$(grep '^TERM=' <<<"$out")" TERM=dumb
    # the container's cwd by default, --cwd over it
    config_cwd=$(config_get "$b" 'd["process"]["cwd"]')
    oci_ok exec "$id" pwd
    assert_eq "$out" "$config_cwd"
    oci_ok exec --cwd /tmp "$id" pwd
    assert_eq "$out" /tmp
    oci_ok exec --cwd /home/user "$id" pwd
    assert_eq "$out" /home/user
    # a cwd that is not there: one line naming it
    oci exec --cwd /no-such-dir "$id" pwd
    assert_error /no-such-dir
}

@test "exec --env (the last value wins, the container's env kept) and --cwd (root)" {
    use_root
    exec_env_cwd
}

@test "exec --env (the last value wins, the container's env kept) and --cwd (rootless)" {
    use_rootless "$U_ONE"
    exec_env_cwd
}

# ---------------------------------------------------------------------------------------
# exit status, missing programs, signals

exec_status() {
    running_container
    oci exec "$id" sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
    [ "$status" -eq 3 ]
    assert_eq "$out" to-stdout
    assert_eq "$err" to-stderr
    # shellcheck disable=SC2016
    oci exec "$id" sh -c 'kill -KILL $$'
    [ "$status" -eq 137 ]
    # shellcheck disable=SC2016
    oci exec "$id" sh -c 'kill -TERM $$'
    [ "$status" -eq 143 ]
    oci_ok exec "$id" true
    # a program that is not there, or not executable: one line naming it
    for prog in no-such-program /bin/no-such-program /etc/passwd; do
        oci exec "$id" "$prog" arg
        echo "$prog: status $status: $err"
        [ "$status" -ne 0 ]
        assert_one_error_line "$prog"
    done
    # the container goes on
    [ "$(ctr_status "$id")" = running ]
}

@test "exec returns the process's status (exit N, 128+signal); a missing program is one line (root)" {
    use_root
    exec_status
}

@test "exec returns the process's status (exit N, 128+signal); a missing program is one line (rootless)" {
    use_rootless "$U_ONE"
    exec_status
}

exec_forward() {
    running_container
    for pair in TERM:7 INT:8 HUP:9; do
        sig=${pair%:*}
        code=${pair#*:}
        rm -f "$o/ready"
        start_bg pid exec "$id" sh -c "trap 'exit $code' $sig; touch /out/ready; sleep 100 & wait"
        wait_file "$o/ready" || { cat "$BATS_TEST_TMPDIR/bg.err"; false; }
        kill -"$sig" "$pid"
        wait_pid "$pid"
        echo "SIG$sig: exec exited $rc, expected $code; stderr: $(cat "$BATS_TEST_TMPDIR/bg.err")"
        [ "$rc" -eq "$code" ]
    done
    [ "$(ctr_status "$id")" = running ]
}

@test "exec in the foreground forwards signals to the process (root)" {
    use_root
    exec_forward
}

@test "exec in the foreground forwards signals to the process (rootless)" {
    use_rootless "$U_ONE"
    exec_forward
}

exec_killed_pid_file() {
    running_container
    start_bg pid exec --pid-file "$SCRATCH/fg.pid" "$id" sh -c 'touch /out/ready; exec sleep 1000'
    wait_file "$o/ready" || { cat "$BATS_TEST_TMPDIR/bg.err"; false; }
    p=$(cat "$SCRATCH/fg.pid")
    echo "exec's process: $p"
    [[ "$p" =~ ^[0-9]+$ ]]
    # the host pid of the process, in the container's pid namespace
    [ "$(tr '\0' ' ' <"/proc/$p/cmdline")" = "sleep 1000 " ]
    assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$ipid/ns/pid")"
    kill -KILL "$p"
    wait_pid "$pid"
    [ "$rc" -eq 137 ]
}

@test "exec --pid-file in the foreground names the process; killed with SIGKILL it gives 137 (root)" {
    use_root
    exec_killed_pid_file
}

@test "exec --pid-file in the foreground names the process; killed with SIGKILL it gives 137 (rootless)" {
    use_rootless "$U_ONE"
    exec_killed_pid_file
}

# ---------------------------------------------------------------------------------------
# --detach, --process

exec_detach() {
    running_container
    t0=$(date +%s%N)
    oci_ok exec --detach --pid-file "$SCRATCH/exec.pid" "$id" sh -c 'echo $$ >/out/inner; exec sleep 1000'
    t1=$(date +%s%N)
    echo "exec --detach took $(((t1 - t0) / 1000000)) ms"
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
    p=$(cat "$SCRATCH/exec.pid")
    echo "pid file: $p"
    [[ "$p" =~ ^[0-9]+$ ]]
    track_pid "$p"
    pid_alive "$p"
    wait_file "$o/inner"
    # in the container's pid namespace, not pid 1 there: NSpid HOST INNER
    assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$ipid/ns/pid")"
    assert_eq "$(awk '/^NSpid:/ { print $2, $3, NF }' "/proc/$p/status")" "$p $(cat "$o/inner") 3"
    [ "$(cat "$o/inner")" -gt 1 ]
    for _ in $(seq 20); do
        [ "$(tr '\0' ' ' <"/proc/$p/cmdline")" = "sleep 1000 " ] && break
        sleep 0.1
    done
    [ "$(tr '\0' ' ' <"/proc/$p/cmdline")" = "sleep 1000 " ]
    # the container sees it under the inner pid
    oci_ok exec "$id" ps
    [ "$(awk -v p="$(cat "$o/inner")" '$1 == p { print $NF }' <<<"$out")" = 1000 ]
    sleep 0.5
    pid_alive "$p"
    # it dies with the container
    t=$(pid_starttime "$p")
    oci_ok kill "$id" KILL
    for _ in $(seq 50); do pid_gone "$p" "$t" && break; sleep 0.1; done
    pid_gone "$p" "$t"
}

@test "exec --detach --pid-file returns at once; the process lives in the container (root)" {
    use_root
    exec_detach
}

@test "exec --detach --pid-file returns at once; the process lives in the container (rootless)" {
    use_rootless "$U_ONE"
    exec_detach
}

exec_process_file() {
    running_container "$@"
    chmod 1777 "$o" # for the user of the process file
    f=$SCRATCH/process.json
    cat >"$f" <<'EOF'
{"args": ["sh", "-c", "echo foo=$FOO keep=$KEEP; pwd; id -u; id -g; touch /out/by-process"],
 "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}, "env": ["FOO=bar", "PATH=/bin"]}
EOF
    own "$f"
    oci exec --process "$f" "$id"
    echo "status $status: $out / $err"
    [ "$status" -eq 0 ]
    # the process of the file, as it is: not the container's env
    assert_eq "$out" $'foo=bar keep=\n/tmp\n1000\n1000'
    [ -e "$o/by-process" ]
    # -p; the flags that describe the process are ignored with it
    cat >"$f" <<'EOF'
{"args": ["sh", "-c", "echo foo=$FOO; pwd; exit 4"], "cwd": "/", "user": {"uid": 0, "gid": 0},
 "env": ["FOO=file"]}
EOF
    oci exec -p "$f" --env FOO=flag --cwd /tmp "$id"
    [ "$status" -eq 4 ]
    assert_eq "$out" $'foo=file\n/'
}

@test "exec --process FILE runs the process object of FILE (root)" {
    use_root
    exec_process_file
}

@test "exec --process FILE runs the process object of FILE (rootless)" {
    use_rootless "$U_SUB"
    exec_process_file --subids
}

exec_process_malformed() {
    running_container
    f=$SCRATCH/bad.json
    echo '{"args": ["sh", "-c", "touch /out/ran"], "cwd": "/", "user": {"uid": "zero", "gid": 0}}' >"$f"
    own "$f"
    oci exec --process "$f" "$id"
    assert_error "$f"
    [[ "$err" == *"user.uid"* ]] || { echo "the error does not name user.uid"; false; }
    echo '{"args": "sh", "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$f"
    oci exec --process "$f" "$id"
    assert_error "$f"
    [[ "$err" == *"args"* ]] || { echo "the error does not name args"; false; }
    echo '{"args": ["sh"], "cwd": "/",' >"$f"
    oci exec --process "$f" "$id"
    assert_error "$f"
    oci exec --process "$SCRATCH/missing.json" "$id"
    assert_error "$SCRATCH/missing.json"
    [ ! -e "$o/ran" ]
}

@test "exec --process with a malformed file: one line naming the file and the JSON path (root)" {
    use_root
    exec_process_malformed
}

@test "exec --process with a malformed file: one line naming the file and the JSON path (rootless)" {
    use_rootless "$U_ONE"
    exec_process_malformed
}

# ---------------------------------------------------------------------------------------
# fds: --preserve-fds and socket activation

# oci_fds ARGS...: oci with fd 3 reading $SCRATCH/in, fd 4 appending to $SCRATCH/fd4 and
# fd 5 reading $SCRATCH/in (made by fds_files).
oci_fds() {
    local o=$BATS_TEST_TMPDIR/oci.out e=$BATS_TEST_TMPDIR/oci.err
    set +e
    timeout -k 5 "${OCI_TIMEOUT:-20}" "${OCI[@]}" "$@" </dev/null >"$o" 2>"$e" \
        3<"$SCRATCH/in" 4>>"$SCRATCH/fd4" 5<"$SCRATCH/in"
    status=$?
    set -e
    out=$(cat "$o")
    err=$(cat "$e")
}

fds_files() {
    echo "data-of-in" >"$SCRATCH/in"
    : >"$SCRATCH/fd4"
    own "$SCRATCH/in" "$SCRATCH/fd4"
}

# A container's shell reports its fds: the fds of 0-63 it has open (tested by the shell's
# builtin `[`: no fd of a pipe, a redirection or a child is among them), what fd 3 reads,
# whether fd 4 takes a write. fds_report prints that from /out.
# shellcheck disable=SC2016
FDS_SCRIPT='fds=; for n in $(seq 0 63); do [ -e /proc/$$/fd/$n ] && fds="$fds$n "; done
    echo "$fds" >/out/fds.ls
    : >/out/fd3; cat <&3 >/out/fd3 2>/dev/null
    if echo "written through fd 4" >&4; then echo ok; else echo none; fi >/out/fd4 2>/dev/null
    touch /out/fds.done'

fds_report() {
    wait_file "$o/fds.done"
    echo "fds: $(cat "$o/fds.ls")| fd3: $(cat "$o/fd3") | fd4: $(cat "$o/fd4")"
    rm -f "$o/fds.ls" "$o/fd3" "$o/fd4" "$o/fds.done"
}

preserve_fds() {
    fds_files
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    set_args "$b" sh -c "$FDS_SCRIPT"
    # run: fds 3 and 4 passed, 5 not
    oci_fds run --preserve-fds 2 --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    assert_eq "$(fds_report)" "fds: 0 1 2 3 4 | fd3: data-of-in | fd4: ok"
    assert_eq "$(cat "$SCRATCH/fd4")" "written through fd 4"
    # run without the flag: none
    oci_fds run --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    assert_eq "$(fds_report)" "fds: 0 1 2 | fd3:  | fd4: none"
    # create --preserve-fds 1, start without fds: only fd 3, kept until start
    fds_files
    id=$(new_id)
    oci_fds create --preserve-fds 1 --bundle "$b" "$id"
    [ "$status" -eq 0 ] || { echo "create: $status $err"; false; }
    oci_ok start "$id"
    assert_eq "$(fds_report)" "fds: 0 1 2 3 | fd3: data-of-in | fd4: none"
    assert_eq "$(cat "$SCRATCH/fd4")" ""
    # exec: the same
    running_container
    fds_files
    oci_fds exec --preserve-fds 2 "$id" sh -c "$FDS_SCRIPT"
    [ "$status" -eq 0 ] || { echo "exec: $status $err"; false; }
    assert_eq "$(fds_report)" "fds: 0 1 2 3 4 | fd3: data-of-in | fd4: ok"
    assert_eq "$(cat "$SCRATCH/fd4")" "written through fd 4"
    fds_files
    oci_fds exec "$id" sh -c "$FDS_SCRIPT"
    [ "$status" -eq 0 ] || { echo "exec: $status $err"; false; }
    assert_eq "$(fds_report)" "fds: 0 1 2 | fd3:  | fd4: none"
    assert_eq "$(cat "$SCRATCH/fd4")" ""
}

@test "--preserve-fds N passes fds 3 to 3+N-1 to run, create and exec; none without it (root)" {
    use_root
    preserve_fds
}

@test "--preserve-fds N passes fds 3 to 3+N-1 to run, create and exec; none without it (rootless)" {
    use_rootless "$U_ONE"
    preserve_fds
}

# Run by the mode's user in place of hutch-oci, which it then execs (same pid): a unix socket
# listening at $1 as fd 3 (its inode in $1.ino), LISTEN_FDS=1 and LISTEN_PID=its own pid
# ($2 = own) or its parent's ($2 = other).
ACTIVATE_PY='
import os, socket, sys
path, whose = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
    s.close()
os.set_inheritable(3, True)
with open(path + ".ino", "w") as fh:
    fh.write("%d\n" % os.fstat(3).st_ino)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid() if whose == "own" else os.getppid())
os.execvp(sys.argv[3], sys.argv[3:])
'

# oci_activated WHOSE ARGS...: hutch-oci ARGS... started by ACTIVATE_PY with the socket
# $SCRATCH/act.sock.
oci_activated() {
    local whose=$1 argv=() a o=$BATS_TEST_TMPDIR/oci.out e=$BATS_TEST_TMPDIR/oci.err
    shift
    rm -f "$SCRATCH/act.sock" "$SCRATCH/act.sock.ino"
    # the launcher goes right before hutch-oci in the mode's command line (after setpriv
    # and env -i when rootless), so that it runs as the mode's user and execs hutch-oci
    for a in "${OCI[@]}"; do
        [ "$a" = "$HUTCH_OCI" ] && argv+=(python3 -c "$ACTIVATE_PY" "$SCRATCH/act.sock" "$whose")
        argv+=("$a")
    done
    set +e
    timeout -k 5 "${OCI_TIMEOUT:-20}" "${argv[@]}" "$@" </dev/null >"$o" 2>"$e" 3>&-
    status=$?
    set -e
    out=$(cat "$o")
    err=$(cat "$e")
}

socket_activation() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    # shellcheck disable=SC2016
    set_args "$b" sh -c 'env | grep ^LISTEN_ | sort >/out/env
        fds=; for n in $(seq 0 63); do [ -e /proc/$$/fd/$n ] && fds="$fds$n "; done
        echo "$fds" >/out/fds.ls
        readlink /proc/$$/fd/3 >/out/fd3 2>/dev/null; echo $$ >/out/pid.tmp; mv /out/pid.tmp /out/pid'
    oci_activated own run --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    ino=$(cat "$SCRATCH/act.sock.ino")
    assert_eq "$(cat "$o/pid")" 1
    assert_eq "$(cat "$o/env")" $'LISTEN_FDS=1\nLISTEN_PID=1'
    assert_eq "$(cat "$o/fds.ls")" "0 1 2 3 "
    assert_eq "$(cat "$o/fd3")" "socket:[$ino]"
    # the same through create and start
    rm -f "$o"/*
    id=$(new_id)
    oci_activated own create --bundle "$b" "$id"
    [ "$status" -eq 0 ] || { echo "create: $status $err"; false; }
    ino=$(cat "$SCRATCH/act.sock.ino")
    oci_ok start "$id"
    wait_file "$o/pid"
    assert_eq "$(cat "$o/env")" $'LISTEN_FDS=1\nLISTEN_PID=1'
    assert_eq "$(cat "$o/fd3")" "socket:[$ino]"
    # LISTEN_PID of another process: nothing is passed
    rm -f "$o"/*
    oci_activated other run --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    assert_eq "$(cat "$o/env")" ""
    assert_eq "$(cat "$o/fds.ls")" "0 1 2 "
    [ ! -s "$o/fd3" ]
}

@test "socket activation: LISTEN_FDS fds pass on, LISTEN_PID becomes the container's pid 1 (root)" {
    use_root
    socket_activation
}

@test "socket activation: LISTEN_FDS fds pass on, LISTEN_PID becomes the container's pid 1 (rootless)" {
    use_rootless "$U_ONE"
    socket_activation
}
