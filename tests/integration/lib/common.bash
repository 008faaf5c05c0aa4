# SPDX-License-Identifier: GPL-2.0-or-later
# Loaded by every integration bats file (`load lib/common`).
#
# The test rootfs: /bin/busybox of busybox-static plus one symlink per applet, and
# /bin/hutch-probe ($HUTCH_PROBE, tests/helpers/probe.c), built once per test run under
# $HUTCH_TEST_CACHE (default /tmp/hutch-test-cache) behind a lock, so parallel bats files do
# not race.
#
# Modes. Every test starts with one of
#   use_root                 hutch-oci as root, --root "$BATS_FILE_TMPDIR/state"
#   use_rootless USER        hutch-oci as the test user USER, default --root
#                            ($XDG_RUNTIME_DIR/hutch-oci, XDG_RUNTIME_DIR private to the user)
# which set:
#   OCI      the command prefix that runs hutch-oci in that mode (an array)
#   STATE    the state directory hutch-oci uses in that mode
#   SCRATCH  a directory for bundles and files the container may see (owned by USER when
#            rootless), removed in teardown
#   MODE     root or rootless; TEST_USER the user when rootless
#
# Helpers (all report failures with enough context to read the TAP log):
#   oci ARGS...              run hutch-oci in the current mode; sets $status, $out, $err
#   oci_ok ARGS...           the same, failing the test unless the status is 0
#   new_bundle [--verbatim]  make a bundle under $SCRATCH, print its path
#   make_bundle DIR [--rootless] [--verbatim]
#   config_set DIR 'python statements on d'
#   set_args DIR ARG...      process.args
#   new_id                   a fresh container id, deleted (--force) again in teardown
#   run_in BUNDLE ARG...     set process.args and `hutch-oci run` it (foreground); $status/$out/$err
#   state_field ID EXPR      evaluate EXPR on `hutch-oci state ID` (parsed as d)
#   wait_status ID STATUS    poll `state` until .status is STATUS (10 s)
#   assert_no_state ID       the state directory has no entry for ID
#   track_pid PID            kill PID (a process the test started) in teardown

_INTEGRATION_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# run_split and assert_one_error_line, shared with the CLI tests
source "$_INTEGRATION_LIB/../../cli/helpers.bash"
source "$_INTEGRATION_LIB/users.bash"

HUTCH_TEST_CACHE=${HUTCH_TEST_CACHE:-/tmp/hutch-test-cache}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Bump when the layout of the rootfs changes, so that a cached one is rebuilt.
_ROOTFS_LAYOUT=2
# One cached rootfs per content (layout, busybox, probe): test runs of different builds
# (another probe) side by side each use their own and never replace one in use.
_rootfs_key() {
    {
        echo "layout=$_ROOTFS_LAYOUT"
        sha256sum "$BUSYBOX" 2>/dev/null | cut -d' ' -f1
        sha256sum "${HUTCH_PROBE:-/nonexistent}" 2>/dev/null | cut -d' ' -f1
    } | sha256sum | cut -c1-16
}
ROOTFS=$HUTCH_TEST_CACHE/rootfs-$(_rootfs_key)

# Exec the rest of the command line with default dispositions and an empty signal mask.
# bash starts background jobs with SIGINT and SIGQUIT ignored, and an ignored signal stays
# ignored across exec: a shell inside the container could not trap it.
SIGDFL_PY='
import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGHUP,
          signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTSTP, signal.SIGTTIN,
          signal.SIGTTOU):
    signal.signal(s, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_SETMASK, [])
os.execvp(sys.argv[1], sys.argv[1:])
'

require_root() {
    [ "$(id -u)" -eq 0 ] || skip "the integration tests create users, mounts and namespaces: run them as root"
}

