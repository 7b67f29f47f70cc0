// A power cut (not a SIGKILL: the page cache is lost too) must not lose any alarm event, outbox
// row or outbox update that anyone was told about. The recording VFS plays the page cache: the
// store's writes stay in memory until SQLite syncs them, power_cut() throws the rest away, and
// the database is then reopened from what the disk kept.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "daemon/store/schema.hpp"
#include "daemon/store/sqlite.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/recording_vfs.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

const SysTime t0 = utc("2026-03-02T08:00:00Z");
constexpr int kSamplesPerCommit = 50;

std::vector<Sample> samples(int round) {
    std::vector<Sample> s;
    for (int k = 0; k < kSamplesPerCommit; ++k)
        s.push_back(sample("proj-1", "m" + std::to_string(k), t0 + std::chrono::minutes(round), k + round));
    return s;
}

AlarmEvent raised(std::int64_t id) {
    AlarmEvent e;
    e.time = t0;
    e.alarm.id = id;
    e.alarm.rule_id = "lamp_hours_high";
    e.alarm.device = "proj-" + std::to_string(id);
    e.alarm.room = "r-1";
    e.alarm.severity = Severity::II;
    e.alarm.raised_at = t0;
    e.notify.push_back({"tech@example.org", "tech", 0});
    return e;
}

OutboxUpdate sent(std::int64_t notification_id) {
    OutboxUpdate u;
    u.ids = {notification_id};
    u.status = OutboxStatus::sent;
    u.attempts = 1;
    u.next_attempt = t0;
    u.message_id = "<" + std::to_string(notification_id) + "@avmon.test>";
    u.sent = t0;
    return u;
}

// Alarm id -> event id, for the hooks that ran while the power was on: what the alarm engine
// and the mail sender were told was committed.
class Told {
public:
    CommitHook hook(std::int64_t alarm) {
        return [this, alarm](std::int64_t event_id) {
            if (!vfs::powered()) return;
            std::lock_guard lock(m_);
            events_[alarm] = event_id;
        };
    }
    std::map<std::int64_t, std::int64_t> events() const {
        std::lock_guard lock(m_);
        return events_;
    }

private:
    mutable std::mutex m_;
    std::map<std::int64_t, std::int64_t> events_;
};

struct PowerCutScope {
    PowerCutScope() {
        vfs::install();
        vfs::restore_power();
        vfs::set_volatile_cache(true);
    }
    ~PowerCutScope() {
        vfs::restore_power();
        vfs::set_volatile_cache(false);
    }
};

std::int64_t count(Database& db, const std::string& sql) { return db.query_int(sql).value_or(-1); }

std::string integrity(Database& db) {
    Statement st(db, "PRAGMA integrity_check");
    std::string all;
    while (st.step()) all += st.get_text(0) + "\n";
    return all;
}

// Every event the hooks announced is there with its alarm row and its outbox row.
void check_told_events_survived(Database& db, const std::map<std::int64_t, std::int64_t>& told) {
    for (auto [alarm, event] : told) {
        INFO("alarm " << alarm << ", event " << event);
        CHECK(count(db, "SELECT count(*) FROM alarms WHERE id = " + std::to_string(alarm)) == 1);
        CHECK(count(db, "SELECT count(*) FROM alarm_events WHERE id = " + std::to_string(event) +
                            " AND alarm_id = " + std::to_string(alarm)) == 1);
        CHECK(count(db, "SELECT count(*) FROM notifications WHERE event_id = " +
                            std::to_string(event) + " AND alarm_id = " + std::to_string(alarm)) == 1);
    }
}

}  // namespace

