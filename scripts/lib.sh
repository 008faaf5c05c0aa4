# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by scripts/setup and scripts/test: the Debian packages hutch needs,
# installed only when missing.

# Building libhutch, hutch and hutch-oci.
BUILD_PACKAGES="meson ninja-build pkg-config gcc git libseccomp-dev libcap-dev libyajl-dev
                libmnl-dev libselinux1-dev libsystemd-dev scdoc"
# Running containers: newuidmap/newgidmap for rootless id ranges; busybox-static
# for the first container's rootfs; python3 to write its config; procps for the ps(1)
# that `hutch-oci ps` runs.
RUN_PACKAGES="uidmap busybox-static python3 procps"
# The test suite: unit tests, CLI tests, format check, sanitizer and fuzzer builds, and
# the qemu test bed (tiny-initramfs in the same call keeps apt from pulling
# initramfs-tools, udev and systemd onto the host with the kernel image; apparmor brings
# apparmor_parser, which the guest uses to load a test profile; podman is the OCI client
# that tests/integration/podman.bats drives hutch-oci with; systemd, dbus and
# dbus-user-session run only in the guest, for the systemd cgroup driver's tests:
# `run-in-vm --systemd`).
TEST_PACKAGES="check bats clang clang-format libclang-rt-14-dev python3 qemu-system-x86
               linux-image-amd64 tiny-initramfs selinux-policy-default policycoreutils
               selinux-utils apparmor podman systemd dbus dbus-user-session"

log() {
    printf '==> %s\n' "$*"
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: '$*' needs root, and sudo is not installed; run this as root" >&2
        return 1
    fi
}

# Install the named packages that are not installed yet.
install_missing() {
    local missing="" pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    [ -z "$missing" ] && return 0
    log "installing:$missing"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            $missing </dev/null >/dev/null
}

# Configure (once) and build a meson build directory: build_dir DIR [meson setup args...]
build_dir() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir/setup.log" 2>&1 || {
            cat "$dir/setup.log" >&2
            return 1
        }
    fi
    ninja -C "$dir" >"$dir/build.log" 2>&1 || {
        tail -n 40 "$dir/build.log" >&2
        return 1
    }
}
