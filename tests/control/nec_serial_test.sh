#!/bin/bash
# control.nec.serial: the NEC probe polls a simulated NEC display over a socat pty pair.
POLL=$1 SIMS=$2
source "$(dirname "$0")/mdc_nec_lib.sh"
TTY=$WORK/ttyNEC

# Normal polling, paced: power, self-diagnosis, three temperature sensors (two fitted).
start_serial_sim "$TTY" nec_sim.py --id 1 --temp 30.5 --sensors 2 --log "$WORK/requests.log"
"$POLL" --protocol nec --serial "$TTY" --id 1 --gap-ms 200 --deadline-ms 5000 --polls 2 --interval-ms 10 \
    >"$WORK/normal.out" || fail "driver failed"
O=$WORK/normal.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 1$'
expect "$O" '^sample power_mode 1$'
expect "$O" '^sample diagnosis_code 0$'
expect "$O" '^fact diagnosis normal$'
expect "$O" '^sample temperature_c.1 30.5$'
expect "$O" '^sample temperature_c.2 31.5$'
expect "$O" '^unavailable temperature_c.3 no_such_object display reports temperature sensor 3 unsupported$'
expect "$O" '^poll 2 reachable=1 '
[ "$(grep -c '^unavailable temperature_c.3 no_such_object' "$O")" -eq 2 ] || fail "sensor 3 not reported twice"
# poll 1: power, diagnosis, (select, read) x 2, select 3 = 7 requests; poll 2 remembers that
# sensor 3 is missing: 6. Each request >= 200 ms after the last reply.
[ "$(wc -l <"$WORK/requests.log")" -eq 13 ] || fail "expected 7 + 6 requests: $(cat "$WORK/requests.log")"
[ "$(grep -c ' E 02780003$' "$WORK/requests.log")" -eq 1 ] || fail "sensor 3 asked for again"
awk 'NR > 1 && $1 - prev < 0.19 { bad = 1; print "gap " $1 - prev " before " $2 " " $3 } { prev = $1 } END { exit bad }' \
    "$WORK/requests.log" || fail "requests closer than the 200 ms gap"
stop_serial_sim

# Fan failure in self-diagnosis, standby, and line noise / bad BCCs before every reply.
start_serial_sim "$TTY" nec_sim.py --id 3 --power standby --fan-error --garbage-prefix --bad-checksum --temp -2
"$POLL" --protocol nec --serial "$TTY" --id 3 --gap-ms 20 >"$WORK/fault.out" || fail "driver failed"
O=$WORK/fault.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample power_state 0$'
expect "$O" '^sample power_mode 2$'
expect "$O" '^sample diagnosis_code 128$'
expect "$O" '^fact diagnosis cooling fan 1 abnormal \(0x80\)$'
expect "$O" '^sample temperature_c.1 -2$'
expect "$O" '^sample temperature_c.2 -1$'
stop_serial_sim

# Monitor id mismatch: nobody answers.
start_serial_sim "$TTY" nec_sim.py --id 2
"$POLL" --protocol nec --serial "$TTY" --id 1 --timeout-ms 300 >"$WORK/wrongid.out" || fail "driver failed"
expect "$WORK/wrongid.out" '^poll 1 reachable=0 '
expect "$WORK/wrongid.out" '^error no complete reply to power status read on serial:'
stop_serial_sim

# Profile-chosen items: a raw "get parameter" with scale, an unsupported one, one sensor only.
start_serial_sim "$TTY" nec_sim.py --id 1 --temp 30.5
"$POLL" --protocol nec --serial "$TTY" --id 1 --gap-ms 20 --metric 'temp_raw=param:0279*0.5' \
    --metric 'brightness=param:0010' --metric 'sensor2=temperature.2' --metric 'diag=diagnosis' \
    --fact 'diag_text=diagnosis' >"$WORK/custom.out" || fail "driver failed"
O=$WORK/custom.out
expect "$O" '^poll 1 reachable=1 '
expect "$O" '^sample temp_raw 30.5$'
expect "$O" '^unavailable brightness no_such_object display reports parameter 0010 unsupported$'
expect "$O" '^sample sensor2.2 31.5$'
expect "$O" '^sample diag 0$'
expect "$O" '^fact diag_text normal$'
expect_not "$O" '^sample power'
echo "PASS"
