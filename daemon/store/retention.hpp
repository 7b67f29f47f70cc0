#pragma once
// Retention per resolution: raw samples, 5-minute and hourly rollups older than their
// configured age are deleted in small transactions (the writer keeps its latency), then the
// freed pages are returned to the file system with PRAGMA incremental_vacuum.
// Alarms, events, outbox, audit, traps and reachability are history and are never deleted.
#include <cstddef>
#include <cstdint>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::store {

struct RetentionResult {
    std::int64_t raw_deleted = 0;
    std::int64_t rollup_5m_deleted = 0;
    std::int64_t rollup_1h_deleted = 0;
    std::int64_t pages_freed = 0;
    int transactions = 0;
    bool complete = true;  // false: stopped at max_transactions, more is left for next time
};

struct RetentionLimits {
    std::size_t batch_rows = 10000;  // raw rows per transaction
    int max_transactions = 1000;     // per run; the rest waits for the next run
    int vacuum_pages_per_step = 2000;
};

RetentionResult run_retention(Database& db, SysTime now, const config::StoreConfig& cfg,
                              const RetentionLimits& limits = {});

}  // namespace avmon::store
