#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one briefly from its corpus.
#
# FUZZ_SECONDS (default 20) per target. FUZZ_SEED (default 1) fixes libFuzzer's mutation
# sequence so a CI run is reproducible and a red gate means a real regression in the code
# under test, not a lucky draw; FUZZ_SEED=0 draws a fresh seed for exploratory runs
# (FUZZ_SECONDS=600 FUZZ_SEED=0 bash scripts/fuzz-smoke.sh). Every target runs even after a
# finding; findings land in build-fuzz/findings/ and the script then exits 1. A crash input,
# once fixed, belongs in tests/fuzz/corpus/<target>/ so ctest replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
seed=${FUZZ_SEED:-1}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAVMON_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
mkdir -p build-fuzz/findings
shopt -s nullglob
count=0
failed=()
for corpus in tests/fuzz/corpus/*/; do
  name=$(basename "$corpus")
  bin=$(find build-fuzz/tests/fuzz -type f -name "$name" -perm -u+x | head -n 1)
  [ -n "$bin" ] || { echo "fuzz-smoke: no binary for corpus $name"; exit 1; }
  work=$(mktemp -d)   # new inputs go to a scratch dir; the repo corpus stays as committed
  echo "fuzz-smoke: $name for ${seconds}s (seed $seed)"
  if ! "$bin" -seed="$seed" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
         -artifact_prefix=build-fuzz/findings/"$name"- "$work" "$corpus" >build-fuzz/findings/"$name".log 2>&1; then
    tail -n 40 build-fuzz/findings/"$name".log
    failed+=("$name")
  fi
  rm -rf "$work"
  count=$((count + 1))
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: findings in ${failed[*]} (inputs in build-fuzz/findings/)"
  exit 1
fi
echo "fuzz-smoke: $count targets ran clean"
