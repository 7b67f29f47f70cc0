#!/usr/bin/env bash
# Soak test of avmond (not part of ctest/CI): ~1,000 simulated devices with scripted faults for
# an hour, RSS and open fds sampled into a CSV; fails if they grow beyond the stated bounds.
#
#   sudo bash tests/soak/soak.sh [AVMOND]                    # 1 hour, 1,000 devices
#   sudo SOAK_SECONDS=300 SOAK_SAMPLE_SECONDS=20 bash tests/soak/soak.sh build/daemon/avmond
#
# Settings (environment) and the bounds are described at the top of tests/soak/soak.py.
# Needs root for its private network namespace (nothing reaches a real network) and snmpsim,
# socat-free PJLink simulators, nftables. Output: $SOAK_DIR (default /tmp/avmon-soak-XXXX)/soak.csv.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
avmond=${1:-$root/build/daemon/avmond}
if [ ! -x "$avmond" ]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$root/build" --target avmond
  avmond=$root/build/daemon/avmond
fi
[ "$(id -u)" -eq 0 ] || { echo "soak: needs root (private network namespace, nftables)"; exit 1; }
avmond=$(readlink -f "$avmond")
exec unshare -n /usr/bin/python3 "$root/tests/soak/soak.py" "$avmond" "$root"
