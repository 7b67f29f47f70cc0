#include "config/duration.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

namespace avmon::config {
namespace {

constexpr std::int64_t kMaxMs = 100LL * 365 * 86400 * 1000;  // beyond this a value is a typo

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int two_digits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t n = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + (text[i] - '0');
            if (n > kMaxMs) return std::nullopt;
            ++i;
            ++digits;
        }
        if (digits == 0) return std::nullopt;
        std::int64_t unit = 0;
        if (text.substr(i, 2) == "ms") {
            unit = 1;
            i += 2;
        } else if (i < text.size()) {
            switch (text[i]) {
                case 's': unit = 1000; break;
                case 'm': unit = 60'000; break;
                case 'h': unit = 3'600'000; break;
                case 'd': unit = 86'400'000; break;
                default: return std::nullopt;
            }
            ++i;
        } else {
            return std::nullopt;  // a bare number: the unit is not optional
        }
        if (n > kMaxMs / unit) return std::nullopt;
        total += n * unit;
        if (total > kMaxMs) return std::nullopt;
    }
    return std::chrono::milliseconds(total);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    auto ms = parse_duration_ms(text);
    if (!ms || ms->count() % 1000 != 0) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(*ms);
}

std::string format_duration(std::chrono::milliseconds d) {
    std::int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string out;
    if (ms < 0) {
        out.push_back('-');
        ms = -ms;
    }
    static constexpr std::array<std::pair<std::int64_t, const char*>, 5> units{
        {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}}};
    for (auto [size, name] : units) {
        if (ms >= size) {
            out.append(std::to_string(ms / size));
            out.append(name);
            ms %= size;
        }
    }
    return out;
}

std::string format_duration(std::chrono::seconds d) {
    return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

std::optional<int> parse_time_of_day(std::string_view text, bool allow_24) {
    if (text.size() != 5 || text[2] != ':' || !all_digits(text.substr(0, 2)) ||
        !all_digits(text.substr(3, 2)))
        return std::nullopt;
    int h = two_digits(text.substr(0, 2));
    int m = two_digits(text.substr(3, 2));
    if (allow_24 && h == 24 && m == 0) return 24 * 60;
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::string format_time_of_day(int minutes) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
    return buf;
}

std::optional<int> parse_weekday(std::string_view text) {
    static constexpr std::array<std::string_view, 7> full{"monday",   "tuesday", "wednesday", "thursday",
                                                          "friday",   "saturday", "sunday"};
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < 7; ++i) {
        if (lower == full[static_cast<std::size_t>(i)] ||
            (lower.size() == 3 && full[static_cast<std::size_t>(i)].substr(0, 3) == lower))
            return i + 1;
    }
    return std::nullopt;
}

std::string_view weekday_name(int iso_weekday) {
    static constexpr std::array<std::string_view, 7> names{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    if (iso_weekday < 1 || iso_weekday > 7) return "?";
    return names[static_cast<std::size_t>(iso_weekday - 1)];
}

bool is_valid_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    if (!all_digits(text.substr(0, 4)) || !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2)))
        return false;
    int y = std::stoi(std::string(text.substr(0, 4)));
    unsigned m = static_cast<unsigned>(two_digits(text.substr(5, 2)));
    unsigned d = static_cast<unsigned>(two_digits(text.substr(8, 2)));
    return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok();
}

}  // namespace avmon::config
