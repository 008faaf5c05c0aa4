#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What the container's process can do, read from inside with hutch-probe: its capability
# sets, no_new_privs against a setuid binary, the system calls seccomp leaves it (the
# default profile, none, a custom filter), masked and read-only paths; and mounts that
# must land inside the rootfs: destinations through a symlink or with "..", and a rootfs
# swapped for a symlink between create and start.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-security-one) # no subordinate ids
    U_SUB=$(test_user_name hit-security-sub) # with /etc/subuid and /etc/subgid ranges
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

teardown() {
    restore_swapped_rootfs
    common_teardown
}

# The value of KEY in the key=value lines of $out.
value() {
    sed -n "s/^$1=//p" <<<"$out"
}

# The mount points of the host, as the test's shell sees them.
mount_points() {
    awk '{ print $5 }' /proc/self/mountinfo | sort
}

# ---------------------------------------------------------------------------------------
# capabilities

# A spec with five different sets.
CAPS='{"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"],
    "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "inheritable": ["CAP_NET_BIND_SERVICE"],
    "ambient": ["CAP_NET_BIND_SERVICE"]}'

# expected_caps BUNDLE UID: what `hutch-probe caps` must print for process.capabilities of
# BUNDLE, the runtime having set them before the execve of the probe (a file without
# capabilities and not setuid). capabilities(7), "Transformation of capabilities during
# execve()": bounding, inheritable and ambient are kept; the permitted and effective sets
# become the ambient set for a non-root user, and for root (no SECBIT_NOROOT) the
# inheritable set plus the bounding set plus the ambient set, which no_new_privs limits to
# what was permitted before.
expected_caps() {
    config_get "$1" 'd["process"]' | python3 -c '
import json, sys
names = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
         "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
         "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
         "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
         "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
         "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
         "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"]
names = ["CAP_" + n for n in names]
p = json.load(sys.stdin)
c = p.get("capabilities", {})
uid = int(sys.argv[1])
s = {k: set(c.get(k, [])) for k in ("bounding", "effective", "permitted", "inheritable", "ambient")}
if uid == 0:
    before = s["permitted"]
    s["permitted"] = s["inheritable"] | s["bounding"] | s["ambient"]
    if p.get("noNewPrivileges"):
        s["permitted"] &= before
else:
    s["permitted"] = set(s["ambient"])
s["effective"] = set(s["permitted"])
for k in ("bounding", "effective", "permitted", "inheritable", "ambient"):
    print(k + "=" + ",".join(n for n in names if n in s[k]))' "$2"
}

caps_sets() { # UID [NO_NEW_PRIVILEGES]
    b=$(new_bundle)
    [ "$MODE" = rootless ] && [ "$1" -ne 0 ] && map_subids "$b"
    config_set "$b" "
d['process']['user'] = {'uid': $1, 'gid': $1}
d['process']['noNewPrivileges'] = ${2:-True}
d['process']['capabilities'] = json.loads('''$CAPS''')"
    run_in_ok "$b" hutch-probe caps
    echo "$out"
    assert_eq "$out" "$(expected_caps "$b" "$1")"
    # the sets that execve keeps are the spec's, as they are
    assert_eq "$(value bounding)" CAP_CHOWN,CAP_KILL,CAP_SETGID,CAP_SETUID,CAP_NET_BIND_SERVICE
    assert_eq "$(value inheritable)" CAP_NET_BIND_SERVICE
    assert_eq "$(value ambient)" CAP_NET_BIND_SERVICE

    # without process.capabilities: every set is empty
    config_set "$b" 'd["process"].pop("capabilities", None)'
    run_in_ok "$b" hutch-probe caps
    assert_eq "$out" $'bounding=\neffective=\npermitted=\ninheritable=\nambient='
}

caps_all() {
    caps_sets 1000
    caps_sets 0
    # without no_new_privs, root's execve gives it the whole bounding set
    if [ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)" = 0 ]; then
        caps_sets 0 False
    fi
}

