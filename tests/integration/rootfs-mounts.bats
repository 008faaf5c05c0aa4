#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The root filesystem (root.path, root.readonly, pivot_root and --no-pivot,
# linux.rootfsPropagation) and the mounts of config.json, in order, with their options.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE U_SUB
    U_ONE=$(test_user_name hit-mounts-one) # no subordinate ids
    U_SUB=$(test_user_name hit-mounts-sub) # with /etc/subuid and /etc/subgid ranges
    create_test_user "$U_ONE"
    create_test_user "$U_SUB" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
    remove_test_user "$U_SUB"
}

add_mount() { # BUNDLE DEST TYPE SOURCE OPTION...
    local b=$1 dest=$2 type=$3 src=$4
    shift 4
    python3 - "$b/config.json" "$dest" "$type" "$src" "$@" <<'EOF'
import json, sys
path, dest, typ, src, *opts = sys.argv[1:]
with open(path) as fh:
    d = json.load(fh)
d["mounts"].append({"destination": dest, "type": typ, "source": src, "options": opts})
with open(path, "r+") as fh:
    fh.seek(0)
    fh.truncate()
    json.dump(d, fh, indent=1)
EOF
}

# host_dir NAME: a directory in $SCRATCH with a file "marker" saying NAME, for bind mounts.
host_dir() {
    local d=$SCRATCH/$1
    mkdir -p "$d"
    echo "$1" >"$d/marker"
    own "$d"
    echo "$d"
}

# ---------------------------------------------------------------------------------------
# the root filesystem

root_path() {
    b=$(new_bundle)
    mkdir -p "$b/images"
    mv "$b/rootfs" "$b/images/one"
    echo one >"$b/images/one/marker"
    own "$b/images"
    config_set "$b" 'd["root"]["path"] = "images/one"'
    run_in_ok "$b" cat /marker
    assert_eq "$out" one
    # an absolute root.path outside the bundle
    mv "$b/images/one" "$SCRATCH/elsewhere"
    config_set "$b" "d['root']['path'] = '$SCRATCH/elsewhere'"
    run_in_ok "$b" cat /marker
    assert_eq "$out" one
}

@test "root.path is relative to the bundle, or absolute (root)" {
    use_root
    root_path
}

@test "root.path is relative to the bundle, or absolute (rootless)" {
    use_rootless "$U_ONE"
    root_path
}

root_readonly() {
    b=$(new_bundle)
    config_set "$b" 'd["root"]["readonly"] = True'
    run_in "$b" sh -c 'cat /proc/self/mountinfo; echo ===; touch /written 2>&1; echo "touch: $?"'
    [ "$status" -eq 0 ]
    assert_mi / '"ro" in m["opts"]'
    [[ "$(after_marker)" == *"touch: 1" ]]
    [[ "$(after_marker)" == *"Read-only file system"* ]]
    [ ! -e "$b/rootfs/written" ]
    # mounts on top of a read-only rootfs stay writable
    run_in_ok "$b" sh -c 'touch /dev/shm/x /tmp/../dev/shm/y && echo ok'
    assert_eq "$out" ok

    config_set "$b" 'd["root"]["readonly"] = False'
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; touch /written && echo written'
    assert_mi / '"rw" in m["opts"]'
    assert_eq "$(after_marker)" written
    [ -f "$b/rootfs/written" ]
}

@test "root.readonly: the rootfs is read-only, or writable when false (root)" {
    use_root
    root_readonly
}

@test "root.readonly: the rootfs is read-only, or writable when false (rootless)" {
    use_rootless "$U_ONE"
    root_readonly
}

# The container sees its rootfs as / and nothing of the host's root beyond it.
jailed() { # extra hutch-oci run flags...
    b=$(new_bundle)
    echo inside >"$b/rootfs/etc/marker"
    mkdir "$b/rootfs/tmp/escape"
    set_args "$b" sh -c 'cat /etc/marker; cd /tmp/escape && cd ../../../../.. && pwd && ls /; echo ===; cat /proc/self/mountinfo'
    id=$(new_id)
    oci run "$@" --bundle "$b" "$id"
    [ "$status" -eq 0 ] || { echo "$err"; false; }
    [ "$(sed -n 1p <<<"$out")" = inside ]
    [ "$(sed -n 2p <<<"$out")" = / ]
    listing=$(sed -n '3,/^===$/p' <<<"$out" | grep -v '^===$' | sort | tr '\n' ' ')
    expect=$(ls "$b/rootfs" | sort | tr '\n' ' ')
    [ "$listing" = "$expect" ] || { echo "ls / inside: $listing; rootfs: $expect"; false; }
    # no mount point of the host (/work, /usr, /home, the bundle) is in the mount table
    points=$(sed '1,/^===$/d' <<<"$out" | awk '{ print $5 }')
    if grep -E '^(/work|/usr|/home|'"$b"')(/|$)' <<<"$points"; then
        echo "host mount points visible inside"
        false
    fi
}

