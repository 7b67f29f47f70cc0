#!/bin/bash
# control.mdc.replug: unplug the serial display (kill socat) and plug it back (socat again with
# the same link name). The probe reports unreachable, then recovers by itself.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyMDC GO=$WORK/go O=$WORK/replug.out

start_serial_sim "$TTY" mdc_sim.py --id 1 --temp 44
"$POLL" --protocol mdc --serial "$TTY" --id 1 --polls 100 --interval-ms 50 --timeout-ms 300 \
    --deadline-ms 1000 --backoff-ms 100 --wait-file "$GO" >"$O" 2>"$WORK/driver.err" &
DRIVER_PID=$!
wait_for "$O" '^end 1$' 10
expect "$O" '^poll 1 reachable=1 '

for round in 1 2; do
    stop_serial_sim TERM
    line=$(next_poll "$O" "$GO" 10)
    [[ $line == *"reachable=0"* ]] || fail "round $round: poll after unplug: $line"
    start_serial_sim "$TTY" mdc_sim.py --id 1 --temp $((44 + round))
    recovered=""
    for _ in $(seq 40); do
        line=$(next_poll "$O" "$GO" 10)
        if [[ $line == *"reachable=1"* ]]; then recovered=yes; break; fi
        sleep 0.1
    done
    [ -n "$recovered" ] || fail "round $round: no recovery after replug"
    wait_for "$O" "^sample temperature_c $((44 + round))$" 5
done
expect "$O" '^error .*(down|no complete reply)'
grep "^poll " "$O" >&2; echo "PASS"
