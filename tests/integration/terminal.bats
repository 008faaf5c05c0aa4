#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Terminals: process.terminal with run in the foreground and exec --tty under a pty that
# python's pty module drives (the pty of the container's devpts, input, exit status, window
# sizes, signals, the caller's terminal settings restored), process.consoleSize, and
# --console-socket with create/start, run and exec (a client, tests/helpers/console-socket.py,
# receives the master). Each point as root and rootless.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-terminal-one)
    create_test_user "$U_ONE"
    export CONSOLE_CLIENT=${HUTCH_CONSOLE_CLIENT:-$BATS_TEST_DIRNAME/../helpers/console-socket.py}
    [ -f "$CONSOLE_CLIENT" ] || { echo "no console-socket client at $CONSOLE_CLIENT" >&2; return 1; }
}

teardown_file() {
    remove_test_user "$U_ONE"
}

# ---------------------------------------------------------------------------------------
# a pty in the foreground

# pty_run [OPTIONS] -- CMD...: run CMD (as it is: the mode's hutch-oci command line) as the
# session leader of a new pty made with pty.openpty(), whose slave is its stdin, stdout,
# stderr and controlling terminal: the user's terminal. Options:
#   --size R,C              the pty's window size before CMD starts
#   --input TEXT --after M  type TEXT (Python escapes) once M has been seen in the output
#   --resize R,C --resize-after M   change the window size once M has been seen
#   --signal SIG --signal-after M   send SIG to CMD once M has been seen
# Prints JSON: status (of CMD; -N for a signal), output (what CMD wrote to the pty), before
# and after (the pty's settings as `stty -g` prints them, before CMD and after it ended),
# during (the same at the first output), during_raw (ICANON and ECHO were off then).
PTY_PY='
import argparse, fcntl, json, os, pty, select, signal, struct, subprocess, termios, time
ap = argparse.ArgumentParser()
for o in ("--size", "--input", "--after", "--resize", "--resize-after", "--signal",
          "--signal-after"):
    ap.add_argument(o)
ap.add_argument("--timeout", type=float, default=15)
ap.add_argument("cmd", nargs="+")
a = ap.parse_args()

def gs(fd):
    i, o, c, l, _, _, cc = termios.tcgetattr(fd)
    cc = [x if isinstance(x, int) else x[0] for x in cc]
    return ":".join("%x" % v for v in [i, o, c, l] + cc)

def setsize(fd, rc):
    r, c = (int(v) for v in rc.split(","))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))

master, slave = pty.openpty()
if a.size:
    setsize(slave, a.size)
before = gs(slave)

def child():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGHUP, signal.SIGTERM,
              signal.SIGUSR1, signal.SIGUSR2, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(s, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])

p = subprocess.Popen(a.cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                     preexec_fn=child, close_fds=True)
out = b""
during = None
raw = None
todo = {"input": a.input is not None, "resize": a.resize is not None,
        "signal": a.signal is not None}
deadline = time.monotonic() + a.timeout
timed_out = False

def seen(mark):
    return mark is None or mark.encode() in out

def read_some(wait):
    global out, during, raw
    r, _, _ = select.select([master], [], [], wait)
    if not r:
        return False
    try:
        data = os.read(master, 65536)
    except OSError:
        return False
    if data and during is None:
        during = gs(slave)
        lflag = termios.tcgetattr(slave)[3]
        raw = not (lflag & (termios.ICANON | termios.ECHO))
    out += data
    return bool(data)

while p.poll() is None:
    if time.monotonic() > deadline:
        timed_out = True
        p.kill()
        break
    read_some(0.1)
    if todo["input"] and seen(a.after):
        os.write(master, a.input.encode().decode("unicode_escape").encode("latin-1"))
        todo["input"] = False
    if todo["resize"] and seen(a.resize_after):
        setsize(master, a.resize)
        todo["resize"] = False
    if todo["signal"] and seen(a.signal_after):
        p.send_signal(getattr(signal, "SIG" + a.signal))
        todo["signal"] = False
status = p.wait()
# what is left in the pty (our slave keeps it open: no EOF)
while read_some(0.2):
    pass
print(json.dumps({"status": status, "output": out.decode(errors="replace"), "before": before,
                  "during": during, "during_raw": raw, "after": gs(slave),
                  "timed_out": timed_out}))
'

