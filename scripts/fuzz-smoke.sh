#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each one briefly from its corpus.
# FUZZ_SECONDS (default 20) per target; findings are written to build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAVMON_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
mkdir -p build-fuzz/findings
shopt -s nullglob
count=0
for corpus in tests/fuzz/corpus/*/; do
  name=$(basename "$corpus")
  bin=$(find build-fuzz/tests/fuzz -type f -name "$name" -perm -u+x | head -n 1)
  [ -n "$bin" ] || { echo "fuzz-smoke: no binary for corpus $name"; exit 1; }
  work=$(mktemp -d)   # new inputs go to a scratch dir; the repo corpus stays as committed
  echo "fuzz-smoke: $name for ${seconds}s"
  "$bin" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=1024 \
         -artifact_prefix=build-fuzz/findings/"$name"- "$work" "$corpus" >build-fuzz/findings/"$name".log 2>&1 ||
    { tail -n 40 build-fuzz/findings/"$name".log; exit 1; }
  rm -rf "$work"
  count=$((count + 1))
done
echo "fuzz-smoke: $count targets ran clean"
