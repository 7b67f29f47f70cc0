#include <catch2/catch.hpp>

#include "config/duration.hpp"

using namespace avmon::config;
using namespace std::chrono_literals;

TEST_CASE("config durations parse every unit and combinations", "[config][duration]") {
    CHECK(parse_duration_ms("500ms") == 500ms);
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("5m") == 300s);
    CHECK(parse_duration("12h") == 12h);
    CHECK(parse_duration("5d") == std::chrono::seconds(5 * 86400));
    CHECK(parse_duration("1h30m") == 90min);
    CHECK(parse_duration("0s") == 0s);
    CHECK(parse_duration_ms("1s500ms") == 1500ms);
}

TEST_CASE("config durations reject malformed text", "[config][duration]") {
    for (const char* bad : {"", "30", "s", "-5s", "5 s", "5x", "1.5h", "h1", "5mss", "99999999999999999999d", "36600000d"})
        CHECK_FALSE(parse_duration_ms(bad).has_value());
    CHECK_FALSE(parse_duration("1500ms").has_value());  // not whole seconds
}

TEST_CASE("config durations format to the shortest exact text", "[config][duration]") {
    CHECK(format_duration(std::chrono::seconds(90)) == "1m30s");
    CHECK(format_duration(std::chrono::seconds(86400)) == "1d");
    CHECK(format_duration(1500ms) == "1s500ms");
    CHECK(format_duration(0s) == "0s");
    for (const char* text : {"1d2h3m4s", "45s", "2h"})
        CHECK(format_duration(*parse_duration(text)) == text);
}

TEST_CASE("config times of day, weekdays and dates", "[config][duration]") {
    CHECK(parse_time_of_day("08:00") == 480);
    CHECK(parse_time_of_day("23:59") == 1439);
    CHECK_FALSE(parse_time_of_day("24:00").has_value());
    CHECK(parse_time_of_day("24:00", true) == 1440);
    CHECK_FALSE(parse_time_of_day("8:00").has_value());
    CHECK_FALSE(parse_time_of_day("12:60").has_value());
    CHECK(format_time_of_day(1230) == "20:30");
    CHECK(parse_weekday("Mon") == 1);
    CHECK(parse_weekday("sunday") == 7);
    CHECK_FALSE(parse_weekday("Mo").has_value());
    CHECK(weekday_name(3) == "Wed");
    CHECK(is_valid_date("2026-10-01"));
    CHECK(is_valid_date("2028-02-29"));
    CHECK_FALSE(is_valid_date("2026-02-29"));
    CHECK_FALSE(is_valid_date("2026-13-01"));
    CHECK_FALSE(is_valid_date("2026-1-01"));
}
