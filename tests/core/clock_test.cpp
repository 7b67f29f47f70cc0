#include <catch2/catch.hpp>

#include "daemon/core/clock.hpp"

using namespace avmon;

TEST_CASE("UTC timestamps round-trip through text") {
    SysTime t{};
    REQUIRE(parse_utc("2026-11-24T06:53:07Z", t));
    CHECK(format_utc(t) == "2026-11-24T06:53:07Z");
    REQUIRE(parse_utc("2026-02-28T23:59", t));
    CHECK(format_utc(t) == "2026-02-28T23:59:00Z");
    CHECK(to_unix_ms(from_unix_ms(1'790'000'000'123)) == 1'790'000'000'123);
}

TEST_CASE("malformed timestamps are refused") {
    SysTime t{};
    CHECK_FALSE(parse_utc("", t));
    CHECK_FALSE(parse_utc("2026-13-01T00:00Z", t));
    CHECK_FALSE(parse_utc("2026-11-24 06:53", t));
    CHECK_FALSE(parse_utc("2026-11-24T06:53Zjunk", t));
    // Years a nanosecond time_point cannot hold are refused, not wrapped.
    CHECK_FALSE(parse_utc("9999-12-31T23:59Z", t));
    CHECK_FALSE(parse_utc("1900-01-01T00:00Z", t));
    CHECK(parse_utc("2200-12-31T23:59Z", t));
}

TEST_CASE("a manual clock moves only when told") {
    SysTime start{};
    REQUIRE(parse_utc("2026-01-01T00:00:00Z", start));
    ManualClock c(start);
    CHECK(c.now() == start);
    c.advance(std::chrono::minutes(30));
    CHECK(format_utc(c.now()) == "2026-01-01T00:30:00Z");
}
