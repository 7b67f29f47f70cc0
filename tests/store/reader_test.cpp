#include <catch2/catch.hpp>

#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

Alarm make_alarm(std::int64_t id, std::string room, Severity sev, AlarmState state, SysTime raised) {
    Alarm a;
    a.id = id;
    a.rule_id = "rule-" + std::to_string(id);
    a.device = "dev-" + std::to_string(id);
    a.room = std::move(room);
    a.severity = sev;
    a.state = state;
    a.text = "alarm " + std::to_string(id);
    a.value = 1.5 * static_cast<double>(id);
    a.raised_at = raised;
    return a;
}

AlarmEvent event(AlarmEventKind kind, SysTime t, Alarm a, std::vector<NotificationRequest> notify = {},
                 std::string actor = "avmond") {
    AlarmEvent e;
    e.kind = kind;
    e.time = t;
    e.actor = std::move(actor);
    e.alarm = std::move(a);
    e.notify = std::move(notify);
    return e;
}

}  // namespace

TEST_CASE("store: the reader restores open alarms with every field and their timelines") {
    TempDir dir;
    const auto t0 = utc("2026-11-20T08:00:00Z");
    ManualClock clock(t0 + 96h);
    StoreWriter writer(store_config(dir), clock);

    Alarm a = make_alarm(1, "r-301", Severity::I, AlarmState::raised, t0);
    a.ack_deadline = t0 + 30min;
    a.resolve_deadline = t0 + 12h;
    a.emergency_deadline = t0 + 16h;
    a.suppressed = true;
    a.suppression_reason = "root cause: switch sw-3f port 12 down";
    a.root_alarm_id = 9;
    a.flapping = true;
    a.recurring = true;
    a.occurrences = 4;
    writer.enqueue(event(AlarmEventKind::raised, t0, a, {{"oncall@example.org", "bob", 0}}));
    a.escalation_level = 1;
    writer.enqueue(event(AlarmEventKind::escalated, t0 + 31min, a, {{"boss@example.org", "carol", 1}}));
    a.state = AlarmState::acknowledged;
    a.acked_at = t0 + 40min;
    a.acked_by = "alice";
    writer.enqueue(event(AlarmEventKind::acknowledged, t0 + 40min, a, {}, "alice"));

    Alarm closed = make_alarm(2, "r-302", Severity::III, AlarmState::closed, t0 + 1h);
    closed.resolved_at = t0 + 2h;
    closed.closed_at = t0 + 3h;
    closed.cause = "lamp end of life";
    closed.action = "lamp replaced";
    writer.enqueue(event(AlarmEventKind::closed, t0 + 3h, closed));
    writer.enqueue(event(AlarmEventKind::raised, t0 + 50h, make_alarm(3, "r-301", Severity::II, AlarmState::resolved, t0 + 50h)));
    REQUIRE(writer.flush());

    StoreReader reader(writer.path());
    CHECK(reader.max_alarm_id() == 3);
    auto open = reader.open_alarms();
    REQUIRE(open.size() == 2);
    const auto& r = open[0];
    CHECK(r.id == 1);
    CHECK(r.rule_id == "rule-1");
    CHECK(r.device == "dev-1");
    CHECK(r.room == "r-301");
    CHECK(r.severity == Severity::I);
    CHECK(r.state == AlarmState::acknowledged);
    CHECK(r.text == "alarm 1");
    CHECK(r.value == 1.5);
    CHECK(r.raised_at == t0);
    CHECK(r.acked_at == t0 + 40min);
    CHECK_FALSE(r.resolved_at);
    CHECK(r.ack_deadline == t0 + 30min);
    CHECK(r.resolve_deadline == t0 + 12h);
    CHECK(r.emergency_deadline == t0 + 16h);
    CHECK(r.escalation_level == 1);
    CHECK(r.suppressed);
    CHECK(r.suppression_reason == "root cause: switch sw-3f port 12 down");
    CHECK(r.root_alarm_id == 9);
    CHECK(r.flapping);
    CHECK(r.recurring);
    CHECK(r.occurrences == 4);
    CHECK(r.acked_by == "alice");
    CHECK(open[1].id == 3);

    auto timeline = reader.alarm_events(1);
    REQUIRE(timeline.size() == 3);
    CHECK(timeline[0].kind == AlarmEventKind::raised);
    CHECK(timeline[0].escalation_level == 0);
    CHECK(timeline[1].kind == AlarmEventKind::escalated);
    CHECK(timeline[1].escalation_level == 1);
    CHECK(timeline[1].time == t0 + 31min);
    CHECK(timeline[2].kind == AlarmEventKind::acknowledged);
    CHECK(timeline[2].actor == "alice");
    CHECK(timeline[2].state == AlarmState::acknowledged);
    CHECK(timeline[2].severity == Severity::I);

    auto c = reader.alarm(2);
    REQUIRE(c);
    CHECK(c->cause == "lamp end of life");
    CHECK(c->action == "lamp replaced");
    CHECK(c->closed_at == t0 + 3h);

    AlarmFilter f;
    f.room = "r-301";
    CHECK(reader.alarms(f).size() == 2);
    f.severity = Severity::II;
    auto by_sev = reader.alarms(f);
    REQUIRE(by_sev.size() == 1);
    CHECK(by_sev[0].id == 3);
    AlarmFilter g;
    g.since = t0 + 30min;
    auto recent = reader.alarms(g);
    REQUIRE(recent.size() == 2);
    CHECK(recent[0].id == 3);  // newest first
    AlarmFilter h;
    h.state = AlarmState::closed;
    CHECK(reader.alarms(h).size() == 1);
}

