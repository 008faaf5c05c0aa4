# SPDX-License-Identifier: GPL-2.0-or-later
# Dedicated test users for the rootless integration tests.
#
#   test_user_name BASE                BASE plus a random suffix: two runs of one bats file at
#                                      the same time get different users
#   create_test_user NAME [--subids]   useradd -m NAME; with --subids also NAME:START:65536
#                                      in /etc/subuid and /etc/subgid (START unique per user)
#   remove_test_user NAME              kill that user's processes, userdel -r, drop its
#                                      /etc/subuid and /etc/subgid lines, remove its runtime dir
#   as_user NAME CMD...                run CMD as NAME with HOME, a private XDG_RUNTIME_DIR and
#                                      HUTCH_OCI/HUTCH passed through
#   as_user_argv NAME                  the same, as a command prefix in the array AS_USER, for
#                                      callers that need the pid of CMD itself (`"${AS_USER[@]}" CMD &`)
#
# Every name given to these functions is a user that a bats file created for itself; nothing
# here touches any other account.

HUTCH_TEST_CACHE=${HUTCH_TEST_CACHE:-/tmp/hutch-test-cache}
# First subordinate id handed out; users get START = SUBID_BASE + 65536*k, the lowest k that
# overlaps no line already in /etc/subuid or /etc/subgid.
SUBID_BASE=200000
SUBID_COUNT=65536

_users_lock() { # runs "$@" holding the lock that guards /etc/subuid and /etc/subgid edits
    mkdir -p "$HUTCH_TEST_CACHE"
    (
        flock -w 60 9 || { echo "users.bash: cannot lock $HUTCH_TEST_CACHE/subid.lock" >&2; exit 1; }
        "$@"
    ) 9>"$HUTCH_TEST_CACHE/subid.lock"
}

# The private XDG_RUNTIME_DIR of a test user.
user_runtime_dir() {
    echo "/tmp/hutch-it-run.$1"
}

user_home() {
    getent passwd "$1" | cut -d: -f6
}

# The first host id of NAME's subordinate range in FILE (default /etc/subuid).
subid_start() {
    awk -F: -v u="$1" '$1 == u { print $2; exit }' "${2:-/etc/subuid}"
}

_ensure_uidmap() {
    command -v newuidmap >/dev/null && command -v newgidmap >/dev/null && return 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends uidmap \
        </dev/null >/dev/null 2>&1
    command -v newuidmap >/dev/null && command -v newgidmap >/dev/null || {
        echo "users.bash: newuidmap/newgidmap missing and 'apt-get install uidmap' failed" >&2
        return 1
    }
}

_add_subids() { # NAME: append NAME:START:65536 to both files, START free in both
    local name=$1 start
    start=$(python3 - "$name" "$SUBID_BASE" "$SUBID_COUNT" <<'EOF'
import sys
name, base, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ranges = []
for path in ("/etc/subuid", "/etc/subgid"):
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        continue
    for line in lines:
        parts = line.strip().split(":")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            ranges.append((int(parts[1]), int(parts[1]) + int(parts[2])))
k = 0
while True:
    s = base + count * k
    if all(s + count <= a or s >= b for a, b in ranges):
        print(s)
        break
    k += 1
EOF
    ) || return 1
    echo "$name:$start:$SUBID_COUNT" >>/etc/subuid
    echo "$name:$start:$SUBID_COUNT" >>/etc/subgid
}

_drop_subids() { # NAME: remove exactly the lines of NAME
    local name=$1 f
    for f in /etc/subuid /etc/subgid; do
        [ -f "$f" ] || continue
        # rewrite in place (same inode, owner and mode), keeping every other line
        python3 - "$f" "$name" <<'EOF'
import sys
path, name = sys.argv[1], sys.argv[2]
with open(path) as fh:
    lines = fh.readlines()
kept = [l for l in lines if l.split(":", 1)[0] != name]
if kept != lines:
    with open(path, "w") as fh:
        fh.writelines(kept)
EOF
    done
}

test_user_name() { # BASE
    echo "$1-$(tr -dc a-z0-9 </dev/urandom | head -c 4)"
}

# Each test user has an owner file naming the process that runs its bats file (pid and start
# time). A user whose owner is gone was left by an interrupted run: create_test_user removes
# those of the same BASE.
_owner_dir() {
    echo "$HUTCH_TEST_CACHE/users"
}

_pid_start() {
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

_remove_stale_users() { # BASE
    local f name pid start
    for f in "$(_owner_dir)/$1"-????; do
        [ -f "$f" ] || continue
        name=$(basename "$f")
        read -r pid start <"$f" || true
        if [ -n "$pid" ] && [ "$(_pid_start "$pid")" = "$start" ]; then
            continue # its run is still going
        fi
        remove_test_user "$name"
    done
}

create_test_user() { # NAME [--subids]
    local name=$1 subids=${2:-}
    [ "$(id -u)" -eq 0 ] || { echo "create_test_user: needs root" >&2; return 1; }
    [ ${#name} -le 32 ] || { echo "create_test_user: '$name' is longer than 32 characters" >&2; return 1; }
    mkdir -p "$(_owner_dir)"
    _remove_stale_users "${name%-????}"
    if getent passwd "$name" >/dev/null; then
        echo "create_test_user: user $name exists already" >&2
        return 1
    fi
    # the owner: the shell running the bats file ($$ is the same in every subshell of it)
    echo "$$ $(_pid_start $$)" >"$(_owner_dir)/$name"
    if [ "$subids" = --subids ]; then
        _ensure_uidmap || return 1
    fi
    useradd -m -U -s /bin/sh "$name" || return 1
    chmod 755 "$(user_home "$name")"
    _users_lock _drop_subids "$name"
    if [ "$subids" = --subids ]; then
        _users_lock _add_subids "$name" || return 1
    fi
    local run
    run=$(user_runtime_dir "$name")
    rm -rf "$run"
    mkdir -m 700 "$run"
    chown "$name:$name" "$run"
}

remove_test_user() { # NAME
    local name=$1 i
    [ -n "$name" ] || return 0
    if getent passwd "$name" >/dev/null; then
        # only this dedicated test user's processes: containers and helpers the tests started
        pkill -KILL -u "$name" 2>/dev/null || true
        for i in $(seq 50); do
            pgrep -u "$name" >/dev/null || break
            sleep 0.1
        done
        userdel -r "$name" >/dev/null 2>&1 || userdel "$name" >/dev/null 2>&1 || true
    fi
    rm -rf "/home/${name:?}"
    if getent group "$name" >/dev/null; then
        groupdel "$name" 2>/dev/null || true
    fi
    _users_lock _drop_subids "$name"
    rm -rf "$(user_runtime_dir "$name")"
    rm -f "$(_owner_dir)/$name"
}

as_user_argv() { # NAME: sets the array AS_USER
    local name=$1 uid gid home pass=()
    uid=$(id -u "$name") || return 1
    gid=$(id -g "$name")
    home=$(user_home "$name")
    local v
    for v in HUTCH_OCI HUTCH HUTCH_TEST_DATA ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        [ -n "${!v:-}" ] && pass+=("$v=${!v}")
    done
    AS_USER=(setpriv --reuid="$uid" --regid="$gid" --init-groups
        env -i HOME="$home" USER="$name" LOGNAME="$name" SHELL=/bin/sh
        PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8
        XDG_RUNTIME_DIR="$(user_runtime_dir "$name")" "${pass[@]}")
}

as_user() { # NAME CMD...
    local AS_USER
    as_user_argv "$1" || return 1
    shift
    "${AS_USER[@]}" "$@"
}
