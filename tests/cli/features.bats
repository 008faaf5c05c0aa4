#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci features: the OCI features document, checked against what the parser and a real
# create accept.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR"
    STATE=$BATS_TEST_TMPDIR/state
    ids=()
}

teardown() {
    local id
    for id in "${ids[@]}"; do
        "$HUTCH_OCI" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
    done
    cd /
}

# create ARGS...: hutch-oci create, its output in files rather than pipes (the container
# process inherits them and would hold a pipe open); sets $status, $out and $err.
create() {
    set +e
    "$HUTCH_OCI" --root "$STATE" create "$@" </dev/null >create.out 2>create.err 3>&-
    status=$?
    set -e
    out=$(cat create.out)
    err=$(cat create.err)
}

# feature EXPR: EXPR evaluated on the features document (as d); lists and dicts as JSON.
feature() {
    "$HUTCH_OCI" features | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# A bundle in ./NAME from `hutch-oci spec` (--rootless unless root), without a terminal or
# a cgroup mount, and a rootfs holding only an executable /bin/sh that never runs (the
# containers are created, never started). Then the python statements $2 on its config (d),
# with the features document as f.
bundle_with() {
    local dir=$1 spec_args=()
    [ "$(id -u)" -eq 0 ] || spec_args=(--rootless)
    mkdir -p "$dir/rootfs/bin"
    printf '#!/nonexistent\n' >"$dir/rootfs/bin/sh"
    chmod 755 "$dir/rootfs/bin/sh"
    "$HUTCH_OCI" spec "${spec_args[@]}" --bundle "$dir"
    "$HUTCH_OCI" features >features.json
    python3 - "$dir/config.json" "$2" <<'EOF'
import json, sys
path, code = sys.argv[1], sys.argv[2]
d = json.load(open(path))
f = json.load(open("features.json"))
d["process"]["terminal"] = False
d["mounts"] = [m for m in d["mounts"] if m["destination"] != "/sys/fs/cgroup"]
d["linux"].pop("resources", None)
exec(code)
json.dump(d, open(path, "w"), indent=1)
EOF
}

@test "features prints an indented JSON document, nothing on stderr" {
    run_split "$HUTCH_OCI" features
    [ "$status" -eq 0 ]
    [ -z "$err" ]
    python3 -m json.tool <<<"$out" >/dev/null
    # indented, as runc prints it
    [ "$(printf '%s\n' "$out" | wc -l)" -gt 50 ]
    [[ "$out" == "{"$'\n'* ]]
}

@test "features: spec versions, hooks, namespaces, cgroup, security modules" {
    [ "$(feature 'd["ociVersionMin"]')" = 1.0.0 ]
    spec=$("$HUTCH_OCI" --version | sed -n 's/^spec: //p')
    [ "$(feature 'd["ociVersionMax"]')" = "$spec" ]
    [ "$(feature 'd["hooks"]')" = \
      '["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]' ]
    [ "$(feature 'sorted(d["linux"]["namespaces"])')" = \
      '["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]' ]
    # v2 always; systemd and systemdUser together, as the systemd driver is built in or not
    [ "$(feature '[d["linux"]["cgroup"][k] for k in ("v1", "v2", "rdma")]')" = \
      '[false, true, false]' ]
    [ "$(feature 'd["linux"]["cgroup"]["systemd"] == d["linux"]["cgroup"]["systemdUser"]')" = true ]
    [ "$(feature 'd["linux"]["apparmor"]["enabled"]')" = true ]
    [ "$(feature 'd["linux"]["intelRdt"]["enabled"]')" = false ]
    [ "$(feature 'd["linux"]["mountExtensions"]["idmap"]["enabled"]')" = false ]
    # SELinux as --version reports the build
    if "$HUTCH_OCI" --version | grep -qx 'selinux: supported'; then want=true; else want=false; fi
    [ "$(feature 'd["linux"]["selinux"]["enabled"]')" = "$want" ]
}

@test "features: seccomp lists what the filter applies" {
    [ "$(feature 'd["linux"]["seccomp"]["enabled"]')" = true ]
    # SCMP_ACT_NOTIFY needs a listener, which this version refuses
    [ "$(feature '"SCMP_ACT_NOTIFY" in d["linux"]["seccomp"]["actions"]')" = false ]
    [ "$(feature 'sorted(d["linux"]["seccomp"]["actions"])')" = \
      '["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]' ]
    [ "$(feature 'len(d["linux"]["seccomp"]["operators"])')" = 7 ]
    [ "$(feature '"SCMP_ARCH_X86_64" in d["linux"]["seccomp"]["archs"]')" = true ]
    [ "$(feature 'set(d["linux"]["seccomp"]["supportedFlags"]) <= set(d["linux"]["seccomp"]["knownFlags"])')" = true ]
    [ "$(feature '"SECCOMP_FILTER_FLAG_LOG" in d["linux"]["seccomp"]["supportedFlags"]')" = true ]
}

@test "features: annotations name the version and libseccomp" {
    version=$("$HUTCH_OCI" --version | sed -n 's/^hutch-oci version //p')
    libseccomp=$("$HUTCH_OCI" --version | sed -n 's/^libseccomp: //p')
    [ "$(feature 'd["annotations"]["io.github.hutch.version"]')" = "$version" ]
    [ "$(feature 'd["annotations"]["io.github.hutch.libseccomp.version"]')" = "$libseccomp" ]
}

@test "features: every capability listed is accepted by the spec parser" {
    bundle_with caps '
for k in ("bounding", "effective", "permitted", "inheritable", "ambient"):
    d["process"]["capabilities"][k] = f["linux"]["capabilities"]
d["root"]["path"] = "no-such-rootfs"'
    [ "$(feature 'len(d["linux"]["capabilities"])')" -ge 41 ]
    # the config is accepted: create goes on until the missing rootfs
    create --bundle caps c1
    [ "$status" -eq 1 ]
    assert_one_error_line "no-such-rootfs"
    # while a name that is not listed is refused by the parser
    bundle_with bogus 'd["process"]["capabilities"]["bounding"] = ["CAP_CHOWN", "CAP_BOGUS"]'
    create --bundle bogus c2
    [ "$status" -eq 1 ]
    assert_one_error_line 'unknown capability "CAP_BOGUS"'
}

@test "features: every mount option listed is accepted by a real create" {
    # one tmpfs per option: tmpfs refuses data it does not know, so an option that create
    # did not recognise would fail the mount. bind, rbind and remount need an existing source
    # or mount, and are left out.
    bundle_with mounts '
skip = {"bind", "rbind", "remount"}
for i, o in enumerate(f["mountOptions"]):
    if o not in skip:
        d["mounts"].append({"destination": "/m/%d" % i, "type": "tmpfs", "source": "tmpfs",
                            "options": [o]})'
    for o in ro nosuid nodev noexec strictatime rprivate rnosymfollow rro defaults bind rbind; do
        [ "$(feature "\"$o\" in d[\"mountOptions\"]")" = true ] || { echo "$o not listed"; false; }
    done
    ids+=(m1)
    create --bundle mounts m1
    [ "$status" -eq 0 ] || { echo "create: $err"; false; }
    run_split "$HUTCH_OCI" --root "$STATE" state m1
    [[ "$out" == *'"status": "created"'* ]]
    # the same with a word that is not listed: it goes to tmpfs as data, which refuses it
    bundle_with unlisted 'd["mounts"].append({"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["ratime"]})'
    [ "$(feature '"ratime" in d["mountOptions"]')" = false ]
    ids+=(m2)
    create --bundle unlisted m2
    [ "$status" -eq 1 ]
    assert_one_error_line "mount tmpfs on /m"
}

@test "features takes no arguments: a usage error, status 1" {
    run_split "$HUTCH_OCI" features extra
    [ "$status" -eq 1 ]
    assert_one_error_line "unexpected argument 'extra'"
    [[ "$err" == "hutch-oci features: "* ]]
    run_split "$HUTCH_OCI" features --frob
    [ "$status" -eq 1 ]
    assert_one_error_line "unknown flag '--frob'"
}

@test "features --help" {
    run_split "$HUTCH_OCI" features --help
    [ "$status" -eq 0 ]
    [[ "$out" == "Usage: hutch-oci features"* ]]
    run_split "$HUTCH_OCI" --help
    [[ "$out" == *"  features "* ]]
}