_build_rootfs_locked() {
    local tmp applet
    [ -d "$ROOTFS" ] && return 0
    tmp=$HUTCH_TEST_CACHE/rootfs.new.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"/{bin,etc,proc,sys,dev,tmp,root,home/user,var,run,mnt}
    chmod 1777 "$tmp/tmp"
    chmod 700 "$tmp/root"
    cp "$BUSYBOX" "$tmp/bin/busybox"
    chmod 755 "$tmp/bin/busybox"
    cp "$HUTCH_PROBE" "$tmp/bin/hutch-probe"
    chmod 755 "$tmp/bin/hutch-probe"
    for applet in $("$BUSYBOX" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
    done
    cat >"$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$tmp/etc/group" <<'EOF'
root:x:0:
tty:x:5:
user:x:1000:
nogroup:x:65534:
EOF
    : >"$tmp/etc/hostname"
    chown 1000:1000 "$tmp/home/user"
    mv "$tmp" "$ROOTFS"
}

# Build the busybox rootfs once per test run (a cached one is reused while /bin/busybox and
# the probe are unchanged). Called from setup_file of every file.
build_rootfs() {
    require_root
    [ -n "${HUTCH_PROBE:-}" ] || {
        echo "HUTCH_PROBE must name the hutch-probe binary (meson sets it: build/tests/helpers/hutch-probe)" >&2
        return 1
    }
    [ -f "$HUTCH_PROBE" ] && [ -x "$HUTCH_PROBE" ] || {
        echo "HUTCH_PROBE=$HUTCH_PROBE is not an executable file: meson compile -C build" >&2
        return 1
    }
    [ -x "$BUSYBOX" ] && "$BUSYBOX" --list >/dev/null 2>&1 || {
        echo "$BUSYBOX missing: apt-get install -y busybox-static" >&2
        return 1
    }
    mkdir -p "$HUTCH_TEST_CACHE"
    (
        flock -w 120 9 || { echo "cannot lock $HUTCH_TEST_CACHE/rootfs.lock" >&2; exit 1; }
        _build_rootfs_locked
    ) 9>"$HUTCH_TEST_CACHE/rootfs.lock"
}

common_setup_file() {
    require_root
    : "${HUTCH_OCI:?HUTCH_OCI must name the hutch-oci binary (meson sets it)}"
    build_rootfs
}

use_root() {
    MODE=root
    TEST_USER=
    STATE=$BATS_FILE_TMPDIR/state
    OCI=("$HUTCH_OCI" --root "$STATE")
    # Not under $BATS_TEST_TMPDIR, whose parents are private to root: with a user namespace
    # the container's root is another host uid, which must reach the bundle.
    SCRATCH=$(mktemp -d /tmp/hutch-it-root.XXXXXX)
    chmod 711 "$SCRATCH"
}

use_rootless() { # USER
    MODE=rootless
    TEST_USER=$1
    local AS_USER
    as_user_argv "$TEST_USER" || return 1
    OCI=("${AS_USER[@]}" "$HUTCH_OCI")
    STATE=$(user_runtime_dir "$TEST_USER")/hutch-oci
    SCRATCH=$(user_home "$TEST_USER")/t$BATS_TEST_NUMBER
    rm -rf "$SCRATCH"
    mkdir -p "$SCRATCH"
    chown "$TEST_USER:" "$SCRATCH"
}

# Hand PATHs (made by the test as root) to the test user in rootless mode.
own() {
    [ "$MODE" = rootless ] && chown -R "$TEST_USER:" "$@"
    return 0
}

# Run a command (not hutch-oci) as the mode's user: the test user, or root.
as_mode_user() {
    if [ "$MODE" = rootless ]; then as_user "$TEST_USER" "$@"; else "$@"; fi
}

# oci ARGS...: hutch-oci in the current mode. stdout and stderr go to files, not pipes:
# a container started by create/run -d inherits them and would keep a pipe open.
oci() {
    local o=$BATS_TEST_TMPDIR/oci.out e=$BATS_TEST_TMPDIR/oci.err
    set +e
    timeout -k 5 "${OCI_TIMEOUT:-20}" "${OCI[@]}" "$@" </dev/null >"$o" 2>"$e" 3>&-
    status=$?
    set -e
    out=$(cat "$o")
    err=$(cat "$e")
    if [ "$status" -eq 124 ]; then
        echo "hutch-oci $* timed out" >&2
    fi
    return 0
}

oci_ok() {
    oci "$@"
    if [ "$status" -ne 0 ]; then
        echo "hutch-oci $* failed with status $status" >&2
        echo "stdout: $out" >&2
        echo "stderr: $err" >&2
        return 1
    fi
}

# json EXPR: evaluate EXPR on the JSON document read from stdin (as d). Strings print
# bare, everything else as JSON.
json() {
    python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# config_set DIR 'statements': edit DIR/config.json in place (owner and mode kept).
config_set() {
    python3 - "$1/config.json" "$2" <<'EOF'
import json, sys
path, code = sys.argv[1], sys.argv[2]
with open(path) as fh:
    d = json.load(fh)
exec(code, {"d": d, "json": json})
with open(path, "r+") as fh:
    fh.seek(0)
    fh.truncate()
    json.dump(d, fh, indent=1)
    fh.write("\n")
EOF
}

config_get() { # DIR EXPR
    json "$2" <"$1/config.json"
}

set_args() { # DIR ARG...
    local dir=$1
    shift
    python3 - "$dir/config.json" "$@" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as fh:
    d = json.load(fh)
d["process"]["args"] = sys.argv[2:]
with open(path, "r+") as fh:
    fh.seek(0)
    fh.truncate()
    json.dump(d, fh, indent=1)
EOF
}

# make_bundle DIR [--rootless] [--verbatim]: DIR/rootfs (a copy of the test rootfs) and
# DIR/config.json from `hutch-oci spec`. With --rootless the spec is `spec --rootless` made
# by the test user of the current mode (so it maps that user's ids) and DIR belongs to that
# user. Unless --verbatim, two changes to the default: no terminal (tests have none), and
# no cgroup: neither the /sys/fs/cgroup mount nor linux.resources (the cgroup tests in
# process.bats use the default as it is).
make_bundle() {
    local dir=$1 rootless= verbatim=
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --rootless) rootless=1 ;;
            --verbatim) verbatim=1 ;;
            *) echo "make_bundle: unknown option $1" >&2; return 1 ;;
        esac
        shift
    done
    mkdir -p "$dir"
    cp -a "$ROOTFS" "$dir/rootfs"
    if [ -n "$rootless" ]; then
        [ -n "${TEST_USER:-}" ] || { echo "make_bundle --rootless: call use_rootless first" >&2; return 1; }
        chown -R "$TEST_USER:" "$dir"
        as_user "$TEST_USER" "$HUTCH_OCI" spec --rootless --bundle "$dir" || return 1
    else
        "$HUTCH_OCI" spec --bundle "$dir" || return 1
    fi
    if [ -z "$verbatim" ]; then
        config_set "$dir" '