@test "pivot_root: the rootfs is /, the host's root is gone (root)" {
    use_root
    jailed
}

@test "pivot_root: the rootfs is /, the host's root is gone (rootless)" {
    use_rootless "$U_ONE"
    jailed
}

@test "--no-pivot (move mount + chroot): the rootfs is /, no way out through .. (root)" {
    use_root
    jailed --no-pivot
}

@test "--no-pivot (move mount + chroot): the rootfs is /, no way out through .. (rootless)" {
    use_rootless "$U_ONE"
    jailed --no-pivot
}

# In a private mount namespace, the bundle's directory becomes a shared mount: the rootfs
# inherits a peer group that rootfsPropagation must then keep, cut or share.
propagation() { # MODE-VALUE EXPR-ON-ROOT-LINE
    b=$(new_bundle)
    if [ -n "$1" ]; then
        config_set "$b" "d['linux']['rootfsPropagation'] = '$1'"
    fi
    set_args "$b" cat /proc/self/mountinfo
    oci_private_ns "mount --bind '$b' '$b'; mount --make-shared '$b'" run --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "$err"; false; }
    echo "/ in the container: $(mi / 'm["optional"]')"
    [ "$(mi / "$2")" = true ]
}

propagation_all() {
    propagation private '[o for o in m["optional"] if o.startswith(("shared:", "master:"))] == []'
    propagation slave '[o for o in m["optional"] if o.startswith("master:")] != [] and [o for o in m["optional"] if o.startswith("shared:")] == []'
    propagation shared '[o for o in m["optional"] if o.startswith("shared:")] != []'
    propagation unbindable '"unbindable" in m["optional"]'
}

@test "linux.rootfsPropagation: private, slave, shared, unbindable (root)" {
    use_root
    propagation_all
}

@test "linux.rootfsPropagation: private, slave, shared, unbindable (rootless)" {
    use_rootless "$U_ONE"
    propagation_all
}

@test "linux.rootfsPropagation: an unknown mode is refused in one line" {
    use_root
    b=$(new_bundle)
    config_set "$b" 'd["linux"]["rootfsPropagation"] = "sideways"'
    id=$(new_id)
    oci create --bundle "$b" "$id"
    assert_error sideways
    assert_no_state "$id"
}

# ---------------------------------------------------------------------------------------
# mounts

mount_order() {
    b=$(new_bundle)
    a=$(host_dir a)
    # a bind inside a tmpfs mounted before it
    add_mount "$b" /mnt/x tmpfs tmpfs mode=755
    add_mount "$b" /mnt/x/y bind "$a" rbind
    # two mounts on one destination: the later one is on top
    add_mount "$b" /mnt/over bind "$a" rbind
    add_mount "$b" /mnt/over tmpfs tmpfs mode=755
    add_mount "$b" /mnt/under tmpfs tmpfs mode=755
    add_mount "$b" /mnt/under bind "$a" rbind
    run_in_ok "$b" sh -c 'cat /mnt/x/y/marker; ls -A /mnt/over | wc -l; cat /mnt/under/marker'
    assert_eq "$out" $'a\n0\na'
}

@test "mounts are made in the order of config.json (root)" {
    use_root
    mount_order
}

@test "mounts are made in the order of config.json (rootless)" {
    use_rootless "$U_ONE"
    mount_order
}

