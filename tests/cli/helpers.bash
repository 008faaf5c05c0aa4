# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the bats files: run a command keeping stdout and stderr apart.

# run_split CMD...: sets $status, $out (stdout) and $err (stderr).
run_split() {
    local errfile
    errfile=$(mktemp)
    set +e
    out=$("$@" 2>"$errfile")
    status=$?
    set -e
    err=$(cat "$errfile")
    rm -f "$errfile"
}

# The error is exactly one line and names $1.
assert_one_error_line() {
    [ -z "$out" ] || { echo "stdout not empty: $out"; return 1; }
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || { echo "not one line: $err"; return 1; }
    [[ "$err" == *"$1"* ]] || { echo "'$err' does not name '$1'"; return 1; }
}
