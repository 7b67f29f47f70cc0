// Dependencies (a switch down suppresses its children) and maintenance windows.
#include <catch2/catch.hpp>

#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

namespace {

config::Config switch_with_children(int children) {
    auto c = base_config();
    auto& sw = add_device(c, "sw");
    sw.name = "switch sw-3f";
    sw.rules.push_back(unreachable_rule(Severity::I));
    for (int i = 1; i <= children; ++i) {
        auto& d = add_device(c, "dev" + std::to_string(i), "board", "sw");
        auto r = unreachable_rule(Severity::II);
        r.for_polls = 2;
        d.rules.push_back(r);
    }
    return c;
}

}  // namespace

TEST_CASE("alarms: a switch failure gives one root alarm and suppressed children", "[alarms][dependencies]") {
    auto c = switch_with_children(6);
    c.devices[0].rules[0].for_polls = 2;
    Harness h(c);
    auto all = [&](bool up) {
        // Children are polled first on purpose: their alarms must wait for the parent's verdict.
        for (int i = 1; i <= 6; ++i) h.reachability("dev" + std::to_string(i), up);
        h.reachability("sw", up);
    };
    all(true);
    all(false);
    h.advance(1min);
    all(false);
    const auto raised = h.of_kind(AlarmEventKind::raised);
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].alarm.device == "sw");
    CHECK_FALSE(raised[0].notify.empty());
    const auto root = raised[0].alarm.id;
    const auto suppressed = h.of_kind(AlarmEventKind::suppressed);
    REQUIRE(suppressed.size() == 6);
    for (const auto& e : suppressed) {
        CHECK(e.alarm.suppressed);
        CHECK(e.alarm.root_alarm_id == root);
        CHECK(e.alarm.suppression_reason == "root cause: switch sw-3f is unreachable");
        CHECK(e.notify.empty());
        CHECK_FALSE(e.alarm.ack_deadline.has_value());
    }
    // Suppressed alarms do not escalate.
    h.advance(13h);
    for (const auto& e : h.of_kind(AlarmEventKind::escalated)) CHECK(e.alarm.device == "sw");

    // The switch recovers; dev1..dev4 recover with it, dev5 and dev6 are still dead.
    h.reachability("sw", true);
    for (int i = 1; i <= 4; ++i) h.reachability("dev" + std::to_string(i), true);
    h.reachability("dev5", false);
    h.reachability("dev6", false);
    h.advance(1s);
    const auto unsup = h.of_kind(AlarmEventKind::unsuppressed);
    REQUIRE(unsup.size() == 2);
    CHECK(unsup[0].alarm.device == "dev5");
    CHECK_FALSE(unsup[0].alarm.suppressed);
    CHECK_FALSE(unsup[0].notify.empty());
    CHECK(unsup[0].alarm.resolve_deadline == h.clock.now() - 1s + 24h);
    std::size_t silent = 0;
    for (const auto& e : h.of_kind(AlarmEventKind::resolved))
        if (e.alarm.device != "sw") {
            CHECK(e.notify.empty());
            ++silent;
        }
    CHECK(silent == 4);
}

TEST_CASE("alarms: a child raised before its parent failed is suppressed when the parent goes down", "[alarms][dependencies]") {
    auto c = switch_with_children(1);
    c.devices[1].rules[0].for_polls = 1;
    c.devices[0].rules[0].for_polls = 3;
    Harness h(c);
    h.reachability("dev1", false);  // parent looks fine: the child pages on its own
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    for (int i = 0; i < 3; ++i) {
        h.reachability("sw", false);
        h.advance(1min);
    }
    REQUIRE(h.count(AlarmEventKind::suppressed) == 1);
    CHECK(h.of_kind(AlarmEventKind::suppressed)[0].alarm.device == "dev1");
}

