#include "daemon/store/retention.hpp"

#include <algorithm>
#include <chrono>

namespace avmon::store {
namespace {

std::int64_t cutoff_ms(SysTime now, int days) {
    return to_unix_ms(now - std::chrono::hours(24) * days);
}

// Raw samples: whole flush blocks older than the cutoff, batch_rows at a time. A block is
// only deleted once its newest sample is past the cutoff, so nothing younger is lost.
void delete_raw(Database& db, std::int64_t cutoff, const RetentionLimits& lim, RetentionResult& r) {
    Statement oldest(db,
                     "SELECT first_rowid, last_rowid FROM sample_blocks WHERE max_t_ms < ?1 "
                     "ORDER BY first_rowid LIMIT 1");
    Statement del_rows(db, "DELETE FROM samples WHERE rowid BETWEEN ?1 AND ?2");
    Statement shrink(db, "UPDATE sample_blocks SET first_rowid = ?2 WHERE first_rowid = ?1");
    Statement drop(db, "DELETE FROM sample_blocks WHERE first_rowid = ?1");
    const auto batch = static_cast<std::int64_t>(lim.batch_rows);
    while (r.transactions < lim.max_transactions) {
        Transaction tx(db);
        oldest.bind(1, cutoff);
        if (!oldest.step()) {
            oldest.reset();
            return;
        }
        const auto first = oldest.get_int(0), last = oldest.get_int(1);
        oldest.reset();
        const auto upto = std::min(last, first + batch - 1);
        del_rows.bind(1, first).bind(2, upto).run();
        r.raw_deleted += db.changes();
        if (upto == last) drop.bind(1, first).run();
        else shrink.bind(1, first).bind(2, upto + 1).run();
        tx.commit();
        ++r.transactions;
    }
    r.complete = false;
}

// Rollups are keyed time-major: one transaction deletes the oldest bucket (one row per series).
void delete_rollups(Database& db, const char* table, std::int64_t cutoff, const RetentionLimits& lim,
                    RetentionResult& r, std::int64_t& counter) {
    Statement oldest(db, std::string("SELECT min(bucket_ms) FROM ") + table);
    Statement del(db, std::string("DELETE FROM ") + table + " WHERE bucket_ms = ?1");
    while (r.transactions < lim.max_transactions) {
        Transaction tx(db);
        if (!oldest.step() || oldest.is_null(0) || oldest.get_int(0) >= cutoff) {
            oldest.reset();
            return;
        }
        const auto bucket = oldest.get_int(0);
        oldest.reset();
        del.bind(1, bucket).run();
        counter += db.changes();
        tx.commit();
        ++r.transactions;
    }
    r.complete = false;
}

}  // namespace

RetentionResult run_retention(Database& db, SysTime now, const config::StoreConfig& cfg,
                              const RetentionLimits& limits) {
    RetentionResult r;
    if (cfg.raw_retention_days > 0) delete_raw(db, cutoff_ms(now, cfg.raw_retention_days), limits, r);
    if (cfg.rollup_5m_retention_days > 0)
        delete_rollups(db, "rollups_5m", cutoff_ms(now, cfg.rollup_5m_retention_days), limits, r,
                       r.rollup_5m_deleted);
    if (cfg.rollup_1h_retention_days > 0)
        delete_rollups(db, "rollups_1h", cutoff_ms(now, cfg.rollup_1h_retention_days), limits, r,
                       r.rollup_1h_deleted);
    // Give freed pages back in bounded steps so no single step holds the write lock long.
    for (int i = 0; i < 1000; ++i) {
        const auto free_pages = db.query_int("PRAGMA freelist_count").value_or(0);
        if (free_pages == 0) break;
        const auto before = db.query_int("PRAGMA page_count").value_or(0);
        db.exec("PRAGMA incremental_vacuum(" + std::to_string(limits.vacuum_pages_per_step) + ")");
        const auto after = db.query_int("PRAGMA page_count").value_or(0);
        r.pages_freed += before - after;
        if (after == before) break;
    }
    db.exec("PRAGMA optimize");  // refresh planner statistics where SQLite thinks it helps
    return r;
}

}  // namespace avmon::store
