#pragma once
// Writes one Batch in one BEGIN IMMEDIATE ... COMMIT with prepared statements: raw samples
// (time-major append), the sparse time index, the rollup buckets the samples touch, series
// "latest value", device last-seen, metric states, facts, reachability changes, traps, alarms
// with their events and outbox rows, audit, maintenance windows and outbox updates.
// Runs on the writer thread only. Either all of a batch is committed or none of it.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/store/batch.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::store {

struct BatchOutcome {
    std::size_t samples_written = 0;
    std::vector<std::pair<CommitHook, std::int64_t>> hooks;  // to call after commit
};

class BatchWriter {
public:
    explicit BatchWriter(Database& db);

    // Commits `batch` or throws SqliteError (then nothing of it is in the database and the
    // in-memory caches are reset, so the same batch can be retried later).
    BatchOutcome write(const Batch& batch);

private:
    std::int64_t series_id(const std::string& device, const std::string& metric, std::int64_t t_ms);
    void ensure_device(const std::string& device, std::int64_t t_ms);
    void write_samples(const std::vector<Sample>& samples, BatchOutcome& out);
    void write_poll(const PollOutcome& p);
    void write_trap(const TrapEvent& t);
    void write_alarm_event(const AlarmEventItem& item, BatchOutcome& out);
    void write_audit(const AuditRecord& a);
    void write_device(const DeviceRecord& d);
    void write_outbox_update(const OutboxUpdate& u);
    void write_maintenance(const MaintenanceRecord& m);
    void write_report(const ReportArchiveEntry& r);
    void reset_caches();
    void load_non_ok_states();

    Database& db_;
    Statement insert_sample_, insert_block_, upsert_5m_, upsert_1h_, update_series_last_,
        find_series_, insert_series_, insert_device_, touch_device_, upsert_device_info_,
        upsert_state_, upsert_fact_, last_reach_, insert_reach_, insert_trap_, upsert_alarm_,
        insert_alarm_event_, insert_notification_, insert_audit_, update_outbox_,
        upsert_maintenance_, upsert_report_;

    // Caches of what is already in the database; reset after a failed transaction.
    std::unordered_map<std::string, std::int64_t> series_;  // device '\x1f' metric -> id
    std::unordered_set<std::string> devices_;
    std::unordered_map<std::string, bool> reachable_;       // device -> last stored state
    std::unordered_set<std::string> non_ok_;                // device '\x1f' metric
    bool non_ok_loaded_ = false;
};

}  // namespace avmon::store