# pty_oci [OPTIONS] -- ARGS...: pty_run with the mode's hutch-oci and ARGS; sets $pty (the
# JSON), $status and $out (the output, without carriage returns).
pty_oci() {
    local opts=()
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    pty=$(timeout -k 5 40 python3 -c "$PTY_PY" "${opts[@]}" -- "${OCI[@]}" "$@" 3>&-)
    echo "pty: $pty"
    status=$(json 'd["status"]' <<<"$pty")
    out=$(json 'd["output"]' <<<"$pty" | tr -d '\r')
    [ "$(json 'd["timed_out"]' <<<"$pty")" = false ] || { echo "timed out under the pty" >&2; return 1; }
}

# The pty's settings: changed to raw while hutch-oci ran, restored after.
assert_settings_restored() {
    assert_eq "$(json 'd["after"]' <<<"$pty")" "$(json 'd["before"]' <<<"$pty")"
    assert_eq "$(json 'd["during_raw"]' <<<"$pty")" true
    [ "$(json 'd["during"]' <<<"$pty")" != "$(json 'd["before"]' <<<"$pty")" ]
}

# What the container's shell reports of its terminal: the output of tty, the links of its
# fds 0-2, whether they are on the container's devpts (st_dev of /dev/pts), then it reads a
# line and exits 5.
# shellcheck disable=SC2016
TTY_SCRIPT='echo "tty=$(tty)"
    for n in 0 1 2; do echo "fd$n=$(readlink /proc/$$/fd/$n)"; done
    echo "dev=$(stat -L -c %d /proc/$$/fd/0) devpts=$(stat -c %d /dev/pts)"
    echo ready; read line; echo "got:$line"; exit 5'

# The checks of TTY_SCRIPT's output in $out.
assert_tty_script() {
    local t
    t=$(sed -n 's/^tty=//p' <<<"$out")
    [[ "$t" =~ ^/dev/pts/[0-9]+$ ]] || { echo "tty printed '$t'"; return 1; }
    for n in 0 1 2; do
        assert_eq "$(sed -n "s/^fd$n=//p" <<<"$out")" "$t"
    done
    # the pty of the container's own devpts, not one of the host's
    read -r dev devpts <<<"$(sed -n 's/^dev=//p' <<<"$out")"
    assert_eq "$dev" "${devpts#devpts=}"
    [ "$dev" != "$(stat -c %d /dev/pts)" ]
    grep -qx "got:typed-input" <<<"$out"
}

tty_run() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["terminal"] = True'
    set_args "$b" sh -c "$TTY_SCRIPT"
    id=$(new_id)
    pty_oci --input 'typed-input\r' --after ready -- run --bundle "$b" "$id"
    echo "$out"
    [ "$status" -eq 5 ]
    assert_tty_script
    assert_settings_restored
    assert_no_state "$id"
    # a signal to run is forwarded to the process
    set_args "$b" sh -c 'trap "exit 7" TERM; echo ready; sleep 100 & wait'
    id=$(new_id)
    pty_oci --signal TERM --signal-after ready -- run --bundle "$b" "$id"
    [ "$status" -eq 7 ]
    assert_settings_restored
    assert_no_state "$id"
}

@test "process.terminal with run in the foreground: the pty is the process's stdio, input, status, settings restored (root)" {
    use_root
    tty_run
}

@test "process.terminal with run in the foreground: the pty is the process's stdio, input, status, settings restored (rootless)" {
    use_rootless "$U_ONE"
    tty_run
}

# A running container without a terminal, for exec. Sets $b, $id.
sleeping_container() {
    b=$(new_bundle)
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
}

tty_exec() {
    sleeping_container
    pty_oci --input 'typed-input\r' --after ready -- exec -t "$id" sh -c "$TTY_SCRIPT"
    echo "$out"
    [ "$status" -eq 5 ]
    assert_tty_script
    assert_settings_restored
    # --tty: the same
    pty_oci --input 'typed-input\r' --after ready -- exec --tty "$id" sh -c "$TTY_SCRIPT"
    [ "$status" -eq 5 ]
    assert_tty_script
    # without -t the process has the caller's terminal (of the host's devpts), untouched
    # shellcheck disable=SC2016
    pty_oci -- exec "$id" sh -c 'echo "dev=$(stat -L -c %d /proc/$$/fd/0) devpts=$(stat -c %d /dev/pts)"'
    [ "$status" -eq 0 ]
    assert_eq "$out" "dev=$(stat -c %d /dev/pts) devpts=$(sed -n 's/^dev=.* devpts=//p' <<<"$out")"
    [[ "$out" != "dev=$(stat -c %d /dev/pts) devpts=$(stat -c %d /dev/pts)" ]]
    assert_eq "$(json 'd["during"]' <<<"$pty")" "$(json 'd["before"]' <<<"$pty")"
    [ "$(ctr_status "$id")" = running ]
}

