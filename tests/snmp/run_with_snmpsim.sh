#!/usr/bin/env bash
# Starts snmpsimd on 127.0.0.1:<port> serving tests/fixtures/snmprec (community = file name
# without .snmprec), runs the command with AVMON_SNMPSIM_PORT set, and stops snmpsimd by pid.
# snmpsimd refuses to run as root: it drops to nobody, so data and cache live in a temp dir
# that nobody can read/write.
# usage: run_with_snmpsim.sh <port> <command> [args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=$1; shift
work=$(mktemp -d /tmp/avmon-snmpsim-XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/data" "$work/cache"
cp "$here"/../fixtures/snmprec/*.snmprec "$work/data/"
chmod 755 "$work"; chmod -R a+rX "$work/data"
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:nogroup "$work/cache"
  user_args=(--process-user=nobody --process-group=nogroup)
else
  user_args=()
fi
snmpsimd --data-dir="$work/data" --cache-dir="$work/cache" \
  --variation-modules-dir=/usr/share/snmpsim/variation \
  --agent-udpv4-endpoint=127.0.0.1:"$port" "${user_args[@]}" --logging-method=file:"$work/snmpsim.log" &
pid=$!
for _ in $(seq 1 150); do
  if snmpget -v2c -c christie-projector_cp -On -t 0.2 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.1.0 >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "snmpsimd exited:"; cat "$work/snmpsim.log" 2>/dev/null; exit 1; }
  sleep 0.1
done
AVMON_SNMPSIM_PORT=$port "$@"
