#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci spec: the default configuration, for root and rootless.

load helpers

setup() {
    bundle=$(mktemp -d)
    cd "$bundle"
}

teardown() {
    cd /
    rm -rf "$bundle"
}

# json_get FILE EXPR: evaluate a Python expression on the parsed document `d`.
json_get() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

@test "spec writes config.json in the current directory" {
    run_split "$HUTCH_OCI" spec
    [ "$status" -eq 0 ]
    [ -z "$out$err" ]
    [ -f config.json ]
    [ "$(json_get config.json 'd["ociVersion"]')" = "1.2.0" ]
    [ "$(json_get config.json 'd["root"]["path"]')" = "rootfs" ]
    [ "$(json_get config.json 'd["process"]["args"]')" = "['sh']" ]
    [ "$(json_get config.json 'sorted(n["type"] for n in d["linux"]["namespaces"])')" = \
      "['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']" ]
    [ "$(json_get config.json '[m["type"] for m in d["mounts"] if m["destination"] == "/sys"]')" = "['sysfs']" ]
    [ "$(json_get config.json '"uidMappings" in d["linux"]')" = "False" ]
    # nothing else left behind (no temporary file)
    [ "$(ls -A)" = "config.json" ]
}

@test "spec --bundle and -b write into that directory" {
    mkdir a b
    run_split "$HUTCH_OCI" spec --bundle a
    [ "$status" -eq 0 ]
    run_split "$HUTCH_OCI" spec -b "$bundle/b"
    [ "$status" -eq 0 ]
    cmp a/config.json b/config.json
}

@test "spec honours the umask" {
    umask 077
    "$HUTCH_OCI" spec
    [ "$(stat -c %a config.json)" = "600" ]
}

@test "spec never overwrites an existing config.json" {
    echo '{"mine": true}' > config.json
    before=$(sha256sum config.json)
    run_split "$HUTCH_OCI" spec
    [ "$status" -eq 1 ]
    assert_one_error_line "config.json already exists"
    [ "$(sha256sum config.json)" = "$before" ]
    [ "$(ls -A)" = "config.json" ]
}

@test "spec refuses a missing bundle or a file as bundle, writing nothing" {
    run_split "$HUTCH_OCI" spec --bundle "$bundle/missing"
    [ "$status" -eq 1 ]
    assert_one_error_line "bundle directory $bundle/missing: No such file or directory"
    touch plain
    run_split "$HUTCH_OCI" spec --bundle plain
    [ "$status" -eq 1 ]
    assert_one_error_line "bundle plain is not a directory"
    [ "$(ls -A)" = "plain" ]
}

@test "spec refuses stray arguments" {
    run_split "$HUTCH_OCI" spec extra
    [ "$status" -eq 1 ]
    assert_one_error_line "unexpected argument 'extra'"
    [ -z "$(ls -A)" ]
}

@test "spec --rootless maps the caller's ids and drops what a user cannot have" {
    chown 65534:65534 "$bundle"
    run_split setpriv --reuid=65534 --regid=65534 --clear-groups "$HUTCH_OCI" spec --rootless
    [ "$status" -eq 0 ]
    [ "$(json_get config.json 'd["linux"]["uidMappings"]')" = \
      "[{'containerID': 0, 'hostID': 65534, 'size': 1}]" ]
    [ "$(json_get config.json 'd["linux"]["gidMappings"]')" = \
      "[{'containerID': 0, 'hostID': 65534, 'size': 1}]" ]
    [ "$(json_get config.json 'sorted(n["type"] for n in d["linux"]["namespaces"])')" = \
      "['cgroup', 'ipc', 'mount', 'pid', 'user', 'uts']" ]
    [ "$(json_get config.json '[m["options"] for m in d["mounts"] if m["destination"] == "/sys"]')" = \
      "[['rbind', 'nosuid', 'noexec', 'nodev', 'ro']]" ]
    [ "$(json_get config.json '[o for m in d["mounts"] for o in m.get("options", []) if o.startswith("gid=")]')" = "[]" ]
    [ "$(json_get config.json '"resources" in d["linux"]')" = "False" ]
    [ "$(stat -c %U config.json)" = "nobody" ]
}

@test "spec reports a directory it may not write to, leaving nothing" {
    chmod 755 "$bundle"
    run_split setpriv --reuid=65534 --regid=65534 --clear-groups "$HUTCH_OCI" spec
    [ "$status" -eq 1 ]
    assert_one_error_line "Permission denied"
    [[ "$err" == "hutch-oci spec: write ./config.json: "* ]]
    [ -z "$(ls -A)" ]
}
