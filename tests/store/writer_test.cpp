#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "daemon/core/message_ids.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

std::vector<Sample> series_run(const std::string& device, int n, SysTime start,
                               std::chrono::seconds step = 60s, double first = 0) {
    std::vector<Sample> v;
    for (int i = 0; i < n; ++i) v.push_back(sample(device, "m" + std::to_string(i % 10), start + step * (i / 10), first + i));
    return v;
}

AlarmEvent alarm_event(std::int64_t id, SysTime t, int recipients = 1) {
    AlarmEvent e;
    e.kind = AlarmEventKind::raised;
    e.time = t;
    e.alarm.id = id;
    e.alarm.rule_id = "unreachable";
    e.alarm.device = "codec-1";
    e.alarm.room = "r-301";
    e.alarm.severity = Severity::II;
    e.alarm.text = "codec-1 does not answer";
    e.alarm.raised_at = t;
    for (int i = 0; i < recipients; ++i)
        e.notify.push_back({"person" + std::to_string(i) + "@example.org", "p" + std::to_string(i), 0});
    return e;
}

std::int64_t count(const std::string& path, const std::string& table) {
    Database db(path, Database::Mode::read_only);
    return db.query_int("SELECT count(*) FROM " + table).value_or(-1);
}

}  // namespace

TEST_CASE("store: samples are committed in batches of flush_rows, one transaction each") {
    TempDir dir;
    SystemClock clock;
    StoreWriter writer(store_config(dir, 100), clock);
    writer.enqueue(series_run("sw-1", 1003, clock.now() - 1h));
    REQUIRE(writer.flush());
    auto s = writer.stats();
    CHECK(s.samples_written == 1003);
    CHECK(s.transactions == 11);  // 10 full batches of 100 and the remaining 3
    CHECK(s.queued_samples == 0);
    CHECK(s.dropped_samples == 0);
    CHECK(s.healthy);
    CHECK(s.last_flush);
    CHECK(count(writer.path(), "samples") == 1003);
    CHECK(count(writer.path(), "sample_blocks") == 11);
    CHECK(count(writer.path(), "series") == 10);
}

TEST_CASE("store: a long record queue is committed in batches of max_records_per_batch") {
    TempDir dir;
    SystemClock clock;
    WriterOptions options;
    options.max_records_per_batch = 100;
    StoreWriter writer(store_config(dir, 100000), clock, options);
    // Like start-up: one inventory record per configured device, queued in one burst.
    for (int i = 0; i < 1003; ++i)
        writer.enqueue_device({"dev-" + std::to_string(i), "Device " + std::to_string(i), "r-1", "display", ""});
    REQUIRE(writer.flush());
    auto s = writer.stats();
    CHECK(s.records_written == 1003);
    CHECK(s.transactions >= 11);  // never more than 100 records in one; the writer may start early
    CHECK(s.queued_records == 0);
    CHECK(count(writer.path(), "devices") == 1003);
}

TEST_CASE("store: the flush interval commits a small queue without an explicit flush") {
    TempDir dir;
    SystemClock clock;
    auto cfg = store_config(dir, 100000);
    cfg.flush_interval = 50ms;
    StoreWriter writer(cfg, clock);
    writer.enqueue(series_run("sw-1", 7, clock.now() - 1min));
    // No flush() here: only the interval can commit it (generous bound for loaded CI machines).
    for (int i = 0; i < 1000 && writer.stats().samples_written < 7; ++i) std::this_thread::sleep_for(10ms);
    CHECK(writer.stats().samples_written == 7);
    CHECK(writer.stats().transactions == 1);
}