@test "process.capabilities: five different sets, as a user and as root (root)" {
    use_root
    caps_all
}

@test "process.capabilities: five different sets, as a user and as root (rootless)" {
    use_rootless "$U_SUB"
    caps_all
}

unknown_cap() {
    b=$(new_bundle)
    set_args "$b" touch /started
    config_set "$b" 'd["process"]["capabilities"]["bounding"].append("CAP_FOO")'
    id=$(new_id)
    oci create --bundle "$b" "$id"
    echo "status $status: $err"
    [ "$status" -ne 0 ]
    assert_one_error_line CAP_FOO
    assert_no_state "$id"
    [ ! -e "$b/rootfs/started" ]
}

@test "a capability name that is none fails create in one line naming it, nothing left (root)" {
    use_root
    unknown_cap
}

@test "a capability name that is none fails create in one line naming it, nothing left (rootless)" {
    use_rootless "$U_ONE"
    unknown_cap
}

# ---------------------------------------------------------------------------------------
# noNewPrivileges against a setuid-root binary

nnp_setuid() {
    b=$(new_bundle)
    [ "$MODE" = rootless ] && map_subids "$b"
    # a setuid copy of the probe, owned by the container's root (rootless: the test user,
    # whom the map makes root inside)
    cp "$b/rootfs/bin/hutch-probe" "$b/rootfs/bin/suid-probe"
    if [ "$MODE" = rootless ]; then
        chown "$TEST_USER:" "$b/rootfs/bin/suid-probe"
    else
        chown 0:0 "$b/rootfs/bin/suid-probe"
    fi
    chmod 4755 "$b/rootfs/bin/suid-probe"
    config_set "$b" '
d["process"]["user"] = {"uid": 1000, "gid": 1000}
d["process"]["noNewPrivileges"] = True'
    run_in_ok "$b" suid-probe status
    echo "$out"
    assert_eq "$(value uid)" 1000
    assert_eq "$(value euid)" 1000
    assert_eq "$(value nnp)" 1
    if [ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)" = 1 ]; then
        return 0 # (a caller with no_new_privs cannot show the setuid taking effect)
    fi
    config_set "$b" 'd["process"]["noNewPrivileges"] = False'
    run_in_ok "$b" suid-probe status
    echo "$out"
    assert_eq "$(value uid)" 1000
    assert_eq "$(value euid)" 0
    assert_eq "$(value nnp)" 0
}

@test "noNewPrivileges: a setuid-root binary does not raise the euid, and does without it (root)" {
    use_root
    nnp_setuid
}

@test "noNewPrivileges: a setuid-root binary does not raise the euid, and does without it (rootless)" {
    use_rootless "$U_SUB"
    nnp_setuid
}

# ---------------------------------------------------------------------------------------
# seccomp

# Refused by the default profile of `hutch-oci spec`; getpid is not.
REFUSED="keyctl add_key bpf perf_event_open kexec_load init_module reboot unshare mount clock_settime"

# profile_answers BUNDLE NAME...: NAME=ERRNO for each NAME that an unconditional
# SCMP_ACT_ERRNO rule of BUNDLE's linux.seccomp names (errnoRet, default EPERM), NAME=ok for
# the others.
profile_answers() {
    local b=$1
    shift
    config_get "$b" 'd["linux"]["seccomp"]' | python3 -c '
import errno, json, sys
p = json.load(sys.stdin)
for name in sys.argv[1:]:
    ret = None
    for r in p.get("syscalls", []):
        if name in r["names"] and r["action"] == "SCMP_ACT_ERRNO" and not r.get("args"):
            ret = r.get("errnoRet", errno.EPERM)
            break
    print(name + "=" + ("ok" if ret is None else errno.errorcode[ret]))' "$@"
}