TEST_CASE("store: due outbox items, and the mailer's updates go through the writer") {
    TempDir dir;
    const auto t0 = utc("2026-11-24T07:00:00Z");
    ManualClock clock(t0);
    StoreWriter writer(store_config(dir), clock);
    writer.enqueue(event(AlarmEventKind::raised, t0, make_alarm(1, "r-1", Severity::II, AlarmState::raised, t0),
                         {{"a@example.org", "a", 0}, {"b@example.org", "b", 0}}));
    REQUIRE(writer.flush());
    StoreReader reader(writer.path());
    CHECK(reader.due_outbox(t0 - 1s).empty());
    auto due = reader.due_outbox(t0);
    REQUIRE(due.size() == 2);
    CHECK(due[0].recipient == "a@example.org");
    CHECK(due[0].room == "r-1");
    CHECK(due[0].status == OutboxStatus::pending);
    CHECK(due[0].event_id == reader.alarm_events(1).at(0).id);

    writer.enqueue_outbox_update({{due[0].id}, OutboxStatus::sent, 1, t0, "<m1@avmon>", "", t0 + 2s});
    writer.enqueue_outbox_update({{due[1].id}, OutboxStatus::pending, 1, t0 + 5min, "", "421 try later", std::nullopt});
    REQUIRE(writer.flush());
    auto still = reader.due_outbox(t0 + 1min);
    CHECK(still.empty());
    auto later = reader.due_outbox(t0 + 5min);
    REQUIRE(later.size() == 1);
    CHECK(later[0].attempts == 1);
    CHECK(later[0].last_error == "421 try later");
    auto sent = reader.outbox_item(due[0].id);
    REQUIRE(sent);
    CHECK(sent->status == OutboxStatus::sent);
    CHECK(sent->message_id == "<m1@avmon>");
    CHECK(sent->sent == t0 + 2s);
}

TEST_CASE("store: poll results give last-seen, latest values, states, facts and reachability changes") {
    TempDir dir;
    const auto t0 = utc("2026-11-24T07:00:00Z");
    ManualClock clock(t0 + 1h);
    StoreWriter writer(store_config(dir), clock);
    writer.enqueue_device({"proj-1", "Projector 301", "r-301", "display", "EB-L1500U"});

    PollResult p1;
    p1.reachable = true;
    p1.time = t0;
    p1.samples = {sample("proj-1", "lamp_hours", t0, 1200), sample("proj-1", "temp_c", t0, 38)};
    p1.unavailable = {{"filter_hours", MetricStatus::no_such_object, "noSuchObject"}};
    p1.facts = {{"firmware", "1.02"}, {"serial", "X123"}};
    writer.enqueue(p1, "proj-1");

    PollResult down;
    down.reachable = false;
    down.time = t0 + 1min;
    down.error = "timeout after 1000 ms";
    writer.enqueue(down, "proj-1");
    down.time = t0 + 2min;
    writer.enqueue(down, "proj-1");  // still down: no new event

    PollResult p2 = p1;
    p2.time = t0 + 3min;
    p2.samples = {sample("proj-1", "lamp_hours", t0 + 3min, 1201), sample("proj-1", "filter_hours", t0 + 3min, 10)};
    p2.unavailable = {{"temp_c", MetricStatus::error, "ERR3 (unavailable)"}};
    p2.facts = {{"firmware", "1.03"}};
    writer.enqueue(p2, "proj-1");
    REQUIRE(writer.flush());

    StoreReader reader(writer.path());
    auto dev = reader.device("proj-1");
    REQUIRE(dev);
    CHECK(dev->name == "Projector 301");
    CHECK(dev->model == "EB-L1500U");
    CHECK(dev->first_seen == t0);
    CHECK(dev->last_seen == t0 + 3min);
    CHECK(dev->reachable == true);
    CHECK(reader.devices().size() == 1);

    auto latest = reader.latest_samples("proj-1");
    REQUIRE(latest.size() == 3);
    CHECK(latest[0].metric == "filter_hours");
    CHECK(latest[1].metric == "lamp_hours");
    CHECK(latest[1].value == 1201);
    CHECK(latest[2].metric == "temp_c");
    CHECK(latest[2].time == t0);

    auto states = reader.metric_states("proj-1");
    REQUIRE(states.size() == 2);
    CHECK(states[0].metric == "filter_hours");
    CHECK(states[0].status == MetricStatus::ok);  // it answered again
    CHECK(states[1].metric == "temp_c");
    CHECK(states[1].status == MetricStatus::error);
    CHECK(states[1].detail == "ERR3 (unavailable)");
    CHECK(states[1].since == t0 + 3min);

    auto facts = reader.facts("proj-1");
    REQUIRE(facts.size() == 2);
    CHECK(facts[0].key == "firmware");
    CHECK(facts[0].value == "1.03");
    CHECK(facts[0].updated == t0 + 3min);
    CHECK(facts[1].value == "X123");

    auto reach = reader.reachability("proj-1", t0 - 1h, t0 + 1h);
    REQUIRE(reach.size() == 3);
    CHECK(reach[0].up);
    CHECK_FALSE(reach[1].up);
    CHECK(reach[1].reason == "timeout after 1000 ms");
    CHECK(reach[1].time == t0 + 1min);
    CHECK(reach[2].up);
    CHECK(reach[2].time == t0 + 3min);
}

