// Power-cut durability: a COMMIT that carries alarm events, outbox rows or updates, audit or
// maintenance windows must have synced the WAL before anyone is told it committed; a
// sample-only COMMIT must not sync at all (that is what keeps ingest cheap).
//
// A SIGKILL cannot show this (the page cache survives it), so the test watches the syncs
// themselves through the recording VFS (recording_vfs.hpp), into whose journal the commit
// hooks write too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/store/batch_writer.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/recording_vfs.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

using vfs::journal;
using vfs::Step;

void install_logged_vfs() { REQUIRE_NOTHROW(vfs::install()); }

// ---- records ----
const SysTime t0 = utc("2026-03-02T08:00:00Z");

std::vector<Sample> samples(int round) {
    std::vector<Sample> s;
    for (int k = 0; k < 50; ++k)
        s.push_back(sample("proj-1", "m" + std::to_string(k), t0 + std::chrono::minutes(round), k + round));
    return s;
}

AlarmEvent raised(std::int64_t id) {
    AlarmEvent e;
    e.time = t0;
    e.alarm.id = id;
    e.alarm.rule_id = "lamp_hours_high";
    e.alarm.device = "proj-1";
    e.alarm.room = "r-1";
    e.alarm.severity = Severity::III;
    e.alarm.raised_at = t0;
    e.notify.push_back({"tech@example.org", "tech", 0});
    return e;
}

std::size_t count(const std::vector<Step>& steps, Step s) {
    return static_cast<std::size_t>(std::count(steps.begin(), steps.end(), s));
}

// Writes `round`'s samples alone in one transaction and returns what was synced meanwhile.
std::vector<Step> commit_samples_only(StoreWriter& writer, int round) {
    const auto mark = journal().mark();
    writer.enqueue(samples(round));
    REQUIRE(writer.flush(10s));
    return journal().since(mark);
}

}  // namespace

TEST_CASE("store durability: an alarm event's COMMIT syncs the WAL before its commit hook runs, "
          "sample-only commits do not sync",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    ManualClock clock(t0 + 1h);
    StoreWriter writer(store_config(dir), clock, WriterOptions{.retention_interval = 0ms});
    commit_samples_only(writer, 0);  // creates the series, the WAL and its header

    // Steady state: samples are committed without any fsync (synchronous=NORMAL).
    for (int round = 1; round <= 3; ++round) {
        const auto steps = commit_samples_only(writer, round);
        INFO("round " << round);
        CHECK(count(steps, Step::wal_write) > 0);  // it did commit something
        CHECK(count(steps, Step::wal_sync) == 0);
        CHECK(count(steps, Step::db_sync) == 0);
    }

    // An alarm event together with samples: the WAL is on disk before anyone hears "committed".
    const auto mark = journal().mark();
    std::int64_t committed_event = 0;
    writer.enqueue(samples(4));
    writer.enqueue(raised(7), [&](std::int64_t id) {
        committed_event = id;
        journal().add(Step::hook);
    });
    REQUIRE(writer.flush(10s));
    const auto steps = journal().since(mark);
    CHECK(committed_event > 0);
    REQUIRE(count(steps, Step::hook) == 1);
    const auto hook_at = std::find(steps.begin(), steps.end(), Step::hook);
    // The commit's frames went to the WAL, then a sync, then (and only then) the hook: nothing
    // was written to the WAL after the last sync that precedes the hook.
    const auto last_write = std::find(std::make_reverse_iterator(hook_at), steps.rend(), Step::wal_write);
    const auto last_sync = std::find(std::make_reverse_iterator(hook_at), steps.rend(), Step::wal_sync);
    REQUIRE(last_write != steps.rend());
    REQUIRE(last_sync != steps.rend());
    CHECK(last_sync < last_write);  // reverse iterators: the sync is the later step

    // And back to the cheap commit for samples.
    for (int round = 5; round <= 6; ++round) {
        const auto after = commit_samples_only(writer, round);
        INFO("round " << round);
        CHECK(count(after, Step::wal_sync) == 0);
    }
    writer.stop();
}

TEST_CASE("store durability: outbox updates, audit and maintenance windows are synced at COMMIT, "
          "traps and device records are not",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    ManualClock clock(t0 + 1h);
    StoreWriter writer(store_config(dir), clock, WriterOptions{.retention_interval = 0ms});
    writer.enqueue(raised(1));
    REQUIRE(writer.flush(10s));
    commit_samples_only(writer, 0);

    auto synced = [&](auto enqueue) {
        const auto mark = journal().mark();
        enqueue();
        REQUIRE(writer.flush(10s));
        return count(journal().since(mark), Step::wal_sync);
    };

    CHECK(synced([&] {
              OutboxUpdate u;
              u.ids = {1};
              u.status = OutboxStatus::sent;
              u.attempts = 1;
              u.next_attempt = t0;
              u.message_id = "<1@avmon>";
              u.sent = t0;
              writer.enqueue_outbox_update(u);
          }) >= 1);
    CHECK(synced([&] {
              AuditRecord a;
              a.time = t0;
              a.actor = "alice";
              a.action = "ack";
              a.target = "1";
              writer.enqueue_audit(a);
          }) >= 1);
    CHECK(synced([&] {
              MaintenanceRecord m;
              m.id = "mw-1";
              m.target = "proj-1";
              m.start = t0;
              m.end = t0 + 1h;
              m.created_by = "alice";
              m.created = t0;
              writer.enqueue_maintenance(m);
          }) >= 1);
    // Observations the next poll repeats keep the cheap commit.
    CHECK(synced([&] {
              TrapEvent t;
              t.time = t0;
              t.source_address = "192.0.2.1";
              t.device = "proj-1";
              t.trap_oid = "1.3.6.1.6.3.1.1.5.3";
              writer.enqueue(t);
          }) == 0);
    CHECK(synced([&] { writer.enqueue_device(DeviceRecord{"proj-2", "Projector 2", "r-1", "projector", "X"}); }) == 0);
    writer.stop();
}

TEST_CASE("store durability: synchronous rises to FULL only for durable commits and a stricter "
          "level of the connection is never lowered",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    {
        Database db = open_for_writing(dir.file("avmon.db"));
        BatchWriter w(db);
        Batch durable;
        durable.records.push_back(AlarmEventItem{raised(3), {}});
        w.write(durable);
        CHECK(db.query_int("PRAGMA synchronous") == 2);  // FULL
        Batch plain;
        plain.samples = samples(1);
        w.write(plain);
        CHECK(db.query_int("PRAGMA synchronous") == 1);  // NORMAL again
    }
    {
        Database db = open_for_writing(dir.file("avmon.db"));
        db.exec("PRAGMA synchronous = EXTRA");
        BatchWriter w(db);
        Batch durable;
        durable.records.push_back(AlarmEventItem{raised(4), {}});
        w.write(durable);
        CHECK(db.query_int("PRAGMA synchronous") == 3);
        Batch plain;
        plain.samples = samples(2);
        w.write(plain);
        CHECK(db.query_int("PRAGMA synchronous") == 3);
    }
}