seccomp_default() {
    b=$(new_bundle)
    [ "$(config_get "$b" 'd["linux"]["seccomp"]["defaultAction"]')" = SCMP_ACT_ALLOW ]
    # shellcheck disable=SC2086 # REFUSED is a list of names
    want=$(profile_answers "$b" $REFUSED getpid)
    # every one of them refused by the profile, getpid allowed
    assert_eq "$(grep -c '=ok$' <<<"$want")" 1
    # shellcheck disable=SC2086
    run_in_ok "$b" hutch-probe syscall $REFUSED getpid
    echo "$out"
    assert_eq "$out" "$want"
    run_in_ok "$b" hutch-probe status
    assert_eq "$(value seccomp)" 2
}

@test "seccomp, the default profile: what it refuses fails with its errno, getpid runs (root)" {
    use_root
    seccomp_default
}

@test "seccomp, the default profile: what it refuses fails with its errno, getpid runs (rootless)" {
    use_rootless "$U_ONE"
    seccomp_default
}

# The capabilities of the test's shell (root), by name.
host_caps_json() {
    python3 -c '
import json
names = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
         "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
         "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
         "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
         "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
         "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
         "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"]
bnd = int(open("/proc/self/status").read().split("CapBnd:")[1].split()[0], 16)
print(json.dumps(["CAP_" + n for i, n in enumerate(names) if bnd >> i & 1]))'
}

seccomp_none() {
    b=$(new_bundle)
    caps=$(host_caps_json)
    config_set "$b" "
d['linux'].pop('seccomp')
c = json.loads('$caps')
d['process']['capabilities'] = {k: c for k in ('bounding', 'effective', 'permitted', 'inheritable', 'ambient')}"
    # shellcheck disable=SC2086
    run_in_ok "$b" hutch-probe syscall $REFUSED
    echo "container: $out"
    got=$out
    # the same calls from the host's root with the same capabilities
    # shellcheck disable=SC2086
    run_split "$HUTCH_PROBE" syscall $REFUSED
    echo "host:      $out"
    want=$out
    if [ "$MODE" = rootless ]; then
        # kexec_load and init_module need the capability in the initial user namespace: a
        # kernel with them refuses the container's root in its own
        want=$(sed -E '/^(kexec_load|init_module)=/{/=ENOSYS$/!s/=.*/=EPERM/}' <<<"$want")
    fi
    assert_eq "$got" "$want"
    # nothing is refused for the calls the process has the capability for
    refused=$got
    [ "$MODE" = root ] || refused=$(grep -vE '^(kexec_load|init_module)=' <<<"$got")
    if grep '=EPERM$' <<<"$refused"; then
        echo "refused although the process has the capability"
        false
    fi

    # the same without the capabilities they need: refused again, by the kernel
    config_set "$b" "
d['process']['capabilities'] = {k: ['CAP_KILL'] for k in ('bounding', 'effective', 'permitted')}"
    run_in_ok "$b" hutch-probe syscall reboot unshare swapon pivot_root getpid
    assert_eq "$out" $'reboot=EPERM\nunshare=EPERM\nswapon=EPERM\npivot_root=EPERM\ngetpid=ok'
}

@test "seccomp, none: the same calls answer as on the host, capabilities decide (root)" {
    use_root
    seccomp_none
}

@test "seccomp, none: the same calls answer as on the host, capabilities decide (rootless)" {
    use_rootless "$U_ONE"
    seccomp_none
}

