// avmond's own faults (its store cannot be written) are alarms like a projector's: raised,
// mailed per the severity II policy, resolved when the fault goes, restored across restarts.
#include <catch2/catch.hpp>

#include "daemon/alarms/self_rules.hpp"
#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

TEST_CASE("alarms: an unwritable store raises avmond's own severity II alarm and resolves it", "[alarms][self]") {
    auto c = base_config();
    add_device(c, "d1");
    Harness h(c);
    h.engine->observe_self(kStoreUnwritableMetric, 0);
    h.engine->tick();
    CHECK(h.events.empty());

    h.clock.advance(10s);
    h.engine->observe_self(kStoreUnwritableMetric, 1);
    h.engine->tick();
    REQUIRE(h.count(AlarmEventKind::raised) == 1);
    const AlarmEvent raised = h.of_kind(AlarmEventKind::raised).at(0);
    CHECK(raised.alarm.device == config::kSelfDeviceId);
    CHECK(raised.alarm.rule_id == "store_unwritable");
    CHECK(raised.alarm.severity == Severity::II);
    CHECK(raised.alarm.room.empty());
    CHECK(raised.alarm.text.find("cannot write its store") != std::string::npos);
    CHECK(raised.alarm.resolve_deadline == h.clock.now() + 24h);  // the severity II policy
    // The on-duty engineer (the roster's fallback here) is told, like for any other alarm.
    CHECK(h.recipients(raised) == std::vector<std::string>{"zhang@example.com"});

    // While the fault lasts, nothing more happens; once writes work again it resolves itself.
    for (int i = 0; i < 5; ++i) {
        h.clock.advance(1s);
        h.engine->observe_self(kStoreUnwritableMetric, 1);
        h.engine->tick();
    }
    CHECK(h.count(AlarmEventKind::raised) == 1);
    h.engine->observe_self(kStoreUnwritableMetric, 0);
    h.engine->tick();
    REQUIRE(h.count(AlarmEventKind::resolved) == 1);
    CHECK(h.of_kind(AlarmEventKind::resolved).at(0).alarm.device == config::kSelfDeviceId);
    CHECK(h.engine->open_alarms().empty());
}

TEST_CASE("alarms: avmond's own alarm survives a reload and a restart", "[alarms][self]") {
    auto c = base_config();
    add_device(c, "d1");
    Harness h(c);
    h.engine->observe_self(kStoreUnwritableMetric, 1);
    h.engine->tick();
    REQUIRE(h.engine->open_alarms().size() == 1);
    const Alarm open = *h.engine->open_alarms().at(0);

    // A reload rebuilds the device table; the self device and its open alarm stay.
    auto c2 = c;
    add_device(c2, "d2");
    h.engine->reconfigure(c2);
    h.engine->observe_self(kStoreUnwritableMetric, 0);
    h.engine->tick();
    CHECK(h.count(AlarmEventKind::resolved) == 1);

    // A restart restores the open alarm from the store and clears it on the first good report.
    Harness again(c);
    again.engine->restore({open});
    REQUIRE(again.engine->open_alarms().size() == 1);
    again.engine->observe_self(kStoreUnwritableMetric, 0);
    again.engine->tick();
    REQUIRE(again.count(AlarmEventKind::resolved) == 1);
    CHECK(again.of_kind(AlarmEventKind::resolved).at(0).alarm.id == open.id);
}
