#!/usr/bin/env bash
# The fleet benchmark, one command: bash bench/fleet/run.sh [options]
#
# Re-runs itself inside a fresh network namespace (unshare -n: its own loopback, where every
# 127.x.y.z is local; ping sockets enabled there only), starts the bench responder (one
# socket answering every address), then measures, each --reps times in this same run:
#   snmp      fleet_bench (avmond's pipeline) vs fleet_min_poller (Net-SNMP ceiling) vs a
#             parallel snmpget loop (xargs -P16), for every size in --sizes
#   dead      the pipeline with 10 % of the fleet never answering
#   snmpd     the pipeline against one Net-SNMP snmpd (realism; --snmpd-size devices)
#   icmp      fleet_bench --mode icmp (Pinger + make_icmp_probe) vs fping -c1
#   store     bench/store's store_bench (its own figures, not rewritten here)
# and writes the raw lines plus medians and ratios to --out (JSON; summarize.py).
#
# Options: --build DIR (default build-bench)  --sizes "1000 10000"  --reps 3
#          --snmpd-size 1000  --store-rows 1000000 (0: skip)  --out FILE  --smoke (20 devices, 1 rep, 1 cycle)
#          --window 1000 (the extra "snmp_window" row: at most this many device polls in flight; 0: skip)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$ROOT/build-bench"
SIZES="1000 10000"
REPS=3
SNMPD_SIZE=1000
STORE_ROWS=1000000
OUT=""
SMOKE=0
TIMEOUT_MS=1000
RETRIES=1
WINDOW=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --sizes) SIZES="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --snmpd-size) SNMPD_SIZE="$2"; shift 2 ;;
    --store-rows) STORE_ROWS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    --smoke) SMOKE=1; SIZES="20"; REPS=1; SNMPD_SIZE=20; STORE_ROWS=0; TIMEOUT_MS=300; WINDOW=5; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$OUT" ]] || OUT="$ROOT/bench/results/fleet-$(date -u +%Y-%m-%d).json"

if [[ -z "${FLEET_BENCH_NS:-}" ]]; then
  args=(--build "$BUILD" --sizes "$SIZES" --reps "$REPS" --snmpd-size "$SNMPD_SIZE" --store-rows "$STORE_ROWS" --out "$OUT" --window "$WINDOW")
  [[ $SMOKE == 1 ]] && args+=(--smoke)
  FLEET_BENCH_NS=1 exec unshare -n bash "$0" "${args[@]}"
fi

FB="$BUILD/bench/fleet/fleet_bench"
MP="$BUILD/bench/fleet/fleet_min_poller"
RS="$BUILD/bench/fleet/fleet_responder"
SB="$BUILD/bench/store/store_bench"
for b in "$FB" "$MP" "$RS"; do [[ -x "$b" ]] || { echo "run.sh: $b is not built" >&2; exit 2; }; done

WORK="$(mktemp -d /tmp/fleet-bench.XXXXXX)"
RAW="$WORK/raw.jsonl"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip link set lo up
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
ulimit -n "$(ulimit -Hn)"  # one socket per SNMP session: 10,000 devices need 10,000+ descriptors
CLK_TCK="$(getconf CLK_TCK)"
PORT=1161
SNMPD_PORT=1162
OIDS="1.3.6.1.2.1.1.3.0 1.3.6.1.4.1.99999.1.1.0 1.3.6.1.4.1.99999.1.2.0 1.3.6.1.4.1.99999.1.3.0 1.3.6.1.4.1.99999.1.4.0"

