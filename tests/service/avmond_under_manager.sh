#!/bin/bash
# The contract between avmond and its unit, with the real binary:
#   notify   : under a stand-in service manager (fake_manager.py): READY with STATUS, watchdog
#              pings, SIGHUP -> RELOADING/READY, SIGTERM -> STOPPING and exit 0, all from the main pid.
#   exitcodes: what ExecStartPre=/ExecReload= rely on: --check-config exits 0 for a valid file,
#              1 (naming file:line) for a broken one; a bad option exits 2.
# Runs in its own network namespace (loopback only), so the one device it pings is private.
#   avmond_under_manager.sh notify|exitcodes <avmond>
set -euo pipefail
MODE=$1 AVMOND=$2
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "${AVMON_IN_PRIVATE_NETNS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }
    AVMON_IN_PRIVATE_NETNS=1 exec unshare -n bash "$0" "$@"
fi
ip link set lo up
sysctl -qw net.ipv4.ping_group_range="0 2147483647"   # this namespace only: ping sockets allowed

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/avmon.toml" <<TOML
[daemon]
runtime_dir = "$T/run"
timezone = "UTC"
default_interval = "1s"
profile_dirs = []

[store]
path = "$T/avmon.db"

[[person]]
id = "duty"
name = "Duty engineer"
email = "duty@example.test"

[roster]
fallback = "duty"

[[site]]
id = "test-site"
name = "Test site"

[[room]]
id = "room-1"
name = "Room 1"
site = "test-site"
kind = "huddle"

[[device]]
id = "loopback-codec"
room = "room-1"
class = "codec"
address = "127.0.0.1"
TOML
fail() { echo "FAIL: $*"; exit 1; }

case "$MODE" in
notify)
    /usr/bin/python3 "$HERE/fake_manager.py" 2000000 -- "$AVMOND" --config "$T/avmon.toml" --log-level notice
    ;;
exitcodes)
    out=$("$AVMOND" --check-config "$T/avmon.toml" 2>&1) && rc=0 || rc=$?
    [ "$rc" = 0 ] || fail "--check-config of a valid file exited $rc: $out"

    # A typo on line 3 must be named by file and line, and stop the start (ExecStartPre).
    sed '3s/^timezone = "UTC"$/timezone = 42/' "$T/avmon.toml" >"$T/broken.toml"
    out=$("$AVMOND" --check-config "$T/broken.toml" 2>&1) && rc=0 || rc=$?
    [ "$rc" = 1 ] || fail "--check-config of a broken file exited $rc (want 1): $out"
    grep -q "$T/broken.toml:3:" <<<"$out" || fail "the error does not name broken.toml:3: $out"
    out=$("$AVMOND" --config "$T/broken.toml" 2>&1) && rc=0 || rc=$?
    [ "$rc" = 1 ] || fail "starting with a broken file exited $rc (want 1): $out"

    out=$("$AVMOND" --no-such-option 2>&1) && rc=0 || rc=$?
    [ "$rc" = 2 ] || fail "an unknown option exited $rc (want 2): $out"
    out=$("$AVMOND" --log-level loud --check-config "$T/avmon.toml" 2>&1) && rc=0 || rc=$?
    [ "$rc" = 2 ] || fail "a bad --log-level exited $rc (want 2): $out"
    echo "OK: exit codes 0 / 1 (file:line) / 2"
    ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