TEST_CASE("store: a poll result wakes an idle writer: committed after flush_interval, not at the next publish") {
    TempDir dir;
    SystemClock clock;
    auto cfg = store_config(dir, 100000);
    cfg.flush_interval = 50ms;
    WriterOptions options;
    options.publish_interval = std::chrono::hours(1);  // only the flush interval can commit it
    StoreWriter writer(cfg, clock, options);
    for (int round = 1; round <= 2; ++round) {  // the second time, the writer has been idle again
        PollResult r;
        r.reachable = true;
        r.time = clock.now() - 1s;
        r.samples.push_back(sample("codec-1", "temperature", r.time, 40 + round));
        writer.enqueue(r, "codec-1");
        // No flush() here (generous bound for loaded CI machines).
        for (int i = 0; i < 1000 && writer.stats().samples_written < static_cast<std::uint64_t>(round); ++i)
            std::this_thread::sleep_for(10ms);
        CHECK(writer.stats().samples_written == static_cast<std::uint64_t>(round));
        CHECK(count(writer.path(), "samples") == round);
    }
}

TEST_CASE("store: stop() commits everything queued, reopening finds every row") {
    TempDir dir;
    SystemClock clock;
    auto cfg = store_config(dir, 1000000);
    {
        StoreWriter writer(cfg, clock);
        writer.enqueue(series_run("sw-1", 2500, clock.now() - 2h));
        writer.enqueue(alarm_event(1, clock.now(), 2));
        writer.enqueue_audit({0, clock.now(), "alice", "reload", "avmon.toml", "", "", "2 devices added"});
        writer.stop();
        CHECK(writer.stats().samples_written == 2500);
    }
    StoreReader reader(cfg.path);
    CHECK(reader.sample_count() == 2500);
    CHECK(reader.alarm(1));
    CHECK(reader.outbox_for_alarm(1).size() == 2);
    CHECK(reader.audit(clock.now() - 1h, clock.now() + 1h).size() == 1);
}

TEST_CASE("store: samples from 1970 or from the day after tomorrow are rejected and counted") {
    TempDir dir;
    LogCapture logs;
    const auto now = utc("2026-11-24T07:00:00Z");
    ManualClock clock(now);
    StoreWriter writer(store_config(dir), clock);
    writer.enqueue(std::vector<Sample>{
        sample("mic-1", "battery_pct", from_unix_ms(0), 80),           // 1970: clock never set
        sample("mic-1", "battery_pct", now + 48h, 81),                 // two days ahead
        sample("mic-1", "battery_pct", utc("1999-12-31T23:59:59Z"), 82),
        sample("mic-1", "battery_pct", now, 83),                       // fine
        sample("mic-1", "battery_pct", now + 23h, 84),                 // within a day: clock skew
        sample("mic-1", "battery_pct", utc("2000-01-01T00:00:00Z"), 85),
    });
    PollResult poll;
    poll.reachable = true;
    poll.time = now;
    poll.samples.push_back(sample("", "rf_level", from_unix_ms(1000), -60));
    writer.enqueue(poll, "mic-2");
    REQUIRE(writer.flush());
    auto s = writer.stats();
    CHECK(s.rejected_samples == 4);
    CHECK(s.samples_written == 3);
    StoreReader reader(writer.path());
    auto series = reader.find_series("mic-1", "battery_pct");
    REQUIRE(series);
    auto points = reader.samples(series->id, utc("1999-01-01T00:00:00Z"), now + 72h);
    REQUIRE(points.size() == 3);
    CHECK(points[0].value == 85);
    CHECK(points[1].value == 83);
    CHECK(points[2].value == 84);
    CHECK_FALSE(reader.find_series("mic-2", "rf_level"));
    // Logged with back-off: one line per device, not one per sample.
    CHECK(logs.count(msgid::store_sample_rejected) == 2);
}

