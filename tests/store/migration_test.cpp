#include <catch2/catch.hpp>

#include "daemon/core/alarm_event.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;

namespace {

// A store as the first release created it: schema v1 only, with history in it.
void create_v1_store_with_rows(const std::string& path) {
    Database db(path, Database::Mode::read_write_create);
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db, 1);
    REQUIRE(db.query_int("PRAGMA user_version") == 1);
    db.exec(R"sql(
        INSERT INTO devices(id, name, room, class, model, first_seen_ms)
            VALUES('proj-1', 'Projector', 'r-301', 'display', 'EB-L1500', 1763942400000);
        INSERT INTO series(id, device, metric, first_ms) VALUES(1, 'proj-1', 'lamp_hours', 1763942400000);
        INSERT INTO samples(series_id, t_ms, value) VALUES
            (1, 1763942400000, 10), (1, 1763942460000, 20), (1, 1763942700000, 30),
            (1, 1763946000000, 40);
        INSERT INTO alarms(id, rule_id, device, room, severity, state, text, value, raised_ms,
            escalation_level, suppressed, suppression_reason, flapping, recurring, occurrences,
            acked_by, cause, action, updated_ms)
            VALUES(7, 'lamp_hours_high', 'proj-1', 'r-301', 'III', 'raised', 'lamp hours 40', 40,
                   1763946000000, 0, 0, '', 0, 0, 1, '', '', '', 1763946000000);
        INSERT INTO alarm_events(alarm_id, t_ms, kind, actor, note, severity, state, escalation_level)
            VALUES(7, 1763946000000, 'raised', 'avmond', '', 'III', 'raised', 0);
        INSERT INTO audit(t_ms, actor, action, target) VALUES(1763946000000, 'alice', 'ack', '7');
    )sql");
}

}  // namespace

TEST_CASE("store: a v1 database with history is migrated and keeps every row") {
    TempDir dir;
    auto cfg = store_config(dir);
    create_v1_store_with_rows(cfg.path);

    LogCapture logs;
    SystemClock clock;
    {
        StoreWriter writer(cfg, clock);  // opening migrates
        writer.stop();
    }
    StoreReader reader(cfg.path);
    CHECK(reader.schema_version() == latest_schema_version());
    CHECK(latest_schema_version() >= 2);
    CHECK(reader.sample_count() == 4);
    auto alarm = reader.alarm(7);
    REQUIRE(alarm);
    CHECK(alarm->text == "lamp hours 40");
    CHECK(reader.alarm_events(7).size() == 1);
    CHECK(reader.audit(from_unix_ms(0), from_unix_ms(2000000000000), 10).size() == 1);
    auto dev = reader.device("proj-1");
    REQUIRE(dev);
    CHECK(dev->model == "EB-L1500");

    // v2 added rollups and filled them from the raw history: 10,20,30 in the 00:00 hour's
    // first two 5-minute buckets, 40 in the next hour.
    auto five = reader.rollups(1, Resolution::five_minutes, from_unix_ms(0), from_unix_ms(2000000000000));
    REQUIRE(five.size() == 3);
    CHECK(five[0].bucket == from_unix_ms(1763942400000));
    CHECK(five[0].count == 2);
    CHECK(five[0].min == 10);
    CHECK(five[0].max == 20);
    CHECK(five[1].bucket == from_unix_ms(1763942700000));
    CHECK(five[1].sum == 30);
    auto hour = reader.rollups(1, Resolution::one_hour, from_unix_ms(0), from_unix_ms(2000000000000));
    REQUIRE(hour.size() == 2);
    CHECK(hour[0].count == 3);
    CHECK(hour[0].avg() == Approx(20));
    CHECK(hour[1].count == 1);
    // v3: the rollups above are complete, so the marks start after the newest bucket.
    CHECK(reader.database().query_int(
              "SELECT value FROM store_state WHERE key = 'rollup_5m_complete_before'") ==
          1763946000000 + 300000);
    CHECK(reader.database().query_int(
              "SELECT value FROM store_state WHERE key = 'rollup_1h_complete_before'") ==
          1763946000000 + 3600000);
}

TEST_CASE("store: each migration step runs once, in its own transaction") {
    TempDir dir;
    const auto path = dir.file("m.db");
    Database db(path, Database::Mode::read_write_create);
    CHECK(migrate(db, 1) == 0);
    CHECK(db.query_int("PRAGMA user_version") == 1);
    CHECK(migrate(db) == 1);
    CHECK(db.query_int("PRAGMA user_version") == latest_schema_version());
    CHECK(migrate(db) == latest_schema_version());  // nothing left to do, no error
}

TEST_CASE("store: a database from a newer program is refused, not touched") {
    TempDir dir;
    auto cfg = store_config(dir);
    {
        Database db(cfg.path, Database::Mode::read_write_create);
        db.exec("PRAGMA user_version = 99");
    }
    SystemClock clock;
    try {
        StoreWriter writer(cfg, clock);
        FAIL("opened a newer database");
    } catch (const SqliteError& e) {
        CHECK_THAT(e.what(), Catch::Contains("schema version 99"));
    }
    Database db(cfg.path, Database::Mode::read_only);
    CHECK(db.query_int("PRAGMA user_version") == 99);
}

TEST_CASE("store: a new database is created in WAL mode with incremental auto-vacuum") {
    TempDir dir;
    auto db = open_for_writing(dir.file("new.db"));
    Statement mode(db, "PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.get_text(0) == "wal");
    CHECK(db.query_int("PRAGMA auto_vacuum") == 2);  // INCREMENTAL
    CHECK(db.query_int("PRAGMA synchronous") == 1);  // NORMAL
    CHECK(db.query_int("PRAGMA foreign_keys") == 1);
    CHECK(db.query_int("PRAGMA busy_timeout") == 5000);
}