d["process"]["terminal"] = False
d["mounts"] = [m for m in d["mounts"] if m["destination"] != "/sys/fs/cgroup"]
d["linux"].pop("resources", None)'
    fi
}

# new_bundle [--verbatim]: a fresh bundle for the current mode; prints its path.
new_bundle() {
    local dir
    dir=$(mktemp -d -p "$SCRATCH" bundle.XXXXXX)
    chmod 755 "$dir"
    if [ "$MODE" = rootless ]; then
        make_bundle "$dir" --rootless "$@" || return 1
    else
        make_bundle "$dir" "$@" || return 1
    fi
    echo "$dir"
}

# A fresh container id, remembered for teardown.
new_id() {
    local id
    id=hit${BATS_TEST_NUMBER}-$(tr -dc a-z0-9 </dev/urandom | head -c 8)
    echo "$id" >>"$BATS_TEST_TMPDIR/ids"
    echo "$id"
}

# track_pid PID: kill PID in teardown, if it is still the same process (same start time).
track_pid() {
    echo "$1 $(pid_starttime "$1")" >>"$BATS_TEST_TMPDIR/pids"
}

# run_in BUNDLE ARG...: run ARG... in a new container of BUNDLE in the foreground.
run_in() {
    local bundle=$1 id
    shift
    set_args "$bundle" "$@"
    id=$(new_id)
    oci run --bundle "$bundle" "$id"
}

# The same, failing the test unless the container exits 0.
run_in_ok() {
    run_in "$@"
    if [ "$status" -ne 0 ]; then
        echo "container '$*' exited $status" >&2
        echo "stdout: $out" >&2
        echo "stderr: $err" >&2
        return 1
    fi
}

# state_field ID EXPR: EXPR evaluated on the state JSON of ID; fails when state fails.
state_field() {
    local s
    oci state "$1"
    [ "$status" -eq 0 ] || { echo "state $1 failed ($status): $err" >&2; return 1; }
    s=$out
    json "$2" <<<"$s"
}

ctr_status() {
    state_field "$1" 'd["status"]'
}

ctr_pid() {
    state_field "$1" 'd["pid"]'
}

