// Raising only after `for` and `for_polls`, clearing with hysteresis and `clear_for`,
// one alarm per row of a walked metric, and the human text.
#include <catch2/catch.hpp>

#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

TEST_CASE("alarms: an above rule raises only after `for` and `for_polls` both hold", "[alarms][debounce]") {
    auto c = base_config();
    auto r = rule("temp_high", config::RuleKind::above, "temp", 70);
    r.for_duration = 2min;
    r.for_polls = 3;
    add_device(c, "d1").rules.push_back(r);
    Harness h(c);
    const SysTime t0 = h.clock.now();

    h.poll("d1", "temp", 80);  // bad since t0
    h.advance(30s);
    h.poll("d1", "temp", 80);
    h.advance(30s);
    h.poll("d1", "temp", 60);  // good again: the run starts over
    h.advance(30s);
    h.poll("d1", "temp", 80);  // bad since t0+90s
    h.advance(30s);
    h.poll("d1", "temp", 80);
    h.advance(30s);
    h.poll("d1", "temp", 80);  // third poll at t0+150s, but `for` not yet over
    CHECK(h.count(AlarmEventKind::raised) == 0);
    h.advance(60s);            // t0+90s+2min = t0+210s: raised by the timer, not by a poll
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.of_kind(AlarmEventKind::raised)[0].time == t0 + 210s);
}

TEST_CASE("alarms: for_polls alone counts consecutive polls", "[alarms][debounce]") {
    auto c = base_config();
    auto r = rule("lamp", config::RuleKind::equals, "lamp_error", 1);
    r.for_polls = 2;
    add_device(c, "d1").rules.push_back(r);
    Harness h(c);
    h.poll("d1", "lamp_error", 1);
    CHECK(h.count(AlarmEventKind::raised) == 0);
    h.advance(60s);
    h.poll("d1", "lamp_error", 0);
    h.advance(60s);
    h.poll("d1", "lamp_error", 1);
    CHECK(h.count(AlarmEventKind::raised) == 0);
    h.advance(60s);
    h.poll("d1", "lamp_error", 1);
    CHECK(h.count(AlarmEventKind::raised) == 1);
}

TEST_CASE("alarms: hysteresis: clears only past the clear threshold, after clear_for", "[alarms][debounce]") {
    auto c = base_config();
    auto r = rule("temp_high", config::RuleKind::above, "temp", 90);
    r.clear_threshold = 80;
    r.clear_for = 2min;
    add_device(c, "d1").rules.push_back(r);
    Harness h(c);
    h.poll("d1", "temp", 95);
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    h.advance(60s);
    h.poll("d1", "temp", 85);  // below 90 but above 80: still bad
    h.advance(5min);
    CHECK(h.count(AlarmEventKind::resolved) == 0);
    h.poll("d1", "temp", 79);
    const SysTime good = h.clock.now();
    h.advance(60s);
    h.poll("d1", "temp", 78);
    CHECK(h.count(AlarmEventKind::resolved) == 0);
    h.advance(90s);
    REQUIRE(h.count(AlarmEventKind::resolved) == 1);
    CHECK(h.of_kind(AlarmEventKind::resolved)[0].time == good + 2min);
    CHECK(h.of_kind(AlarmEventKind::resolved)[0].alarm.state == AlarmState::resolved);
    // Below 90 again but after clearing: a new crossing of 90 is needed to raise.
    h.advance(2h);
    h.poll("d1", "temp", 88);
    CHECK(h.count(AlarmEventKind::raised) + h.count(AlarmEventKind::reopened) == 1);
}

TEST_CASE("alarms: below and not_equals rules", "[alarms][debounce]") {
    auto c = base_config();
    auto& d = add_device(c, "mic");
    d.rules.push_back(rule("battery_low", config::RuleKind::below, "battery_pct.*", 20));
    d.rules.push_back(rule("input_wrong", config::RuleKind::not_equals, "input", 3));
    Harness h(c);
    PollResult p;
    p.reachable = true;
    p.samples = {{"mic", "battery_pct.ch1", h.clock.now(), 55}, {"mic", "battery_pct.ch2", h.clock.now(), 12},
                 {"mic", "input", h.clock.now(), 3}};
    h.engine->observe("mic", p);
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.events[0].alarm.rule_id == "battery_low@ch2");
    CHECK(alarm_rule(h.events[0].alarm) == "battery_low");
    CHECK(alarm_row(h.events[0].alarm) == "ch2");
    h.poll("mic", "input", 4);
    CHECK(h.count(AlarmEventKind::raised) == 2);
}

