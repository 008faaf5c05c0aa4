#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hostname, domainname and linux.sysctl; the process: args, env, cwd, user, umask, rlimits,
# noNewPrivileges, oomScoreAdj, exit status; containers without limits on this hybrid-cgroup
# host.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-process-one) # no subordinate ids
    U_SUB=$(test_user_name hit-process-sub) # with /etc/subuid and /etc/subgid ranges
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

# A failed create: status 1, one line naming NAME, nothing left for the id.
create_fails_naming() { # BUNDLE NAME
    local id
    id=$(new_id)
    oci create --bundle "$1" "$id"
    echo "status $status: $err"
    assert_error "$2"
    assert_no_state "$id"
}

# ---------------------------------------------------------------------------------------
# hostname, domainname, sysctl

hostname_domainname() {
    b=$(new_bundle)
    config_set "$b" 'd["hostname"] = "box1"; d["domainname"] = "example.test"'
    run_in_ok "$b" sh -c 'hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
    assert_eq "$out" $'box1\nbox1\nexample.test'
    [ "$(cat /proc/sys/kernel/hostname)" != box1 ]
    [ "$(cat /proc/sys/kernel/domainname)" != example.test ]
}

@test "hostname and domainname in the container's uts namespace (root)" {
    use_root
    hostname_domainname
}

@test "hostname and domainname in the container's uts namespace (rootless)" {
    use_rootless "$U_ONE"
    hostname_domainname
}

@test "hostname without a uts namespace is refused in one line" {
    use_root
    b=$(new_bundle)
    config_set "$b" '
d["hostname"] = "box1"
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "uts"]'
    create_fails_naming "$b" hostname
}

sysctl_namespaced() {
    b=$(new_bundle)
    config_set "$b" '
if "network" not in [n["type"] for n in d["linux"]["namespaces"]]:
    d["linux"]["namespaces"].append({"type": "network"})
d["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "12345678",
                        "net.ipv4.ping_group_range": "0 0"}'
    host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
    host_shm=$(cat /proc/sys/kernel/shmmax)
    run_in_ok "$b" cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ping_group_range
    assert_eq "$(tr -s ' \t' '  ' <<<"$out")" $'1\n12345678\n0 0'
    # the host's values are untouched
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
    [ "$(cat /proc/sys/kernel/shmmax)" = "$host_shm" ]
}

@test "linux.sysctl: net.* with a network namespace, kernel.shm* with an ipc namespace (root)" {
    use_root
    sysctl_namespaced
}

@test "linux.sysctl: net.* with a network namespace, kernel.shm* with an ipc namespace (rootless)" {
    use_rootless "$U_ONE"
    sysctl_namespaced
}

sysctl_refused() {
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["sysctl"] = {"vm.swappiness": "10"}'
    create_fails_naming "$b" vm.swappiness
    # a namespaced key without its namespace
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "network"]
d["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}'
    create_fails_naming "$b" net.ipv4.ip_forward
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "ipc"]
d["mounts"] = [m for m in d["mounts"] if m["destination"] != "/dev/mqueue"]
d["linux"]["sysctl"] = {"kernel.shmmax": "12345678"}'
    create_fails_naming "$b" kernel.shmmax
}

@test "linux.sysctl: a key that is not namespaced, or without its namespace, is refused (root)" {
    use_root
    host_swappiness=$(cat /proc/sys/vm/swappiness)
    sysctl_refused
    [ "$(cat /proc/sys/vm/swappiness)" = "$host_swappiness" ]
}

@test "linux.sysctl: a key that is not namespaced, or without its namespace, is refused (rootless)" {
    use_rootless "$U_ONE"
    host_swappiness=$(cat /proc/sys/vm/swappiness)
    sysctl_refused
}

# ---------------------------------------------------------------------------------------
# the process

args_env_cwd() {
    b=$(new_bundle)
    config_set "$b" '
d["process"]["env"] = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "HOME=/root"]
d["process"]["cwd"] = "/tmp"'
    run_in_ok "$b" env
    assert_eq "$(sort <<<"$out")" $'EMPTY=\nFOO=bar baz\nHOME=/root\nPATH=/bin'
    run_in_ok "$b" sh -c 'pwd; printf "[%s]" "$@"' zero 'a b' '' 'c"d' "\$x"
    assert_eq "$out" $'/tmp\n[a b][][c"d][$x]'
}

@test "process.args, env and cwd reach the process unchanged (root)" {
    use_root
    args_env_cwd
}

@test "process.args, env and cwd reach the process unchanged (rootless)" {
    use_rootless "$U_ONE"
    args_env_cwd
}

@test "a program that does not exist: run fails naming it" {
    use_root
    b=$(new_bundle)
    run_in "$b" /bin/no-such-program
    echo "status $status: $err"
    [ "$status" -ne 0 ]
    [[ "$err" == *"/bin/no-such-program"* ]]
}