bind_flags() {
    b=$(new_bundle)
    a=$(host_dir a)
    cp /bin/busybox "$a/busybox"
    own "$a/busybox"
    add_mount "$b" /m/ro bind "$a" rbind ro
    add_mount "$b" /m/rw bind "$a" rbind rw
    add_mount "$b" /m/secure bind "$a" rbind nosuid nodev noexec
    add_mount "$b" /m/plainbind none "$a" bind
    run_in_ok "$b" sh -c '
        cat /proc/self/mountinfo; echo ===
        touch /m/ro/new 2>/dev/null && echo ro-written
        touch /m/rw/new && echo rw-written
        /m/secure/busybox true 2>/dev/null && echo executed
        /m/rw/busybox true && echo rw-executed
        cat /m/plainbind/marker'
    assert_eq "$(after_marker)" $'rw-written\nrw-executed\na'
    assert_mi /m/ro '"ro" in m["opts"]'
    assert_mi /m/rw '"rw" in m["opts"]'
    assert_mi /m/secure 'all(o in m["opts"] for o in ("nosuid", "nodev", "noexec"))'
    assert_mi /m/rw 'not (any(o in m["opts"] for o in ("nosuid", "nodev", "noexec")))'
    [ -f "$a/new" ]
}

@test "bind mounts: ro, rw, nosuid, nodev, noexec; type none with bind (root)" {
    use_root
    bind_flags
}

@test "bind mounts: ro, rw, nosuid, nodev, noexec; type none with bind (rootless)" {
    use_rootless "$U_ONE"
    bind_flags
}

atime_flags() { # TYPE SOURCE: mounts of that kind with each atime option
    b=$(new_bundle)
    local extra=()
    [ "$1" = bind ] && extra=(rbind)
    add_mount "$b" /t/relatime "$1" "$2" "${extra[@]}" relatime
    add_mount "$b" /t/noatime "$1" "$2" "${extra[@]}" noatime
    add_mount "$b" /t/strictatime "$1" "$2" "${extra[@]}" strictatime
    add_mount "$b" /t/nodiratime "$1" "$2" "${extra[@]}" relatime nodiratime
    run_in_ok "$b" cat /proc/self/mountinfo
    assert_mi /t/relatime '"relatime" in m["opts"] and "noatime" not in m["opts"]'
    assert_mi /t/noatime '"noatime" in m["opts"] and "relatime" not in m["opts"]'
    assert_mi /t/strictatime '"noatime" not in m["opts"] and "relatime" not in m["opts"]'
    assert_mi /t/nodiratime '"nodiratime" in m["opts"]'
}

@test "atime options on tmpfs: relatime, noatime, strictatime, nodiratime (root)" {
    use_root
    atime_flags tmpfs tmpfs
}

@test "atime options on tmpfs: relatime, noatime, strictatime, nodiratime (rootless)" {
    use_rootless "$U_ONE"
    atime_flags tmpfs tmpfs
}

@test "atime options on bind mounts: relatime, noatime, strictatime, nodiratime (root)" {
    use_root
    # (rootless, the host's atime flags of a bind source are locked: the kernel refuses a
    # change, so only root can test this)
    atime_flags bind "$(host_dir a)"
}

mount_propagation_flags() {
    b=$(new_bundle)
    add_mount "$b" /p/shared tmpfs tmpfs shared
    add_mount "$b" /p/private tmpfs tmpfs private
    add_mount "$b" /p/unbindable tmpfs tmpfs unbindable
    add_mount "$b" /p/rshared tmpfs tmpfs rshared
    add_mount "$b" /p/rprivate tmpfs tmpfs rprivate
    run_in_ok "$b" cat /proc/self/mountinfo
    assert_mi /p/shared '[o for o in m["optional"] if o.startswith("shared:")] != []'
    assert_mi /p/rshared '[o for o in m["optional"] if o.startswith("shared:")] != []'
    assert_mi /p/private 'm["optional"] == []'
    assert_mi /p/rprivate 'm["optional"] == []'
    assert_mi /p/unbindable '"unbindable" in m["optional"]'
}

@test "propagation options of a mount: shared, private, unbindable, rshared, rprivate (root)" {
    use_root
    mount_propagation_flags
}

@test "propagation options of a mount: shared, private, unbindable, rshared, rprivate (rootless)" {
    use_rootless "$U_ONE"
    mount_propagation_flags
}

