#!/usr/bin/env bash
# The whole-daemon benchmark, one command (root: it makes its own network namespace):
#   bash bench/avmond/run.sh [--build DIR] [--sizes "1000 10000"] [--reps 3] [--seconds 45]
# Uses avmond, fleet_responder and fleet_min_poller from the build directory (default
# build-bench, RelWithDebInfo) and writes bench/results/avmond-<date>.jsonl.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$ROOT/build-bench"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --sizes|--reps|--seconds|--interval) extra+=("$1" "$2"); shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
exec /usr/bin/python3 "$HERE/avmond_bench.py" --avmond "$BUILD/daemon/avmond" \
  --responder "$BUILD/bench/fleet/fleet_responder" --min-poller "$BUILD/bench/fleet/fleet_min_poller" \
  --out "$ROOT/bench/results/avmond-$(date -u +%Y-%m-%d).jsonl" "${extra[@]}"