user_umask() {
    b=$(new_bundle)
    [ "$MODE" = rootless ] && map_subids "$b"
    config_set "$b" 'd["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20], "umask": 0o027}'
    run_in_ok "$b" sh -c 'id -u; id -g; id -G; umask; touch /dev/shm/f; stat -c %a /dev/shm/f'
    assert_eq "$out" $'1000\n1000\n1000 10 20\n0027\n640'
}

@test "process.user: uid, gid, additionalGids, umask (root)" {
    use_root
    user_umask
}

@test "process.user: uid, gid, additionalGids, umask (rootless, subordinate ids)" {
    use_rootless "$U_SUB"
    user_umask
}

@test "process.user: no additionalGids means no supplementary groups (root)" {
    use_root
    b=$(new_bundle)
    config_set "$b" 'd["process"]["user"] = {"uid": 1000, "gid": 1000}'
    run_in_ok "$b" sh -c 'id -G; grep ^Groups: /proc/self/status'
    assert_eq "$(sed -n 1p <<<"$out")" 1000
    assert_eq "$(sed -n 2p <<<"$out" | tr -d ' \t')" "Groups:"
}

@test "process.user rootless with its own id only: additionalGids cannot be set, one line" {
    use_rootless "$U_ONE"
    b=$(new_bundle)
    config_set "$b" 'd["process"]["user"] = {"uid": 0, "gid": 0, "additionalGids": [0]}'
    create_fails_naming "$b" additionalGids
}

rlimits() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
        {"type": "RLIMIT_NPROC", "soft": 4000, "hard": 5000}]'
    run_in_ok "$b" cat /proc/self/limits
    assert_eq "$(awk '/^Max open files/ { print $4, $5 }' <<<"$out")" "512 1024"
    assert_eq "$(awk '/^Max core file size/ { print $5, $6 }' <<<"$out")" "0 0"
    assert_eq "$(awk '/^Max processes/ { print $3, $4 }' <<<"$out")" "4000 5000"

    # above the hard limit (20000 here): refused, CAP_SYS_RESOURCE is not in the bounding set
    hard=$(ulimit -Hn)
    want=$((hard + 10000))
    config_set "$b" "d['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $want, 'hard': $want}]"
    id=$(new_id)
    oci run --bundle "$b" "$id"
    echo "status $status: $err"
    [ "$status" -ne 0 ]
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
    [[ "$err" == *RLIMIT_NOFILE* ]]
    [[ "$err" == *"$want"* ]]
    assert_no_state "$id"
}

@test "process.rlimits are set; one above the hard limit fails naming it and the values (root)" {
    use_root
    if grep -q "^CapBnd:.*" /proc/self/status && python3 -c '
import sys
bnd = int(open("/proc/self/status").read().split("CapBnd:")[1].split()[0], 16)
sys.exit(0 if bnd & (1 << 24) else 1)'; then
        skip "CAP_SYS_RESOURCE is in the bounding set here: raising RLIMIT_NOFILE would succeed"
    fi
    rlimits
}

@test "process.rlimits are set; one above the hard limit fails naming it and the values (rootless)" {
    use_rootless "$U_ONE"
    rlimits
}

no_new_privs() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["noNewPrivileges"] = True'
    run_in_ok "$b" grep ^NoNewPrivs: /proc/self/status
    assert_eq "$(tr -d ' \t' <<<"$out")" "NoNewPrivs:1"
    if [ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)" = 1 ]; then
        return 0 # (the tests run with no_new_privs: false cannot be told apart)
    fi
    config_set "$b" 'd["process"]["noNewPrivileges"] = False'
    run_in_ok "$b" grep ^NoNewPrivs: /proc/self/status
    assert_eq "$(tr -d ' \t' <<<"$out")" "NoNewPrivs:0"
}

@test "process.noNewPrivileges sets NoNewPrivs, and only when true (root)" {
    use_root
    no_new_privs
}

@test "process.noNewPrivileges sets NoNewPrivs, and only when true (rootless)" {
    use_rootless "$U_ONE"
    no_new_privs
}

oom_score_adj() {
    b=$(new_bundle)
    config_set "$b" 'd["process"]["oomScoreAdj"] = 500'
    run_in_ok "$b" cat /proc/self/oom_score_adj
    assert_eq "$out" 500
    config_set "$b" 'd["process"]["oomScoreAdj"] = 1000'
    run_in_ok "$b" cat /proc/self/oom_score_adj
    assert_eq "$out" 1000
}

@test "process.oomScoreAdj (root)" {
    use_root
    oom_score_adj
}

@test "process.oomScoreAdj (rootless)" {
    use_rootless "$U_ONE"
    oom_score_adj
}

