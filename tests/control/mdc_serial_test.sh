#!/bin/bash
# control.mdc.serial: the MDC probe polls a simulated Samsung display over a socat pty pair.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyMDC

# Normal polling: every value the simulator holds comes back under the profile's names.
start_serial_sim "$TTY" mdc_sim.py --id 1 --power on --temp 47 --fan-error --serial SN4711
"$POLL" --protocol mdc --serial "$TTY" --id 1 --polls 2 --interval-ms 50 >"$WORK/normal.out" || fail "driver failed"
O=$WORK/normal.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^poll 2 reachable=1 '
expect "$O" '^sample power_state 1$'
expect "$O" '^sample temperature_c 47$'
expect "$O" '^sample error_fan 1$'
expect "$O" '^sample error_lamp 0$'
expect "$O" '^sample error_temperature 0$'
expect "$O" '^sample error_brightness_sensor 2$'
expect "$O" '^sample input_source 33$'
expect "$O" '^sample panel_on_hours 50$'
expect "$O" '^fact serial_number SN4711$'
expect "$O" '^fact software_version S-PM2XX-1010.5$'
expect "$O" '^fact model_name QM55R$'
expect_not "$O" '^unavailable'
stop_serial_sim

# Line noise and corrupted frames before every reply: skipped; standby and "no fan sensor".
start_serial_sim "$TTY" mdc_sim.py --id 0 --power off --no-fan --garbage-prefix --bad-checksum
"$POLL" --protocol mdc --serial "$TTY" --id 0 >"$WORK/noise.out" || fail "driver failed"
O=$WORK/noise.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 0$'
expect "$O" '^sample temperature_c 41$'
expect "$O" '^unavailable error_fan no_such_object fan status not supported by this model$'
expect "$O" '^fact model_name QM55R$'
stop_serial_sim

# A display with another id ignores us: unreachable, within the request timeout.
start_serial_sim "$TTY" mdc_sim.py --id 2
"$POLL" --protocol mdc --serial "$TTY" --id 1 --timeout-ms 300 --deadline-ms 3000 >"$WORK/wrongid.out" || fail "driver failed"
O=$WORK/wrongid.out
expect "$O" '^poll 1 reachable=0 '
expect "$O" '^error no complete reply to POWER on serial:'
[ "$(elapsed_of "$O" 1)" -lt 1000 ] || fail "unreachable poll took $(elapsed_of "$O" 1) ms"
stop_serial_sim

# Profile-chosen items from STATUS (0x00) and PANEL (0xF9), a scaled value, a numeric fact.
start_serial_sim "$TTY" mdc_sim.py --id 1 --input 0x14
"$POLL" --protocol mdc --serial "$TTY" --id 1 --metric 'volume=volume' --metric 'mute=mute' \
    --metric 'status_input=status_input' --metric 'panel_off=panel_off' \
    --metric 'panel_on_minutes=panel_on_time*60' --fact 'input_code=input' >"$WORK/custom.out" || fail "driver failed"
O=$WORK/custom.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample volume 16$'
expect "$O" '^sample mute 0$'
expect "$O" '^sample status_input 20$'
expect "$O" '^sample panel_off 0$'
expect "$O" '^sample panel_on_minutes 3000$'
expect "$O" '^fact input_code 20$'
expect_not "$O" '^sample power_state'
echo "PASS"
