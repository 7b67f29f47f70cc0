#include "daemon/store/store_reader.hpp"

#include <fmt/format.h>

#include "daemon/store/rollup_buckets.hpp"
#include "daemon/store/schema.hpp"

namespace avmon::store {
namespace {

constexpr const char* kAlarmSelect =
    "SELECT id, rule_id, device, room, severity, state, text, value, raised_ms, acked_ms, "
    "resolved_ms, closed_ms, ack_deadline_ms, resolve_deadline_ms, emergency_deadline_ms, "
    "escalation_level, suppressed, suppression_reason, root_alarm_id, flapping, recurring, "
    "occurrences, acked_by, cause, action FROM alarms";

constexpr const char* kOutboxSelect =
    "SELECT id, alarm_id, event_id, recipient, person, escalation_level, room, created_ms, status, "
    "attempts, next_attempt_ms, message_id, last_error, sent_ms FROM notifications";

std::optional<SysTime> opt_time(const Statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return from_unix_ms(st.get_int(col));
}

Alarm alarm_from_row(const Statement& st) {
    Alarm a;
    a.id = st.get_int(0);
    a.rule_id = st.get_text(1);
    a.device = st.get_text(2);
    a.room = st.get_text(3);
    a.severity = parse_severity(st.get_text(4)).value_or(Severity::III);
    a.state = parse_alarm_state(st.get_text(5)).value_or(AlarmState::raised);
    a.text = st.get_text(6);
    a.value = st.get_double(7);
    a.raised_at = from_unix_ms(st.get_int(8));
    a.acked_at = opt_time(st, 9);
    a.resolved_at = opt_time(st, 10);
    a.closed_at = opt_time(st, 11);
    a.ack_deadline = opt_time(st, 12);
    a.resolve_deadline = opt_time(st, 13);
    a.emergency_deadline = opt_time(st, 14);
    a.escalation_level = static_cast<int>(st.get_int(15));
    a.suppressed = st.get_int(16) != 0;
    a.suppression_reason = st.get_text(17);
    a.root_alarm_id = st.get_opt_int(18);
    a.flapping = st.get_int(19) != 0;
    a.recurring = st.get_int(20) != 0;
    a.occurrences = static_cast<int>(st.get_int(21));
    a.acked_by = st.get_text(22);
    a.cause = st.get_text(23);
    a.action = st.get_text(24);
    return a;
}

OutboxItem outbox_from_row(const Statement& st) {
    OutboxItem o;
    o.id = st.get_int(0);
    o.alarm_id = st.get_int(1);
    o.event_id = st.get_int(2);
    o.recipient = st.get_text(3);
    o.person = st.get_text(4);
    o.escalation_level = static_cast<int>(st.get_int(5));
    o.room = st.get_text(6);
    o.created = from_unix_ms(st.get_int(7));
    o.status = parse_outbox_status(st.get_text(8)).value_or(OutboxStatus::pending);
    o.attempts = static_cast<int>(st.get_int(9));
    o.next_attempt = from_unix_ms(st.get_int(10));
    o.message_id = st.get_text(11);
    o.last_error = st.get_text(12);
    o.sent = opt_time(st, 13);
    return o;
}

DeviceSeen device_from_row(const Statement& st) {
    DeviceSeen d;
    d.id = st.get_text(0);
    d.name = st.get_text(1);
    d.room = st.get_text(2);
    d.device_class = st.get_text(3);
    d.model = st.get_text(4);
    if (!st.is_null(5)) d.first_seen = from_unix_ms(st.get_int(5));
    d.last_seen = opt_time(st, 6);
    if (!st.is_null(7)) d.reachable = st.get_int(7) != 0;
    return d;
}

constexpr const char* kDeviceSelect =
    "SELECT d.id, d.name, d.room, d.class, d.model, d.first_seen_ms, d.last_seen_ms, "
    "(SELECT up FROM reachability r WHERE r.device = d.id ORDER BY t_ms DESC, id DESC LIMIT 1) "
    "FROM devices d";

}  // namespace

StoreReader::StoreReader(const std::string& path) : db_(open_for_reading(path)) {
    const auto v = schema_version();
    if (v < 1)
        throw SqliteError(0, fmt::format("store: {} is not an avmon store (schema version {})", path, v));
    if (v > latest_schema_version())
        throw SqliteError(0, fmt::format("store: {} has schema version {}, newer than this program ({})",
                                         path, v, latest_schema_version()));
}

int StoreReader::schema_version() {
    return static_cast<int>(db_.query_int("PRAGMA user_version").value_or(0));
}

std::vector<Alarm> StoreReader::open_alarms() {
    Statement st(db_, std::string(kAlarmSelect) + " WHERE state != 'closed' ORDER BY id");
    std::vector<Alarm> out;
    while (st.step()) out.push_back(alarm_from_row(st));
    return out;
}

std::optional<Alarm> StoreReader::alarm(std::int64_t id) {
    Statement st(db_, std::string(kAlarmSelect) + " WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return alarm_from_row(st);
}

std::vector<AlarmEventRecord> StoreReader::alarm_events(std::int64_t alarm_id) {
    Statement st(db_,
                 "SELECT id, alarm_id, t_ms, kind, actor, note, severity, state, escalation_level "
                 "FROM alarm_events WHERE alarm_id = ?1 ORDER BY id");
    st.bind(1, alarm_id);
    std::vector<AlarmEventRecord> out;
    while (st.step()) {
        AlarmEventRecord e;
        e.id = st.get_int(0);
        e.alarm_id = st.get_int(1);
        e.time = from_unix_ms(st.get_int(2));
        e.kind = parse_alarm_event_kind(st.get_text(3)).value_or(AlarmEventKind::note);
        e.actor = st.get_text(4);
        e.note = st.get_text(5);
        e.severity = parse_severity(st.get_text(6)).value_or(Severity::III);
        e.state = parse_alarm_state(st.get_text(7)).value_or(AlarmState::raised);
        e.escalation_level = static_cast<int>(st.get_int(8));
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<Alarm> StoreReader::alarms(const AlarmFilter& f) {
    std::string sql = std::string(kAlarmSelect) + " WHERE 1";
    if (f.room) sql += " AND room = ?1";
    if (f.device) sql += " AND device = ?2";
    if (f.severity) sql += " AND severity = ?3";
    if (f.state) sql += " AND state = ?4";
    if (f.since) sql += " AND raised_ms >= ?5";
    if (f.until) sql += " AND raised_ms < ?6";
    sql += " ORDER BY raised_ms DESC, id DESC LIMIT ?7";
    Statement st(db_, sql);
    if (f.room) st.bind(1, *f.room);
    if (f.device) st.bind(2, *f.device);
    if (f.severity) st.bind(3, to_string(*f.severity));
    if (f.state) st.bind(4, to_string(*f.state));
    if (f.since) st.bind(5, to_unix_ms(*f.since));
    if (f.until) st.bind(6, to_unix_ms(*f.until));
    st.bind(7, f.limit);
    std::vector<Alarm> out;
    while (st.step()) out.push_back(alarm_from_row(st));
    return out;
}

std::int64_t StoreReader::max_alarm_id() {
    return db_.query_int("SELECT max(id) FROM alarms").value_or(0);
}

std::vector<OutboxItem> StoreReader::due_outbox(SysTime now, int limit) {
    Statement st(db_, std::string(kOutboxSelect) +
                          " WHERE status IN ('pending','sending') AND next_attempt_ms <= ?1 "
                          "ORDER BY next_attempt_ms, id LIMIT ?2");
    st.bind(1, to_unix_ms(now)).bind(2, limit);
    std::vector<OutboxItem> out;
    while (st.step()) out.push_back(outbox_from_row(st));
    return out;
}

std::vector<OutboxItem> StoreReader::outbox_for_alarm(std::int64_t alarm_id) {
    Statement st(db_, std::string(kOutboxSelect) + " WHERE alarm_id = ?1 ORDER BY id");
    st.bind(1, alarm_id);
    std::vector<OutboxItem> out;
    while (st.step()) out.push_back(outbox_from_row(st));
    return out;
}

std::optional<OutboxItem> StoreReader::outbox_item(std::int64_t id) {
    Statement st(db_, std::string(kOutboxSelect) + " WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return outbox_from_row(st);
}

std::vector<DeviceSeen> StoreReader::devices() {
    Statement st(db_, std::string(kDeviceSelect) + " ORDER BY d.id");
    std::vector<DeviceSeen> out;
    while (st.step()) out.push_back(device_from_row(st));
    return out;
}

std::optional<DeviceSeen> StoreReader::device(const std::string& id) {
    Statement st(db_, std::string(kDeviceSelect) + " WHERE d.id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return device_from_row(st);
}

std::vector<LatestSample> StoreReader::latest_samples(const std::string& device) {
    Statement st(db_,
                 "SELECT metric, last_ms, last_value FROM series WHERE device = ?1 AND "
                 "last_ms IS NOT NULL ORDER BY metric");
    st.bind(1, device);
    std::vector<LatestSample> out;
    while (st.step()) out.push_back({st.get_text(0), from_unix_ms(st.get_int(1)), st.get_double(2)});
    return out;
}

std::optional<SeriesInfo> StoreReader::find_series(const std::string& device, const std::string& metric) {
    Statement st(db_, "SELECT id FROM series WHERE device = ?1 AND metric = ?2");
    st.bind(1, device).bind(2, metric);
    if (!st.step()) return std::nullopt;
    return SeriesInfo{st.get_int(0), device, metric};
}

std::vector<SeriesInfo> StoreReader::series_of(const std::string& device) {
    Statement st(db_, "SELECT id, metric FROM series WHERE device = ?1 ORDER BY metric");
    st.bind(1, device);
    std::vector<SeriesInfo> out;
    while (st.step()) out.push_back({st.get_int(0), device, st.get_text(1)});
    return out;
}

std::vector<SeriesPoint> StoreReader::samples(std::int64_t series_id, SysTime from, SysTime to) {
    // The sparse block index narrows the scan to the rowid ranges written in [from, to).
    Statement st(db_,
                 "SELECT s.t_ms, s.value FROM sample_blocks b "
                 "CROSS JOIN samples s ON s.rowid BETWEEN b.first_rowid AND b.last_rowid "
                 "WHERE b.max_t_ms >= ?2 AND b.min_t_ms < ?3 "
                 "AND s.series_id = ?1 AND s.t_ms >= ?2 AND s.t_ms < ?3 ORDER BY s.t_ms, s.rowid");
    st.bind(1, series_id).bind(2, to_unix_ms(from)).bind(3, to_unix_ms(to));
    std::vector<SeriesPoint> out;
    while (st.step()) out.push_back({from_unix_ms(st.get_int(0)), st.get_double(1)});
    return out;
}

std::vector<RollupPoint> StoreReader::rollups(std::int64_t series_id, Resolution res, SysTime from,
                                              SysTime to) {
    const bool five = res == Resolution::five_minutes;
    const std::int64_t width = five ? kFiveMinutesMs : kOneHourMs;
    const auto from_ms = to_unix_ms(from), to_ms = to_unix_ms(to);
    // One snapshot: the table, its store_state mark and the raw samples after it agree.
    Transaction snapshot(db_, false);
    Statement mark_st(db_, "SELECT value FROM store_state WHERE key = ?1");
    mark_st.bind(1, five ? "rollup_5m_complete_before" : "rollup_1h_complete_before");
    const std::int64_t mark = mark_st.step() ? mark_st.get_int(0) : 0;
    mark_st.reset();

    // Complete buckets (before the mark) are in the table.
    Statement st(db_, fmt::format("SELECT bucket_ms, min, max, sum, count FROM {} WHERE series_id = ?1 "
                                  "AND bucket_ms >= ?2 AND bucket_ms < ?3 ORDER BY bucket_ms",
                                  five ? "rollups_5m" : "rollups_1h"));
    st.bind(1, series_id).bind(2, from_ms).bind(3, std::min(to_ms, mark));
    std::vector<RollupPoint> out;
    while (st.step())
        out.push_back({from_unix_ms(st.get_int(0)), st.get_double(1), st.get_double(2),
                       st.get_double(3), st.get_int(4)});

    // Open buckets (from the mark on) live only in the writer's memory: build them from raw
    // samples, which reach the file at every flush. Buckets starting in [lo, to) are exactly
    // the samples in [lo, hi) with both ends rounded up to a bucket start.
    auto round_up = [&](std::int64_t t) { return bucket_start(t + width - 1, width); };
    const auto lo = round_up(std::max(from_ms, mark)), hi = round_up(to_ms);
    if (lo < hi) {
        BucketDeltas open(width);  // keyed by series 0: the deltas index slots by series id
        for (const auto& p : samples(series_id, from_unix_ms(lo), from_unix_ms(hi)))
            open.add(0, to_unix_ms(p.time), p.value);
        for (const auto& b : open.sorted())
            out.push_back({from_unix_ms(b.bucket_ms), b.min, b.max, b.sum, b.count});
    }
    return out;
}

std::int64_t StoreReader::sample_count() {
    return db_.query_int("SELECT count(*) FROM samples").value_or(0);
}

std::vector<FactRecord> StoreReader::facts(const std::string& device) {
    Statement st(db_, "SELECT key, value, updated_ms FROM facts WHERE device = ?1 ORDER BY key");
    st.bind(1, device);
    std::vector<FactRecord> out;
    while (st.step()) out.push_back({st.get_text(0), st.get_text(1), from_unix_ms(st.get_int(2))});
    return out;
}

std::vector<MetricStateRecord> StoreReader::metric_states(const std::string& device) {
    Statement st(db_,
                 "SELECT device, metric, status, detail, since_ms, updated_ms FROM metric_states "
                 "WHERE device = ?1 ORDER BY metric");
    st.bind(1, device);
    std::vector<MetricStateRecord> out;
    while (st.step())
        out.push_back({st.get_text(0), st.get_text(1),
                       parse_metric_status(st.get_text(2)).value_or(MetricStatus::error),
                       st.get_text(3), from_unix_ms(st.get_int(4)), from_unix_ms(st.get_int(5))});
    return out;
}

std::vector<ReachabilityRecord> StoreReader::reachability(const std::string& device, SysTime from,
                                                          SysTime to) {
    Statement st(db_,
                 "SELECT device, t_ms, up, reason FROM reachability WHERE device = ?1 AND "
                 "t_ms >= ?2 AND t_ms < ?3 ORDER BY t_ms, id");
    st.bind(1, device).bind(2, to_unix_ms(from)).bind(3, to_unix_ms(to));
    std::vector<ReachabilityRecord> out;
    while (st.step())
        out.push_back({st.get_text(0), from_unix_ms(st.get_int(1)), st.get_int(2) != 0, st.get_text(3)});
    return out;
}

std::vector<TrapRecord> StoreReader::traps(SysTime from, SysTime to, int limit) {
    Statement st(db_,
                 "SELECT id, t_ms, source, device, trap_oid, event, detail, varbinds FROM traps "
                 "WHERE t_ms >= ?1 AND t_ms < ?2 ORDER BY t_ms, id LIMIT ?3");
    st.bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to)).bind(3, limit);
    std::vector<TrapRecord> out;
    while (st.step()) {
        TrapRecord t;
        t.id = st.get_int(0);
        t.time = from_unix_ms(st.get_int(1));
        t.source_address = st.get_text(2);
        if (!st.is_null(3)) t.device = st.get_text(3);
        t.trap_oid = st.get_text(4);
        t.event = st.get_text(5);
        t.detail = st.get_text(6);
        t.varbinds = st.get_text(7);
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<AuditRecord> StoreReader::audit(SysTime from, SysTime to, int limit) {
    Statement st(db_,
                 "SELECT id, t_ms, actor, action, target, before, after, detail FROM audit "
                 "WHERE t_ms >= ?1 AND t_ms < ?2 ORDER BY t_ms, id LIMIT ?3");
    st.bind(1, to_unix_ms(from)).bind(2, to_unix_ms(to)).bind(3, limit);
    std::vector<AuditRecord> out;
    while (st.step())
        out.push_back({st.get_int(0), from_unix_ms(st.get_int(1)), st.get_text(2), st.get_text(3),
                       st.get_text(4), st.get_text(5), st.get_text(6), st.get_text(7)});
    return out;
}

std::vector<MaintenanceRecord> StoreReader::maintenance_windows(bool include_cancelled) {
    Statement st(db_, std::string("SELECT id, scope, target, start_ms, end_ms, weekdays, start_minute, "
                                  "duration_s, reason, created_by, created_ms, cancelled_ms "
                                  "FROM maintenance_windows") +
                          (include_cancelled ? "" : " WHERE cancelled_ms IS NULL") + " ORDER BY start_ms, id");
    std::vector<MaintenanceRecord> out;
    while (st.step()) {
        MaintenanceRecord m;
        m.id = st.get_text(0);
        m.scope = st.get_text(1);
        m.target = st.get_text(2);
        m.start = from_unix_ms(st.get_int(3));
        m.end = opt_time(st, 4);
        const auto days = st.get_text(5);
        for (std::size_t pos = 0; pos < days.size();) {
            auto comma = days.find(',', pos);
            if (comma == std::string::npos) comma = days.size();
            m.weekdays.push_back(std::stoi(days.substr(pos, comma - pos)));
            pos = comma + 1;
        }
        m.start_minute = static_cast<int>(st.get_int(6));
        m.duration = std::chrono::seconds(st.get_int(7));
        m.reason = st.get_text(8);
        m.created_by = st.get_text(9);
        m.created = from_unix_ms(st.get_int(10));
        m.cancelled = opt_time(st, 11);
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<ReportArchiveEntry> StoreReader::archived_report(const std::string& month,
                                                               const std::string& scope,
                                                               const std::string& format) {
    Statement st(db_,
                 "SELECT generated_ms, body FROM report_archive WHERE month = ?1 AND scope = ?2 "
                 "AND format = ?3");
    st.bind(1, month).bind(2, scope).bind(3, format);
    if (!st.step()) return std::nullopt;
    return ReportArchiveEntry{month, scope, format, from_unix_ms(st.get_int(0)), st.get_text(1)};
}

}  // namespace avmon::store
