#!/usr/bin/env bash
# Installs what is missing, builds avmond, and runs it for DEMO_SECONDS (default 60) against a
# simulated room fleet inside a private network namespace: an SNMP simulator serving real
# device recordings, a PJLink projector, a Shure receiver, a Samsung MDC display on a pseudo
# serial port, and a codec that never answers. Midway the projector is switched off at the
# wall (its simulator is stopped) and later back on, so alarms are raised and resolved.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "${1:-}" != "--inside" ]; then
  bash scripts/install-deps.sh
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target avmond avmonctl
  [ "$(id -u)" -eq 0 ] || { echo "demo: needs root for its private network namespace (try: sudo bash scripts/demo.sh)"; exit 1; }
  exec unshare -n bash "$0" --inside
fi

# ---- inside a private network namespace: nothing here can reach or disturb a real network ----
ip link set lo up
sysctl -qw net.ipv4.ping_group_range="0 2147483647"   # ICMP ping sockets, as on systemd hosts
# 10.77.0.0/24 lies behind a veth whose far end nobody answers on: 10.77.0.9 never replies.
ip link add demo0 type veth peer name demo1
ip addr add 10.77.0.1/24 dev demo0 && ip link set demo0 up && ip link set demo1 up

run=$(mktemp -d /tmp/avmon-demo.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# SNMP simulator (runs as nobody) serving real recordings; the community selects the device.
mkdir -p "$run/snmprec" "$run/snmpsim-cache"
cp tests/fixtures/snmprec/*.snmprec "$run/snmprec/"
chown -R nobody:nogroup "$run/snmpsim-cache"; chmod -R a+rX "$run/snmprec"
snmpsimd --data-dir="$run/snmprec" --cache-dir="$run/snmpsim-cache" --agent-udpv4-endpoint=127.0.0.1:1161 \
  --process-user=nobody --process-group=nogroup --logging-method=null >/dev/null 2>&1 & pids+=($!)

export AVMON_DEMO_PJLINK_PASSWORD=demo-pjlink-secret
start_projector() {
  /usr/bin/python3 tests/sims/pjlink_sim.py --port 14352 --class 2 --password "$AVMON_DEMO_PJLINK_PASSWORD" \
    --lamps "2950 1" --errors 000000 >/dev/null 2>&1 & proj_pid=$!; pids+=($proj_pid)
}
start_projector
/usr/bin/python3 tests/sims/shure_sim.py --port 12202 --channels 2 >/dev/null 2>&1 & pids+=($!)
socat pty,raw,echo=0,link="$run/ttyDisplay" EXEC:"/usr/bin/python3 $root/tests/sims/mdc_sim.py --id 1 --temp 43" \
  >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -e "$run/ttyDisplay" ] && break; sleep 0.05; done
sleep 0.5   # let the simulators bind

sed -e "s#@RUN@#$run#g" -e "s#@ROOT@#$root#g" scripts/demo/fleet.toml.in > "$run/avmon.toml"
chmod 600 "$run/avmon.toml"
seconds=${DEMO_SECONDS:-60}
echo "demo: avmond for ${seconds}s on $(grep -c '^\[\[device\]\]' "$run/avmon.toml") devices; store $run/avmon.db"
echo "demo: the projector loses power at $((seconds / 3))s and comes back at $((2 * seconds / 3))s"
echo

build/daemon/avmond --config "$run/avmon.toml" --run-for "$seconds" & avmond=$!
sleep $((seconds / 3)); echo "demo: -- projector switched off --" >&2; kill "$proj_pid"
sleep $((seconds / 3)); echo "demo: -- projector switched on --" >&2; start_projector
sleep 2
echo "demo: \$ avmonctl alarms   (the operator's view, over avmond's control socket)" >&2
build/ctl/avmonctl alarms --socket "$run/avmond.sock" >&2 || true
wait "$avmond" || { echo "demo: avmond exited with $?"; exit 1; }

echo
echo "demo: what the store holds"
sqlite3 -readonly "$run/avmon.db" <<'SQL'
.mode column
.headers on
SELECT (SELECT count(*) FROM samples) AS raw_samples, (SELECT count(*) FROM series) AS series,
       (SELECT count(*) FROM alarms) AS alarms, (SELECT count(*) FROM alarm_events) AS alarm_events;
SELECT device, count(*) AS metrics, datetime(max(last_ms) / 1000, 'unixepoch') AS last_sample
  FROM series GROUP BY device ORDER BY device;
SELECT a.id, a.device, a.severity, a.state, e.kind AS event, strftime('%H:%M:%S', e.t_ms / 1000, 'unixepoch') AS at
  FROM alarms a JOIN alarm_events e ON e.alarm_id = a.id ORDER BY e.id;
SELECT id, device, rule_id, severity, state, text FROM alarms ORDER BY id;
SQL
