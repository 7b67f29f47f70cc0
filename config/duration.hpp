#pragma once
// Text forms used throughout avmon.toml: durations ("1h30m"), times of day ("08:00"),
// ISO weekdays ("Mon") and local dates ("2026-10-01"). Kept apart from the loader so
// the scheduler, avmonctl and reports parse and print them the same way.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace avmon::config {

// "500ms", "30s", "5m", "12h", "5d", "1h30m": one or more <integer><unit> parts, units
// ms, s, m, h, d, in any order, no sign, no spaces. nullopt when malformed or absurdly long
// (more than 100 years).
std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text);
// The same, but the result must be whole seconds ("1500ms" is nullopt here).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// The shortest exact text: 90s -> "1m30s", 86400s -> "1d", 1500ms -> "1s500ms", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds d);
std::string format_duration(std::chrono::seconds d);

// "HH:MM" -> minutes after midnight (0..1439); "24:00" -> 1440 only when allow_24 is set.
std::optional<int> parse_time_of_day(std::string_view text, bool allow_24 = false);
std::string format_time_of_day(int minutes);

// "Mon".."Sun" (also full names, any case) -> ISO weekday 1..7.
std::optional<int> parse_weekday(std::string_view text);
std::string_view weekday_name(int iso_weekday);

// "YYYY-MM-DD", a real calendar date.
bool is_valid_date(std::string_view text);

}  // namespace avmon::config
