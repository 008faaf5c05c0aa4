#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Count single test cases over meson test logs and print the closing line.

Usage: summary.py [--failed TEXT]... LABEL=build/meson-logs/testlog.json [...]

Tests that speak TAP are counted case by case (`ok`, `not ok`, `# SKIP`);
others count once by meson's result. A TAP test that failed without
reporting a failing case (a crash) counts one failure more. Prints every
failure and skip with its reason, then `N passed, N failed, N skipped`.
"""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$")


def count(label, entry, failures, skips):
    passed = failed = skipped = 0
    name = f"{label}: {entry['name']}"
    saw_tap = False
    for line in (entry.get("stdout") or "").splitlines():
        m = TAP_LINE.match(line)
        if not m:
            if re.match(r"^1\.\.0\b.*#\s*skip", line, re.I):
                skipped += 1
                skips.append(f"{name}: {line}")
            continue
        saw_tap = True
        status, _, text = m.groups()
        directive = re.search(r"#\s*(skip|todo)\b\s*(.*)$", text, re.I)
        if directive and directive.group(1).lower() == "skip":
            skipped += 1
            skips.append(f"{name}: {text}")
        elif status == "ok":
            passed += 1
        else:
            failed += 1
            failures.append(f"{name}: {text}")
    result = entry.get("result")
    if not saw_tap:
        if result == "OK":
            passed += 1
        elif result == "SKIP":
            skipped += 1
            skips.append(f"{name}: skipped by its runner")
        else:
            failed += 1
            failures.append(f"{name}: {result} (exit {entry.get('returncode')})")
    elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and failed == 0:
        failed += 1
        failures.append(f"{name}: {result} (exit {entry.get('returncode')}) after its cases")
    return passed, failed, skipped


def main(args):
    totals = [0, 0, 0]
    failures, skips = [], []
    while len(args) >= 2 and args[0] == "--failed":
        failures.append(args[1])
        totals[1] += 1
        args = args[2:]
    for arg in args:
        label, _, path = arg.partition("=")
        try:
            with open(path) as f:
                entries = [json.loads(line) for line in f if line.strip()]
        except OSError as e:
            failures.append(f"{label}: no test log ({e.strerror})")
            totals[1] += 1
            continue
        for entry in entries:
            for i, n in enumerate(count(label, entry, failures, skips)):
                totals[i] += n
    for line in skips:
        print(f"SKIP {line}")
    for line in failures:
        print(f"FAIL {line}")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
