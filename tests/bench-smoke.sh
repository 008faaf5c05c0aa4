#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Smoke test of the benchmark runner (the benchmark itself is never part of the test
# run): bench/run with 3 containers per row and one run must print a table and write
# JSON with one row per runtime and mode, every time and peak RSS above zero, and leave
# no user, subordinate ids or work directory behind. TAP. Needs root; skips only when
# crun or runc are missing and cannot be installed (bench/run exits 3).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
oci=${HUTCH_OCI:?HUTCH_OCI: the hutch-oci to measure}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"
skip_all() {
    for i in 1 2 3 4; do echo "ok $i # SKIP $1"; done
    exit 0
}
diag() { sed 's/^/# /' "$@"; }
[ "$(id -u)" -eq 0 ] || skip_all "bench/run needs root (it makes a user and mount namespaces)"

leftovers() { # what bench/run must not leave behind
    grep -h '^hutch-bench-' /etc/passwd /etc/group /etc/subuid /etc/subgid 2>/dev/null || true
    ls -d /tmp/hutch-bench.* 2>/dev/null || true
}
leftovers >"$tmp/before"

rc=0
"$src/bench/run" --iterations 3 --runs 1 --hutch-oci "$oci" --json "$tmp/out.json" \
    >"$tmp/table" 2>"$tmp/log" </dev/null || rc=$?
if [ "$rc" -eq 3 ]; then
    skip_all "crun/runc could not be installed: $(grep -m1 error: "$tmp/log" || true)"
fi
if [ "$rc" -eq 0 ]; then
    echo "ok 1 - bench/run --iterations 3 --runs 1 exits 0"
else
    echo "not ok 1 - bench/run --iterations 3 --runs 1 exits 0 (got $rc)"
    diag "$tmp/table" "$tmp/log"
fi

# The table: one line per runtime and mode with ms/container, p90 and peak RSS above
# zero and a ratio to the floor; the machine line; the engine row marked skipped.
if python3 - "$tmp/table" <<'PY' >"$tmp/check-table" 2>&1; then
import re, sys
text = open(sys.argv[1]).read()
rows = {(m[0], m[1]): m[2:] for m in re.findall(
    r"^(\S+)\s+(root|rootless)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+\S+\s+\S+\s+([\d.]+)\s*$",
    text, re.M)}
want = [("hutch-oci", "root"), ("crun", "root"), ("runc", "root"), ("floor", "root"),
        ("hutch-oci", "rootless"), ("crun", "rootless"), ("floor", "rootless")]
bad = [w for w in want if w not in rows or not all(float(v) > 0 for v in rows[w])]
assert not bad, f"rows missing or not above zero: {bad}"
assert len(rows) == len(want), f"unexpected rows: {sorted(rows)}"
assert re.search(r"^machine: kernel \S+, \d+ cores; hutch-oci ", text, re.M), "machine line"
assert re.search(r"^hutch/podman\s+engine\s+skipped: ", text, re.M), "engine row"
PY
    echo "ok 2 - the table has a row of numbers per runtime and mode"
else
    echo "not ok 2 - the table has a row of numbers per runtime and mode"
    diag "$tmp/check-table" "$tmp/table"
fi

if python3 - "$tmp/out.json" <<'PY' >"$tmp/check-json" 2>&1; then
import json, sys
d = json.load(open(sys.argv[1]))
assert d["timestamp"] and d["machine"]["kernel"] and d["machine"]["cores"] > 0
assert d["iterations"] == 3 and d["runs"] == 1
ok = [r for r in d["rows"] if r["status"] == "ok"]
assert len(ok) == 7, [(r["runtime"], r["mode"], r["status"], r["reason"]) for r in d["rows"]]
for r in ok:
    for k in ("median_ms", "p90_ms", "peak_rss_kib", "ratio_vs_floor"):
        assert r[k] and r[k] > 0, (r["runtime"], r["mode"], k, r[k])
    if r["runtime"] != "floor":
        assert r["ratio_vs_crun"] > 0, (r["runtime"], r["mode"])
    if r["mode"] == "root":
        assert r["ratio_vs_runc"] > 0, (r["runtime"], r["mode"])
engine = [r for r in d["rows"] if r["mode"] == "engine"]
assert len(engine) == 1 and engine[0]["status"] == "skipped", engine
PY
    echo "ok 3 - the JSON has the same rows, a timestamp and the machine"
else
    echo "not ok 3 - the JSON has the same rows, a timestamp and the machine"
    diag "$tmp/check-json"
fi

leftovers >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
    echo "ok 4 - no bench user, subordinate ids or work directory left behind"
else
    echo "not ok 4 - no bench user, subordinate ids or work directory left behind"
    diff "$tmp/before" "$tmp/after" | diag
fi
