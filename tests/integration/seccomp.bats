#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp: the filter is loaded, rules with errnoRet and argument conditions apply,
# unknown system calls are skipped, and what libseccomp or the spec refuses is an error.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-seccomp-one)
    create_test_user "$U_ONE"
}

teardown_file() {
    remove_test_user "$U_ONE"
}

set_seccomp() { # BUNDLE 'python dict'
    config_set "$1" "d['linux']['seccomp'] = $2"
}

errno_rules() {
    b=$(new_bundle)
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
          {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
          {"names": ["no_such_syscall_at_all"], "action": "SCMP_ACT_ERRNO"},
          {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
          {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
           "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
    run_in_ok "$b" sh -c '
        grep "^Seccomp:" /proc/self/status
        mkdir /tmp/a 2>&1 || true
        rmdir /tmp 2>&1 || true
        linux32 true 2>&1 && echo linux32-ok || echo linux32-refused
        linux64 true 2>&1 && echo linux64-ok'
    echo "$out"
    grep -qx $'Seccomp:\t2' <<<"$out"
    grep -q "Operation not permitted" <<<"$out"
    grep -q "Function not implemented" <<<"$out"
    grep -qx "linux32-refused" <<<"$out"
    grep -qx "linux64-ok" <<<"$out"
}

@test "seccomp rules: errnoRet, argument conditions, unknown names skipped (root)" {
    use_root
    errno_rules
}

@test "seccomp rules: errnoRet, argument conditions, unknown names skipped (rootless)" {
    use_rootless "$U_ONE"
    errno_rules
}

@test "a filter without no_new_privileges is loaded while the capability to do so is there" {
    use_root
    b=$(new_bundle)
    config_set "$b" 'd["process"]["noNewPrivileges"] = False'
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run_in_ok "$b" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/b 2>&1 || true'
    echo "$out"
    grep -qx $'NoNewPrivs:\t0' <<<"$out"
    grep -qx $'Seccomp:\t2' <<<"$out"
    grep -q "Operation not permitted" <<<"$out"
}

@test "a default action of ERRNO with an allow list runs what is allowed" {
    use_root
    b=$(new_bundle)
    # everything busybox sh and echo need, allowed; the rest fails with EPERM
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "syscalls": [{"names": ["execve", "brk", "arch_prctl", "set_tid_address", "getpid",
          "getppid", "getuid", "geteuid", "getgid", "getegid", "rt_sigaction", "clone", "clone3",
          "fork", "vfork", "getpgrp", "setpgid", "pipe", "pipe2", "open", "openat",
          "rt_sigprocmask", "rt_sigreturn", "write", "writev", "read", "exit", "exit_group",
          "ioctl", "fcntl", "stat", "newfstatat", "fstat", "lstat", "close", "mmap", "munmap",
          "mprotect", "prlimit64", "getrlimit", "uname", "getcwd", "wait4", "readlink",
          "set_robust_list", "rseq", "futex", "dup2", "dup3", "statx"],
          "action": "SCMP_ACT_ALLOW"}]}'
    run_in_ok "$b" sh -c 'echo allowed; mkdir /tmp/c 2>&1 || echo refused'
    echo "$out"
    grep -qx allowed <<<"$out"
    grep -q "Operation not permitted\|refused" <<<"$out"
}

@test "seccomp configuration errors are one line and leave no state" {
    use_root
    b=$(new_bundle)
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}],
        "listenerPath": "/run/none.sock"}'
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error "SCMP_ACT_NOTIFY"
    assert_no_state "$id"
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_BOGUS"}'
    oci create --bundle "$b" "$id"
    assert_error "linux.seccomp.defaultAction"
    assert_no_state "$id"
    set_seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
          "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}'
    oci create --bundle "$b" "$id"
    assert_error "index"
    assert_no_state "$id"
}

default_profile() {
    b=$(new_bundle)
    # the bundle keeps the default profile of `hutch-oci spec`
    [ "$(config_get "$b" 'd["linux"]["seccomp"]["defaultAction"]')" = SCMP_ACT_ALLOW ]
    run_in_ok "$b" sh -c '
        unshare -U true 2>/dev/null && echo unshare-allowed || echo unshare-refused
        unshare -n true 2>/dev/null && echo netns-allowed || echo netns-refused
        mount -t tmpfs t /tmp 2>/dev/null && echo mount-allowed || echo mount-refused
        # busybox date exits 0 even when it could not set the clock: read its complaint
        date -s 2000-01-01 2>&1 | grep -q "not permitted" && echo clock-refused || echo clock-allowed
        (echo child-ran) ; sh -c "echo nested-sh"
        ls / >/dev/null && echo files-ok'
    echo "$out"
    assert_eq "$out" $'unshare-refused\nnetns-refused\nmount-refused\nclock-refused\nchild-ran\nnested-sh\nfiles-ok'
}

@test "the default profile refuses namespaces, mounts and the clock; ordinary work runs (root)" {
    use_root
    default_profile
}

@test "the default profile refuses namespaces, mounts and the clock; ordinary work runs (rootless)" {
    use_rootless "$U_ONE"
    default_profile
}
