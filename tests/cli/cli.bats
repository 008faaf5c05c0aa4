#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command-line front ends: version, help, unknown commands and flags.

load helpers

@test "hutch --version prints version, commit and spec" {
    run_split "$HUTCH" --version
    [ "$status" -eq 0 ]
    [ -z "$err" ]
    [[ "$out" =~ ^hutch\ version\ [0-9]+\.[0-9]+\.[0-9]+$'\n'commit:\ [^$'\n']+$'\n'spec:\ 1\.2\.0 ]]
}

@test "hutch-oci --version and -v print the same block" {
    run_split "$HUTCH_OCI" --version
    [ "$status" -eq 0 ]
    long=$out
    [[ "$out" == "hutch-oci version "* ]]
    [[ "$out" == *$'\nspec: 1.2.0\n'* ]]
    [[ "$out" == *$'\nlibseccomp: '* ]]
    run_split "$HUTCH_OCI" -v
    [ "$status" -eq 0 ]
    [ "$out" = "$long" ]
}

@test "hutch version equals hutch --version" {
    run_split "$HUTCH" version
    [ "$status" -eq 0 ]
    a=$out
    run_split "$HUTCH" --version
    [ "$a" = "$out" ]
}

@test "the version names the commit it was built from" {
    if ! git -C "$BATS_TEST_DIRNAME" rev-parse --short HEAD >/dev/null 2>&1; then
        skip "not built from a git checkout"
    fi
    commit=$(git -C "$BATS_TEST_DIRNAME" rev-parse --short=7 HEAD)
    run_split "$HUTCH" --version
    [[ "$out" == *"commit: "*"$commit"* ]] || [[ "$out" == *"commit: "*"-g"* ]]
}

@test "hutch --help lists commands and flags" {
    run_split "$HUTCH" --help
    [ "$status" -eq 0 ]
    [ -z "$err" ]
    [[ "$out" == "Usage: hutch [FLAGS] COMMAND"* ]]
    [[ "$out" == *"  version "* ]]
    [[ "$out" == *"--version"* ]]
    [[ "$out" == *"-h, --help"* ]]
}

@test "every command has --help listing its flags" {
    run_split "$HUTCH" version --help
    [ "$status" -eq 0 ]
    [[ "$out" == "Usage: hutch version"* ]]
    [[ "$out" == *"--help"* ]]
    run_split "$HUTCH_OCI" --help
    [ "$status" -eq 0 ]
    [[ "$out" == *"  spec "* ]]
    run_split "$HUTCH_OCI" spec -h
    [ "$status" -eq 0 ]
    [[ "$out" == "Usage: hutch-oci spec [FLAGS]"* ]]
    [[ "$out" == *"-b, --bundle DIR"* ]]
    [[ "$out" == *"--rootless"* ]]
}

@test "hutch: an unknown command is one line, exit 125, with a hint" {
    run_split "$HUTCH" frobnicate
    [ "$status" -eq 125 ]
    assert_one_error_line "unknown command 'frobnicate'"
    [[ "$err" == *"hutch --help"* ]]
}

@test "hutch: a misspelt command suggests the right one" {
    run_split "$HUTCH" versoin
    [ "$status" -eq 125 ]
    assert_one_error_line "did you mean 'version'?"
}

@test "hutch: an unknown flag is one line, exit 125" {
    run_split "$HUTCH" --frob
    [ "$status" -eq 125 ]
    assert_one_error_line "unknown flag '--frob'"
    run_split "$HUTCH" version --frob=1
    [ "$status" -eq 125 ]
    assert_one_error_line "unknown flag '--frob'"
    [[ "$err" == *"hutch version --help"* ]]
    run_split "$HUTCH" -x
    [ "$status" -eq 125 ]
    assert_one_error_line "unknown flag '-x'"
}

@test "hutch: no command is an error, exit 125" {
    run_split "$HUTCH"
    [ "$status" -eq 125 ]
    assert_one_error_line "missing command"
}

@test "hutch: stray arguments are refused" {
    run_split "$HUTCH" version extra
    [ "$status" -eq 125 ]
    assert_one_error_line "unexpected argument 'extra'"
}

@test "hutch-oci: an unknown command or flag is one line, exit 1" {
    run_split "$HUTCH_OCI" frobnicate
    [ "$status" -eq 1 ]
    assert_one_error_line "unknown command 'frobnicate'"
    run_split "$HUTCH_OCI" --frob
    [ "$status" -eq 1 ]
    assert_one_error_line "unknown flag '--frob'"
    run_split "$HUTCH_OCI" spec --frob
    [ "$status" -eq 1 ]
    assert_one_error_line "unknown flag '--frob'"
    [[ "$err" == "hutch-oci spec: "* ]]
}

@test "hutch-oci: a flag missing its value, or given one it does not take" {
    run_split "$HUTCH_OCI" spec --bundle
    [ "$status" -eq 1 ]
    assert_one_error_line "flag '--bundle' needs a value (DIR)"
    run_split "$HUTCH_OCI" spec -b
    [ "$status" -eq 1 ]
    assert_one_error_line "flag '-b' needs a value (DIR)"
    run_split "$HUTCH_OCI" spec --rootless=yes
    [ "$status" -eq 1 ]
    assert_one_error_line "flag '--rootless' takes no value"
}

@test "hostile arguments do not crash the parser" {
    cd "$BATS_TEST_TMPDIR"
    long=$(head -c 100000 /dev/zero | tr '\0' 'a')
    for args in "--$long" "-$long" "$long" "--=" "--" "-" $'--\x01\xff' "--bundle=" ; do
        run_split "$HUTCH" "$args"
        [ "$status" -eq 125 ] || [ "$status" -eq 0 ]
        run_split "$HUTCH_OCI" spec "$args"
        [ "$status" -le 1 ]
    done
}