TEST_CASE("store: traps, audit, maintenance windows and archived reports read back") {
    TempDir dir;
    const auto t0 = utc("2026-11-24T07:00:00Z");
    ManualClock clock(t0);
    StoreWriter writer(store_config(dir), clock);
    TrapEvent trap;
    trap.time = t0;
    trap.source_address = "10.0.3.1";
    trap.device = "sw-3f";
    trap.trap_oid = "1.3.6.1.6.3.1.1.5.3";
    trap.event = "link_down";
    trap.detail = "ifIndex=12";
    trap.varbinds = {{"1.3.6.1.2.1.2.2.1.1.12", "12"}};
    writer.enqueue(trap);
    TrapEvent unknown = trap;
    unknown.device.reset();
    unknown.event = "unknown";
    unknown.time = t0 + 1s;
    writer.enqueue(unknown);
    writer.enqueue_audit({0, t0, "alice", "maintenance.add", "mw-1", "", "r-301 2h", "via avmonctl"});
    MaintenanceRecord mw;
    mw.id = "mw-1";
    mw.scope = "room";
    mw.target = "r-301";
    mw.start = t0;
    mw.end = t0 + 2h;
    mw.duration = 2h;
    mw.reason = "projector swap";
    mw.created_by = "alice";
    mw.created = t0;
    writer.enqueue_maintenance(mw);
    MaintenanceRecord weekly = mw;
    weekly.id = "mw-2";
    weekly.end.reset();
    weekly.weekdays = {1, 3, 5};
    weekly.start_minute = 22 * 60;
    writer.enqueue_maintenance(weekly);
    writer.enqueue_report({"2026-10", "all", "csv", t0, "room,availability\nr-301,99.5\n"});
    REQUIRE(writer.flush());
    mw.cancelled = t0 + 30min;  // ended early: kept as history
    writer.enqueue_maintenance(mw);
    REQUIRE(writer.flush());

    StoreReader reader(writer.path());
    auto traps = reader.traps(t0, t0 + 1h);
    REQUIRE(traps.size() == 2);
    CHECK(traps[0].device == "sw-3f");
    CHECK(traps[0].event == "link_down");
    CHECK(traps[0].varbinds == "1.3.6.1.2.1.2.2.1.1.12=12\n");
    CHECK_FALSE(traps[1].device);
    auto audit = reader.audit(t0, t0 + 1h);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].actor == "alice");
    CHECK(audit[0].after == "r-301 2h");
    auto active = reader.maintenance_windows();
    REQUIRE(active.size() == 1);
    CHECK(active[0].id == "mw-2");
    CHECK(active[0].weekdays == std::vector<int>{1, 3, 5});
    CHECK(active[0].start_minute == 22 * 60);
    auto all = reader.maintenance_windows(true);
    REQUIRE(all.size() == 2);
    CHECK(all[0].cancelled == t0 + 30min);
    CHECK(all[0].end == t0 + 2h);
    auto report = reader.archived_report("2026-10", "all", "csv");
    REQUIRE(report);
    CHECK(report->body == "room,availability\nr-301,99.5\n");
    CHECK_FALSE(reader.archived_report("2026-09", "all", "csv"));
}

TEST_CASE("store: the reader refuses a file that is not an avmon store") {
    TempDir dir;
    CHECK_THROWS_AS(StoreReader(dir.file("missing.db")), SqliteError);
    {
        Database db(dir.file("other.db"), Database::Mode::read_write_create);
        db.exec("CREATE TABLE t(x)");
    }
    CHECK_THROWS_WITH(StoreReader(dir.file("other.db")), Catch::Contains("not an avmon store"));
}
