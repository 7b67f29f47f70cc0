#include "daemon/store/schema.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::store {
namespace {

// v1: every record the daemon keeps. Raw samples are an append-only rowid table without a
// per-row index (time-major ingest stays sequential); sample_blocks is a sparse time index
// with one row per flush that maps a rowid range to its time range (retention and range
// reads use it instead of a B-tree over every sample).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE devices(
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    room          TEXT NOT NULL DEFAULT '',
    class         TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    first_seen_ms INTEGER,
    last_seen_ms  INTEGER
);
CREATE TABLE series(
    id         INTEGER PRIMARY KEY,
    device     TEXT NOT NULL REFERENCES devices(id),
    metric     TEXT NOT NULL,
    first_ms   INTEGER,
    last_ms    INTEGER,
    last_value REAL,
    UNIQUE(device, metric)
);
CREATE TABLE samples(
    series_id INTEGER NOT NULL,
    t_ms      INTEGER NOT NULL,
    value     REAL NOT NULL
);
CREATE TABLE sample_blocks(
    first_rowid INTEGER PRIMARY KEY,
    last_rowid  INTEGER NOT NULL,
    min_t_ms    INTEGER NOT NULL,
    max_t_ms    INTEGER NOT NULL
);
CREATE INDEX sample_blocks_by_time ON sample_blocks(max_t_ms);
CREATE TABLE metric_states(
    device     TEXT NOT NULL,
    metric     TEXT NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    since_ms   INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY(device, metric)
) WITHOUT ROWID;
CREATE TABLE facts(
    device     TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY(device, key)
) WITHOUT ROWID;
CREATE TABLE reachability(
    id     INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    t_ms   INTEGER NOT NULL,
    up     INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reachability_by_device ON reachability(device, t_ms);
CREATE TABLE traps(
    id       INTEGER PRIMARY KEY,
    t_ms     INTEGER NOT NULL,
    source   TEXT NOT NULL,
    device   TEXT,
    trap_oid TEXT NOT NULL,
    event    TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '',
    varbinds TEXT NOT NULL DEFAULT ''
);
CREATE INDEX traps_by_time ON traps(t_ms);
CREATE TABLE alarms(
    id                    INTEGER PRIMARY KEY,
    rule_id               TEXT NOT NULL,
    device                TEXT NOT NULL,
    room                  TEXT NOT NULL,
    severity              TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK(state IN ('raised','acknowledged','resolved','closed')),
    text                  TEXT NOT NULL,
    value                 REAL NOT NULL,
    raised_ms             INTEGER NOT NULL,
    acked_ms              INTEGER,
    resolved_ms           INTEGER,
    closed_ms             INTEGER,
    ack_deadline_ms       INTEGER,
    resolve_deadline_ms   INTEGER,
    emergency_deadline_ms INTEGER,
    escalation_level      INTEGER NOT NULL,
    suppressed            INTEGER NOT NULL,
    suppression_reason    TEXT NOT NULL,
    root_alarm_id         INTEGER,
    flapping              INTEGER NOT NULL,
    recurring             INTEGER NOT NULL,
    occurrences           INTEGER NOT NULL,
    acked_by              TEXT NOT NULL,
    cause                 TEXT NOT NULL,
    action                TEXT NOT NULL,
    updated_ms            INTEGER NOT NULL
);
CREATE INDEX alarms_not_closed ON alarms(state) WHERE state != 'closed';
CREATE INDEX alarms_by_raised ON alarms(raised_ms);
CREATE TABLE alarm_events(
    id               INTEGER PRIMARY KEY,
    alarm_id         INTEGER NOT NULL REFERENCES alarms(id),
    t_ms             INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    actor            TEXT NOT NULL,
    note             TEXT NOT NULL,
    severity         TEXT NOT NULL,
    state            TEXT NOT NULL,
    escalation_level INTEGER NOT NULL
);
CREATE INDEX alarm_events_by_alarm ON alarm_events(alarm_id, id);
CREATE TABLE notifications(
    id               INTEGER PRIMARY KEY,
    alarm_id         INTEGER NOT NULL REFERENCES alarms(id),
    event_id         INTEGER NOT NULL REFERENCES alarm_events(id),
    recipient        TEXT NOT NULL,
    person           TEXT NOT NULL,
    escalation_level INTEGER NOT NULL,
    room             TEXT NOT NULL,
    created_ms       INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK(status IN ('pending','sending','sent','failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    message_id       TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    sent_ms          INTEGER
);
CREATE INDEX notifications_due ON notifications(next_attempt_ms) WHERE status IN ('pending','sending');
CREATE INDEX notifications_by_event ON notifications(event_id);
CREATE TABLE maintenance_windows(
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL CHECK(scope IN ('device','room','site')),
    target       TEXT NOT NULL,
    start_ms     INTEGER NOT NULL,
    end_ms       INTEGER,
    weekdays     TEXT NOT NULL DEFAULT '',
    start_minute INTEGER NOT NULL DEFAULT -1,
    duration_s   INTEGER NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    cancelled_ms INTEGER
);
CREATE TABLE audit(
    id     INTEGER PRIMARY KEY,
    t_ms   INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    before TEXT NOT NULL DEFAULT '',
    after  TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_time ON audit(t_ms);
)sql";

// v2: rollups and the report archive. Rollups are keyed time-major so the writer's per-flush
// upserts touch only the right edge of the tree; the hourly table also has a per-series index
// (one new entry per series per hour) for long per-series reads. Existing raw samples are
// rolled up here, so a database migrated from v1 has rollups for its whole history.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE rollups_5m(
    bucket_ms INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    sum       REAL NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY(bucket_ms, series_id)
) WITHOUT ROWID;
CREATE TABLE rollups_1h(
    bucket_ms INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    min       REAL NOT NULL,
    max       REAL NOT NULL,
    sum       REAL NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY(bucket_ms, series_id)
) WITHOUT ROWID;
CREATE INDEX rollups_1h_by_series ON rollups_1h(series_id, bucket_ms);
INSERT INTO rollups_5m(bucket_ms, series_id, min, max, sum, count)
    SELECT t_ms - t_ms % 300000, series_id, min(value), max(value), sum(value), count(*)
    FROM samples GROUP BY 1, 2;
INSERT INTO rollups_1h(bucket_ms, series_id, min, max, sum, count)
    SELECT t_ms - t_ms % 3600000, series_id, min(value), max(value), sum(value), count(*)
    FROM samples GROUP BY 1, 2;
CREATE TABLE report_archive(
    month        TEXT NOT NULL,
    scope        TEXT NOT NULL,
    format       TEXT NOT NULL,
    generated_ms INTEGER NOT NULL,
    body         BLOB NOT NULL,
    PRIMARY KEY(month, scope, format)
);
)sql";

// v3: rollups are kept as deltas in the writer's memory and written when a bucket closes
// (or on flush), so a flush no longer upserts one row per series. store_state records up to
// where the rollup tables are complete; buckets after that are rebuilt from raw samples when
// the writer starts (after a crash their deltas were lost). v2 kept rollups complete, so the
// marks start just after the newest bucket.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE store_state(
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO store_state(key, value) VALUES
    ('rollup_5m_complete_before', coalesce((SELECT max(bucket_ms) FROM rollups_5m) + 300000, 0)),
    ('rollup_1h_complete_before', coalesce((SELECT max(bucket_ms) FROM rollups_1h) + 3600000, 0));
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list{
        {1, "records: devices, series, raw samples, states, facts, reachability, traps, alarms, "
            "alarm events, notification outbox, maintenance windows, audit",
         kSchemaV1},
        {2, "rollups (5 min, 1 h) backfilled from raw samples; report archive", kSchemaV2},
        {3, "store_state: where the rollups are complete (rollup deltas written per bucket)", kSchemaV3},
    };
    return list;
}