@test "exec -t in the foreground: the pty is the process's stdio, input, status, settings restored (root)" {
    use_root
    tty_exec
}

@test "exec -t in the foreground: the pty is the process's stdio, input, status, settings restored (rootless)" {
    use_rootless "$U_ONE"
    tty_exec
}

tty_failures_restore() {
    sleeping_container
    # a program that is not there: one line, the settings as they were
    pty_oci -- exec -t "$id" no-such-program
    echo "$out"
    [ "$status" -eq 1 ]
    [[ "$out" == *no-such-program* ]]
    assert_eq "$(json 'd["after"]' <<<"$pty")" "$(json 'd["before"]' <<<"$pty")"
    # killed: 128+9, the settings restored (the process waits for a line: the settings
    # read at its first output are those while it runs)
    # shellcheck disable=SC2016
    pty_oci --input '\r' --after ready -- exec -t "$id" sh -c 'echo ready; read x; kill -KILL $$'
    [ "$status" -eq 137 ]
    assert_settings_restored
    # a signal to exec is forwarded to the process, whose trap decides the status
    pty_oci --signal TERM --signal-after ready -- exec -t "$id" \
        sh -c 'trap "exit 7" TERM; echo ready; sleep 100 & wait'
    [ "$status" -eq 7 ]
    assert_settings_restored
}

@test "exec -t: failures, signals and SIGKILL leave the terminal's settings as they were (root)" {
    use_root
    tty_failures_restore
}

@test "exec -t: failures, signals and SIGKILL leave the terminal's settings as they were (rootless)" {
    use_rootless "$U_ONE"
    tty_failures_restore
}

tty_keys_and_children() {
    sleeping_container
    # ^C typed goes through to the container's pty, which makes it SIGINT for the process
    pty_oci --input '\x03' --after ready -- exec -t "$id" \
        sh -c 'trap "exit 9" INT; echo ready; sleep 100 & wait'
    [ "$status" -eq 9 ]
    assert_settings_restored
    # the process exits while a child of it (not hung up) still has the terminal: exec
    # returns with the process's status, it does not wait for the child
    t0=$(date +%s)
    pty_oci -- exec -t "$id" sh -c 'trap "" HUP; sleep 30 & echo started; exit 3'
    echo "took $(($(date +%s) - t0)) s"
    [ "$status" -eq 3 ]
    [ $(($(date +%s) - t0)) -lt 20 ]
    grep -qx started <<<"$out"
    assert_eq "$(json 'd["after"]' <<<"$pty")" "$(json 'd["before"]' <<<"$pty")"
}

@test "exec -t: ^C reaches the process as SIGINT; exec ends with the process, not its children (root)" {
    use_root
    tty_keys_and_children
}

@test "exec -t: ^C reaches the process as SIGINT; exec ends with the process, not its children (rootless)" {
    use_rootless "$U_ONE"
    tty_keys_and_children
}

tty_console() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["terminal"] = True'
    # shellcheck disable=SC2016
    set_args "$b" sh -c 'echo "pty=$(stat -L -c %t:%T /proc/$$/fd/0)"
        echo "console=$(stat -c %t:%T /dev/console)"
        echo "mounted=$(grep -c "^[^ ]* [^ ]* [^ ]* [^ ]* /dev/console " /proc/self/mountinfo)"'
    oci run --bundle "$b" "$(new_id)"
    out=$(tr -d '\r' <<<"$out")
    echo "$out"
    [ "$status" -eq 0 ]
    pty=$(sed -n 's/^pty=//p' <<<"$out")
    # a pts device: major 136-143
    [[ "$pty" =~ ^8[89a-f]:[0-9a-f]+$ ]]
    assert_eq "$(sed -n 's/^console=//p' <<<"$out")" "$pty"
    assert_eq "$(sed -n 's/^mounted=//p' <<<"$out")" 1
}

# runtime-spec, config-linux.md, Default Devices: "/dev/console is set up if terminal is
# enabled in the config by bind mounting the pseudoterminal slave to /dev/console."
@test "process.terminal: /dev/console is the pty's slave, bind-mounted (root)" {
    use_root
    tty_console
}

