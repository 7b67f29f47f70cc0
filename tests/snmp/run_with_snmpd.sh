#!/usr/bin/env bash
# Starts a real Net-SNMP snmpd on 127.0.0.1:<port> with tests/snmp/snmpd.conf.in, runs the
# given command with AVMON_SNMPD_PORT set, and stops the agent (by its pid) whatever happens.
# usage: run_with_snmpd.sh <port> <command> [args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=$1; shift
work=$(mktemp -d /tmp/avmon-snmpd-XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/persist"
sed -e "s|@PORT@|$port|g" -e "s|@PERSIST@|$work/persist|g" "$here/snmpd.conf.in" >"$work/snmpd.conf"
snmpd -f -C -c "$work/snmpd.conf" -m '' -Lf "$work/snmpd.log" &
pid=$!
for _ in $(seq 1 100); do
  if snmpget -v2c -c avtest-ro -On -t 0.2 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "snmpd exited:"; cat "$work/snmpd.log"; exit 1; }
  sleep 0.1
done
AVMON_SNMPD_PORT=$port "$@"
