#pragma once
// Read-only access to the store for the daemon (restore the alarm engine, the mailer's due
// outbox items, `avmonctl status`) and for reports: its own SQLITE_OPEN_READONLY connection,
// short read transactions, never blocks the writer (WAL).
// One StoreReader per thread: the connection is not shared.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/alarm_event.hpp"
#include "daemon/store/records.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::store {

class StoreReader {
public:
    // Throws SqliteError when the file does not exist or is not an avmon store.
    explicit StoreReader(const std::string& path);

    int schema_version();

    // ---- alarms ----
    std::vector<Alarm> open_alarms();                 // state != closed, by id: restore at start
    std::optional<Alarm> alarm(std::int64_t id);
    std::vector<AlarmEventRecord> alarm_events(std::int64_t alarm_id);  // the timeline, oldest first
    std::vector<Alarm> alarms(const AlarmFilter& filter);               // newest first
    std::int64_t max_alarm_id();                      // 0 when there is none

    // ---- outbox ----
    std::vector<OutboxItem> due_outbox(SysTime now, int limit = 100);  // pending/sending, next_attempt <= now
    std::vector<OutboxItem> outbox_for_alarm(std::int64_t alarm_id);
    std::optional<OutboxItem> outbox_item(std::int64_t id);

    // ---- devices and samples ----
    std::vector<DeviceSeen> devices();
    std::optional<DeviceSeen> device(const std::string& id);
    std::vector<LatestSample> latest_samples(const std::string& device);
    std::optional<SeriesInfo> find_series(const std::string& device, const std::string& metric);
    std::vector<SeriesInfo> series_of(const std::string& device);
    // Raw samples of one series with from <= t < to, oldest first.
    std::vector<SeriesPoint> samples(std::int64_t series_id, SysTime from, SysTime to);
    // Rollup buckets starting in [from, to), oldest first.
    std::vector<RollupPoint> rollups(std::int64_t series_id, Resolution res, SysTime from, SysTime to);
    std::int64_t sample_count();                      // all raw rows (status, tests, bench)

    // ---- inventory and events ----
    std::vector<FactRecord> facts(const std::string& device);
    std::vector<MetricStateRecord> metric_states(const std::string& device);
    std::vector<ReachabilityRecord> reachability(const std::string& device, SysTime from, SysTime to);
    std::vector<TrapRecord> traps(SysTime from, SysTime to, int limit = 1000);
    std::vector<AuditRecord> audit(SysTime from, SysTime to, int limit = 1000);
    std::vector<MaintenanceRecord> maintenance_windows(bool include_cancelled = false);
    std::optional<ReportArchiveEntry> archived_report(const std::string& month,
                                                      const std::string& scope,
                                                      const std::string& format);

    Database& database() { return db_; }

private:
    Database db_;
};

}  // namespace avmon::store
