// Who is on duty: weekly shifts in the roster's zone, shifts past midnight, date overrides.
#include <catch2/catch.hpp>

#include "daemon/alarms/roster.hpp"
#include "tests/alarms/engine_harness.hpp"

using namespace avmon;
using namespace avmon::alarms;
using namespace avmon::alarms::testing;
using namespace std::chrono_literals;

namespace {
config::Roster shanghai_roster() {
    config::Roster r;
    r.timezone = "Asia/Shanghai";  // UTC+8, no DST
    r.fallback = "lin";
    r.shifts.push_back({{1, 2, 3, 4, 5}, 8 * 60, 20 * 60, "zhang", {}});
    r.shifts.push_back({{1, 2, 3, 4, 5}, 20 * 60, 8 * 60, "li", {}});  // past midnight
    r.overrides.push_back({"2026-10-01", 0, 24 * 60, "wang", {}});
    return r;
}
}  // namespace

TEST_CASE("alarms: weekly shifts, a night shift past midnight, an override and the fallback", "[alarms][roster]") {
    RosterClock roster(shanghai_roster(), "UTC");
    // Monday 2026-11-02 09:00 Shanghai = 01:00 UTC.
    CHECK(roster.on_duty(at_utc("2026-11-02T01:00:00Z")) == "zhang");
    // Monday 21:00 Shanghai: night shift.
    CHECK(roster.on_duty(at_utc("2026-11-02T13:00:00Z")) == "li");
    // Tuesday 03:00 Shanghai: still Monday's night shift.
    CHECK(roster.on_duty(at_utc("2026-11-02T19:00:00Z")) == "li");
    // Saturday 03:00 Shanghai: Friday's night shift runs past midnight into Saturday.
    CHECK(roster.on_duty(at_utc("2026-11-06T19:00:00Z")) == "li");
    // Saturday 10:00: no shift, the fallback.
    CHECK(roster.on_duty(at_utc("2026-11-07T02:00:00Z")) == "lin");
    // Monday 03:00 Shanghai: Sunday had no night shift.
    CHECK(roster.on_duty(at_utc("2026-11-08T19:00:00Z")) == "lin");
    // 2026-10-01 (a Thursday) is overridden all day, in Shanghai's calendar.
    CHECK(roster.on_duty(at_utc("2026-09-30T16:30:00Z")) == "wang");  // 00:30 local
    CHECK(roster.on_duty(at_utc("2026-10-01T15:59:00Z")) == "wang");  // 23:59 local
    CHECK(roster.on_duty(at_utc("2026-10-01T16:00:00Z")) == "li");    // Friday 00:00: Thursday's night shift
}

TEST_CASE("alarms: an override past midnight wins over the next day's shift", "[alarms][roster]") {
    auto r = shanghai_roster();
    r.overrides.push_back({"2026-11-03", 22 * 60, 2 * 60, "wang", {}});
    RosterClock roster(r, "UTC");
    CHECK(roster.on_duty(at_utc("2026-11-03T13:00:00Z")) == "li");    // 21:00
    CHECK(roster.on_duty(at_utc("2026-11-03T15:00:00Z")) == "wang");  // 23:00
    CHECK(roster.on_duty(at_utc("2026-11-03T17:30:00Z")) == "wang");  // 01:30 next day
    CHECK(roster.on_duty(at_utc("2026-11-03T18:00:00Z")) == "li");    // 02:00
}

TEST_CASE("alarms: the first notification goes to whoever is on duty at the moment", "[alarms][roster]") {
    auto c = base_config();
    c.roster = shanghai_roster();
    add_device(c, "codec").rules.push_back(unreachable_rule(Severity::I));
    Harness h(c, at_utc("2026-11-02T13:00:00Z"));  // Monday 21:00 Shanghai
    h.reachability("codec", false);
    CHECK(h.recipients(h.of_kind(AlarmEventKind::raised).at(0)) == std::vector<std::string>{"li@example.com"});
    CHECK(h.engine->on_duty() == "li");
}