TEST_CASE("store: a full queue drops the oldest samples and counts them, never alarm events") {
    TempDir dir;
    LogCapture logs;
    SystemClock clock;
    auto cfg = store_config(dir, 1000000);  // never flush by size
    cfg.queue_limit = 100;
    StoreWriter writer(cfg, clock);
    const auto t0 = clock.now() - 1h;
    std::vector<Sample> burst;
    for (int i = 0; i < 150; ++i) burst.push_back(sample("sw-1", "if_in_bps", t0 + std::chrono::seconds(i), i));
    writer.enqueue(std::move(burst));
    CHECK(writer.stats().dropped_samples == 50);
    CHECK(writer.stats().queued_samples == 100);
    CHECK(logs.count(msgid::store_queue_full) == 1);
    for (int i = 1; i <= 300; ++i) writer.enqueue(alarm_event(i, clock.now(), 1));
    REQUIRE(writer.flush());
    StoreReader reader(writer.path());
    CHECK(reader.sample_count() == 100);
    auto series = reader.find_series("sw-1", "if_in_bps");
    REQUIRE(series);
    auto points = reader.samples(series->id, t0, t0 + 1h);
    REQUIRE(points.size() == 100);
    CHECK(points.front().value == 50);  // the oldest 50 went
    CHECK(points.back().value == 149);
    CHECK(reader.max_alarm_id() == 300);
    CHECK(reader.due_outbox(clock.now() + 1s, 1000).size() == 300);
}

TEST_CASE("store: the commit hook runs after COMMIT with the event id") {
    TempDir dir;
    SystemClock clock;
    StoreWriter writer(store_config(dir), clock);
    std::promise<std::pair<std::int64_t, std::size_t>> seen;
    const auto path = writer.path();
    writer.enqueue(alarm_event(42, clock.now(), 3), [&](std::int64_t event_id) {
        // Runs on the writer thread: the rows must already be visible to another connection.
        StoreReader reader(path);
        seen.set_value({event_id, reader.outbox_for_alarm(42).size()});
    });
    auto fut = seen.get_future();
    REQUIRE(fut.wait_for(10s) == std::future_status::ready);
    auto [event_id, outbox] = fut.get();
    CHECK(event_id > 0);
    CHECK(outbox == 3);
    StoreReader reader(path);
    auto events = reader.alarm_events(42);
    REQUIRE(events.size() == 1);
    CHECK(events[0].id == event_id);
}

TEST_CASE("store: a full disk keeps the batch in memory and writes it once space returns") {
    TempDir dir;
    LogCapture logs;
    SystemClock clock;
    auto cfg = store_config(dir, 2000);
    cfg.queue_limit = 1000000;
    WriterOptions opts;
    opts.retry_delay = 20ms;
    StoreWriter writer(cfg, clock, opts);
    const auto t0 = clock.now() - 3h;
    writer.enqueue(series_run("sw-1", 1000, t0));
    REQUIRE(writer.flush());
    const auto pages = Database(cfg.path, Database::Mode::read_only).query_int("PRAGMA page_count").value();

    writer.set_max_page_count(pages + 2);  // "the file system is full"
    writer.enqueue(series_run("sw-2", 60000, t0, 1s));
    CHECK(writer.stats().rejected_samples == 0);
    writer.enqueue(alarm_event(5, clock.now(), 2));
    CHECK_FALSE(writer.flush(500ms));
    CHECK_FALSE(writer.healthy());
    auto s = writer.stats();
    CHECK(s.failed_flushes >= 1);
    CHECK(s.dropped_samples == 0);
    CHECK(s.queued_samples + s.samples_written == 61000);
    CHECK_FALSE(s.last_error.empty());
    CHECK(logs.count(msgid::store_disk_full) == 1);  // logged once, not per retry
    {
        StoreReader reader(cfg.path);
        CHECK(reader.sample_count() < 61000);
        CHECK_FALSE(reader.alarm(5));  // its whole transaction failed, nothing half-written
    }

    writer.set_max_page_count(0);  // space is back
    REQUIRE(writer.flush(20s));
    CHECK(writer.healthy());
    CHECK(logs.count(msgid::store_recovered) == 1);
    StoreReader reader(cfg.path);
    CHECK(reader.sample_count() == 61000);
    CHECK(reader.outbox_for_alarm(5).size() == 2);
    Statement check(reader.database(), "PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.get_text(0) == "ok");
}

TEST_CASE("store: a record the database refuses is dropped alone, the rest of the batch is kept") {
    TempDir dir;
    LogCapture logs;
    SystemClock clock;
    auto cfg = store_config(dir);
    StoreWriter writer(cfg, clock);
    REQUIRE(writer.flush());
    {
        // Stands in for any row SQLite refuses (constraint): retrying it would block the queue.
        Database db(cfg.path, Database::Mode::read_write_create);
        db.exec("PRAGMA busy_timeout = 5000");
        db.exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON audit WHEN NEW.action = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END");
    }
    writer.enqueue(series_run("sw-1", 10, clock.now() - 1min));
    writer.enqueue_audit({0, clock.now(), "alice", "ack", "1", "", "", ""});
    writer.enqueue_audit({0, clock.now(), "mallory", "poison", "", "", "", ""});
    writer.enqueue(alarm_event(0, clock.now(), 1));  // id 0: the store assigns one
    REQUIRE(writer.flush());
    CHECK(writer.healthy());
    StoreReader reader(cfg.path);
    CHECK(reader.sample_count() == 10);
    auto audit = reader.audit(clock.now() - 1h, clock.now() + 1h);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].action == "ack");
    CHECK(reader.max_alarm_id() == 1);
    CHECK(reader.outbox_for_alarm(1).size() == 1);
    CHECK(logs.count(msgid::store_error) == 1);

    MaintenanceRecord mw;
    mw.id = "mw-1";
    mw.scope = "planet";
    CHECK_THROWS_AS(writer.enqueue_maintenance(mw), std::invalid_argument);
}

