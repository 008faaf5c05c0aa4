#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TAP: `meson install` into a scratch DESTDIR installs the binaries, the
# library, the headers, hutch.pc and the man pages, and an outside program
# builds against the installed headers with pkg-config and runs.
set -u
build=${1:?usage: install-check.sh BUILD_DIR}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0
fails=0
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    n=$((n + 1))
    if "$@" >/dev/null 2>"$dest/.err"; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what: $(head -c 300 "$dest/.err" | tr '\n' ' ')"
        fails=$((fails + 1))
    fi
}
check "meson install succeeds" meson install -C "$build" --no-rebuild --destdir "$dest" --quiet
prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(opts["prefix"], opts["libdir"], opts["mandir"], opts["includedir"], opts["bindir"],
      opts["libexecdir"])')
read -r pfx libdir mandir includedir bindir libexecdir <<<"$prefix"
root="$dest$pfx"
check "both binaries are installed" test -x "$root/$bindir/hutch" -a -x "$root/$bindir/hutch-oci"
if [ -x "$build/cmd/hutch-systemd" ]; then
    # where hutch-oci looks for it (HUTCH_LIBEXECDIR, cmd/meson.build)
    check "hutch-systemd (the systemd driver's helper) is in libexec/hutch" \
        test -x "$root/$libexecdir/hutch/hutch-systemd"
fi
check "the shared library is installed with its soname link" \
    test -e "$root/$libdir/libhutch.so.0" -a -e "$root/$libdir/libhutch.so"
check "the public headers are under include/hutch" \
    test -f "$root/$includedir/hutch/spec.h" -a -f "$root/$includedir/hutch/error.h" \
    -a -f "$root/$includedir/hutch/cleanup.h" -a -f "$root/$includedir/hutch/version.h"
check "hutch.pc is installed" test -f "$root/$libdir/pkgconfig/hutch.pc"
check "the man pages are installed" \
    test -f "$root/$mandir/man1/hutch.1" -a -f "$root/$mandir/man8/hutch-oci.8"
cat >"$dest/use.c" <<'PROG'
#include <stdio.h>
#include <hutch/cleanup.h>
#include <hutch/spec.h>
#include <hutch/version.h>
int main(void)
{
    struct hutch_spec_default_options o = { .rootless = 1, .uid = 1000, .gid = 1000 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;
    hutch_autofree char *json = NULL;
    if (hutch_spec_new_default(&o, &spec, &err) < 0 || hutch_spec_to_json(spec, &json, NULL, &err) < 0) {
        fprintf(stderr, "%s\n", hutch_error_message(&err));
        return 1;
    }
    printf("%s %zu\n", hutch_version(), spec->linux_cfg->uid_mappings.n);
    return 0;
}
PROG
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$root/$libdir/pkgconfig"
check "a program compiles against the installed headers with pkg-config" \
    sh -c "cc -Wall -Wextra -Werror -o '$dest/use' '$dest/use.c' \$(pkg-config --cflags --libs hutch)"
check "that program runs against the installed library" \
    sh -c "LD_LIBRARY_PATH='$root/$libdir' '$dest/use' | grep -qx '[0-9.]* 1'"
check "the installed hutch-oci runs" \
    sh -c "LD_LIBRARY_PATH='$root/$libdir' '$root/$bindir/hutch-oci' --version | grep -q '^spec: 1.2.0$'"
echo "1..$n"
[ "$fails" -eq 0 ]
