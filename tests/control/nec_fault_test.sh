#!/bin/bash
# control.nec.fault: a display that stalls mid-frame (deadline, unreachable), one that answers
# "unsupported" to everything (MetricState, still reachable), and unplug/replug recovery.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyNEC

start_serial_sim "$TTY" nec_sim.py --id 1 --stall-mid-frame
"$POLL" --protocol nec --serial "$TTY" --id 1 --timeout-ms 400 --deadline-ms 3000 >"$WORK/stall.out" || fail "driver failed"
O=$WORK/stall.out
expect "$O" '^poll 1 reachable=0 '
expect "$O" '^error no complete reply to power status read .*incomplete frame'
T=$(elapsed_of "$O" 1)
[ "$T" -lt 1000 ] || fail "stalled poll took $T ms (timeout 400 ms)"
stop_serial_sim

start_serial_sim "$TTY" nec_sim.py --id 1 --stall-mid-frame --stall-after 3
"$POLL" --protocol nec --serial "$TTY" --id 1 --timeout-ms 300 --deadline-ms 1200 >"$WORK/stall2.out" || fail "driver failed"
O=$WORK/stall2.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 1$'
expect "$O" '^unavailable temperature_c.1 error no complete reply to temperature read'
T=$(elapsed_of "$O" 1)
[ "$T" -lt 1500 ] || fail "poll overran its 1200 ms deadline: $T ms"
stop_serial_sim

start_serial_sim "$TTY" nec_sim.py --id 1 --nak
"$POLL" --protocol nec --serial "$TTY" --id 1 >"$WORK/nak.out" || fail "driver failed"
O=$WORK/nak.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^unavailable power_state no_such_object display reports power status read unsupported$'
expect "$O" '^unavailable temperature_c.1 no_such_object display reports temperature sensor 1 unsupported$'
expect "$O" '^sample diagnosis_code 0$'
expect_not "$O" '^sample power_state'
stop_serial_sim

# Unplug and replug.
GO=$WORK/go O=$WORK/replug.out
start_serial_sim "$TTY" nec_sim.py --id 1
"$POLL" --protocol nec --serial "$TTY" --id 1 --polls 100 --interval-ms 50 --timeout-ms 300 \
    --deadline-ms 1500 --backoff-ms 100 --wait-file "$GO" >"$O" 2>"$WORK/driver.err" &
DRIVER_PID=$!
wait_for "$O" '^end 1$' 10
expect "$O" '^poll 1 reachable=1 '
stop_serial_sim TERM
line=$(next_poll "$O" "$GO" 10)
[[ $line == *"reachable=0"* ]] || fail "poll after unplug: $line"
start_serial_sim "$TTY" nec_sim.py --id 1 --temp 36
for _ in $(seq 40); do
    line=$(next_poll "$O" "$GO" 10)
    [[ $line == *"reachable=1"* ]] && break
    sleep 0.1
done
[[ $line == *"reachable=1"* ]] || fail "no recovery after replug"
wait_for "$O" '^sample temperature_c.1 36$' 5
echo "PASS"
