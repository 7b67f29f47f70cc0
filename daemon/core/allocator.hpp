#pragma once
// Process-wide malloc settings, made once at start by avmond (and by the benchmarks that
// stand in for it, so they measure the same allocator).

namespace avmon {

// Turns off glibc's fastbins (mallopt M_MXFAST = 0) unless GLIBC_TUNABLES already sets
// glibc.malloc.mxfast. Why: a poll's coroutine frames are just over 1 KiB, a "large"
// request for glibc, and every large request first consolidates all fastbin chunks; with
// 10,000 polls in flight that consolidation was ~8 % of the loop's CPU (fleet_bench: CPU per
// 1,000 answers 0.0183 -> 0.0167). Small blocks are still served by the per-thread cache.
void tune_allocator();

}  // namespace avmon
