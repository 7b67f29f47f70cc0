#include "daemon/store/batch_writer.hpp"

#include <algorithm>
#include <limits>
#include <fmt/format.h>


namespace avmon::store {
namespace {

constexpr const char* kAlarmColumns =
    "id, rule_id, device, room, severity, state, text, value, raised_ms, acked_ms, resolved_ms, "
    "closed_ms, ack_deadline_ms, resolve_deadline_ms, emergency_deadline_ms, escalation_level, "
    "suppressed, suppression_reason, root_alarm_id, flapping, recurring, occurrences, acked_by, "
    "cause, action, updated_ms";

std::string alarm_upsert_sql() {
    std::string sql = fmt::format("INSERT INTO alarms({}) VALUES(", kAlarmColumns);
    for (int i = 1; i <= 26; ++i) sql += fmt::format("{}?{}", i > 1 ? "," : "", i);
    sql += ") ON CONFLICT(id) DO UPDATE SET ";
    // Every column but the id follows the engine's latest view of the alarm.
    std::string cols = kAlarmColumns;
    bool first = true;
    std::size_t pos = 0;
    while (pos < cols.size()) {
        auto end = cols.find(',', pos);
        if (end == std::string::npos) end = cols.size();
        auto name = cols.substr(pos, end - pos);
        name.erase(0, name.find_first_not_of(' '));
        if (name != "id") {
            sql += fmt::format("{}{} = excluded.{}", first ? "" : ", ", name, name);
            first = false;
        }
        pos = end + 1;
    }
    return sql;
}

std::optional<std::int64_t> opt_ms(const std::optional<SysTime>& t) {
    if (!t) return std::nullopt;
    return to_unix_ms(*t);
}

std::string join_weekdays(const std::vector<int>& days) {
    std::string s;
    for (int d : days) s += (s.empty() ? "" : ",") + std::to_string(d);
    return s;
}

std::string render_varbinds(const std::vector<Fact>& vbs) {
    std::string s;
    for (auto& v : vbs) s += v.key + "=" + v.value + "\n";
    return s;
}

std::string multi_row_insert_sql(std::size_t rows) {
    std::string sql = "INSERT INTO samples(series_id, t_ms, value) VALUES";
    for (std::size_t r = 0; r < rows; ++r) sql += r ? ",(?,?,?)" : "(?,?,?)";
    return sql;
}

constexpr const char* kRollupUpsert =
    "INSERT INTO {}(bucket_ms, series_id, min, max, sum, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(bucket_ms, series_id) DO UPDATE SET min = min(min, excluded.min), "
    "max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count";

}  // namespace

BatchWriter::BatchWriter(Database& db)
    : db_(db),
      insert_sample_(db, "INSERT INTO samples(series_id, t_ms, value) VALUES(?1, ?2, ?3)"),
      insert_samples_(db, multi_row_insert_sql(kRowsPerInsert)),
      insert_block_(db,
                    "INSERT INTO sample_blocks(first_rowid, last_rowid, min_t_ms, max_t_ms) "
                    "VALUES(?1, ?2, ?3, ?4)"),
      upsert_5m_(db, fmt::format(fmt::runtime(kRollupUpsert), "rollups_5m")),
      upsert_1h_(db, fmt::format(fmt::runtime(kRollupUpsert), "rollups_1h")),
      update_series_last_(db,
                          "UPDATE series SET last_ms = ?2, last_value = ?3 WHERE id = ?1 AND "
                          "(last_ms IS NULL OR last_ms <= ?2)"),
      find_series_(db, "SELECT id FROM series WHERE device = ?1 AND metric = ?2"),
      insert_series_(db, "INSERT INTO series(device, metric, first_ms) VALUES(?1, ?2, ?3)"),
      insert_device_(db,
                     "INSERT INTO devices(id, first_seen_ms) VALUES(?1, ?2) ON CONFLICT(id) "
                     "DO UPDATE SET first_seen_ms = coalesce(first_seen_ms, excluded.first_seen_ms)"),
      touch_device_(db,
                    "UPDATE devices SET last_seen_ms = ?2 WHERE id = ?1 AND "
                    "(last_seen_ms IS NULL OR last_seen_ms < ?2)"),
      upsert_device_info_(db,
                          "INSERT INTO devices(id, name, room, class, model) "
                          "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET "
                          "name = excluded.name, room = excluded.room, class = excluded.class, "
                          "model = excluded.model"),
      upsert_state_(db,
                    "INSERT INTO metric_states(device, metric, status, detail, since_ms, updated_ms) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(device, metric) DO UPDATE SET "
                    "since_ms = CASE WHEN status = excluded.status THEN since_ms ELSE excluded.since_ms END, "
                    "status = excluded.status, detail = excluded.detail, updated_ms = excluded.updated_ms"),
      upsert_fact_(db,
                   "INSERT INTO facts(device, key, value, updated_ms) VALUES(?1, ?2, ?3, ?4) "
                   "ON CONFLICT(device, key) DO UPDATE SET value = excluded.value, "
                   "updated_ms = excluded.updated_ms"),
      last_reach_(db,
                  "SELECT up FROM reachability WHERE device = ?1 ORDER BY t_ms DESC, id DESC LIMIT 1"),
      insert_reach_(db, "INSERT INTO reachability(device, t_ms, up, reason) VALUES(?1, ?2, ?3, ?4)"),
      insert_trap_(db,
                   "INSERT INTO traps(t_ms, source, device, trap_oid, event, detail, varbinds) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      upsert_alarm_(db, alarm_upsert_sql()),
      insert_alarm_event_(db,
                          "INSERT INTO alarm_events(alarm_id, t_ms, kind, actor, note, severity, "
                          "state, escalation_level) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
      insert_notification_(db,
                           "INSERT INTO notifications(alarm_id, event_id, recipient, person, "
                           "escalation_level, room, created_ms, status, attempts, next_attempt_ms) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?7)"),
      insert_audit_(db,
                    "INSERT INTO audit(t_ms, actor, action, target, before, after, detail) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      update_outbox_(db,
                     "UPDATE notifications SET status = ?2, attempts = ?3, next_attempt_ms = ?4, "
                     "message_id = ?5, last_error = ?6, sent_ms = coalesce(?7, sent_ms) WHERE id = ?1"),
      upsert_maintenance_(db,
                          "INSERT INTO maintenance_windows(id, scope, target, start_ms, end_ms, "
                          "weekdays, start_minute, duration_s, reason, created_by, created_ms, "
                          "cancelled_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                          "ON CONFLICT(id) DO UPDATE SET scope = excluded.scope, "
                          "target = excluded.target, start_ms = excluded.start_ms, "
                          "end_ms = excluded.end_ms, weekdays = excluded.weekdays, "
                          "start_minute = excluded.start_minute, duration_s = excluded.duration_s, "
                          "reason = excluded.reason, cancelled_ms = excluded.cancelled_ms"),
      upsert_report_(db,
                     "INSERT INTO report_archive(month, scope, format, generated_ms, body) "
                     "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(month, scope, format) DO UPDATE SET "
                     "generated_ms = excluded.generated_ms, body = excluded.body"),
      save_state_(db,
                  "INSERT INTO store_state(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE "
                  "SET value = excluded.value"),
      // The connection's own level (NORMAL from open_for_writing) is the floor.
      base_sync_(static_cast<int>(db.query_int("PRAGMA synchronous").value_or(kSyncFull))),
      sync_level_(base_sync_) {
    recover_rollups();
}

void BatchWriter::reset_caches() {
    series_.clear();
    series_device_ = nullptr;
    devices_.clear();
    reachable_.clear();
    non_ok_.clear();
    non_ok_loaded_ = false;
}

void BatchWriter::use_full_sync(bool full) {
    // One connection, one writer thread: the level holds for every COMMIT until changed, and
    // it can only be changed between transactions. Splitting durable records into a
    // transaction of their own would do too, but would cost a second commit per flush and
    // give up "one flush, one transaction"; switching costs nothing while the level stays.
    const int level = full ? std::max(base_sync_, kSyncFull) : base_sync_;
    if (level == sync_level_) return;
    db_.exec(fmt::format("PRAGMA synchronous = {}", level));
    sync_level_ = level;
}

void BatchWriter::load_non_ok_states() {
    if (non_ok_loaded_) return;
    Statement st(db_, "SELECT device, metric FROM metric_states WHERE status != 'ok'");
    while (st.step()) non_ok_.insert(st.get_text(0) + '\x1f' + st.get_text(1));
    non_ok_loaded_ = true;
}

BatchOutcome BatchWriter::write(const Batch& batch, bool publish) {
    BatchOutcome out;
    SampleDeltas d;  // this batch's derived data: merged into the members only after COMMIT
    d.newest_ms = newest_sample_ms_;
    std::int64_t mark5 = five_.complete_before, mark1 = hour_.complete_before;
    try {
        load_non_ok_states();
        use_full_sync(batch.durable());
        Transaction tx(db_);
        if (!batch.samples.empty()) write_samples(batch.samples, d, out);
        for (const auto& r : batch.records) {
            std::visit(
                [&](const auto& rec) {
                    using T = std::decay_t<decltype(rec)>;
                    if constexpr (std::is_same_v<T, PollOutcome>) write_poll(rec, d);
                    else if constexpr (std::is_same_v<T, TrapEvent>) write_trap(rec);
                    else if constexpr (std::is_same_v<T, AlarmEventItem>) write_alarm_event(rec, out);
                    else if constexpr (std::is_same_v<T, AuditRecord>) write_audit(rec);
                    else if constexpr (std::is_same_v<T, DeviceRecord>) write_device(rec);
                    else if constexpr (std::is_same_v<T, OutboxUpdate>) write_outbox_update(rec);
                    else if constexpr (std::is_same_v<T, MaintenanceRecord>) write_maintenance(rec);
                    else if constexpr (std::is_same_v<T, ReportArchiveEntry>) write_report(rec);
                },
                r);
        }
        mark5 = closing_mark(five_, d.newest_ms);
        mark1 = closing_mark(hour_, d.newest_ms);
        write_level(five_, upsert_5m_, d.points, mark5);
        write_level(hour_, upsert_1h_, d.points, mark1);
        if (publish) write_latest(d);
        tx.commit();
    } catch (...) {
        // The caches may name rows that the rollback just removed.
        reset_caches();
        throw;
    }
    apply_level(five_, d.points, mark5);
    apply_level(hour_, d.points, mark1);
    newest_sample_ms_ = d.newest_ms;
    if (publish) {
        latest_.clear();
        seen_.clear();
    } else {
        for (const auto& p : d.points) latest_.note(p.series_id, p.t_ms, p.value);
        for (auto& [dev, t] : d.seen) {
            auto& v = seen_[*dev];
            v = std::max(v, t);
        }
    }
    return out;
}

bool BatchWriter::has_unpublished() const { return !latest_.empty() || !seen_.empty(); }

std::int64_t BatchWriter::rollup_complete_before(std::int64_t width_ms) const {
    return width_ms == kOneHourMs ? hour_.complete_before : five_.complete_before;
}

namespace {
// Samples up to this late still find their bucket open in memory.
constexpr std::int64_t kCloseGraceMs = 5 * 60 * 1000;
}  // namespace

std::int64_t BatchWriter::closing_mark(const RollupLevel& level, std::int64_t newest_ms) const {
    if (newest_ms <= kCloseGraceMs) return level.complete_before;
    return std::max(level.complete_before,
                    bucket_start(newest_ms - kCloseGraceMs, level.pending.width()));
}

void BatchWriter::write_rollup(Statement& st, const RollupBucket& b) {
    st.bind(1, b.bucket_ms).bind(2, b.series_id).bind(3, b.min).bind(4, b.max);
    st.bind(5, b.sum).bind(6, b.count).run();
}

// Writes the deltas that must reach the table in this transaction: buckets that close now
// (before new_mark) and late samples for buckets already closed. Open buckets stay in memory:
// readers build them from raw samples (StoreReader::rollups), so writing them early would only
// be upserted again at every publish.
void BatchWriter::write_level(RollupLevel& level, Statement& upsert, const std::vector<Point>& batch,
                              std::int64_t new_mark) {
    const auto width = level.pending.width();
    BucketDeltas out(width);
    if (new_mark > level.complete_before)
        level.pending.for_each([&](const RollupBucket& b) {
            if (b.bucket_ms < new_mark) out.merge(b);
        });
    for (const auto& p : batch)
        if (bucket_start(p.t_ms, width) < new_mark) out.add(p.series_id, p.t_ms, p.value);
    if (!out.empty())
        for (const auto& b : out.sorted()) write_rollup(upsert, b);
    if (new_mark != level.complete_before) save_state_.bind(1, level.state_key).bind(2, new_mark).run();
}

void BatchWriter::apply_level(RollupLevel& level, const std::vector<Point>& batch, std::int64_t new_mark) {
    const auto width = level.pending.width();
    if (new_mark > level.complete_before) level.pending.erase_before(new_mark);
    for (const auto& p : batch)
        if (bucket_start(p.t_ms, width) >= new_mark) level.pending.add(p.series_id, p.t_ms, p.value);
    level.complete_before = new_mark;
}

void BatchWriter::write_latest(const SampleDeltas& d) {
    LatestValues latest = latest_;
    for (const auto& p : d.points) latest.note(p.series_id, p.t_ms, p.value);
    latest.for_each([&](std::int64_t id, std::int64_t t, double v) {
        update_series_last_.bind(1, id).bind(2, t).bind(3, v).run();
    });
    auto seen = seen_;
    for (auto& [dev, t] : d.seen) {
        auto& v = seen[*dev];
        v = std::max(v, t);
    }
    for (auto& [dev, t] : seen) touch_device_.bind(1, dev).bind(2, t).run();
}

void BatchWriter::close_rollups_before(std::int64_t t_ms) {
    const auto m5 = std::max(five_.complete_before, bucket_start(t_ms, kFiveMinutesMs));
    const auto m1 = std::max(hour_.complete_before, bucket_start(t_ms, kOneHourMs));
    if (m5 == five_.complete_before && m1 == hour_.complete_before) return;
    const std::vector<Point> none;
    {
        Transaction tx(db_);
        write_level(five_, upsert_5m_, none, m5);
        write_level(hour_, upsert_1h_, none, m1);
        tx.commit();
    }
    apply_level(five_, none, m5);
    apply_level(hour_, none, m1);
}

void BatchWriter::recover_rollups() {
    for (auto* level : {&five_, &hour_}) {
        Statement st(db_, "SELECT value FROM store_state WHERE key = ?1");
        st.bind(1, level->state_key);
        level->complete_before = st.step() ? st.get_int(0) : 0;
    }
    const auto from = std::min(five_.complete_before, hour_.complete_before);
    Transaction tx(db_);
    Statement del5(db_, "DELETE FROM rollups_5m WHERE bucket_ms >= ?1");
    del5.bind(1, five_.complete_before).run();
    Statement del1(db_, "DELETE FROM rollups_1h WHERE bucket_ms >= ?1");
    del1.bind(1, hour_.complete_before).run();
    // Raw samples of the open buckets, found through the sparse block index.
    Statement scan(db_,
                   "SELECT s.series_id, s.t_ms, s.value FROM sample_blocks b "
                   "CROSS JOIN samples s ON s.rowid BETWEEN b.first_rowid AND b.last_rowid "
                   "WHERE b.max_t_ms >= ?1 AND s.t_ms >= ?1");
    scan.bind(1, from);
    // The open buckets go back into memory (they are written when they close); the latest
    // values are published now.
    LatestValues latest;
    std::int64_t newest = 0;
    while (scan.step()) {
        const auto id = scan.get_int(0), t = scan.get_int(1);
        const auto v = scan.get_double(2);
        if (bucket_start(t, kFiveMinutesMs) >= five_.complete_before) five_.pending.add(id, t, v);
        if (bucket_start(t, kOneHourMs) >= hour_.complete_before) hour_.pending.add(id, t, v);
        latest.note(id, t, v);
        newest = std::max(newest, t);
    }
    scan.reset();
    latest.for_each([&](std::int64_t id, std::int64_t t, double v) {
        update_series_last_.bind(1, id).bind(2, t).bind(3, v).run();
    });
    tx.commit();
    newest_sample_ms_ = newest;
}

void BatchWriter::ensure_device(const std::string& device, std::int64_t t_ms) {
    if (devices_.count(device)) return;
    insert_device_.bind(1, device).bind(2, t_ms).run();
    devices_.insert(device);
}

std::int64_t BatchWriter::series_id(const std::string& device, const std::string& metric,
                                    std::int64_t t_ms) {
    if (!series_device_ || series_device_->first != device) {
        series_device_ = &*series_.try_emplace(device).first;
        series_next_ = 0;
    }
    // A device's samples come in the same order at every poll: the scan starts after the last
    // hit, so a switch with hundreds of port metrics costs one comparison per sample too.
    auto& metrics = series_device_->second;
    const std::size_t n = metrics.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t at = (series_next_ + k) % n;
        if (metrics[at].first == metric) {
            series_next_ = at + 1;
            return metrics[at].second;
        }
    }
    find_series_.bind(1, device).bind(2, metric);
    std::int64_t id = 0;
    if (find_series_.step()) {
        id = find_series_.get_int(0);
        find_series_.reset();
    } else {
        find_series_.reset();
        ensure_device(device, t_ms);
        insert_series_.bind(1, device).bind(2, metric).bind(3, t_ms).run();
        id = db_.last_insert_rowid();
    }
    metrics.emplace_back(metric, id);
    series_next_ = metrics.size();
    return id;
}

void BatchWriter::write_samples(const std::vector<Sample>& samples, SampleDeltas& d,
                                BatchOutcome& out) {
    d.points.reserve(samples.size());
    std::int64_t first_rowid = 0, last_rowid = 0;
    std::int64_t min_t = std::numeric_limits<std::int64_t>::max();
    std::int64_t max_t = std::numeric_limits<std::int64_t>::min();
    const std::string* last_device = nullptr;

    // Full chunks go through one INSERT of kRowsPerInsert rows: a statement's step, halt and
    // reset cost more than the row itself (callgrind: ~4,000 instructions per single-row
    // INSERT). A rowid table appends consecutive rowids within one statement.
    for (std::size_t i = 0; i < samples.size();) {
        const std::size_t rows = samples.size() - i >= kRowsPerInsert ? kRowsPerInsert : 1;
        Statement& insert = rows == kRowsPerInsert ? insert_samples_ : insert_sample_;
        for (std::size_t k = 0; k < rows; ++k) {
            const auto& s = samples[i + k];
            const auto t = to_unix_ms(s.time);
            const auto id = series_id(s.device, s.metric, t);
            const int at = static_cast<int>(3 * k);
            insert.bind(at + 1, id).bind(at + 2, t).bind(at + 3, s.value);
            min_t = std::min(min_t, t);
            max_t = std::max(max_t, t);
            d.points.push_back({id, t, s.value});
            // Samples of one device usually arrive together: one last-seen entry per run.
            if (!last_device || *last_device != s.device) {
                d.seen.emplace_back(&s.device, t);
                last_device = &s.device;
            }
            d.seen.back().second = std::max(d.seen.back().second, t);
        }
        insert.run();
        last_rowid = db_.last_insert_rowid();
        if (!first_rowid) first_rowid = last_rowid - static_cast<std::int64_t>(rows) + 1;
        i += rows;
    }
    insert_block_.bind(1, first_rowid).bind(2, last_rowid).bind(3, min_t).bind(4, max_t).run();
    d.newest_ms = std::max(d.newest_ms, max_t);
    out.samples_written += samples.size();
}

void BatchWriter::write_poll(const PollOutcome& p, SampleDeltas& d) {
    const auto t = to_unix_ms(p.time);
    ensure_device(p.device, t);
    // Last-seen is derived data: written at the next publish, not by an UPDATE per poll.
    if (p.reachable) {
        d.seen.emplace_back(&p.device, t);
    }

    // Reachability is stored as changes, not as a row per poll.
    auto it = reachable_.find(p.device);
    if (it == reachable_.end()) {
        last_reach_.bind(1, p.device);
        std::optional<bool> stored;
        if (last_reach_.step()) stored = last_reach_.get_int(0) != 0;
        last_reach_.reset();
        if (stored) it = reachable_.emplace(p.device, *stored).first;
    }
    if (it == reachable_.end() || it->second != p.reachable) {
        insert_reach_.bind(1, p.device).bind(2, t).bind(3, p.reachable ? 1 : 0);
        insert_reach_.bind(4, p.reachable ? std::string() : p.error).run();
        reachable_[p.device] = p.reachable;
    }

    for (const auto& m : p.unavailable) {
        upsert_state_.bind(1, p.device).bind(2, m.metric).bind(3, to_string(m.status));
        upsert_state_.bind(4, m.detail).bind(5, t).run();
        non_ok_.insert(p.device + '\x1f' + m.metric);
    }
    // Usually no metric anywhere is unavailable: then no key is built per sampled metric.
    for (const auto& metric : non_ok_.empty() ? no_metrics_ : p.sampled_metrics) {
        auto key = p.device + '\x1f' + metric;
        if (!non_ok_.count(key)) continue;
        upsert_state_.bind(1, p.device).bind(2, metric).bind(3, "ok").bind(4, "").bind(5, t).run();
        non_ok_.erase(key);
    }
    for (const auto& f : p.facts)
        upsert_fact_.bind(1, p.device).bind(2, f.key).bind(3, f.value).bind(4, t).run();
}

void BatchWriter::write_trap(const TrapEvent& t) {
    insert_trap_.bind(1, to_unix_ms(t.time)).bind(2, t.source_address).bind(3, t.device);
    insert_trap_.bind(4, t.trap_oid).bind(5, t.event).bind(6, t.detail);
    insert_trap_.bind(7, render_varbinds(t.varbinds)).run();
}

void BatchWriter::write_alarm_event(const AlarmEventItem& item, BatchOutcome& out) {
    const auto& e = item.event;
    const auto& a = e.alarm;
    auto& st = upsert_alarm_;
    if (a.id > 0) st.bind(1, a.id);
    else st.bind_null(1);  // no id from the engine: let the store assign one
    st.bind(2, a.rule_id).bind(3, a.device).bind(4, a.room).bind(5, to_string(a.severity));
    st.bind(6, to_string(a.state)).bind(7, a.text).bind(8, a.value).bind(9, to_unix_ms(a.raised_at));
    st.bind(10, opt_ms(a.acked_at)).bind(11, opt_ms(a.resolved_at)).bind(12, opt_ms(a.closed_at));
    st.bind(13, opt_ms(a.ack_deadline)).bind(14, opt_ms(a.resolve_deadline));
    st.bind(15, opt_ms(a.emergency_deadline)).bind(16, a.escalation_level);
    st.bind(17, a.suppressed ? 1 : 0).bind(18, a.suppression_reason).bind(19, a.root_alarm_id);
    st.bind(20, a.flapping ? 1 : 0).bind(21, a.recurring ? 1 : 0).bind(22, a.occurrences);
    st.bind(23, a.acked_by).bind(24, a.cause).bind(25, a.action).bind(26, to_unix_ms(e.time));
    st.run();
    const std::int64_t alarm_id = a.id > 0 ? a.id : db_.last_insert_rowid();

    const auto t = to_unix_ms(e.time);
    insert_alarm_event_.bind(1, alarm_id).bind(2, t).bind(3, to_string(e.kind)).bind(4, e.actor);
    insert_alarm_event_.bind(5, e.note).bind(6, to_string(a.severity)).bind(7, to_string(a.state));
    insert_alarm_event_.bind(8, a.escalation_level).run();
    const auto event_id = db_.last_insert_rowid();

    for (const auto& n : e.notify) {
        insert_notification_.bind(1, alarm_id).bind(2, event_id).bind(3, n.recipient);
        insert_notification_.bind(4, n.person).bind(5, n.escalation_level).bind(6, a.room);
        insert_notification_.bind(7, t).run();
    }
    if (item.on_committed) out.hooks.emplace_back(item.on_committed, event_id);
}

void BatchWriter::write_audit(const AuditRecord& a) {
    insert_audit_.bind(1, to_unix_ms(a.time)).bind(2, a.actor).bind(3, a.action).bind(4, a.target);
    insert_audit_.bind(5, a.before).bind(6, a.after).bind(7, a.detail).run();
}

void BatchWriter::write_device(const DeviceRecord& d) {
    upsert_device_info_.bind(1, d.id).bind(2, d.name).bind(3, d.room).bind(4, d.device_class);
    // A device known only from the config has not been seen yet: first_seen stays NULL.
    upsert_device_info_.bind(5, d.model).run();
}

void BatchWriter::write_outbox_update(const OutboxUpdate& u) {
    for (auto id : u.ids) {
        update_outbox_.bind(1, id).bind(2, to_string(u.status)).bind(3, u.attempts);
        update_outbox_.bind(4, to_unix_ms(u.next_attempt)).bind(5, u.message_id).bind(6, u.error);
        update_outbox_.bind(7, opt_ms(u.sent)).run();
    }
}

void BatchWriter::write_maintenance(const MaintenanceRecord& m) {
    auto& st = upsert_maintenance_;
    st.bind(1, m.id).bind(2, m.scope).bind(3, m.target).bind(4, to_unix_ms(m.start));
    st.bind(5, opt_ms(m.end)).bind(6, join_weekdays(m.weekdays)).bind(7, m.start_minute);
    st.bind(8, static_cast<std::int64_t>(m.duration.count())).bind(9, m.reason);
    st.bind(10, m.created_by).bind(11, to_unix_ms(m.created)).bind(12, opt_ms(m.cancelled)).run();
}

void BatchWriter::write_report(const ReportArchiveEntry& r) {
    upsert_report_.bind(1, r.month).bind(2, r.scope).bind(3, r.format);
    upsert_report_.bind(4, to_unix_ms(r.generated)).bind(5, r.body).run();
}

}  // namespace avmon::store