TEST_CASE("alarms: a walked metric gives one alarm per row, with the text filled in", "[alarms][text]") {
    auto c = base_config();
    auto r = rule("port_down", config::RuleKind::equals, "if_oper_status.*", 2, Severity::III);
    r.text = "{device} in {room}: port {row} ({metric}) is {value}, threshold {threshold}";
    add_device(c, "sw1").rules.push_back(r);
    Harness h(c);
    PollResult p;
    p.reachable = true;
    for (auto [row, v] : {std::pair{"Gi1/0/1", 1.0}, {"Gi1/0/2", 2.0}, {"Gi1/0/3", 2.0}})
        p.samples.push_back({"sw1", std::string("if_oper_status.") + row, h.clock.now(), v});
    h.engine->observe("sw1", p);
    const auto raised = h.of_kind(AlarmEventKind::raised);
    REQUIRE(raised.size() == 2);
    CHECK(raised[0].alarm.text == "dev sw1 in Boardroom 3F: port Gi1/0/2 (if_oper_status.Gi1/0/2) is 2, threshold 2");
    CHECK(raised[1].alarm.rule_id == "port_down@Gi1/0/3");
    CHECK(raised[0].alarm.id != raised[1].alarm.id);
    CHECK(h.engine->open_alarms().size() == 2);
}

TEST_CASE("alarms: rate_above compares the change per second between polls", "[alarms][debounce]") {
    auto c = base_config();
    add_device(c, "sw1").rules.push_back(rule("errors_rising", config::RuleKind::rate_above, "if_in_errors.*", 1));
    Harness h(c);
    h.poll("sw1", "if_in_errors.Gi1", 100);
    h.advance(60s);
    h.poll("sw1", "if_in_errors.Gi1", 130);  // 0.5/s
    CHECK(h.count(AlarmEventKind::raised) == 0);
    h.advance(60s);
    h.poll("sw1", "if_in_errors.Gi1", 400);  // 4.5/s
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.events[0].alarm.value == Approx(4.5));
}

TEST_CASE("alarms: metric_unavailable raises for the unreadable row and clears when it reads again", "[alarms]") {
    auto c = base_config();
    add_device(c, "proj").rules.push_back(rule("lamp_unreadable", config::RuleKind::metric_unavailable, "lamp_hours", 0));
    Harness h(c);
    PollResult p;
    p.reachable = true;
    p.unavailable.push_back({"lamp_hours", MetricStatus::no_such_object, "noSuchObject"});
    h.engine->observe("proj", p);
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.events[0].alarm.text == "dev proj: lamp_hours cannot be read");
    h.poll("proj", "lamp_hours", 1200);
    CHECK(h.count(AlarmEventKind::resolved) == 1);
}

TEST_CASE("alarms: severity follows the room kind", "[alarms][severity]") {
    auto c = base_config();
    auto r = rule("display_dead", config::RuleKind::equals, "power", 0, Severity::III);
    r.severity_by_room_kind = {{"boardroom", Severity::I}};
    c.rules.push_back(r);  // a global rule
    add_device(c, "a", "board");
    add_device(c, "b", "huddle");
    Harness h(c);
    h.poll("a", "power", 0);
    h.poll("b", "power", 0);
    const auto raised = h.of_kind(AlarmEventKind::raised);
    REQUIRE(raised.size() == 2);
    CHECK(raised[0].alarm.severity == Severity::I);
    CHECK(raised[0].alarm.ack_deadline == h.clock.now() + 30min);
    CHECK(raised[1].alarm.severity == Severity::III);
    CHECK_FALSE(raised[1].alarm.ack_deadline.has_value());
    CHECK(raised[1].alarm.resolve_deadline == h.clock.now() + 48h);
    CHECK(raised[1].alarm.room == "huddle");
}

TEST_CASE("alarms: a device with two probes is unreachable only when both fail", "[alarms][debounce]") {
    auto c = base_config();
    add_device(c, "codec").rules.push_back(unreachable_rule(Severity::I));
    Harness h(c);
    PollResult up, down;
    up.reachable = true;
    down.reachable = false;
    h.engine->observe("codec", up, "icmp");
    h.engine->observe("codec", down, "snmp");  // the agent hangs, the host answers pings
    h.advance(1min);
    h.engine->observe("codec", up, "icmp");
    h.engine->observe("codec", down, "snmp");
    CHECK(h.count(AlarmEventKind::raised) == 0);
    h.engine->observe("codec", down, "icmp");
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    h.engine->observe("codec", up, "snmp");
    CHECK(h.count(AlarmEventKind::resolved) == 1);
}
