#pragma once
// Writes one Batch in one BEGIN IMMEDIATE ... COMMIT with prepared statements: raw samples
// (time-major append), the sparse time index, metric states, facts, reachability changes,
// traps, alarms with their events and outbox rows, audit, maintenance windows and outbox
// updates. Runs on the writer thread only. Either all of a batch is committed or none of it.
//
// Rollups, series "latest value" and device last-seen are derived data. Writing them per
// flush would cost an upsert per series per flush (every flush touches every series), so they
// are kept in memory and written in the same transaction as a batch when
//   - a rollup bucket closes (the newest sample is 5 minutes past its end): it is then
//     complete, and store_state says so. Open buckets are never written: StoreReader::rollups
//     builds them from the raw samples after the store_state mark;
//   - a sample arrives for a bucket already closed (late): its delta is written at once;
//   - the batch is "published" (flush(), stop(), or every publish interval): the series'
//     latest values and the devices' last-seen.
// After a crash the deltas are gone, but the raw samples are not: at start the buckets after
// the store_state marks are deleted and rebuilt from raw samples.
//
// Durability: in WAL mode synchronous=NORMAL syncs the WAL only at checkpoints, so a power cut
// (not a SIGKILL: the page cache survives that) can lose the last commits. A batch holding a
// record that must_be_durable() (alarm events and their outbox rows, outbox updates, audit,
// maintenance windows) is therefore committed with synchronous=FULL: COMMIT syncs the WAL
// before it returns, so the CommitHooks of the batch run only once it is on disk (and every
// earlier commit with it, the WAL being appended in order). Sample-only batches stay NORMAL.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/store/batch.hpp"
#include "daemon/store/rollup_buckets.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::store {

struct BatchOutcome {
    std::size_t samples_written = 0;
    std::vector<std::pair<CommitHook, std::int64_t>> hooks;  // to call after commit
};

class BatchWriter {
public:
    // Rebuilds the rollup buckets after the store_state marks from raw samples.
    explicit BatchWriter(Database& db);

    // Commits `batch` (with the latest values and last-seen when `publish`) or throws SqliteError; then
    // nothing of it is in the database, the in-memory deltas are as before and the caches are
    // reset, so the same batch can be retried later.
    BatchOutcome write(const Batch& batch, bool publish = false);

    // True when latest values or last-seen wait for a publish.
    bool has_unpublished() const;

    // Closes every rollup bucket that starts before t_ms (retention calls this before it
    // deletes raw samples, so no bucket is ever rebuilt from raw samples that are gone).
    void close_rollups_before(std::int64_t t_ms);

    std::int64_t rollup_complete_before(std::int64_t width_ms) const;

private:
    struct RollupLevel {
        BucketDeltas pending;           // deltas of buckets >= complete_before
        std::int64_t complete_before;   // buckets starting earlier are complete in the tables
        const char* state_key;
    };
    std::int64_t series_id(const std::string& device, const std::string& metric, std::int64_t t_ms);
    void ensure_device(const std::string& device, std::int64_t t_ms);
    struct Point {
        std::int64_t series_id;
        std::int64_t t_ms;
        double value;
    };
    // What a batch adds to the derived data; folded into the members only after COMMIT.
    struct SampleDeltas {
        std::vector<Point> points;
        // Device -> newest sample, as runs in batch order (a device may repeat): the names
        // point into the batch being written, which outlives these deltas.
        std::vector<std::pair<const std::string*, std::int64_t>> seen;
        std::int64_t newest_ms = 0;
    };
    void write_samples(const std::vector<Sample>& samples, SampleDeltas& d, BatchOutcome& out);
    void write_poll(const PollOutcome& p, SampleDeltas& d);
    void write_trap(const TrapEvent& t);
    void write_alarm_event(const AlarmEventItem& item, BatchOutcome& out);
    void write_audit(const AuditRecord& a);
    void write_device(const DeviceRecord& d);
    void write_outbox_update(const OutboxUpdate& u);
    void write_maintenance(const MaintenanceRecord& m);
    void write_report(const ReportArchiveEntry& r);
    void use_full_sync(bool full);  // PRAGMA synchronous for the next COMMIT
    void reset_caches();
    void load_non_ok_states();
    void recover_rollups();
    void write_rollup(Statement& st, const RollupBucket& b);
    std::int64_t closing_mark(const RollupLevel& level, std::int64_t newest_ms) const;
    void write_level(RollupLevel& level, Statement& upsert, const std::vector<Point>& batch,
                     std::int64_t new_mark);
    static void apply_level(RollupLevel& level, const std::vector<Point>& batch, std::int64_t new_mark);
    void write_latest(const SampleDeltas& d);


    Database& db_;
    static constexpr std::size_t kRowsPerInsert = 32;  // samples per multi-row INSERT
    Statement insert_sample_, insert_samples_, insert_block_, upsert_5m_, upsert_1h_,
        update_series_last_, find_series_, insert_series_, insert_device_, touch_device_,
        upsert_device_info_, upsert_state_, upsert_fact_, last_reach_, insert_reach_, insert_trap_, upsert_alarm_,
        insert_alarm_event_, insert_notification_, insert_audit_, update_outbox_,
        upsert_maintenance_, upsert_report_, save_state_;

    RollupLevel five_{BucketDeltas(kFiveMinutesMs), 0, "rollup_5m_complete_before"};
    RollupLevel hour_{BucketDeltas(kOneHourMs), 0, "rollup_1h_complete_before"};
    std::int64_t newest_sample_ms_ = 0;
    LatestValues latest_;                                  // series -> newest unwritten value
    std::unordered_map<std::string, std::int64_t> seen_;   // device -> newest unwritten sample

    // Caches of what is already in the database; reset after a failed transaction.
    // Series ids by device, then by metric: a poll's samples share one device lookup, and a
    // device's few metrics are found by a short scan (no device+metric key per sample).
    using DeviceSeries = std::vector<std::pair<std::string, std::int64_t>>;  // metric -> id
    std::unordered_map<std::string, DeviceSeries> series_;
    std::pair<const std::string, DeviceSeries>* series_device_ = nullptr;  // the last one used
    std::size_t series_next_ = 0;  // where its next metric is expected
    std::unordered_set<std::string> devices_;
    std::unordered_map<std::string, bool> reachable_;       // device -> last stored state
    std::unordered_set<std::string> non_ok_;                // device '\x1f' metric
    bool non_ok_loaded_ = false;
    const std::vector<std::string> no_metrics_;
    static constexpr int kSyncFull = 2;  // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    int base_sync_;                      // the connection's level for everything else
    int sync_level_;                     // the level set now
};

}  // namespace avmon::store
