#!/bin/bash
# control.mdc.nak: a display that refuses a command (NAK with an error code). The metrics of
# that command become MetricState errors naming the code; the rest is still read.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyMDC

start_serial_sim "$TTY" mdc_sim.py --id 1 --nak 0d --nak-code 0x02
"$POLL" --protocol mdc --serial "$TTY" --id 1 >"$WORK/nak.out" || fail "driver failed"
O=$WORK/nak.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 1$'
expect "$O" '^unavailable temperature_c error ERROR_STATUS: display answered NAK error 0x02$'
expect "$O" '^unavailable error_fan error ERROR_STATUS: display answered NAK error 0x02$'
expect "$O" '^sample input_source 33$'
expect_not "$O" '^sample temperature_c'
stop_serial_sim

# Even POWER refused: the display answered, so it is reachable, but every metric is an error.
start_serial_sim "$TTY" mdc_sim.py --id 1 --nak 11 --nak 0d --nak 14 --nak 83 --nak 0b --nak 0e --nak 8a
"$POLL" --protocol mdc --serial "$TTY" --id 1 >"$WORK/allnak.out" || fail "driver failed"
O=$WORK/allnak.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^unavailable power_state error POWER: display answered NAK error 0x01$'
expect_not "$O" '^sample '
echo "PASS"