@test "a bind mount with rslave follows new mounts of its (shared) source (root)" {
    use_root
    b=$(new_bundle)
    a=$(host_dir a)
    mkdir "$a/later"
    add_mount "$b" /s bind "$a" rbind rslave
    # the container says it runs, then waits for a mount made on the host side after that
    set_args "$b" sh -c 'touch /s/ready; while [ ! -e /s/later/marker ]; do sleep 0.1; done; cat /s/later/marker'
    # the source is a shared mount in hutch-oci's private namespace, where a helper mounts a
    # tmpfs on its "later" once the container runs
    oci_private_ns "mount --bind '$a' '$a'; mount --make-shared '$a'
        ( for i in \$(seq 150); do [ -e '$a/ready' ] && break; sleep 0.1; done
          mount -t tmpfs tmpfs '$a/later'; echo late >'$a/later/marker' ) &" \
        run --bundle "$b" "$(new_id)"
    echo "status $status; err: $err"
    [ "$status" -eq 0 ]
    assert_eq "$out" late
}

rro() {
    if ! python3 -c 'import os, sys; sys.exit(0 if tuple(map(int, os.uname().release.split(".")[:2])) >= (5, 12) else 1)'; then
        skip "rro needs mount_setattr (Linux 5.12); this kernel is $(uname -r)"
    fi
    b=$(new_bundle)
    a=$(host_dir a)
    mkdir -p "$a/sub"
    own "$a/sub"
    add_mount "$b" /r bind "$a" rbind rro
    set_args "$b" sh -c 'cat /proc/self/mountinfo; echo ===
        touch /r/top 2>/dev/null && echo top-written
        touch /r/sub/low 2>/dev/null && echo sub-written
        cat /r/marker'
    # a submount under the bind source, in a namespace of hutch-oci's own
    oci_private_ns "mount -t tmpfs -o mode=777 tmpfs '$a/sub'" run --bundle "$b" "$(new_id)"
    [ "$status" -eq 0 ] || { echo "$err"; false; }
    assert_eq "$(after_marker)" a
    assert_mi /r '"ro" in m["opts"]'
    assert_mi /r/sub '"ro" in m["opts"]'
}

@test "rro: a recursive bind mount read-only down to its submounts (root)" {
    use_root
    rro
}

@test "rro: a recursive bind mount read-only down to its submounts (rootless)" {
    use_rootless "$U_ONE"
    rro
}

tmpfs_options() {
    b=$(new_bundle)
    add_mount "$b" /t tmpfs tmpfs mode=1777 size=1m nosuid
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; stat -c %a /t; touch /t/f && echo ok'
    assert_eq "$(after_marker)" $'1777\nok'
    [ "$(mi /t 'm["fstype"]')" = tmpfs ]
    assert_mi /t '"size=1024k" in m["super"]'
    assert_mi /t '"nosuid" in m["opts"]'
}

@test "tmpfs with mode and size (root)" {
    use_root
    tmpfs_options
}

@test "tmpfs with mode and size (rootless)" {
    use_rootless "$U_ONE"
    tmpfs_options
}

special_filesystems() {
    b=$(new_bundle)
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; ls -A /dev/pts; stat -c %a /dev/pts/ptmx; cat /proc/self/comm'
    [ "$(mi /proc 'm["fstype"]')" = proc ]
    [ "$(mi /dev 'm["fstype"]')" = tmpfs ]
    [ "$(mi /dev/pts 'm["fstype"]')" = devpts ]
    [ "$(mi /dev/shm 'm["fstype"]')" = tmpfs ]
    [ "$(mi /dev/mqueue 'm["fstype"]')" = mqueue ]
    # devpts: a new instance (no other pty than ptmx), ptmxmode=0666, mode=0620
    assert_mi /dev/pts '"ptmxmode=666" in m["super"] and "mode=620" in m["super"]'
    assert_eq "$(after_marker)" $'ptmx\n666\ncat'
}

@test "proc, tmpfs /dev, devpts (newinstance, ptmxmode, mode), /dev/shm, mqueue (root)" {
    use_root
    special_filesystems
    assert_mi /dev/pts '"gid=5" in m["super"]'
}

@test "proc, tmpfs /dev, devpts (newinstance, ptmxmode, mode), /dev/shm, mqueue (rootless)" {
    use_rootless "$U_ONE"
    special_filesystems
}

