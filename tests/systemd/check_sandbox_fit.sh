#!/bin/bash
# Runs the real avmond the way its unit does (unprivileged, watchdog armed, notify socket set;
# config check, start, SIGHUP reload, stop) under strace, and checks that its system calls and
# socket families fit the unit's SystemCallFilter= and RestrictAddressFamilies=.
#   check_sandbox_fit.sh <configured avmond.service> <avmond>
set -euo pipefail
UNIT=$1 AVMOND=$2
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${AVMON_IN_PRIVATE_NETNS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace, setpriv)"; exit 77; }
    command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
    AVMON_IN_PRIVATE_NETNS=1 exec unshare -n bash "$0" "$@"
fi
ip link set lo up
sysctl -qw net.ipv4.ping_group_range="0 2147483647"   # ping sockets, as on a systemd host

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 0777 "$T"
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

[traps]
enabled = true
listen = "udp:127.0.0.1:11162"
communities = ["sandbox-test-community"]
TOML
chgrp nogroup "$T/avmon.toml"
chmod 0640 "$T/avmon.toml"

# As the unit: an unprivileged user with no capabilities, watchdog and notify socket set.
AS_SERVICE=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --
            env WATCHDOG_USEC=1000000 NOTIFY_SOCKET="$T/notify")
"${AS_SERVICE[@]}" strace -f -qq -o "$T/check.trace" "$AVMOND" --check-config "$T/avmon.toml" >/dev/null
# (setpriv and env exec, so $! is strace's pid and avmond is its child.)
"${AS_SERVICE[@]}" strace -f -qq -o "$T/run.trace" "$AVMOND" --config "$T/avmon.toml" --run-for 3 \
    --log-level warning 2>/dev/null &
TRACER=$!
sleep 1.5
kill -HUP "$(pgrep -P "$TRACER" -x avmond)"            # ExecReload's SIGHUP
wait "$TRACER" || { echo "FAIL: avmond under strace exited $?"; exit 1; }
cat "$T/check.trace" "$T/run.trace" >"$T/all.trace"
grep -q 'RELOADING=1' "$T/run.trace" || { echo "FAIL: the reload did not happen in the trace"; exit 1; }
/usr/bin/python3 "$HERE/sandbox_fit.py" "$UNIT" "$T/all.trace"