@test "process.terminal: /dev/console is the pty's slave, bind-mounted (rootless)" {
    use_rootless "$U_ONE"
    tty_console
}

# ---------------------------------------------------------------------------------------
# window sizes

tty_sizes() {
    b=$(new_bundle)
    config_set "$b" '
d["process"]["terminal"] = True
d["process"]["consoleSize"] = {"height": 33, "width": 111}'
    # in the foreground without a terminal on stdin: process.consoleSize
    set_args "$b" stty size
    id=$(new_id)
    oci run --bundle "$b" "$id"
    [ "$status" -eq 0 ] || { echo "run: $status $err"; false; }
    assert_eq "$(tr -d '\r' <<<"$out")" "33 111"
    # under a terminal, its size; a change of it reaches the container (SIGWINCH)
    # shellcheck disable=SC2016
    set_args "$b" sh -c 'stty size; trap "stty size; exit 6" WINCH; echo ready
        while :; do sleep 0.1; done'
    pty_oci --size 40,120 --resize 50,130 --resize-after ready -- run --bundle "$b" "$(new_id)"
    echo "$out"
    [ "$status" -eq 6 ]
    assert_eq "$(grep -v ready <<<"$out")" $'40 120\n50 130'
    # exec -t: the same
    sleeping_container
    pty_oci --size 41,121 --resize 51,131 --resize-after ready -- exec -t "$id" \
        sh -c 'stty size; trap "stty size; exit 6" WINCH; echo ready; while :; do sleep 0.1; done'
    echo "$out"
    [ "$status" -eq 6 ]
    assert_eq "$(grep -v ready <<<"$out")" $'41 121\n51 131'
}

@test "window size: process.consoleSize, the caller's terminal's, and its changes (root)" {
    use_root
    tty_sizes
}

@test "window size: process.consoleSize, the caller's terminal's, and its changes (rootless)" {
    use_rootless "$U_ONE"
    tty_sizes
}

# ---------------------------------------------------------------------------------------
# --console-socket

# start_console_client PATH [ARGS...]: console-socket.py, as the mode's user, listening at
# PATH (it exists once the client listens); its pid in $cs_pid, its stdout in cs.out.
start_console_client() {
    local argv=() AS_USER
    if [ "$MODE" = rootless ]; then
        as_user_argv "$TEST_USER"
        argv=("${AS_USER[@]}")
    fi
    rm -f "$1"
    "${argv[@]}" python3 "$CONSOLE_CLIENT" "$@" >"$BATS_TEST_TMPDIR/cs.out" \
        2>"$BATS_TEST_TMPDIR/cs.err" </dev/null 3>&- &
    cs_pid=$!
    track_pid "$cs_pid"
    wait_file "$1" || { cat "$BATS_TEST_TMPDIR/cs.err"; return 1; }
}

# wait_console_client: the client ended (the terminal's end) with status 0; what it relayed
# in $cs (without carriage returns), the pty's name it got with the master in $cs_name.
wait_console_client() {
    wait_pid "$cs_pid" 20
    cs=$(tr -d '\r' <"$BATS_TEST_TMPDIR/cs.out")
    echo "client status $rc; relayed: $cs; stderr: $(cat "$BATS_TEST_TMPDIR/cs.err")"
    [ "$rc" -eq 0 ]
    cs_name=$(head -n1 <<<"$cs")
    [[ "$cs_name" =~ ^/dev/pts/[0-9]+$ ]] || { echo "the name sent with the master: '$cs_name'"; return 1; }
}

# shellcheck disable=SC2016
SOCKET_SCRIPT='echo hello-from-tty; echo "tty=$(tty)"
    for n in 0 1 2; do echo "fd$n=$(readlink /proc/$$/fd/$n)"; done
    stty size; echo ready; read line; echo "got:$line"'

# The checks of SOCKET_SCRIPT's output, relayed by the client.
assert_socket_script() {
    grep -qx hello-from-tty <<<"$cs"
    assert_eq "$(sed -n 's/^tty=//p' <<<"$cs")" "$cs_name"
    for n in 0 1 2; do
        assert_eq "$(sed -n "s/^fd$n=//p" <<<"$cs")" "$cs_name"
    done
    grep -qx "33 111" <<<"$cs"
    grep -qx "got:typed-input" <<<"$cs"
}

