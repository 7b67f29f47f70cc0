#!/bin/bash
# control.nec.tcp: NEC over TCP (per-poll connections) against the simulator on loopback.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"

start_tcp_sim nec_sim.py --id 2 --temp 28 --power off
"$POLL" --protocol nec --tcp "$TCP_PORT" --id 2 --polls 2 --interval-ms 50 --gap-ms 20 >"$WORK/tcp.out" || fail "driver failed"
O=$WORK/tcp.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^poll 2 reachable=1 '
expect "$O" '^sample power_state 0$'
expect "$O" '^sample power_mode 4$'
expect "$O" '^sample temperature_c.1 28$'
expect "$O" '^unavailable temperature_c.3 no_such_object '
stop_tcp_sim

# The daemon's factory paces NEC requests at least 600 ms apart, across connections too.
start_tcp_sim nec_sim.py --id 1 --sensors 3 --log "$WORK/requests.log"
"$POLL" --protocol nec --tcp "$TCP_PORT" --id 1 --factory-defaults 1 --deadline-ms 20000 >"$WORK/paced.out" || fail "driver failed"
expect "$WORK/paced.out" '^poll 1 reachable=1 '
expect "$WORK/paced.out" '^sample temperature_c.3 34.5$'
[ "$(wc -l <"$WORK/requests.log")" -eq 8 ] || fail "expected 8 requests: $(cat "$WORK/requests.log")"
awk 'NR > 1 && $1 - prev < 0.595 { bad = 1; print "gap " $1 - prev " before " $2 " " $3 } { prev = $1 } END { exit bad }' \
    "$WORK/requests.log" || fail "requests closer than NEC's 600 ms"
echo "PASS"