TEST_CASE("alarms: a maintenance window suppresses, and a fault still present at its end is raised then", "[alarms][maintenance]") {
    auto c = base_config();
    add_device(c, "codec", "board").rules.push_back(unreachable_rule(Severity::I));
    config::MaintenanceWindow w;
    w.id = "fw-upgrade";
    w.scope = config::MaintenanceWindow::Scope::room;
    w.target = "board";
    w.start = at_utc("2026-11-02T09:00:00Z");
    w.duration = 2h;
    w.reason = "codec firmware upgrade";
    c.maintenance.push_back(w);
    Harness h(c, at_utc("2026-11-02T08:00:00Z"));
    h.advance(70min);
    h.reachability("codec", false);
    REQUIRE(h.count(AlarmEventKind::suppressed) == 1);
    CHECK(h.count(AlarmEventKind::raised) == 0);
    CHECK(h.events[0].alarm.suppression_reason == "maintenance fw-upgrade: codec firmware upgrade");
    CHECK(h.events[0].notify.empty());
    h.advance(30min);
    h.reachability("codec", false);
    CHECK(h.count(AlarmEventKind::escalated) == 0);
    h.advance(2h);
    REQUIRE(h.count(AlarmEventKind::unsuppressed) == 1);
    const auto up = h.of_kind(AlarmEventKind::unsuppressed)[0];
    CHECK(up.time == at_utc("2026-11-02T11:00:00Z"));
    CHECK(up.notify.size() == 1);
    CHECK(up.alarm.ack_deadline == at_utc("2026-11-02T11:30:00Z"));
    CHECK(h.engine->active_maintenance().empty());
}

TEST_CASE("alarms: a fault that clears inside the window is never announced", "[alarms][maintenance]") {
    auto c = base_config();
    add_device(c, "codec", "board").rules.push_back(unreachable_rule(Severity::I));
    Harness h(c);
    config::MaintenanceWindow w;
    w.id = "adhoc";
    w.scope = config::MaintenanceWindow::Scope::device;
    w.target = "codec";
    w.start = h.clock.now();
    w.duration = 1h;
    REQUIRE(h.engine->add_maintenance(w));
    h.reachability("codec", false);
    h.advance(10min);
    h.reachability("codec", true);
    h.advance(2h);
    CHECK(h.count(AlarmEventKind::suppressed) == 1);
    CHECK(h.count(AlarmEventKind::resolved) == 1);
    for (const auto& e : h.events) CHECK(e.notify.empty());
    CHECK(h.engine->remove_maintenance("adhoc"));
    CHECK_FALSE(h.engine->remove_maintenance("adhoc"));
}

TEST_CASE("alarms: a weekly window follows local time across a DST change", "[alarms][maintenance][tz]") {
    // Sundays 03:30-04:30 Europe/Berlin. On 2026-10-25 clocks go back from 03:00 CEST to 02:00 CET.
    auto c = base_config();
    add_device(c, "codec", "board").rules.push_back(unreachable_rule(Severity::I));
    config::MaintenanceWindow w;
    w.id = "weekly";
    w.scope = config::MaintenanceWindow::Scope::site;
    w.target = "hq";
    w.weekdays = {7};
    w.start_minute = 3 * 60 + 30;
    w.duration = 1h;
    c.maintenance.push_back(w);
    Harness h(c, at_utc("2026-10-17T12:00:00Z"));
    // Sunday 18 Oct (CEST, UTC+2): 03:30 local = 01:30 UTC.
    auto next = h.engine->next_timer();
    REQUIRE(next);
    CHECK(*next == at_utc("2026-10-18T01:30:00Z"));
    h.clock.set(at_utc("2026-10-18T01:45:00Z"));
    CHECK(h.engine->active_maintenance().size() == 1);
    // Sunday 25 Oct after the change (CET, UTC+1): 03:30 local = 02:30 UTC.
    h.clock.set(at_utc("2026-10-25T01:45:00Z"));
    CHECK(h.engine->active_maintenance().empty());
    h.clock.set(at_utc("2026-10-25T02:45:00Z"));
    CHECK(h.engine->active_maintenance().size() == 1);
    h.reachability("codec", false);
    CHECK(h.count(AlarmEventKind::suppressed) == 1);
    h.advance(50min);  // the window ends at 04:30 CET = 03:30 UTC
    CHECK(h.count(AlarmEventKind::unsuppressed) == 1);
    CHECK(h.of_kind(AlarmEventKind::unsuppressed)[0].time == at_utc("2026-10-25T03:30:00Z"));
}
