// A crash (SIGKILL) while the writer commits alarm events must leave every event either
// complete — alarm row, event row and all its outbox rows — or absent. Never half.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

constexpr int kRecipients = 3;

AlarmEvent raised(std::int64_t id, SysTime t) {
    AlarmEvent e;
    e.time = t;
    e.alarm.id = id;
    e.alarm.rule_id = "lamp_hours_high";
    e.alarm.device = "proj-" + std::to_string(id);
    e.alarm.room = "r-" + std::to_string(id % 7);
    e.alarm.severity = Severity::III;
    e.alarm.raised_at = t;
    e.alarm.resolve_deadline = t + 48h;
    for (int i = 0; i < kRecipients; ++i)
        e.notify.push_back({"tech" + std::to_string(i) + "@example.org", "tech" + std::to_string(i), 0});
    return e;
}

// The child: commits 50 alarm events, tells the parent, then writes as fast as it can
// until it is killed.
[[noreturn]] void child(const config::StoreConfig& cfg, int ready_fd) {
    try {
        SystemClock clock;
        StoreWriter writer(cfg, clock);
        for (int i = 1; i <= 50; ++i) writer.enqueue(raised(i, clock.now()));
        if (!writer.flush(10s)) _exit(2);
        if (write(ready_fd, "1", 1) != 1) _exit(3);
        for (std::int64_t i = 51;; ++i) {
            writer.enqueue(raised(i, clock.now()));
            std::vector<Sample> s;
            for (int k = 0; k < 200; ++k) s.push_back(sample("proj-1", "m" + std::to_string(k), clock.now(), k));
            writer.enqueue(std::move(s));
            if (i % 20 == 0) writer.flush(10s);  // keep memory bounded: events are never dropped
        }
    } catch (...) {
        _exit(4);
    }
}

}  // namespace

TEST_CASE("store: alarm events and their outbox rows survive a SIGKILL mid-write as a unit") {
    TempDir dir;
    auto cfg = store_config(dir, 500);
    cfg.flush_interval = 5ms;
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child(cfg, fds[1]);
    }
    close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    REQUIRE(poll(&p, 1, 20000) == 1);
    char c = 0;
    REQUIRE(read(fds[0], &c, 1) == 1);
    close(fds[0]);
    std::this_thread::sleep_for(300ms);  // let it commit (and be in the middle of) more flushes
    REQUIRE(kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));

    SystemClock clock;
    {
        StoreWriter recover(cfg, clock);  // a read-write open replays the WAL
        recover.stop();
    }
    StoreReader reader(cfg.path);
    auto& db = reader.database();
    Statement check(db, "PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.get_text(0) == "ok");

    // Everything flushed before the parent was told is there.
    for (int i = 1; i <= 50; ++i) {
        INFO("alarm " << i);
        REQUIRE(reader.alarm(i));
        CHECK(reader.alarm_events(i).size() == 1);
        CHECK(reader.outbox_for_alarm(i).size() == kRecipients);
    }
    const auto alarms = db.query_int("SELECT count(*) FROM alarms").value();
    INFO("alarms committed before the kill: " << alarms);
    CHECK(alarms > 50);  // it kept writing after the first batch
    // ... and whatever was committed later is complete: no event without its outbox rows,
    // no alarm without its event, no outbox row without its event.
    CHECK(db.query_int("SELECT count(*) FROM alarm_events e WHERE (SELECT count(*) FROM "
                       "notifications n WHERE n.event_id = e.id) != 3") == 0);
    CHECK(db.query_int("SELECT count(*) FROM alarms a WHERE NOT EXISTS (SELECT 1 FROM "
                       "alarm_events e WHERE e.alarm_id = a.id)") == 0);
    CHECK(db.query_int("SELECT count(*) FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM "
                       "alarm_events e WHERE e.id = n.event_id)") == 0);
    CHECK(db.query_int("SELECT count(*) FROM notifications WHERE status != 'pending'") == 0);
}
