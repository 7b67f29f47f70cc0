// raised -> acknowledged -> resolved -> closed; re-open within the reopen window; recurring
// problems; flapping reported as one alarm.
#include <catch2/catch.hpp>

#include <set>

#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

namespace {
config::Config one_rule_config() {
    auto c = base_config();
    auto r = rule("temp_high", config::RuleKind::above, "temp", 70, Severity::II);
    add_device(c, "d1").rules.push_back(r);
    return c;
}
}  // namespace

TEST_CASE("alarms: operator lifecycle: acknowledge, resolve by hand, close with cause and action", "[alarms][lifecycle]") {
    Harness h(one_rule_config());
    h.poll("d1", "temp", 80);
    REQUIRE(h.engine->open_alarms().size() == 1);
    const auto id = h.engine->open_alarms()[0]->id;
    CHECK_FALSE(h.engine->close(id + 100, "zhang", "x", "y"));
    h.advance(5min);
    REQUIRE(h.engine->acknowledge(id, "zhang", "on my way"));
    CHECK_FALSE(h.engine->acknowledge(id, "li"));  // only once
    auto ack = h.of_kind(AlarmEventKind::acknowledged).at(0);
    CHECK(ack.actor == "zhang");
    CHECK(ack.note == "on my way");
    CHECK(ack.alarm.acked_by == "zhang");
    CHECK(ack.notify.empty());
    REQUIRE(h.engine->add_note(id, "zhang", "fan replaced"));
    REQUIRE(h.engine->resolve(id, "zhang"));
    CHECK(h.of_kind(AlarmEventKind::resolved).at(0).alarm.state == AlarmState::resolved);
    CHECK(h.of_kind(AlarmEventKind::resolved).at(0).actor == "zhang");
    REQUIRE(h.engine->close(id, "zhang", "fan failure", "replaced fan"));
    const auto closed = h.of_kind(AlarmEventKind::closed).at(0);
    CHECK(closed.alarm.cause == "fan failure");
    CHECK(closed.alarm.action == "replaced fan");
    CHECK(closed.alarm.state == AlarmState::closed);
    CHECK(h.engine->open_alarms().empty());
}

TEST_CASE("alarms: a re-raise within the reopen window re-opens the same alarm", "[alarms][lifecycle]") {
    auto c = one_rule_config();
    c.alarms.reopen_window = 1h;
    Harness h(c);
    h.poll("d1", "temp", 80);
    h.advance(1min);
    h.poll("d1", "temp", 60);
    REQUIRE(h.count(AlarmEventKind::resolved) == 1);
    h.advance(30min);
    h.poll("d1", "temp", 80);
    REQUIRE(h.count(AlarmEventKind::reopened) == 1);
    const auto re = h.of_kind(AlarmEventKind::reopened)[0];
    CHECK(re.alarm.id == h.events[0].alarm.id);
    CHECK(re.alarm.occurrences == 2);
    CHECK(re.alarm.state == AlarmState::raised);
    CHECK_FALSE(re.notify.empty());
    // After the window a new alarm is raised.
    h.poll("d1", "temp", 60);
    h.advance(2h);
    h.poll("d1", "temp", 80);
    const auto raised = h.of_kind(AlarmEventKind::raised);
    REQUIRE(raised.size() == 2);
    CHECK(raised[1].alarm.id != raised[0].alarm.id);
    CHECK(raised[1].alarm.occurrences == 1);
}

TEST_CASE("alarms: the same problem N times within M days is flagged recurring", "[alarms][lifecycle]") {
    auto c = one_rule_config();
    c.alarms.reopen_window = 10min;
    c.alarms.recurring_count = 3;
    c.alarms.recurring_window = std::chrono::hours(24 * 30);
    Harness h(c);
    for (int day = 0; day < 3; ++day) {
        h.poll("d1", "temp", 80);
        h.advance(1h);
        h.poll("d1", "temp", 60);
        h.advance(std::chrono::hours(24 * 5));
    }
    REQUIRE(h.count(AlarmEventKind::recurring) == 1);
    const auto rec = h.of_kind(AlarmEventKind::recurring)[0];
    CHECK(rec.alarm.recurring);
    CHECK(rec.alarm.id == h.of_kind(AlarmEventKind::raised).at(2).alarm.id);
    CHECK(rec.notify.empty());
}

TEST_CASE("alarms: a flapping condition gives one alarm marked flapping, and no clear while it flaps", "[alarms][flapping]") {
    auto c = one_rule_config();
    c.alarms.flap = {21, 0.5, 0.3};
    Harness h(c);
    for (int i = 0; i < 30; ++i) {
        h.poll("d1", "temp", i % 2 ? 60 : 80);
        h.advance(1min);
    }
    std::set<std::int64_t> ids;
    for (const auto& e : h.events) ids.insert(e.alarm.id);
    CHECK(ids.size() == 1);
    REQUIRE(h.count(AlarmEventKind::flapping) == 1);
    CHECK(h.of_kind(AlarmEventKind::flapping)[0].alarm.flapping);
    // Some raise/clear before the detector has seen enough; none after it flagged flapping.
    const auto flap_at = h.of_kind(AlarmEventKind::flapping)[0].time;
    for (const auto& e : h.events)
        if (e.time > flap_at)
            CHECK((e.kind != AlarmEventKind::resolved && e.kind != AlarmEventKind::reopened));
    CHECK(h.count(AlarmEventKind::resolved) + h.count(AlarmEventKind::reopened) < 12);
    // Steady good values: flapping stops, then the alarm clears.
    for (int i = 0; i < 25; ++i) {
        h.poll("d1", "temp", 60);
        h.advance(1min);
    }
    REQUIRE(h.engine->open_alarms().empty());
    CHECK(h.events.back().kind == AlarmEventKind::resolved);
    CHECK_FALSE(h.events.back().alarm.flapping);
}