console_socket_create() {
    b=$(new_bundle)
    config_set "$b" '
d["process"]["terminal"] = True
d["process"]["consoleSize"] = {"height": 33, "width": 111}'
    set_args "$b" sh -c "$SOCKET_SCRIPT"
    id=$(new_id)
    start_console_client "$SCRATCH/cs.sock" --input 'typed-input\r' --after ready
    oci_ok create --console-socket "$SCRATCH/cs.sock" --bundle "$b" "$id"
    # nothing of the container's on create's own stdout
    [ -z "$out" ]
    [ "$(ctr_status "$id")" = created ]
    oci_ok start "$id"
    wait_console_client
    assert_socket_script
    wait_status "$id" stopped
}

@test "create --console-socket, start: the client gets the master, the process's stdio is the pty (root)" {
    use_root
    console_socket_create
}

@test "create --console-socket, start: the client gets the master, the process's stdio is the pty (rootless)" {
    use_rootless "$U_ONE"
    console_socket_create
}

console_socket_exec() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["consoleSize"] = {"height": 33, "width": 111}'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    start_console_client "$SCRATCH/cs.sock" --input 'typed-input\r' --after ready
    oci_ok exec -t -d --pid-file "$SCRATCH/exec.pid" --console-socket "$SCRATCH/cs.sock" \
        "$id" sh -c "$SOCKET_SCRIPT"
    [ -z "$out" ]
    p=$(cat "$SCRATCH/exec.pid")
    [[ "$p" =~ ^[0-9]+$ ]]
    track_pid "$p"
    wait_console_client
    assert_socket_script
    # in the foreground with --console-socket: the process's status
    start_console_client "$SCRATCH/cs.sock"
    oci exec --tty --console-socket "$SCRATCH/cs.sock" "$id" sh -c 'echo through-the-socket; exit 4'
    [ "$status" -eq 4 ]
    [ -z "$out" ]
    wait_console_client
    grep -qx through-the-socket <<<"$cs"
    [ "$(ctr_status "$id")" = running ]
}

@test "exec -t -d --console-socket: the client gets the master, the process's stdio is the pty (root)" {
    use_root
    console_socket_exec
}

@test "exec -t -d --console-socket: the client gets the master, the process's stdio is the pty (rootless)" {
    use_rootless "$U_ONE"
    console_socket_exec
}

console_socket_run() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["terminal"] = True'
    set_args "$b" sh -c 'echo run-through-the-socket; exit 4'
    id=$(new_id)
    start_console_client "$SCRATCH/cs.sock"
    oci run --console-socket "$SCRATCH/cs.sock" --bundle "$b" "$id"
    [ "$status" -eq 4 ]
    [ -z "$out" ]
    wait_console_client
    grep -qx run-through-the-socket <<<"$cs"
    assert_no_state "$id"
}

@test "run --console-socket in the foreground: the output through the client, the status returned (root)" {
    use_root
    console_socket_run
}

@test "run --console-socket in the foreground: the output through the client, the status returned (rootless)" {
    use_rootless "$U_ONE"
    console_socket_run
}

terminal_errors() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    config_set "$b" 'd["process"]["terminal"] = True'
    set_args "$b" touch /out/ran
    # create and run --detach without --console-socket: no one to take the master
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error console-socket
    assert_no_state "$id"
    id=$(new_id)
    oci run --detach --bundle "$b" "$id"
    assert_error console-socket
    assert_no_state "$id"
    # a socket that is not there: one line naming it
    id=$(new_id)
    oci create --console-socket "$SCRATCH/no-such.sock" --bundle "$b" "$id"
    assert_error "$SCRATCH/no-such.sock"
    assert_no_state "$id"
    [ ! -e "$o/ran" ]
    # exec -t -d without --console-socket, or with one that is not there
    config_set "$b" 'd["process"]["terminal"] = False'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    oci exec -t -d "$id" touch /out/ran
    assert_error console-socket
    oci exec -t --console-socket "$SCRATCH/no-such.sock" "$id" touch /out/ran
    assert_error "$SCRATCH/no-such.sock"
    [ ! -e "$o/ran" ]
}

@test "a terminal without a --console-socket in the background, or a missing socket: one line (root)" {
    use_root
    terminal_errors
}

@test "a terminal without a --console-socket in the background, or a missing socket: one line (rootless)" {
    use_rootless "$U_ONE"
    terminal_errors
}
