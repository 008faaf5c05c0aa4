# SPDX-License-Identifier: GPL-2.0-or-later
# Loaded by the bats files that run inside the test guest (`load lib`). They run there as
# root, through tests/vm/vm-suite or by hand:
#   tests/vm/run-in-vm [--selinux [--enforcing]] -- bats --tap tests/vm/guest/FILE.bats
#
# From the guest (stage2): HUTCH_VM=1, HUTCH_VM_USER/_UID/_GID/_HOME (the rootless test
# user), HUTCH_VM_SUBID_START/_COUNT (its /etc/subuid and /etc/subgid range),
# HUTCH_VM_USER_CGROUP (its delegated cgroup), `as-user CMD...` (CMD as that user, in that
# cgroup), HUTCH_VM_SYSTEMD=1 when systemd is PID 1 (run-in-vm --systemd). From vm-suite:
# HUTCH_VM_ROOTFS (a busybox rootfs made on the host, read-only here), HUTCH_OCI.
#
# Helpers:
#   require_guest              skip unless inside the test guest
#   require_systemd            skip unless inside a guest booted with systemd (--systemd)
#   new_bundle DIR [--rootless] ARG...
#                              a busybox bundle in DIR running ARG... (rootless: owned by
#                              the test user, config from `hutch-oci spec --rootless` as that
#                              user); HUTCH_VM_ROOTFS is copied, not rebuilt (400 symlinks
#                              take most of a minute under TCG)
#   set_args DIR ARG...        process.args of DIR/config.json

require_guest() {
    [ "${HUTCH_VM:-}" = 1 ] || skip "runs inside the test guest only (tests/vm/run-in-vm)"
}

require_systemd() {
    require_guest
    [ "${HUTCH_VM_SYSTEMD:-}" = 1 ] || skip "needs a guest booted with systemd (run-in-vm --systemd)"
}

set_args() { # DIR ARG...
    local dir=$1
    shift
    python3 - "$dir/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
d = json.load(open(path))
d["process"]["terminal"] = False
d["process"]["args"] = args
json.dump(d, open(path, "w"), indent="\t")
PY
}

new_bundle() { # DIR [--rootless] ARG...
    local dir=$1 rootless=0
    shift
    if [ "${1:-}" = --rootless ]; then
        rootless=1
        shift
    fi
    : "${HUTCH_VM_ROOTFS:?HUTCH_VM_ROOTFS must name a busybox rootfs (vm-suite makes one)}"
    : "${HUTCH_OCI:?HUTCH_OCI must name hutch-oci}"
    mkdir -p "$dir"
    cp -a "$HUTCH_VM_ROOTFS" "$dir/rootfs"
    if [ "$rootless" = 1 ]; then
        chown -R "$HUTCH_VM_UID:$HUTCH_VM_GID" "$dir"
        as-user "$HUTCH_OCI" spec --rootless --bundle "$dir"
        as-user bash -c "$(declare -f set_args); set_args \"\$@\"" _ "$dir" "$@"
    else
        "$HUTCH_OCI" spec --bundle "$dir"
        set_args "$dir" "$@"
    fi
}

# create_fails BUNDLE TEXT: `hutch-oci create` (as root) fails with one line containing
# TEXT and leaves no state behind.
create_fails() {
    local state=$BATS_TEST_TMPDIR/state
    run "$HUTCH_OCI" --root "$state" create --bundle "$1" must-fail
    echo "$output"
    [ "$status" -ne 0 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"$2"* ]]
    [ ! -e "$state/must-fail" ]
}