@test "devpts gid=5 rootless, when group 5 is mapped through subordinate ids" {
    use_rootless "$U_SUB"
    b=$(new_bundle)
    map_subids "$b"
    config_set "$b" '
for m in d["mounts"]:
    if m["destination"] == "/dev/pts":
        m["options"] = [o for o in m["options"] if not o.startswith("gid=")] + ["gid=5"]'
    run_in_ok "$b" cat /proc/self/mountinfo
    # the kernel shows the gid as the host sees it: container gid 5 is subordinate gid 4
    assert_mi /dev/pts "\"gid=$(($(subid_start "$U_SUB" /etc/subgid) + 4))\" in m['super']"
}

sysfs_with_netns() {
    b=$(new_bundle)
    config_set "$b" '
ns = [n["type"] for n in d["linux"]["namespaces"]]
if "network" not in ns:
    d["linux"]["namespaces"].append({"type": "network"})
for m in d["mounts"]:
    if m["destination"] == "/sys":
        m.update(type="sysfs", source="sysfs", options=["nosuid", "noexec", "nodev", "ro"])'
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; ls /sys/class/net'
    [ "$(mi /sys 'm["fstype"]')" = sysfs ]
    [ "$(mi /sys 'm["root"]')" = / ]
    assert_eq "$(after_marker)" lo
}

sysfs_without_netns() {
    b=$(new_bundle)
    config_set "$b" '
d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "network"]
for m in d["mounts"]:
    if m["destination"] == "/sys":
        m.update(type="sysfs", source="sysfs", options=["nosuid", "noexec", "nodev", "ro"])'
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; ls /sys/class/net'
    [ "$(mi /sys 'm["fstype"]')" = sysfs ]
    assert_mi /sys '"ro" in m["opts"]'
    # the host's devices: the host's sysfs
    [ "$(after_marker | tr '\n' ' ')" = "$(ls /sys/class/net | tr '\n' ' ')" ]
}

@test "sysfs with its own network namespace shows only its devices (root)" {
    use_root
    sysfs_with_netns
}

@test "sysfs with its own network namespace shows only its devices (rootless)" {
    use_rootless "$U_ONE"
    sysfs_with_netns
}

@test "sysfs without a network namespace is the host's (bind-mounted when it must be) (root)" {
    use_root
    sysfs_without_netns
}

@test "sysfs without a network namespace is the host's, bind-mounted (rootless)" {
    use_rootless "$U_ONE"
    sysfs_without_netns
}

cgroup2_mount() {
    b=$(new_bundle)
    config_set "$b" '
if "cgroup" not in [n["type"] for n in d["linux"]["namespaces"]]:
    d["linux"]["namespaces"].append({"type": "cgroup"})
d["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup2",
                    "options": ["nosuid", "noexec", "nodev", "ro"]})'
    run_in_ok "$b" sh -c 'cat /proc/self/mountinfo; echo ===; cat /sys/fs/cgroup/cgroup.controllers >/dev/null && echo readable; touch /sys/fs/cgroup/x 2>/dev/null || echo ro; cat /proc/self/cgroup'
    [ "$(mi /sys/fs/cgroup 'm["fstype"]')" = cgroup2 ]
    assert_mi /sys/fs/cgroup '"ro" in m["opts"]'
    [ "$(after_marker | sed -n 1,2p)" = $'readable\nro' ]
    # the cgroup namespace's root: the process sees itself at /
    after_marker | grep -qx '0::/'

}

# cgroup2 on this hybrid host: the unified hierarchy exists (hugetlb only), so a read-only
# cgroup2 mount inside a cgroup namespace works; cgroup v1 type mounts are not tested here.
@test "cgroup2 mount (read-only, in a cgroup namespace) (root)" {
    use_root
    cgroup2_mount
}

@test "cgroup2 mount (read-only, in a cgroup namespace) (rootless)" {
    use_rootless "$U_ONE"
    cgroup2_mount
}

missing_destinations() {
    b=$(new_bundle)
    a=$(host_dir a)
    echo "a file" >"$SCRATCH/file.txt"
    own "$SCRATCH/file.txt"
    add_mount "$b" /new/file.txt bind "$SCRATCH/file.txt" bind ro
    add_mount "$b" /new/deep/dir bind "$a" rbind ro
    add_mount "$b" /new/tmp tmpfs tmpfs mode=755
    run_in_ok "$b" sh -c 'cat /new/file.txt; cat /new/deep/dir/marker; [ -d /new/tmp ] && echo dir'
    assert_eq "$out" $'a file\na\ndir'
    # made in the rootfs (read-only inside, but the mount points are made first)
    [ -f "$b/rootfs/new/file.txt" ]
    [ -d "$b/rootfs/new/deep/dir" ]
    [ -d "$b/rootfs/new/tmp" ]
}

