#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtime's executable cannot be attacked from inside a container (the CVE-2019-5736
# class): a container process that sees a hutch-oci process joining its pid namespace opens
# that process's /proc/PID/exe (O_PATH) and keeps trying to reopen it for writing until the
# runtime has exited. `hutch-probe exe-attack` does exactly that and never writes a byte.

load lib/common

setup_file() {
    common_setup_file
    export U_ONE
    U_ONE=$(test_user_name hit-binary-one)
    create_test_user "$U_ONE" --subids
}

teardown_file() {
    remove_test_user "$U_ONE"
}

# attacker: start container A, with CAP_SYS_PTRACE, running the attack until stop_attack
# (at most two minutes) and writing its report to $SCRATCH/out/result; sets $ATTACKER (its
# id) and $ATTACKER_PID. No fixed window: on a loaded machine a create may take seconds.
attacker() {
    local a
    mkdir -p "$SCRATCH/out"
    own "$SCRATCH/out"
    a=$(new_bundle)
    config_set "$a" '
for s in ("bounding", "effective", "permitted"):
    d["process"]["capabilities"][s].append("CAP_SYS_PTRACE")
d["mounts"].append({"destination": "/out", "type": "bind", "source": "'"$SCRATCH/out"'",
                    "options": ["rbind", "rw"]})'
    set_args "$a" sh -c "hutch-probe exe-attack 120 /out/stop >/out/result.tmp && mv /out/result.tmp /out/result"
    ATTACKER=$(new_id)
    oci_ok run --detach --bundle "$a" "$ATTACKER"
    ATTACKER_PID=$(ctr_pid "$ATTACKER")
}

# joiner: a bundle whose container joins the attacker's pid namespace (and, rootless, its
# user namespace, which owns that pid namespace); prints its path.
joiner() {
    local b
    b=$(new_bundle)
    config_set "$b" '
ns = {"pid": "/proc/'"$ATTACKER_PID"'/ns/pid"}
if "'"$MODE"'" == "rootless":
    ns["user"] = "/proc/'"$ATTACKER_PID"'/ns/user"
    d["linux"].pop("uidMappings", None)
    d["linux"].pop("gidMappings", None)
for n in d["linux"]["namespaces"]:
    if n["type"] in ns:
        n["path"] = ns[n["type"]]
if "'"$MODE"'" == "root":
    d["linux"]["namespaces"] = [n for n in d["linux"]["namespaces"] if n["type"] != "user"]'
    echo "$b"
}

# create, wait, start, wait for exit, delete: three times, so that the attacker sees the
# runtime process that waits for start and the runtime process exiting.
create_start_three_times() { # BUNDLE
    local id
    for _ in 1 2 3; do
        id=$(new_id)
        oci_ok create --bundle "$1" "$id"
        sleep 0.3
        oci_ok start "$id"
        wait_status "$id" stopped
        oci_ok delete "$id"
    done
}

# The attacker against a joiner that runs `true` three times; the report in $SCRATCH/out.
attack_three_creates() {
    attacker
    b=$(joiner)
    set_args "$b" true
    create_start_three_times "$b"
    stop_attack
}

# End the attack (after a second in which it retries what it holds) and show its report.
stop_attack() {
    sleep 1
    touch "$SCRATCH/out/stop"
    wait_file "$SCRATCH/out/result" 30
    cat "$SCRATCH/out/result"
}

result() { # KEY
    sed -n "s/^$1=//p" "$SCRATCH/out/result"
}

@test "exe-attack: a container process cannot write-open the runtime through /proc/PID/exe (root, no user namespace)" {
    use_root
    attack_three_creates
    # it saw the runtime: the container process before start runs the runtime's code, here
    # from a sealed in-memory copy, which nobody can open for writing
    [ "$(result seen)" -ge 1 ]
    [[ "$(result exe)" == /memfd:hutch-runtime* ]]
    [ "$(result writable)" = 0 ]
    [[ "$(result errors)" == *EPERM* ]]
}

@test "exe-attack: nor through exec, which joins the container (root, no user namespace)" {
    use_root
    attacker
    for _ in 1 2 3; do
        oci_ok exec "$ATTACKER" true
        sleep 0.3
    done
    stop_attack
    [ "$(result seen)" -ge 1 ]
    [[ "$(result exe)" == /memfd:hutch-runtime* ]]
    [ "$(result writable)" = 0 ]
}

@test "exe-attack: the same attack on a binary that is not protected succeeds (the probe is real)" {
    use_root
    attacker
    b=$(joiner)
    # a decoy named like the runtime: a copy of the probe in the joiner's rootfs
    cp "$b/rootfs/bin/hutch-probe" "$b/rootfs/bin/hutch-decoy"
    set_args "$b" sh -c '/bin/hutch-decoy sleep 1; true'
    # a read-only root would stop the write (EROFS): the decoy must be as writable as the
    # runtime's binary on the host
    config_set "$b" 'd["root"]["readonly"] = False'
    id=$(new_id)
    oci_ok run --bundle "$b" "$id"
    stop_attack
    # the runtime before start (sealed), then the decoy, which can be written once it exits
    [ "$(result seen)" -ge 2 ]
    [ "$(result writable)" = 1 ]
}

@test "exe-attack: a rootless container cannot reach the runtime's /proc/PID/exe at all" {
    use_rootless "$U_ONE"
    attack_three_creates
    # the process is not dumpable and its exe is not the container's to open
    [ "$(result seen)" -ge 1 ]
    [ "$(result writable)" = 0 ]
    [[ "$(result errors)" == *EACCES* || "$(result errors)" == *EPERM* ]]
}
