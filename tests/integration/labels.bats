#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Security labels on a host without the module that would apply them (this host runs
# neither SELinux nor AppArmor): SELinux labels are skipped without a word, as runc does;
# an AppArmor profile is skipped with a warning. Where the modules run, the qemu test bed
# proves the labels (tests/vm/guest/selinux.bats, enforcing.bats, apparmor.bats).

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-labels-one)
    create_test_user "$U_ONE"
}

teardown_file() {
    remove_test_user "$U_ONE"
}

host_without_lsm() {
    [ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
        skip "AppArmor is enabled on this host"
}

labels_ignored() {
    host_without_lsm
    b=$(new_bundle)
    config_set "$b" '
d["process"]["selinuxLabel"] = "system_u:system_r:svirt_t:s0:c1,c2"
d["linux"]["mountLabel"] = "system_u:object_r:svirt_image_t:s0:c1,c2"'
    run_in_ok "$b" sh -c 'hutch-probe label; grep " /dev/shm " /proc/self/mounts'
    echo "$out"
    [ -z "$err" ]
    # no label anywhere: no LSM answers, and no context= option on the tmpfs
    [[ "$out" == *"label=error:"* ]]
    [[ "$out" != *context=* ]]
}

@test "SELinux labels are skipped without a word where SELinux is disabled (root)" {
    use_root
    labels_ignored
}

@test "SELinux labels are skipped without a word where SELinux is disabled (rootless)" {
    use_rootless "$U_ONE"
    labels_ignored
}

profile_warned() {
    host_without_lsm
    b=$(new_bundle)
    config_set "$b" 'd["process"]["apparmorProfile"] = "hutch-default"'
    run_in_ok "$b" echo ran
    [ "$out" = ran ]
    echo "$err"
    [ "$(wc -l <<<"$err")" -eq 1 ]
    [[ "$err" == *'process.apparmorProfile "hutch-default" ignored: AppArmor is not enabled on this host'* ]]
}

@test "an AppArmor profile is skipped with one warning where AppArmor is not enabled (root)" {
    use_root
    profile_warned
}

@test "an AppArmor profile is skipped with one warning where AppArmor is not enabled (rootless)" {
    use_rootless "$U_ONE"
    profile_warned
}
