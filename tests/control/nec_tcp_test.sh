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
echo "PASS"