seccomp_custom() {
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [
      {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42},
      {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
       "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]}'
    # linux64 calls personality(PER_LINUX), which the condition lets through
    run_in_ok "$b" sh -c 'hutch-probe syscall chmod personality mknod getpid
        linux64 hutch-probe status'
    echo "$out"
    assert_eq "$(sed -n 1,4p <<<"$out")" $'chmod=ENOMSG\npersonality=EACCES\nmknod=ENOENT\ngetpid=ok'
    assert_eq "$(value seccomp)" 2
}

@test "seccomp, a custom filter: errnoRet 42 is ENOMSG, an argument condition refuses that value only (root)" {
    use_root
    seccomp_custom
}

@test "seccomp, a custom filter: errnoRet 42 is ENOMSG, an argument condition refuses that value only (rootless)" {
    use_rootless "$U_ONE"
    seccomp_custom
}

# ---------------------------------------------------------------------------------------
# maskedPaths and readonlyPaths

masked_readonly() {
    b=$(new_bundle)
    r=$b/rootfs
    mkdir -p "$r/secret" "$r/secretdir/sub" "$r/rodir"
    echo secret >"$r/secret/file"
    echo secret >"$r/secretdir/sub/file"
    echo data >"$r/rodir/file"
    echo data >"$r/rofile"
    own "$r/secret" "$r/secretdir" "$r/rodir" "$r/rofile"
    config_set "$b" '
d["linux"]["maskedPaths"] += ["/secret/file", "/secretdir"]
d["linux"]["readonlyPaths"] += ["/rodir", "/rofile"]'
    run_in_ok "$b" sh -c '
        hutch-probe open /secret/file r; wc -c </secret/file
        hutch-probe open /secretdir r; ls -A /secretdir | wc -l
        hutch-probe open /secretdir/sub/file r
        touch /secretdir/new 2>/dev/null && echo dir-written || echo dir-refused
        echo ===
        hutch-probe open /rodir/file r w rw
        hutch-probe open /rofile r w
        touch /rodir/new 2>/dev/null && echo rodir-written || echo rodir-refused'
    echo "$out"
    assert_eq "$(sed -n '1,/^===$/p' <<<"$out" | tr -d ' ')" $'r=ok\n0\nr=ok\n0\nr=ENOENT\ndir-refused\n==='
    assert_eq "$(after_marker)" $'r=ok\nw=EROFS\nrw=EROFS\nr=ok\nw=EROFS\nrodir-refused'
    # the files under them are untouched
    assert_eq "$(cat "$r/secret/file" "$r/secretdir/sub/file" "$r/rodir/file" "$r/rofile")" \
        $'secret\nsecret\ndata\ndata'
    [ ! -e "$r/secretdir/new" ]
    [ ! -e "$r/rodir/new" ]
}

@test "maskedPaths read empty and are not writable; readonlyPaths open w=EROFS (root)" {
    use_root
    masked_readonly
    # the defaults of hutch-oci spec: /proc/sys read-only; /proc/timer_list and
    # /sys/firmware masked (both have content on the host)
    [ -n "$(head -c 1 /proc/timer_list)" ]
    [ -n "$(ls -A /sys/firmware)" ]
    b=$(new_bundle)
    run_in_ok "$b" sh -c 'hutch-probe open /proc/sys/kernel/hostname r w
        hutch-probe open /proc/timer_list r; wc -c </proc/timer_list
        hutch-probe open /sys/firmware r; ls -A /sys/firmware | wc -l'
    assert_eq "$(tr -d ' ' <<<"$out")" $'r=ok\nw=EROFS\nr=ok\n0\nr=ok\n0'
}

@test "maskedPaths read empty and are not writable; readonlyPaths open w=EROFS (rootless)" {
    use_rootless "$U_ONE"
    masked_readonly
}

# ---------------------------------------------------------------------------------------
# mount destinations that would leave the rootfs

# rootfs-mounts.bats has links to /etc and dangling links below a destination; here the
# destination is itself a link to an absolute path of the host, or climbs with "..".
mount_dest_escape() {
    b=$(new_bundle)
    src=$SCRATCH/src
    mkdir "$src"
    echo src >"$src/marker"
    outside=$SCRATCH/outside
    mkdir "$outside"
    # the link's target exists inside the rootfs as well: the mount must land there
    mkdir -p "$b/rootfs$outside"
    own "$src" "$outside" "$b/rootfs"
    ln -s "$outside" "$b/rootfs/evil"
    [ "$MODE" = root ] || chown -h "$TEST_USER:" "$b/rootfs/evil"
    name=hutch-dotdot-$(basename "$b")
    remember_host_path "/tmp/$name"
    config_set "$b" "
d['mounts'].append({'destination': '/evil', 'type': 'bind', 'source': '$src', 'options': ['rbind']})
d['mounts'].append({'destination': '/../../../tmp/$name', 'type': 'bind', 'source': '$src',
                    'options': ['rbind']})"
    before=$(mount_points)
    run_in_ok "$b" sh -c "
        hutch-probe open /evil/marker r; cat /evil/marker
        hutch-probe open '$outside/marker' r
        hutch-probe open '/tmp/$name/marker' r; cat '/tmp/$name/marker'"
    echo "$out"
    assert_eq "$out" $'r=ok\nsrc\nr=ok\nr=ok\nsrc'
    # the host: no new mount, nothing in the link's target, no /tmp/NAME
    assert_eq "$(mount_points)" "$before"
    [ -z "$(ls -A "$outside")" ]
    [ ! -e "/tmp/$name" ]
    # the mount points were made in the rootfs
    [ -d "$b/rootfs/tmp/$name" ]
    [ -L "$b/rootfs/evil" ]
}

@test "a mount destination that is a link to a host path, or climbs with .., lands in the rootfs (root)" {
    use_root
    mount_dest_escape
}

@test "a mount destination that is a link to a host path, or climbs with .., lands in the rootfs (rootless)" {
    use_rootless "$U_ONE"
    mount_dest_escape
}

# ---------------------------------------------------------------------------------------
# the rootfs swapped for a symlink between create and start

# Put back the rootfs of every bundle a test swapped, so that delete never meets the link.
restore_swapped_rootfs() {
    local b
    [ -f "$BATS_TEST_TMPDIR/swapped" ] || return 0
    while read -r b; do
        if [ -L "$b/rootfs" ] && [ -d "$b/rootfs.real" ]; then
            rm "$b/rootfs"
            mv "$b/rootfs.real" "$b/rootfs"
        fi
    done <"$BATS_TEST_TMPDIR/swapped"
    rm -f "$BATS_TEST_TMPDIR/swapped"
}

rootfs_swap() {
    b=$(new_bundle)
    o=$(add_out_mount "$b")
    echo own >"$b/rootfs/marker"
    # the swap target: a complete rootfs of its own, with another marker
    decoy=$SCRATCH/decoy
    cp -a "$ROOTFS" "$decoy"
    echo decoy >"$decoy/marker"
    mkdir "$decoy/out"
    own "$b/rootfs/marker" "$decoy"
    set_args "$b" sh -c 'cat /marker >/out/marker; hutch-probe open /marker r >/out/probe'
    before=$(mount_points)
    id=$(new_id)
    oci_ok create --bundle "$b" "$id"
    mv "$b/rootfs" "$b/rootfs.real"
    echo "$b" >>"$BATS_TEST_TMPDIR/swapped"
    ln -s "$decoy" "$b/rootfs"
    [ "$MODE" = root ] || chown -h "$TEST_USER:" "$b/rootfs"
    oci_ok start "$id"
    wait_status "$id" stopped
    assert_eq "$(cat "$o/marker")" own
    assert_eq "$(cat "$o/probe")" r=ok
    # nothing ran in, or was mounted on, the swap target; the host gained no mount
    [ ! -e "$decoy/out/marker" ]
    [ -z "$(ls -A "$decoy/out")" ]
    assert_eq "$(mount_points)" "$before"
    restore_swapped_rootfs
    oci_ok delete "$id"
    assert_eq "$(mount_points)" "$before"
}

@test "a rootfs swapped for a symlink between create and start is not followed (root)" {
    use_root
    rootfs_swap
}

@test "a rootfs swapped for a symlink between create and start is not followed (rootless)" {
    use_rootless "$U_ONE"
    rootfs_swap
}
