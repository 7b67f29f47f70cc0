#!/usr/bin/env bash
# Installs what is missing, builds avmon twice (optimised, and with ASan+UBSan), runs the
# whole test suite under ctest in both builds, then fuzzes every parser briefly. Timing-
# sensitive tests (deadlines, loop latency) run on a loaded 2-core machine: a failed test is
# run again, up to 3 times, and any failure that repeats fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAVMON_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"

# Every suite runs even when one before it failed, so a red run shows all of them.
failed=()
echo "== optimised build =="
(cd build && ctest --output-on-failure -j"$jobs" --timeout 600 --repeat until-pass:3) || failed+=("optimised")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== ASan+UBSan build =="
(cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 600 --repeat until-pass:3) || failed+=("asan+ubsan")
# Every parser fuzzed briefly with a fixed seed (scripts/fuzz-smoke.sh says why).
FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash scripts/fuzz-smoke.sh || failed+=("fuzz-smoke")
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: FAILED: ${failed[*]}"
  exit 1
fi
echo "test.sh: all suites passed (optimised, asan+ubsan, fuzz-smoke)"
