#!/bin/bash
# control.mdc.tcp: MDC over TCP (per-poll connections) against the simulator on loopback;
# a closed port is unreachable; the secured-protocol greeting is named in the error.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"

start_tcp_sim mdc_sim.py --id 1 --temp 52 --lamp-error --garbage-prefix
"$POLL" --protocol mdc --tcp "$TCP_PORT" --id 1 --polls 3 --interval-ms 50 >"$WORK/tcp.out" || fail "driver failed"
O=$WORK/tcp.out
for n in 1 2 3; do expect "$O" "^poll $n reachable=1 "; done
expect "$O" '^sample temperature_c 52$'
expect "$O" '^sample error_lamp 1$'
expect "$O" '^fact serial_number ZZ0123456789$'
CLOSED=$TCP_PORT
stop_tcp_sim

"$POLL" --protocol mdc --tcp "$CLOSED" --id 1 --timeout-ms 500 --deadline-ms 2000 >"$WORK/closed.out" || fail "driver failed"
expect "$WORK/closed.out" '^poll 1 reachable=0 '
expect "$WORK/closed.out" '^error POWER: tcp:127.0.0.1:[0-9]+ is down'

start_tcp_sim mdc_sim.py --id 1 --secured
"$POLL" --protocol mdc --tcp "$TCP_PORT" --id 1 >"$WORK/secured.out" || fail "driver failed"
expect "$WORK/secured.out" '^poll 1 reachable=0 '
expect "$WORK/secured.out" 'requires the MDC secured protocol \(TLS \+ PIN\)'
echo "PASS"
