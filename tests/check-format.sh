#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# TAP: every C file of the tree is formatted as .clang-format says.
root=${1:?usage: check-format.sh SOURCE_ROOT}
cd "$root" || exit 1
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find cmd lib include tests -name '*.[ch]')
n=0
for f in $files; do n=$((n + 1)); done
echo "1..$n"
i=0
status=0
for f in $files; do
    i=$((i + 1))
    if "${CLANG_FORMAT:-clang-format}" --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "ok $i - $f"
    else
        echo "not ok $i - $f is not formatted: run clang-format -i $f"
        status=1
    fi
done
exit $status
