#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hutch-oci ps, pause and resume: flags, usage errors and unknown containers (their work on
# real containers: tests/integration/ps.bats).

load helpers

setup() {
    OCI=("$HUTCH_OCI" --root "$BATS_TEST_TMPDIR/state")
}

@test "ps, pause and resume have --help naming their flags" {
    run_split "$HUTCH_OCI" ps --help
    [ "$status" -eq 0 ]
    [[ "$out" == "Usage: hutch-oci ps [FLAGS] ID [PS-ARGS...]"* ]]
    [[ "$out" == *"-f, --format FORMAT"* ]]
    for c in pause resume; do
        run_split "$HUTCH_OCI" "$c" --help
        [ "$status" -eq 0 ]
        [[ "$out" == "Usage: hutch-oci $c ID"* ]]
    done
    run_split "$HUTCH_OCI" --help
    for c in ps pause resume; do
        [[ "$out" == *"  $c "* ]] || { echo "$c not listed"; false; }
    done
}

@test "ps: usage errors are one line, status 1" {
    run_split "${OCI[@]}" ps
    [ "$status" -eq 1 ]
    assert_one_error_line "missing container id"
    run_split "${OCI[@]}" ps --format yaml c1
    [ "$status" -eq 1 ]
    assert_one_error_line "flag '--format' does not take 'yaml'"
    run_split "${OCI[@]}" ps -f
    [ "$status" -eq 1 ]
    assert_one_error_line "flag '-f' needs a value (FORMAT)"
    # ps(1) arguments only make sense for the table
    run_split "${OCI[@]}" ps --format json c1 -ef
    [ "$status" -eq 1 ]
    assert_one_error_line "go with the table format only"
}

@test "ps of a container that does not exist: one line, status 1" {
    for format in table json; do
        run_split "${OCI[@]}" ps --format "$format" nope
        [ "$status" -eq 1 ]
        assert_one_error_line "container nope does not exist"
        [[ "$err" == "hutch-oci ps: "* ]]
    done
    run_split "${OCI[@]}" ps ../x
    [ "$status" -eq 1 ]
    assert_one_error_line "must not start with '.'"
}

@test "pause and resume: unknown containers and usage errors" {
    for c in pause resume; do
        run_split "${OCI[@]}" "$c" nope
        [ "$status" -eq 1 ]
        assert_one_error_line "container nope does not exist"
        [[ "$err" == "hutch-oci $c: "* ]]
        run_split "${OCI[@]}" "$c"
        [ "$status" -eq 1 ]
        assert_one_error_line "missing container id"
        run_split "${OCI[@]}" "$c" a b
        [ "$status" -eq 1 ]
        assert_one_error_line "unexpected argument 'b'"
    done
}