wait_status() { # ID STATUS [SECONDS]
    local id=$1 want=$2 n=$((${3:-10} * 10)) got=
    while [ "$n" -gt 0 ]; do
        got=$(ctr_status "$id" 2>/dev/null) || got="(state failed)"
        [ "$got" = "$want" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    echo "container $id: status '$got', expected '$want'" >&2
    return 1
}

# wait_file PATH [SECONDS]: until PATH exists.
wait_file() {
    local n=$((${2:-10} * 10))
    while [ "$n" -gt 0 ]; do
        [ -e "$1" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    echo "timed out waiting for $1" >&2
    return 1
}

# The entries of the state directory that belong to ID (any name containing the id).
state_entries() {
    [ -d "$STATE" ] || return 0
    find "$STATE" -mindepth 1 -name "*$1*" 2>/dev/null
}

assert_no_state() { # ID
    local left
    left=$(state_entries "$1")
    [ -z "$left" ] || { echo "state left behind for $1: $left" >&2; return 1; }
}

# assert_error NAME: the last `oci` failed with status 1 and one line on stderr naming NAME.
assert_error() {
    [ "$status" -eq 1 ] || { echo "status $status, expected 1; stderr: $err" >&2; return 1; }
    assert_one_error_line "$1"
}

# The process PID is alive and not a zombie.
pid_alive() {
    [ -r "/proc/$1/stat" ] || return 1
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
    [ "$st" != Z ] && [ "$st" != X ]
}

# Kill what a failed or hung command of this test left running: processes with one of the
# test's container ids (random, made by new_id) as a whole argument, that is, hutch-oci
# commands the test ran and the container processes they forked before exec.
_kill_leftovers() { # IDS_FILE
    local pids
    pids=$(python3 - "$1" "$$" <<'EOF'
import os, sys
ids = set(open(sys.argv[1]).read().split())
me = int(sys.argv[2])
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == me:
        continue
    try:
        args = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
    except OSError:
        continue
    if any(a.decode(errors="replace") in ids for a in args):
        print(p)
EOF
    )
    [ -z "$pids" ] && return 0
    echo "killing leftover processes of this test: $pids" >&2
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

common_teardown() {
    local id p
    if [ -f "$BATS_TEST_TMPDIR/pids" ]; then
        local t
        while read -r p t; do
            if pid_alive "$p" && [ "$(pid_starttime "$p")" = "$t" ]; then
                kill -KILL "$p" 2>/dev/null || true
            fi
        done <"$BATS_TEST_TMPDIR/pids"
    fi
    if [ -f "$BATS_TEST_TMPDIR/ids" ] && [ "${#OCI[@]}" -gt 0 ]; then
        while read -r id; do
            timeout -k 5 20 "${OCI[@]}" delete --force "$id" </dev/null >/dev/null 2>&1 3>&- || true
        done <"$BATS_TEST_TMPDIR/ids"
        _kill_leftovers "$BATS_TEST_TMPDIR/ids"
    fi
    if [ -f "$BATS_TEST_TMPDIR/host_paths" ]; then
        while read -r p; do
            [ -n "$p" ] || continue
            mountpoint -q "$p" 2>/dev/null && umount -l "$p"
            rm -rf "$p"
        done <"$BATS_TEST_TMPDIR/host_paths"
    fi
    if [ -n "${SCRATCH:-}" ] && [ -d "$SCRATCH" ]; then
        rm -rf "$SCRATCH"
    fi
    return 0
}

setup() {
    OCI=()
    MODE=
    TEST_USER=
    SCRATCH=
}

teardown() {
    common_teardown
}

# map_subids BUNDLE: container ids 0 -> the test user, 1-65536 -> its subordinate range
# (/etc/subuid, /etc/subgid), as rootless podman does. For a user made with --subids.
map_subids() {
    local uid gid su sg
    uid=$(id -u "$TEST_USER")
    gid=$(id -g "$TEST_USER")
    su=$(subid_start "$TEST_USER" /etc/subuid)
    sg=$(subid_start "$TEST_USER" /etc/subgid)
    [ -n "$su" ] && [ -n "$sg" ] || { echo "$TEST_USER has no subordinate ids" >&2; return 1; }
    config_set "$1" "
d['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $uid, 'size': 1},
                             {'containerID': 1, 'hostID': $su, 'size': 65536}]
d['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $gid, 'size': 1},
                             {'containerID': 1, 'hostID': $sg, 'size': 65536}]"
}

# add_out_mount BUNDLE: a host directory bind-mounted read-write at /out (its mount point
# made in the rootfs beforehand, so tests that use it do not depend on mount-point
# creation); prints the host directory.
add_out_mount() {
    local bundle=$1 dir
    dir=$bundle.out
    mkdir -p "$dir" "$bundle/rootfs/out"
    own "$dir" "$bundle/rootfs/out"
    config_set "$bundle" "d['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$dir', 'options': ['rbind', 'rw']})"
    echo "$dir"
}

# Remove the named namespace types from linux.namespaces.
drop_namespaces() { # BUNDLE TYPE...
    local bundle=$1
    shift
    config_set "$bundle" "
drop = set('$*'.split())
d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] not in drop]"
}

# start_bg VAR CMD...: start the hutch-oci command line CMD... (after OCI) in the background
# with default signal dispositions; stdout/stderr in $BATS_TEST_TMPDIR/bg.out/.err. The pid
# (of hutch-oci itself: every wrapper execs) goes to VAR and is killed in teardown.
start_bg() {
    local __var=$1 __pid
    shift
    python3 -c "$SIGDFL_PY" "${OCI[@]}" "$@" </dev/null >"$BATS_TEST_TMPDIR/bg.out" \
        2>"$BATS_TEST_TMPDIR/bg.err" 3>&- &
    __pid=$!
    track_pid "$__pid"
    printf -v "$__var" '%s' "$__pid"
}

# wait_pid PID [SECONDS]: wait for a background child; its exit status goes to $rc. Fails
# (after killing it) when it is still running after SECONDS (default 10).
wait_pid() {
    local pid=$1 n=$((${2:-10} * 10))
    while pid_alive "$pid" && [ "$n" -gt 0 ]; do
        sleep 0.1
        n=$((n - 1))
    done
    if pid_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rc=
        echo "process $pid still running after ${2:-10} s" >&2
        return 1
    fi
    rc=0
    wait "$pid" || rc=$?
}

# The start time of PID (field 22 of /proc/PID/stat): tells a process from a later one
# that reuses its pid.
pid_starttime() {
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# The process that was PID at START is gone (or is a zombie).
pid_gone() { # PID START
    local now
    pid_alive "$1" || return 0
    now=$(pid_starttime "$1")
    [ "$now" != "$2" ]
}

# mi DEST EXPR: EXPR evaluated on the topmost mount at DEST in the mountinfo text held in
# $out (up to a line "==="), as m = {opts, optional, fstype, source, super} (lists of
# strings, or strings); None when nothing is mounted at DEST. Prints like json().
mi() {
    python3 -c '
import json, sys
dest, expr, text = sys.argv[1], sys.argv[2], sys.argv[3]
m = None
for line in text.split("\n"):
    if line == "===":
        break
    f = line.split()
    if len(f) < 10 or f[4] != dest:
        continue
    sep = f.index("-")
    m = {"opts": f[5].split(","), "optional": f[6:sep], "fstype": f[sep + 1],
         "source": f[sep + 2], "super": f[sep + 3].split(","), "root": f[3]}
r = eval(expr) if m is not None else None
print(r if isinstance(r, str) else json.dumps(r))' "$1" "$2" "$out"
}

# after_marker: the part of $out after the line "===".
after_marker() {
    sed '1,/^===$/d' <<<"$out"
}

# remember_host_path PATH: a path on the host that a buggy runtime might create; removed
# in teardown. Only for paths with the test's own unique names.
remember_host_path() {
    echo "$1" >>"$BATS_TEST_TMPDIR/host_paths"
}

# oci_private_ns SETUP ARGS...: like oci, but hutch-oci runs in a private mount namespace of
# its own (as root; then as the mode's user) after the shell commands SETUP ran there: for
# mounts the host must not see (a shared mount, a submount of a bind source).
oci_private_ns() {
    local setup=$1 o=$BATS_TEST_TMPDIR/oci.out e=$BATS_TEST_TMPDIR/oci.err
    shift
    set +e
    timeout -k 5 "${OCI_TIMEOUT:-20}" unshare -m --propagation private \
        bash -c "set -e; $setup"$'\n''exec "$@"' _ "${OCI[@]}" "$@" </dev/null >"$o" 2>"$e" 3>&-
    status=$?
    set -e
    out=$(cat "$o")
    err=$(cat "$e")
    return 0
}

# assert_mi DEST EXPR: mi DEST EXPR is true; otherwise show the mount.
assert_mi() {
    local r
    r=$(mi "$1" "$2")
    [ "$r" = true ] && return 0
    echo "mount at $1: $(mi "$1" 'm')" >&2
    echo "expected: $2" >&2
    return 1
}

# assert_eq GOT WANT
assert_eq() {
    [ "$1" = "$2" ] && return 0
    printf 'got:  %q\nwant: %q\n' "$1" "$2" >&2
    return 1
}
