#!/bin/bash
# control.mdc.stall: a display that stops answering in the middle of a frame. The poll ends by
# its deadline: unreachable when nothing complete ever came, else per-metric errors.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyMDC

start_serial_sim "$TTY" mdc_sim.py --id 1 --stall-mid-frame
"$POLL" --protocol mdc --serial "$TTY" --id 1 --timeout-ms 400 --deadline-ms 3000 >"$WORK/first.out" || fail "driver failed"
O=$WORK/first.out
expect "$O" '^poll 1 reachable=0 '
expect "$O" '^error no complete reply to POWER on serial:.*\(4 bytes of an incomplete frame\)'
T=$(elapsed_of "$O" 1)
[ "$T" -ge 350 ] && [ "$T" -lt 1000 ] || fail "stalled poll took $T ms (timeout 400 ms)"
stop_serial_sim

# Answers POWER and ERROR_STATUS, then stalls mid-frame: the rest fails, the deadline holds.
start_serial_sim "$TTY" mdc_sim.py --id 1 --stall-mid-frame --stall-after 2
"$POLL" --protocol mdc --serial "$TTY" --id 1 --timeout-ms 300 --deadline-ms 1000 >"$WORK/later.out" || fail "driver failed"
O=$WORK/later.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 1$'
expect "$O" '^sample temperature_c 41$'
expect "$O" '^unavailable input_source error no complete reply to INPUT_SOURCE .*incomplete frame'
expect "$O" '^unavailable model_name error '
T=$(elapsed_of "$O" 1)
[ "$T" -lt 1300 ] || fail "poll overran its 1000 ms deadline: $T ms"
echo "PASS"
