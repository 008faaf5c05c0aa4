#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci under a real OCI client: Debian's podman (and its conmon) with
# --runtime hutch-oci runs, attaches a terminal to, execs in, stops and removes containers of
# an image made with `podman import` from the busybox test rootfs.
#
# This host's cgroups are hybrid, which podman cannot manage and the host's supervisor owns:
# podman runs with its cgroups disabled (containers.conf, which also names hutch-oci among
# the runtimes that may run without cgroups, as crun is) in a private mount namespace and a
# network namespace of its own, with no container network, storage in a directory of the
# test's own, and nofile/nproc limits this host's root can grant (CAP_SYS_RESOURCE is not
# in its bounding set).

load lib/common

setup_file() {
    common_setup_file
    command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
    export PM=$BATS_FILE_TMPDIR/podman
    mkdir -p "$PM/bin"
    # podman finds a runtime by the name it is given: a link named hutch-oci
    ln -s "$HUTCH_OCI" "$PM/bin/hutch-oci"
    cat >"$PM/containers.conf" <<EOF2
[containers]
cgroups = "disabled"
netns = "none"
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime_supports_nocgroup = ["crun", "krun", "hutch-oci"]
runtime_supports_json = ["crun", "runc", "hutch-oci"]
events_logger = "file"

[engine.runtimes]
hutch-oci = ["$PM/bin/hutch-oci"]
EOF2
    tar -C "$ROOTFS" -cf "$PM/rootfs.tar" .
    pm import "$PM/rootfs.tar" localhost/hutch-busybox:test >/dev/null
}

teardown_file() {
    [ -n "${PM:-}" ] || return 0
    pm rm --all --force >/dev/null 2>&1 || true
    pm rmi --all --force >/dev/null 2>&1 || true
    # vfs storage holds read-only layers: make them removable for bats' cleanup
    chmod -R u+w "$PM" 2>/dev/null || true
}

# pm ARGS...: podman with the test's storage and configuration, hutch-oci as the runtime,
# in a private mount namespace and network namespace.
pm() {
    CONTAINERS_CONF=$PM/containers.conf unshare -m -n --propagation private \
        podman --root "$PM/storage" --runroot "$PM/run" --storage-driver vfs \
        --cgroup-manager cgroupfs --runtime hutch-oci "$@"
}

@test "podman --runtime hutch-oci run --rm IMAGE echo hi" {
    run pm run --rm localhost/hutch-busybox:test echo hi
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = hi ]
}

@test "podman run passes the exit status through, and hutch-oci really ran it" {
    run pm run --rm localhost/hutch-busybox:test sh -c 'hutch-probe status | grep ^seccomp=; exit 3'
    echo "$output"
    [ "$status" -eq 3 ]
    # podman's default seccomp profile, loaded by hutch-oci
    [ "$output" = seccomp=2 ]
}

@test "podman run -it: a terminal through conmon's console socket" {
    run python3 "$BATS_TEST_DIRNAME/lib/pty-run.py" 30 typed -- \
        env CONTAINERS_CONF="$PM/containers.conf" unshare -m -n --propagation private \
        podman --root "$PM/storage" --runroot "$PM/run" --storage-driver vfs \
        --cgroup-manager cgroupfs --runtime hutch-oci \
        run --rm -it localhost/hutch-busybox:test sh -c 'tty; read line; echo "got-$line"; exit 4'
    echo "$output"
    [ "$status" -eq 4 ]
    [[ "$output" == */dev/pts/0* ]]
    [[ "$output" == *got-typed* ]]
}

@test "podman run -d, exec, stop and rm" {
    run pm run -d localhost/hutch-busybox:test sleep 100
    echo "$output"
    [ "$status" -eq 0 ]
    cid=$output
    run pm exec "$cid" sh -c 'echo exec-ok; ps -o pid,comm'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = exec-ok ]
    # the exec'd process is in the container's pid namespace, next to its pid 1
    [[ "$output" == *"1 sleep"* ]]
    run pm exec "$cid" sh -c 'exit 7'
    [ "$status" -eq 7 ]
    run pm stop -t 1 "$cid"
    echo "$output"
    [ "$status" -eq 0 ]
    run pm inspect --format '{{.State.Status}}' "$cid"
    [ "$output" = exited ]
    run pm rm "$cid"
    [ "$status" -eq 0 ]
    run pm ps -a --format '{{.ID}}'
    [ -z "$output" ]
}
