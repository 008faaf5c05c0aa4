#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci update: flags, bad values and unknown containers; one error line, nothing
# written (its work on real cgroups: tests/vm/guest/cgroup-limits.bats).

load helpers

setup() {
    OCI=("$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state")
}

@test "update --help names runc's flags" {
    run "${OCI[@]}" update --help
    [ "$status" -eq 0 ]
    for f in --resources --memory --memory-reservation --memory-swap --cpu-shares --cpu-quota \
        --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight; do
        [[ "$output" == *"$f"* ]]
    done
}

@test "update: bad flag values are one error line each" {
    for args in "--memory lots" "--memory 12Q" "--memory-swap -2" "--cpu-shares 1" \
        "--cpu-shares 300000" "--cpu-quota 0" "--cpu-period 10" "--cpuset-cpus a-b" \
        "--pids-limit x" "--pids-limit -5" "--blkio-weight 5" "--blkio-weight 2000"; do
        # shellcheck disable=SC2086
        run_split "${OCI[@]}" update $args c1
        echo "$args: $status $err"
        [ "$status" -eq 1 ]
        assert_one_error_line "does not take"
    done
}

@test "update --resources: malformed or invalid JSON names the field, unknown container" {
    f=$BATS_TEST_TMPDIR/r.json
    echo '{"memory": {"limit": "big"}}' >"$f"
    run_split "${OCI[@]}" update --resources "$f" c1
    [ "$status" -eq 1 ]
    assert_one_error_line "linux.resources.memory.limit"
    echo '{"cpu": {"period": 5}}' >"$f"
    run_split "${OCI[@]}" update --resources "$f" c1
    [ "$status" -eq 1 ]
    assert_one_error_line "linux.resources.cpu.period"
    echo '{"pids": ' >"$f"
    run_split "${OCI[@]}" update --resources - c1 <"$f"
    [ "$status" -eq 1 ]
    assert_one_error_line "standard input"
    run_split "${OCI[@]}" update --resources "$BATS_TEST_TMPDIR/none.json" c1
    [ "$status" -eq 1 ]
    assert_one_error_line "none.json"
    echo '{"pids": {"limit": 10}}' >"$f"
    run_split "${OCI[@]}" update --resources "$f" nope
    [ "$status" -eq 1 ]
    assert_one_error_line "container nope does not exist"
    run_split "${OCI[@]}" update --pids-limit 10
    [ "$status" -eq 1 ]
    assert_one_error_line "missing container id"
}