TEST_CASE("alarms: a condition too short to raise on its own still raises once when it flaps", "[alarms][flapping]") {
    auto c = base_config();
    auto r = rule("link", config::RuleKind::equals, "link", 0);
    r.for_polls = 3;
    add_device(c, "d1").rules.push_back(r);
    Harness h(c);
    for (int i = 0; i < 25; ++i) {
        h.poll("d1", "link", i % 2);
        h.advance(1min);
    }
    CHECK(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.count(AlarmEventKind::flapping) == 1);
    CHECK(h.engine->open_alarms().at(0)->flapping);
}

TEST_CASE("alarms: resolved by hand while the condition persists re-opens after the debounce", "[alarms][lifecycle]") {
    auto c = one_rule_config();
    Harness h(c);
    h.poll("d1", "temp", 80);
    const auto id = h.engine->open_alarms().at(0)->id;
    REQUIRE(h.engine->resolve(id, "li", "sensor", "reseated"));
    h.advance(1min);
    h.poll("d1", "temp", 80);
    REQUIRE(h.count(AlarmEventKind::reopened) == 1);
    CHECK(h.of_kind(AlarmEventKind::reopened)[0].alarm.id == id);
}

TEST_CASE("alarms: reconfigure keeps state of rules that still exist and resolves the others", "[alarms][reload]") {
    auto c = base_config();
    auto& d = add_device(c, "d1");
    d.rules.push_back(rule("temp_high", config::RuleKind::above, "temp", 70));
    d.rules.push_back(rule("fan_low", config::RuleKind::below, "fan", 100));
    Harness h(c);
    PollResult p;
    p.reachable = true;
    p.samples = {{"d1", "temp", h.clock.now(), 80}, {"d1", "fan", h.clock.now(), 10}};
    h.engine->observe("d1", p);
    REQUIRE(h.engine->open_alarms().size() == 2);
    auto c2 = c;
    c2.devices[0].rules.pop_back();           // fan_low removed
    c2.devices[0].rules[0].threshold = 75;    // temp_high changed
    h.engine->reconfigure(c2);
    REQUIRE(h.engine->open_alarms().size() == 1);
    CHECK(h.engine->open_alarms()[0]->rule_id == "temp_high");
    CHECK(h.of_kind(AlarmEventKind::resolved).at(0).alarm.rule_id == "fan_low");
    h.poll("d1", "temp", 78);  // still above the new threshold: no new alarm, still open
    CHECK(h.count(AlarmEventKind::raised) == 2);
    CHECK(h.engine->open_alarms().size() == 1);
    h.poll("d1", "temp", 72);
    CHECK(h.engine->open_alarms().empty());
}

TEST_CASE("alarms: recurring-problem history survives a restart, closed alarms included", "[alarms][lifecycle]") {
    auto c = one_rule_config();
    c.alarms.reopen_window = 10min;
    c.alarms.recurring_count = 3;
    c.alarms.recurring_window = std::chrono::hours(24 * 30);
    Harness before(c);
    for (int day = 0; day < 2; ++day) {
        before.poll("d1", "temp", 80);
        before.advance(1h);
        before.poll("d1", "temp", 60);
        before.advance(std::chrono::hours(24 * 5));
    }
    REQUIRE(before.count(AlarmEventKind::raised) == 2);
    REQUIRE(before.count(AlarmEventKind::recurring) == 0);
    // What the store hands back at the next start: the first alarm closed by an operator,
    // the second resolved; plus one raised long ago, outside the window, which must not count.
    std::vector<Alarm> stored;
    for (const auto& e : before.of_kind(AlarmEventKind::resolved)) stored.push_back(e.alarm);
    stored[0].state = AlarmState::closed;
    stored[0].closed_at = stored[0].resolved_at;
    Alarm old = stored[1];
    old.id = 99;
    old.raised_at = before.clock.now() - std::chrono::hours(24 * 40);
    old.resolved_at = old.raised_at + 1h;
    old.state = AlarmState::closed;
    stored.insert(stored.begin(), old);

    Harness after(c, before.clock.now());
    after.engine->restore(stored);
    after.poll("d1", "temp", 80);
    REQUIRE(after.count(AlarmEventKind::raised) == 1);
    REQUIRE(after.count(AlarmEventKind::recurring) == 1);  // the third raise within 30 days
    CHECK(after.of_kind(AlarmEventKind::raised)[0].alarm.id == 100);  // ids continue after the stored ones

    // Without the history (a start with an empty store) the same raise is not recurring.
    Harness fresh(c, before.clock.now());
    fresh.poll("d1", "temp", 80);
    CHECK(fresh.count(AlarmEventKind::recurring) == 0);
}