TEST_CASE("store power cut: alarm events, outbox rows and outbox updates that were reported "
          "committed survive, the file passes integrity_check",
          "[store][durability][power]") {
    PowerCutScope power;
    TempDir dir;
    ManualClock clock(t0 + 1h);
    const auto cfg = store_config(dir);
    Told told;
    std::vector<std::int64_t> sent_flushed;  // notification ids whose 'sent' update flush() confirmed
    constexpr int kRounds = 12;
    {
        StoreWriter writer(cfg, clock, WriterOptions{.retention_interval = 0ms});
        for (int r = 1; r <= kRounds; ++r) {
            writer.enqueue(samples(r));
            writer.enqueue(raised(r), told.hook(r));
            if (r > 1) writer.enqueue_outbox_update(sent(r - 1));  // the row of round r-1's event
            REQUIRE(writer.flush(10s));
            if (r > 1) sent_flushed.push_back(r - 1);
            writer.enqueue(samples(100 + r));  // a sample-only commit
            REQUIRE(writer.flush(10s));
        }
        // After the last durable commit: sample-only commits nobody waits for.
        for (int r = 1; r <= 3; ++r) {
            writer.enqueue(samples(200 + r));
            REQUIRE(writer.flush(10s));
        }
        vfs::power_cut();
        writer.enqueue(raised(99), told.hook(99));  // committed as far as SQLite knows; never on disk
        REQUIRE(writer.flush(10s));
        writer.stop();  // its checkpoint and WAL removal go nowhere either
    }
    vfs::restore_power();
    vfs::set_volatile_cache(false);

    // avmond starting again after the reboot (it migrates a store the cut took back in time).
    Database db = open_for_writing(cfg.path);
    CHECK(integrity(db) == "ok\n");
    const auto events = told.events();
    REQUIRE(events.size() == kRounds);
    check_told_events_survived(db, events);
    for (auto id : sent_flushed) {
        INFO("notification " << id);
        CHECK(count(db, "SELECT count(*) FROM notifications WHERE id = " + std::to_string(id) +
                            " AND alarm_id = " + std::to_string(id) + " AND status = 'sent'") == 1);
    }
    // The cut was real: what was written after it is gone, and so are the sample-only commits
    // after the last durable one (NORMAL commits are not synced; those before it were carried
    // to disk by its sync).
    CHECK(count(db, "SELECT count(*) FROM alarms WHERE id = 99") == 0);
    const auto kept = count(db, "SELECT count(*) FROM samples");
    const int before_last_durable = (2 * (kRounds - 1) + 1) * kSamplesPerCommit;
    CHECK(kept >= before_last_durable);
    CHECK(kept < before_last_durable + 4 * kSamplesPerCommit);
}

TEST_CASE("store power cut at random points while alarm events and samples stream in: nothing "
          "reported committed is lost",
          "[store][durability][power]") {
    std::random_device rd;
    const auto seed = rd();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int iteration = 0; iteration < 6; ++iteration) {
        INFO("iteration " << iteration);
        PowerCutScope power;
        TempDir dir;
        ManualClock clock(t0 + 1h);
        const auto cfg = store_config(dir);
        Told told;
        const int cut_after = std::uniform_int_distribution<int>(3, 40)(rng);
        {
            StoreWriter writer(cfg, clock, WriterOptions{.retention_interval = 0ms});
            for (int i = 1; i <= 50; ++i) {
                writer.enqueue(samples(i));
                writer.enqueue(raised(i), told.hook(i));
                if (i % 4 == 0) writer.flush(10s);
                // The writer is usually in the middle of a commit here: the cut lands anywhere.
                if (i == cut_after) vfs::power_cut();
            }
            writer.stop();
        }
        vfs::restore_power();
        vfs::set_volatile_cache(false);

        // A cut before the first durable commit may even take the schema with it: avmond
        // migrates again at start, as here.
        Database db = open_for_writing(cfg.path);
        CHECK(integrity(db) == "ok\n");
        const auto events = told.events();
        CHECK(events.size() <= static_cast<std::size_t>(cut_after));
        check_told_events_survived(db, events);
        // Every event on disk is whole: alarm, event and outbox row together.
        CHECK(count(db, "SELECT count(*) FROM alarm_events e WHERE NOT EXISTS (SELECT 1 FROM "
                        "notifications n WHERE n.event_id = e.id)") == 0);
        CHECK(count(db, "SELECT count(*) FROM alarm_events WHERE id > 0") <= cut_after);
    }
}
