#include <catch2/catch.hpp>

#include "daemon/alarms/time_zone.hpp"

using namespace avmon;
using namespace avmon::alarms;

namespace {
SysTime utc(const char* t) {
    SysTime out{};
    REQUIRE(parse_utc(t, out));
    return out;
}
}  // namespace

TEST_CASE("alarms: Europe/Berlin offsets on both sides of the DST changes", "[alarms][tz]") {
    auto z = TimeZone::load("Europe/Berlin");
    CHECK(z->offset_at(utc("2026-01-15T12:00:00Z")) == 3600);
    CHECK(z->offset_at(utc("2026-07-15T12:00:00Z")) == 7200);
    CHECK(z->offset_at(utc("2026-03-29T00:59:59Z")) == 3600);
    CHECK(z->offset_at(utc("2026-03-29T01:00:00Z")) == 7200);
    auto lt = z->to_local(utc("2026-03-29T01:30:00Z"));
    CHECK(lt.year == 2026);
    CHECK(lt.month == 3);
    CHECK(lt.day == 29);
    CHECK(lt.weekday == 7);
    CHECK(lt.minute_of_day == 3 * 60 + 30);
}

TEST_CASE("alarms: local times in the spring gap and the autumn overlap", "[alarms][tz]") {
    auto z = TimeZone::load("Europe/Berlin");
    CHECK(z->from_local(2026, 3, 29, 1 * 60 + 30) == utc("2026-03-29T00:30:00Z"));
    CHECK(z->from_local(2026, 3, 29, 2 * 60 + 30) == utc("2026-03-29T01:30:00Z"));  // gap: read as 03:30
    CHECK(z->from_local(2026, 3, 29, 3 * 60 + 30) == utc("2026-03-29T01:30:00Z"));
    CHECK(z->from_local(2026, 10, 25, 2 * 60 + 30) == utc("2026-10-25T00:30:00Z"));  // overlap: earlier
    CHECK(z->from_local(2026, 10, 25, 3 * 60 + 30) == utc("2026-10-25T02:30:00Z"));
}

TEST_CASE("alarms: UTC, an unknown zone and path tricks", "[alarms][tz]") {
    CHECK(TimeZone::load("")->offset_at(utc("2026-07-01T00:00:00Z")) == 0);
    CHECK(TimeZone::load("UTC")->to_local(utc("2026-11-24T23:59:00Z")).minute_of_day == 23 * 60 + 59);
    CHECK_THROWS_WITH(TimeZone::load("Mars/Olympus"), Catch::Contains("Mars/Olympus"));
    CHECK_THROWS(TimeZone::load("../../etc/passwd"));
    CHECK(TimeZone::load("Asia/Shanghai")->offset_at(utc("2026-07-01T00:00:00Z")) == 8 * 3600);
}

TEST_CASE("alarms: civil date arithmetic", "[alarms][tz]") {
    int y = 0, m = 0, d = 0;
    const auto days = days_from_civil(2024, 2, 29);
    civil_from_days(days, y, m, d);
    CHECK((y == 2024 && m == 2 && d == 29));
    CHECK(iso_weekday_from_days(days_from_civil(2026, 11, 24)) == 2);  // a Tuesday
    CHECK(iso_weekday_from_days(days_from_civil(1969, 12, 28)) == 7);
}