TEST_CASE("store: every sample lands in its own device's series, whatever the order of devices and metrics") {
    TempDir dir;
    SystemClock clock;
    const auto t0 = clock.now() - 1h;
    // Interleaved devices, metric orders that change between polls, a metric added late, and
    // more than one multi-row INSERT's worth of rows per batch.
    std::vector<Sample> v;
    const std::vector<std::vector<std::string>> orders = {
        {"a", "b", "c"}, {"c", "a", "b"}, {"b", "c", "a", "d"}, {"d", "c", "b", "a"}};
    double value = 0;
    for (int poll = 0; poll < 12; ++poll)
        for (const char* dev : {"proj-1", "proj-2"})
            for (const auto& m : orders[static_cast<std::size_t>(poll) % orders.size()])
                v.push_back(sample(dev, m, t0 + std::chrono::seconds(poll), value++));
    auto expected = [&](const std::string& path) {
        Database db(path, Database::Mode::read_only);
        std::size_t matched = 0;
        for (const auto& s : v) {
            auto got = db.query_int(fmt::format(
                "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id WHERE s.device = '{}' "
                "AND s.metric = '{}' AND x.value = {}",
                s.device, s.metric, s.value));
            matched += got.value_or(0) == 1;
        }
        return matched;
    };
    std::string path;
    {
        StoreWriter writer(store_config(dir, 1000), clock);
        writer.enqueue(std::vector<Sample>(v.begin(), v.begin() + 40));
        REQUIRE(writer.flush());
        writer.enqueue(std::vector<Sample>(v.begin() + 40, v.end()));
        REQUIRE(writer.flush());
        path = writer.path();
    }
    CHECK(count(path, "series") == 8);
    CHECK(expected(path) == v.size());
    // A new writer finds the series already stored rather than creating them again.
    {
        StoreWriter writer(store_config(dir, 1000), clock);
        for (auto& s : v) s.time += 1min;
        writer.enqueue(v);
        REQUIRE(writer.flush());
    }
    CHECK(count(path, "series") == 8);
    CHECK(count(path, "samples") == static_cast<std::int64_t>(2 * v.size()));
}
