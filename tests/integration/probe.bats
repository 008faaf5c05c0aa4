#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-probe (tests/helpers/probe.c) on the host, as root: static, its output parses, and a
# wrong usage is one line and status 2. The other files run it inside containers.

load lib/common

setup_file() {
    require_root
    : "${HUTCH_PROBE:?HUTCH_PROBE must name the hutch-probe binary (meson sets it)}"
}

# probe ARGS...: the probe on the host; sets $status, $out, $err.
probe() {
    run_split "$HUTCH_PROBE" "$@"
}

# The keys of $out, in order, one per line.
keys() {
    sed 's/=.*//' <<<"$out"
}

# The value of KEY in $out.
value() {
    sed -n "s/^$1=//p" <<<"$out"
}

# The capability names of the hexadecimal mask HEX (a Cap* line of /proc/self/status), in
# bit order, comma-separated: what the probe must print for that set.
cap_names_of() {
    python3 - "$1" <<'EOF'
import sys
names = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
         "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
         "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
         "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
         "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
         "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
         "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"]
mask = int(sys.argv[1], 16)
print(",".join("CAP_" + (names[b] if b < len(names) else str(b))
               for b in range(64) if mask >> b & 1))
EOF
}

@test "hutch-probe is a static executable" {
    run file -L "$HUTCH_PROBE"
    echo "$output"
    [[ "$output" == *"statically linked"* ]]
    run ldd "$HUTCH_PROBE"
    echo "$output"
    [ "$status" -ne 0 ] || [[ "$output" == *"not a dynamic executable"* ]]
}

@test "hutch-probe caps: the five sets of /proc/self/status, by name" {
    probe caps
    [ "$status" -eq 0 ]
    [ -z "$err" ]
    assert_eq "$(keys | tr '\n' ' ')" "bounding effective permitted inheritable ambient "
    # the probe's own sets, which are the shell's (root without file capabilities)
    local key field
    for key in bounding effective permitted inheritable ambient; do
        case $key in
            bounding) field=CapBnd ;; effective) field=CapEff ;; permitted) field=CapPrm ;;
            inheritable) field=CapInh ;; ambient) field=CapAmb ;;
        esac
        assert_eq "$(value "$key")" "$(cap_names_of "$(awk -v f="$field:" '$1 == f { print $2 }' /proc/self/status)")"
    done
    [[ ",$(value bounding)," == *,CAP_SYS_ADMIN,* ]]
    [[ ",$(value effective)," == *,CAP_SYS_ADMIN,* ]]
}

@test "hutch-probe status: ids, groups, no_new_privs, seccomp, dumpable, pid" {
    probe status
    [ "$status" -eq 0 ]
    assert_eq "$(keys | tr '\n' ' ')" "uid gid euid egid groups nnp seccomp dumpable pid "
    assert_eq "$(value uid)" 0
    assert_eq "$(value euid)" 0
    assert_eq "$(value gid)" "$(id -g)"
    assert_eq "$(value nnp)" "$(awk '$1 == "NoNewPrivs:" { print $2 }' /proc/self/status)"
    assert_eq "$(value seccomp)" "$(awk '$1 == "Seccomp:" { print $2 }' /proc/self/status)"
    [[ "$(value pid)" =~ ^[0-9]+$ ]]
    [ "$(value pid)" -ne $$ ]
    # supplementary groups as setpriv gives them
    run_split setpriv --groups 10,20 "$HUTCH_PROBE" status
    assert_eq "$(value groups)" 10,20
    run_split setpriv --no-new-privs "$HUTCH_PROBE" status
    assert_eq "$(value nnp)" 1
}

@test "hutch-probe syscall: ok, or the errno by name; every name is known before the first call" {
    probe syscall getpid personality setns chmod add_key
    [ "$status" -eq 0 ]
    assert_eq "$out" $'getpid=ok\npersonality=ok\nsetns=EBADF\nchmod=ENOENT\nadd_key=EINVAL'
    # without CAP_SYS_BOOT the same call is refused
    run_split setpriv --inh-caps=-all --bounding-set=-sys_boot "$HUTCH_PROBE" syscall reboot
    assert_eq "$out" reboot=EPERM
    probe syscall reboot
    assert_eq "$out" reboot=EINVAL
    probe syscall getpid no_such_call
    [ "$status" -eq 2 ]
    [ -z "$out" ]
    assert_eq "$err" "hutch-probe: unknown syscall no_such_call"
}