int latest_schema_version() { return migrations().back().version; }

int migrate(Database& db, int target) {
    if (target < 0) target = latest_schema_version();
    const int found = static_cast<int>(db.query_int("PRAGMA user_version").value_or(0));
    if (found > latest_schema_version())
        throw SqliteError(0, fmt::format("store: database schema version {} is newer than this "
                                         "program knows ({}); refusing to touch it",
                                         found, latest_schema_version()));
    for (const auto& m : migrations()) {
        if (m.version > target) break;
        Transaction tx(db);
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const auto now = db.query_int("PRAGMA user_version").value_or(0);
        if (now >= m.version) continue;
        db.exec(m.sql);
        db.exec(fmt::format("PRAGMA user_version = {}", m.version));
        tx.commit();
        log::notice(msgid::store_migrated,
                  fmt::format("store: schema migrated to version {} ({})", m.version, m.description),
                  {{"AVMON_SCHEMA_VERSION", std::to_string(m.version)}});
    }
    return found;
}

void apply_connection_pragmas(Database& db) {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    // Samples have no index on purpose; a planner-built temporary one would scan them all.
    db.exec("PRAGMA automatic_index = OFF");
    // Debian builds SQLite with SECURE_DELETE; retention would then zero every freed page.
    db.exec("PRAGMA secure_delete = OFF");
}

Database open_for_writing(const std::string& path, int cache_mib) {
    Database db(path, Database::Mode::read_write_create);
    db.exec("PRAGMA busy_timeout = 5000");
    // auto_vacuum can only be chosen before the first table exists.
    if (db.query_int("PRAGMA page_count").value_or(0) == 0) db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    {
        Statement wal(db, "PRAGMA journal_mode = WAL");
        if (!wal.step() || wal.get_text(0) != "wal")
            throw SqliteError(0, fmt::format("store: cannot switch {} to WAL mode", path));
    }
    apply_connection_pragmas(db);
    // The writer revisits the right edge of several trees every flush: keep them cached.
    // (Negative: KiB. The cache is most of avmond's memory beyond its devices: store.cache_mib.)
    db.exec(fmt::format("PRAGMA cache_size = -{}", std::max(1, cache_mib) * 1024));
    migrate(db);
    return db;
}

Database open_for_reading(const std::string& path) {
    Database db(path, Database::Mode::read_only);
    db.exec("PRAGMA busy_timeout = 5000");
    // Samples have no index on purpose; a planner-built temporary one would scan them all.
    db.exec("PRAGMA automatic_index = OFF");
    return db;
}

}  // namespace avmon::store