exit_status() {
    b=$(new_bundle)
    for code in 0 1 42 255; do
        run_in "$b" sh -c "exit $code"
        [ "$status" -eq "$code" ] || { echo "exit $code: run returned $status ($err)"; false; }
    done
    # killed by a signal: 128 + N. Not as pid 1 of a pid namespace, which ignores signals
    # it has no handler for, even its own SIGKILL.
    b=$(new_bundle)
    drop_namespaces "$b" pid
    config_set "$b" '
for m in d["mounts"]:
    if m["destination"] == "/proc":
        m.update(type="bind", source="/proc", options=["rbind", "nosuid", "noexec", "nodev"])'
    run_in "$b" sh -c 'kill -KILL $$'
    [ "$status" -eq 137 ] || { echo "SIGKILL: run returned $status ($err)"; false; }
    run_in "$b" sh -c 'kill -SEGV $$'
    [ "$status" -eq 139 ] || { echo "SIGSEGV: run returned $status ($err)"; false; }
}

@test "run returns the container's exit status, 128+N for signal N (root)" {
    use_root
    exit_status
}

@test "run returns the container's exit status, 128+N for signal N (rootless)" {
    use_rootless "$U_ONE"
    exit_status
}

# ---------------------------------------------------------------------------------------
# cgroups on this host (cgroup v1 controllers, cgroup2 only at /sys/fs/cgroup/unified)

@test "the unmodified default spec (terminal off) runs on this host (root)" {
    use_root
    b=$(new_bundle --verbatim)
    config_set "$b" 'd["process"]["terminal"] = False; d["process"]["args"] = ["echo", "ok"]'
    oci_ok run --bundle "$b" "$(new_id)"
    assert_eq "$out" ok
}

@test "the unmodified default spec (terminal off) runs on this host (rootless)" {
    use_rootless "$U_ONE"
    b=$(new_bundle --verbatim)
    config_set "$b" 'd["process"]["terminal"] = False; d["process"]["args"] = ["echo", "ok"]'
    oci_ok run --bundle "$b" "$(new_id)"
    assert_eq "$out" ok
}

no_limits_no_cgroup() {
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["resources"] = {}'
    set_args "$b" sleep 1000
    id=$(new_id)
    oci_ok run --detach --bundle "$b" "$id"
    pid=$(ctr_pid "$id")
    # no cgroup of its own: the container's process is where hutch-oci's caller is
    assert_eq "$(cat "/proc/$pid/cgroup")" "$(cat /proc/self/cgroup)"
    oci_ok delete --force "$id"
}

@test "a container that asks for no limits runs, in no cgroup of its own (root)" {
    use_root
    no_limits_no_cgroup
}

@test "a container that asks for no limits runs, in no cgroup of its own (rootless)" {
    use_rootless "$U_ONE"
    no_limits_no_cgroup
}

limit_refused() {
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["resources"] = {"memory": {"limit": 268435456}}'
    set_args "$b" true
    create_fails_naming "$b" memory
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["resources"] = {"pids": {"limit": 100}}'
    set_args "$b" true
    create_fails_naming "$b" pids
}

@test "a limit that this host cannot enforce fails naming the controller, never dropped (root)" {
    use_root
    limit_refused
}

@test "a limit that this host cannot enforce fails naming the controller, never dropped (rootless)" {
    use_rootless "$U_ONE"
    limit_refused
}

# A container asking for CAP_CHOWN and CAP_SYS_RESOURCE (which this host's root lacks);
# `hutch-probe caps` from inside in $out.
caps_of_chown_and_sys_resource() {
    b=$(new_bundle)
    config_set "$b" '
for s in ("bounding", "effective", "permitted"):
    d["process"]["capabilities"][s] = ["CAP_CHOWN", "CAP_SYS_RESOURCE"]'
    run_in_ok "$b" hutch-probe caps
}

@test "a capability the host cannot grant is warned about and skipped; the rest are set (root)" {
    use_root
    prctl_has_resource=$(python3 -c '
import ctypes
print(ctypes.CDLL(None).prctl(23, 24, 0, 0, 0))')  # PR_CAPBSET_READ CAP_SYS_RESOURCE
    [ "$prctl_has_resource" = 0 ] || skip "CAP_SYS_RESOURCE is in this host's bounding set"
    caps_of_chown_and_sys_resource
    echo "$out"
    echo "$err"
    grep -qx "bounding=CAP_CHOWN" <<<"$out"
    grep -qx "effective=CAP_CHOWN" <<<"$out"
    [ "$(wc -l <<<"$err")" -eq 1 ]
    [[ "$err" == *"process.capabilities: CAP_SYS_RESOURCE is not in the caller's bounding set: skipped"* ]]
}

@test "in a user namespace of its own the container gets capabilities the host lacks (rootless)" {
    use_rootless "$U_ONE"
    caps_of_chown_and_sys_resource
    echo "$out"
    [ -z "$err" ]
    grep -qx "bounding=CAP_CHOWN,CAP_SYS_RESOURCE" <<<"$out"
    grep -qx "effective=CAP_CHOWN,CAP_SYS_RESOURCE" <<<"$out"
}
