#include <catch2/catch.hpp>

#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

TEST_CASE("alarms: a trap rule raises on its event and clears on its clear event", "[alarms][trap]") {
    auto c = base_config();
    auto r = rule("lamp_failure", config::RuleKind::trap, "", 0, Severity::II);
    r.trap_event = "lamp_failure";
    r.clear_event = "lamp_ok";
    r.text = "{device}: lamp failed";
    add_device(c, "proj").rules.push_back(r);
    Harness h(c);
    TrapEvent t;
    t.device = "proj";
    t.event = "cold_start";
    h.engine->observe_trap(t);
    CHECK(h.events.empty());
    t.event = "lamp_failure";
    h.engine->observe_trap(t);
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    CHECK(h.events[0].alarm.text == "dev proj: lamp failed");
    CHECK(h.events[0].alarm.severity == Severity::II);
    h.engine->observe_trap(t);  // a repeat while open changes nothing
    CHECK(h.events.size() == 1);
    h.advance(5min);
    t.event = "lamp_ok";
    h.engine->observe_trap(t);
    CHECK(h.count(AlarmEventKind::resolved) == 1);
    t.device.reset();  // an unknown sender is not the engine's business
    t.event = "lamp_failure";
    h.engine->observe_trap(t);
    CHECK(h.events.size() == 2);
}

TEST_CASE("alarms: a trap without a clear event stays until resolved by hand, then re-opens on the next trap", "[alarms][trap]") {
    auto c = base_config();
    auto r = rule("fan", config::RuleKind::trap, "", 0);
    r.trap_event = "fan_failure";
    add_device(c, "proj").rules.push_back(r);
    Harness h(c);
    TrapEvent t;
    t.device = "proj";
    t.event = "fan_failure";
    h.engine->observe_trap(t);
    h.advance(3h);
    REQUIRE(h.engine->open_alarms().size() == 1);
    const auto id = h.engine->open_alarms()[0]->id;
    REQUIRE(h.engine->resolve(id, "zhang"));
    h.advance(10min);
    CHECK(h.engine->open_alarms().empty());
    h.engine->observe_trap(t);
    CHECK(h.count(AlarmEventKind::reopened) == 1);
}
