// Deadlines per severity, escalation up the chain, reminders, restart across a deadline.
#include <catch2/catch.hpp>

#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

namespace {
config::Config codec_config() {
    auto c = base_config();
    add_device(c, "codec", "board").rules.push_back(unreachable_rule(Severity::I));
    return c;
}
}  // namespace

TEST_CASE("alarms: a level-I alarm not acknowledged in 30 min escalates once to the next level", "[alarms][escalation]") {
    Harness h(codec_config());
    const SysTime t0 = h.clock.now();
    h.reachability("codec", false);
    const auto raised = h.of_kind(AlarmEventKind::raised).at(0);
    CHECK(raised.alarm.ack_deadline == t0 + 30min);
    CHECK(raised.alarm.resolve_deadline == t0 + 12h);
    CHECK(raised.alarm.emergency_deadline == t0 + 16h);
    CHECK(h.recipients(raised) == std::vector<std::string>{"zhang@example.com"});
    h.advance(29min);
    CHECK(h.count(AlarmEventKind::escalated) == 0);
    h.advance(2h);
    REQUIRE(h.count(AlarmEventKind::escalated) == 1);
    const auto esc = h.of_kind(AlarmEventKind::escalated)[0];
    CHECK(esc.time == t0 + 30min);
    CHECK(esc.alarm.escalation_level == 1);
    CHECK(esc.note.find("ack deadline") != std::string::npos);
    CHECK(h.recipients(esc) == std::vector<std::string>{"lin@example.com"});
    CHECK(esc.notify[0].escalation_level == 1);
}

TEST_CASE("alarms: acked but not resolved at 12 h escalates again, and the emergency step at 16 h", "[alarms][escalation]") {
    Harness h(codec_config());
    const SysTime t0 = h.clock.now();
    h.reachability("codec", false);
    const auto id = h.engine->open_alarms().at(0)->id;
    h.advance(10min);
    REQUIRE(h.engine->acknowledge(id, "zhang"));
    h.advance(11h);
    CHECK(h.count(AlarmEventKind::escalated) == 0);  // acked in time: no ack escalation
    h.advance(2h);
    REQUIRE(h.count(AlarmEventKind::escalated) == 1);
    auto esc = h.of_kind(AlarmEventKind::escalated);
    CHECK(esc[0].time == t0 + 12h);
    CHECK(esc[0].alarm.escalation_level == 1);
    CHECK(esc[0].note.find("resolve deadline") != std::string::npos);
    h.advance(4h);
    esc = h.of_kind(AlarmEventKind::escalated);
    REQUIRE(esc.size() == 2);
    CHECK(esc[1].time == t0 + 16h);
    CHECK(esc[1].alarm.escalation_level == 2);
    CHECK(esc[1].note.find("emergency") != std::string::npos);
    CHECK(h.recipients(esc[1]) == std::vector<std::string>{"wang@example.com", "vendor-hotline@example.com"});
    h.advance(48h);
    CHECK(h.count(AlarmEventKind::escalated) == 2);
    // Resolution tells everyone who was told.
    h.reachability("codec", true);
    const auto res = h.of_kind(AlarmEventKind::resolved).at(0);
    CHECK(res.notify.size() == 4);
}

TEST_CASE("alarms: reminders repeat for unacknowledged alarms only", "[alarms][escalation]") {
    auto c = codec_config();
    c.policies[Severity::I].reminder_interval = 15min;
    c.policies[Severity::I].ack_deadline.reset();
    Harness h(c);
    h.reachability("codec", false);
    h.advance(50min);
    CHECK(h.count(AlarmEventKind::reminder) == 3);
    REQUIRE(h.engine->acknowledge(h.engine->open_alarms().at(0)->id, "li"));
    h.advance(2h);
    CHECK(h.count(AlarmEventKind::reminder) == 3);
    CHECK_FALSE(h.of_kind(AlarmEventKind::reminder)[0].notify.empty());
}

TEST_CASE("alarms: a restart across a deadline escalates on the first tick after restore()", "[alarms][escalation][restart]") {
    auto c = codec_config();
    Harness h(c);
    const SysTime t0 = h.clock.now();
    h.reachability("codec", false);
    h.advance(10min);
    // Daemon stops; the store has the alarm with its deadlines. It starts again 40 min later.
    std::vector<Alarm> stored(h.engine->alarms().begin(), h.engine->alarms().end());
    std::vector<AlarmEvent> after;
    h.clock.set(t0 + 50min);
    AlarmEngine restarted(c, h.clock, 1, [&](const AlarmEvent& e) { after.push_back(e); });
    restarted.restore(stored);
    CHECK(restarted.next_alarm_id() == stored[0].id + 1);
    restarted.tick();
    REQUIRE(after.size() == 1);
    CHECK(after[0].kind == AlarmEventKind::escalated);
    CHECK(after[0].time == t0 + 50min);
    CHECK(after[0].alarm.escalation_level == 1);
    // It does not escalate again for the same deadline, even after another restart.
    restarted.tick();
    CHECK(after.size() == 1);
    std::vector<Alarm> stored2(restarted.alarms().begin(), restarted.alarms().end());
    AlarmEngine again(c, h.clock, 1, [&](const AlarmEvent& e) { after.push_back(e); });
    again.restore(stored2);
    again.tick();
    CHECK(after.size() == 1);
    // The next deadline (resolve at 12 h) is still pending, and a good poll clears the alarm.
    REQUIRE(again.next_timer());
    CHECK(*again.next_timer() == t0 + 12h);
    PollResult up;
    up.reachable = true;
    again.observe("codec", up);
    REQUIRE(after.size() == 2);
    CHECK(after[1].kind == AlarmEventKind::resolved);
}

TEST_CASE("alarms: a restart past two deadlines escalates for each, in order", "[alarms][escalation][restart]") {
    auto c = codec_config();
    Harness h(c);
    const SysTime t0 = h.clock.now();
    h.reachability("codec", false);
    std::vector<Alarm> stored(h.engine->alarms().begin(), h.engine->alarms().end());
    h.clock.set(t0 + 13h);
    std::vector<AlarmEvent> after;
    AlarmEngine restarted(c, h.clock, 1, [&](const AlarmEvent& e) { after.push_back(e); });
    restarted.restore(stored);
    restarted.tick();
    REQUIRE(after.size() == 2);
    CHECK(after[0].note.find("ack deadline") != std::string::npos);
    CHECK(after[1].note.find("resolve deadline") != std::string::npos);
    CHECK(after[1].alarm.escalation_level == 2);
}