@test "missing destinations are made: a file for a file source, a directory otherwise (root)" {
    use_root
    missing_destinations
}

@test "missing destinations are made: a file for a file source, a directory otherwise (rootless)" {
    use_rootless "$U_ONE"
    missing_destinations
}

symlink_escape() {
    b=$(new_bundle)
    a=$(host_dir a)
    target=$SCRATCH/host-target
    mkdir "$target"
    own "$target"
    name=hutch-escape-$(basename "$b")
    remember_host_path "/etc/$name"
    remember_host_path "/etc/$name-2"
    remember_host_path "/etc/$name.file"
    # links that point outside the rootfs when followed on the host: absolute, relative
    ln -s /etc "$b/rootfs/data"
    ln -s ../../../../../../../../etc "$b/rootfs/data2"
    echo "a file" >"$SCRATCH/file.txt"
    own "$SCRATCH/file.txt"
    [ "$MODE" = root ] || chown -h "$TEST_USER:" "$b/rootfs/data" "$b/rootfs/data2"
    add_mount "$b" "/data/$name" bind "$a" rbind
    add_mount "$b" "/data2/$name-2" tmpfs tmpfs mode=755
    run_in_ok "$b" sh -c "cat /etc/$name/marker; cat /data/$name/marker; [ -d /etc/$name-2 ] && echo dir"
    # inside, the mounts landed in the rootfs, where the links point within it
    assert_eq "$out" $'a\na\ndir'
    [ -d "$b/rootfs/etc/$name" ]
    [ -d "$b/rootfs/etc/$name-2" ]
    assert_host_untouched

    # Links whose target is missing inside the rootfs, one to a directory that exists on
    # the host, one to a file: the runtime may refuse them (one line naming the
    # destination) or make the target inside the rootfs; never on the host.
    for case in dir file; do
        b=$(new_bundle)
        if [ "$case" = dir ]; then
            ln -s "$target" "$b/rootfs/data3"
            add_mount "$b" /data3/sub bind "$a" rbind
            check="cat $target/sub/marker"
            dest=/data3
        else
            ln -s "/etc/$name.file" "$b/rootfs/filelink"
            add_mount "$b" /filelink bind "$SCRATCH/file.txt" bind
            check="cat /etc/$name.file"
            dest=/filelink
        fi
        [ "$MODE" = root ] || chown -h "$TEST_USER:" "$b/rootfs/data3" "$b/rootfs/filelink" 2>/dev/null || true
        run_in "$b" sh -c "$check"
        echo "dangling link to a $case: status $status, out '$out', err '$err'"
        if [ "$status" -eq 0 ]; then
            [ "$case" = dir ] && assert_eq "$out" a && [ -d "$b/rootfs$target/sub" ]
            [ "$case" = file ] && assert_eq "$out" "a file" && [ -f "$b/rootfs/etc/$name.file" ]
        else
            assert_error "$dest"
        fi
        assert_host_untouched
    done
}

# nothing of symlink_escape appeared on the host
assert_host_untouched() {
    [ ! -e "/etc/$name" ]
    [ ! -e "/etc/$name-2" ]
    [ ! -e "/etc/$name.file" ]
    [ -z "$(ls -A "$target")" ]
    if grep -F -e "/etc/$name" -e "$target" /proc/self/mountinfo; then
        echo "mounted on the host"
        return 1
    fi
}

@test "a symlink in the rootfs pointing outside never puts a mount on the host (root)" {
    use_root
    symlink_escape
}

@test "a symlink in the rootfs pointing outside never puts a mount on the host (rootless)" {
    use_rootless "$U_ONE"
    symlink_escape
}

@test "a mount of an unknown type or a missing bind source: one line, no state" {
    use_root
    b=$(new_bundle)
    add_mount "$b" /x bind "$SCRATCH/no-such-dir" rbind
    id=$(new_id)
    oci run --bundle "$b" "$id"
    assert_error "$SCRATCH/no-such-dir"
    assert_no_state "$id"
    b=$(new_bundle)
    add_mount "$b" /x nosuchfs none
    oci run --bundle "$b" "$id"
    assert_error nosuchfs
    assert_no_state "$id"
}
