# Shared helpers for the MDC/NEC shell tests: a simulated display behind a socat pty pair
# (or on loopback TCP), started and stopped by pid, and line assertions on the poll output.
# Usage: source this with POLL (the mdc_nec_poll binary) and SIMS (tests/sims) set.
set -u
WORK=$(mktemp -d /tmp/avmon-ctlb.XXXXXX)
SOCAT_PID=""
TCP_PID=""
DRIVER_PID=""
PY=/usr/bin/python3

cleanup() {
    for pid in $DRIVER_PID $SOCAT_PID $TCP_PID; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$WORK"/*.out; do [ -e "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done
    exit 1
}

# start_serial_sim LINK SIM ARGS... : a display on pty $LINK (socat runs the simulator).
start_serial_sim() {
    local link=$1 sim=$2
    shift 2
    socat pty,raw,echo=0,link="$link" EXEC:"$PY $SIMS/$sim $*" 2>>"$WORK/socat.log" &
    SOCAT_PID=$!
    for _ in $(seq 100); do [ -e "$link" ] && return 0; sleep 0.05; done
    fail "socat did not create $link"
}

# stop_serial_sim [SIGNAL]: unplug (TERM removes the link; KILL leaves a stale symlink behind).
stop_serial_sim() {
    kill "-${1:-TERM}" "$SOCAT_PID" 2>/dev/null
    wait "$SOCAT_PID" 2>/dev/null
    SOCAT_PID=""
}

# start_tcp_sim SIM ARGS... : sets TCP_PORT.
start_tcp_sim() {
    local sim=$1
    shift
    local portfile=$WORK/tcp_sim.$RANDOM.port  # a fresh file: never read an earlier sim's port
    $PY "$SIMS/$sim" --tcp --port 0 "$@" >"$portfile" 2>>"$WORK/tcp_sim.log" &
    TCP_PID=$!
    for _ in $(seq 100); do
        TCP_PORT=$(sed -n 's/^PORT //p' "$portfile" 2>/dev/null)
        [ -n "$TCP_PORT" ] && return 0
        sleep 0.05
    done
    fail "TCP simulator did not report its port"
}

stop_tcp_sim() {
    kill "$TCP_PID" 2>/dev/null
    wait "$TCP_PID" 2>/dev/null
    TCP_PID=""
}

# expect FILE REGEX : a line of FILE matches (grep -E).
expect() { grep -Eq -- "$2" "$1" || fail "expected a line matching '$2' in $1"; }
expect_not() { ! grep -Eq -- "$2" "$1" || fail "did not expect a line matching '$2' in $1"; }

# elapsed_of FILE N : elapsed_ms of poll N.
elapsed_of() { sed -n "s/^poll $2 reachable=[01] elapsed_ms=\([0-9]*\)$/\1/p" "$1"; }

# wait_for FILE REGEX SECONDS
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -Eq -- "$2" "$1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && fail "timed out waiting for '$2' in $1"
        sleep 0.05
    done
}

# next_poll OUT GOFILE SECONDS : lets a --wait-file driver run one more poll; prints its header.
next_poll() {
    local n
    n=$(grep -c '^end ' "$1")
    touch "$2"
    wait_for "$1" "^end $((n + 1))$" "$3"
    grep "^poll $((n + 1)) " "$1"
}