# Targets: live agents in 127.10.0.0/16, dead ones in 127.2.0.0/16 (the responder ignores those).
targets() {  # count prefix file
  awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%s.%d.%d\n", p, int(i / 256), i % 256 }' > "$3"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now() { date +%s.%N; }
record() { echo "$1" >> "$RAW"; }  # one JSON object per line

"$RS" --port "$PORT" --ignore 127.2 > "$WORK/responder.out" 2> "$WORK/responder.err" &
RESP=$!
PIDS+=("$RESP")
for _ in $(seq 50); do grep -q ready "$WORK/responder.out" 2>/dev/null && break; sleep 0.1; done

# Runs a command, records its output lines tagged with the simulator's CPU / wall meanwhile.
with_sim() {  # tag size rep sim_pid -- command...
  local tag=$1 size=$2 rep=$3 sim=$4; shift 5
  local c0 t0 c1 t1
  c0=$(cpu_ticks "$sim"); t0=$(now)
  "$@" > "$WORK/out" 2>> "$WORK/stderr.log" || { echo "run.sh: $tag $size failed:" >&2; tail -5 "$WORK/stderr.log" >&2; exit 1; }
  c1=$(cpu_ticks "$sim"); t1=$(now)
  local simratio
  simratio=$(awk -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (c / hz) / (b - a) }')
  while read -r line; do
    [[ "$line" == \{* ]] || continue
    record "{\"bench\":\"$tag\",\"size\":$size,\"rep\":$rep,\"sim_cpu_per_wall\":$simratio,\"data\":$line}"
  done < "$WORK/out"
}

# Five measured cycles after a warm-up: the store publishes its derived data once, after the
# fifth, as the daemon does every 5 minutes while polling every minute (see fleet_bench.cpp).
CYCLES=5; WARMUP=1
[[ $SMOKE == 1 ]] && { CYCLES=1; WARMUP=0; }

for n in $SIZES; do
  targets "$n" 127.10 "$WORK/live-$n"
  dead=$(( n / 10 )); live=$(( n - dead ))
  targets "$live" 127.10 "$WORK/live90-$n"
  targets "$dead" 127.2 "$WORK/dead-$n"
  for rep in $(seq "$REPS"); do
    echo "== size $n, repetition $rep" >&2
    with_sim snmp "$n" "$rep" "$RESP" -- "$FB" --mode snmp --targets "$WORK/live-$n" --port "$PORT" \
      --timeout-ms "$TIMEOUT_MS" --retries "$RETRIES" --cycles "$CYCLES" --warmup "$WARMUP" --dir "$WORK/db"
    # The same with at most $WINDOW polls in flight, as a cap in the daemon's scheduler would
    # do (the daemon itself spreads first polls with jitter; this bench has no interval).
    if [[ "$WINDOW" -gt 0 ]]; then
      with_sim snmp_window "$n" "$rep" "$RESP" -- "$FB" --mode snmp --targets "$WORK/live-$n" --port "$PORT" \
        --timeout-ms "$TIMEOUT_MS" --retries "$RETRIES" --cycles "$CYCLES" --warmup "$WARMUP" --dir "$WORK/db" \
        --window "$WINDOW"
    fi
    # min_poller: the first cycle opens nothing new but warms caches; both are recorded.
    with_sim min_poller "$n" "$rep" "$RESP" -- bash -c "'$MP' --targets '$WORK/live-$n' --port $PORT --cycles 2 |
      awk '{ printf \"{\\\"cycle\\\":%d,\\\"requests\\\":%d,\\\"answered\\\":%d,\\\"wall_s\\\":%s,\\\"cpu_s\\\":%s}\\n\", \$2, \$4, \$6, \$8, \$10 }'"
    # snmpget loop: one process per agent, 16 at a time; wall, and CPU of all of them.
    c0=$(cpu_ticks "$RESP"); t0=$(now)
    /usr/bin/time -f "%U %S" -o "$WORK/snmpget.time" xargs -P16 -I{} snmpget -v2c -c public -On -t 1 -r 1 "{}:$PORT" $OIDS \
      < "$WORK/live-$n" > "$WORK/snmpget.out" 2>/dev/null || true
    t1=$(now); c1=$(cpu_ticks "$RESP")
    ok=$(grep -c '1.3.6.1.2.1.1.3.0 =' "$WORK/snmpget.out" || true)
    read -r gu gs < <(tail -1 "$WORK/snmpget.time")
    record "$(awk -v n="$n" -v rep="$rep" -v ok="$ok" -v a="$t0" -v b="$t1" -v c=$((c1 - c0)) -v hz="$CLK_TCK" -v u="$gu" -v s="$gs" \
      'BEGIN { printf "{\"bench\":\"snmpget\",\"size\":%d,\"rep\":%d,\"sim_cpu_per_wall\":%.3f,\"data\":{\"requests\":%d,\"answered\":%d,\"wall_s\":%.6f,\"cpu_s\":%.3f}}", n, rep, (c / hz) / (b - a), n, ok, b - a, u + s }')"
    with_sim dead "$n" "$rep" "$RESP" -- "$FB" --mode snmp --targets "$WORK/live90-$n" --dead-targets "$WORK/dead-$n" \
      --port "$PORT" --timeout-ms "$TIMEOUT_MS" --retries "$RETRIES" --cycles "$CYCLES" --warmup "$WARMUP" --dir "$WORK/db"
    with_sim icmp "$n" "$rep" "$RESP" -- "$FB" --mode icmp --targets "$WORK/live-$n" --timeout-ms "$TIMEOUT_MS" \
      --cycles "$CYCLES" --warmup "$WARMUP" --dir "$WORK/db"
    # fping: one echo per target, no retry, no spacing (-i 0 as root): the fastest it goes.
    # Wall and CPU to the microsecond (getrusage of the child): /usr/bin/time prints
    # hundredths, as coarse as fping's whole run at 1,000 targets.
    /usr/bin/python3 -c 'import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run(sys.argv[2:], stderr=open(sys.argv[1], "w"))
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime:.6f} {r.ru_stime:.6f} {wall:.6f}")' "$WORK/fping.out" \
      fping -c1 -q -t "$TIMEOUT_MS" -i 0 -r 0 -f "$WORK/live-$n" > "$WORK/fping.time" || true
    alive=$(grep -c '1/1/0%' "$WORK/fping.out" || true)
    read -r fu fs fw < <(tail -1 "$WORK/fping.time")
    record "$(awk -v n="$n" -v rep="$rep" -v ok="$alive" -v w="$fw" -v u="$fu" -v s="$fs" \
      'BEGIN { printf "{\"bench\":\"fping\",\"size\":%d,\"rep\":%d,\"data\":{\"requests\":%d,\"answered\":%d,\"wall_s\":%.6f,\"cpu_s\":%.6f}}", n, rep, n, ok, w, u + s }')"
  done
done

# Net-SNMP snmpd as the fleet's agent (every address, one process), receive buffer raised.
if [[ "$SNMPD_SIZE" -gt 0 ]] && command -v snmpd > /dev/null; then
  mkdir -p "$WORK/snmpd-persist"
  cat > "$WORK/snmpd.conf" <<EOF
[snmp] persistentDir $WORK/snmpd-persist
agentAddress udp:0.0.0.0:$SNMPD_PORT
rocommunity public
override 1.3.6.1.4.1.99999.1.1.0 uinteger 100
override 1.3.6.1.4.1.99999.1.2.0 uinteger 200
override 1.3.6.1.4.1.99999.1.3.0 uinteger 300
override 1.3.6.1.4.1.99999.1.4.0 integer 1
EOF
  sysctl -qw net.core.rmem_max=16777216 2>/dev/null || true
  snmpd -f -C -c "$WORK/snmpd.conf" -m '' -Lf "$WORK/snmpd.log" -p "$WORK/snmpd.pid" \
    --serverRecvBuf=16777216 > /dev/null 2>&1 &
  SNMPD=$!
  PIDS+=("$SNMPD")
  for _ in $(seq 50); do snmpget -v2c -c public -t 0.2 -r 0 "127.0.0.1:$SNMPD_PORT" 1.3.6.1.2.1.1.3.0 > /dev/null 2>&1 && break; sleep 0.1; done
  targets "$SNMPD_SIZE" 127.10 "$WORK/snmpd-$SNMPD_SIZE"
  for rep in $(seq "$REPS"); do
    echo "== snmpd, $SNMPD_SIZE devices, repetition $rep" >&2
    with_sim snmpd "$SNMPD_SIZE" "$rep" "$SNMPD" -- "$FB" --mode snmp --targets "$WORK/snmpd-$SNMPD_SIZE" \
      --port "$SNMPD_PORT" --timeout-ms 5000 --retries 1 --cycles "$CYCLES" --warmup "$WARMUP" --dir "$WORK/db"
  done
fi

if [[ "$STORE_ROWS" -gt 0 && -x "$SB" ]]; then
  for rep in $(seq "$REPS"); do
    echo "== store_bench --rows $STORE_ROWS, repetition $rep" >&2
    "$SB" --rows "$STORE_ROWS" > "$WORK/store.out"
    awk -v rep="$rep" -F'|' '{ gsub(/ /, "", $2) } $2 == "writer" || $2 == "bare" {
        gsub(/ /, "", $1); gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $7);
        printf "{\"bench\":\"store\",\"size\":%s,\"rep\":%d,\"data\":{\"run\":\"%s\",\"samples_per_s\":%s,\"per_cpu_s\":%s,\"seconds\":%s}}\n", $1, rep, $2, $3, $4, $7 }' \
      "$WORK/store.out" >> "$RAW"
  done
fi

mkdir -p "$(dirname "$OUT")"
cp "$RAW" "${OUT%.json}.raw.jsonl"  # the raw lines survive a summary that fails
/usr/bin/python3 "$HERE/summarize.py" "$RAW" "$OUT" --timeout-ms "$TIMEOUT_MS" --retries "$RETRIES" --root "$ROOT"