@test "hutch-probe open: one line per mode, never created" {
    # not under $BATS_TEST_TMPDIR, whose parents only root can search
    d=$(mktemp -d /tmp/hutch-it-probe.XXXXXX)
    remember_host_path "$d"
    chmod 755 "$d"
    f=$d/ro
    echo data >"$f"
    chmod 444 "$f"
    probe open "$f" r w rw
    [ "$status" -eq 0 ]
    # root passes the mode bits: every open succeeds, the file is unchanged
    assert_eq "$out" $'r=ok\nw=ok\nrw=ok'
    assert_eq "$(cat "$f")" data
    run_split setpriv --reuid 65534 --regid 65534 --clear-groups "$HUTCH_PROBE" open "$f" r w
    assert_eq "$out" $'r=ok\nw=EACCES'
    probe open "$d/missing" r w
    assert_eq "$out" $'r=ENOENT\nw=ENOENT'
    [ ! -e "$d/missing" ]
    probe open "$f" x
    [ "$status" -eq 2 ]
    assert_one_error_line "x"
}

@test "hutch-probe label and sleep; a wrong usage is one line and status 2" {
    probe label
    [ "$status" -eq 0 ]
    assert_eq "$(keys | tr '\n' ' ')" "label exec_label "
    probe sleep 0.1
    [ "$status" -eq 0 ]
    [ -z "$out" ]
    probe help
    [ "$status" -eq 0 ]
    [[ "$out" == *exe-attack* ]]
    for args in "" "bogus" "sleep" "sleep x" "caps extra" "exe-attack" "open /"; do
        # shellcheck disable=SC2086 # the words of each case are the arguments
        probe $args
        echo "hutch-probe $args: $status, '$err'"
        [ "$status" -eq 2 ]
        assert_one_error_line "hutch-probe:"
    done
}

@test "hutch-probe exe-attack: a busy binary refuses, an exited one write-opens; nothing written" {
    # a copy of the probe named like the runtime, sleeping: its binary is busy
    d=$(mktemp -d /tmp/hutch-it-probe.XXXXXX)
    remember_host_path "$d"
    cp "$HUTCH_PROBE" "$d/hutch-oci-lookalike"
    sum=$(sha256sum <"$d/hutch-oci-lookalike")
    "$d/hutch-oci-lookalike" sleep 5 &
    pid=$!
    track_pid "$pid"
    probe exe-attack 0.3
    kill "$pid"
    wait "$pid" || true
    echo "$out"
    [ "$status" -eq 0 ]
    assert_eq "$(keys | tr '\n' ' ')" "seen exe writable errors "
    [ "$(value seen)" -ge 1 ]
    [[ "$(value exe)" == *hutch* ]]
    # while it runs its binary cannot be opened for writing: ETXTBSY
    [[ ",$(value errors)," == *,ETXTBSY,* ]]
    assert_eq "$(sha256sum <"$d/hutch-oci-lookalike")" "$sum"

    # one that exits while the probe holds its exe: the write-open through the handle then
    # succeeds (the attack of CVE-2019-5736 on an on-disk binary), and nothing is written
    # (the attack runs until a stop file exists, so a slow start of either misses nothing)
    "$d/hutch-oci-lookalike" sleep 2 &
    pid=$!
    track_pid "$pid"
    # the stopper: once the lookalike is a zombie (exited, not yet reaped), a second more
    (
        while [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null || echo Z)" != Z ]; do
            sleep 0.1
        done
        sleep 1
        touch "$d/stop"
    ) &
    stopper=$!
    probe exe-attack 60 "$d/stop"
    wait "$pid" || true
    wait "$stopper"
    echo "$out"
    [ "$(value seen)" -ge 1 ]
    assert_eq "$(value writable)" 1
    assert_eq "$(sha256sum <"$d/hutch-oci-lookalike")" "$sum"
}
