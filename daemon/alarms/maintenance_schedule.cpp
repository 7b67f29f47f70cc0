#include "daemon/alarms/maintenance_schedule.hpp"

#include <algorithm>

namespace avmon::alarms {
namespace {

// Starts of weekly occurrences from (local date of t) - back_days to + ahead_days.
std::vector<SysTime> occurrence_starts(const ScheduledWindow& w, SysTime t, int back_days, int ahead_days) {
    std::vector<SysTime> out;
    const LocalTime lt = w.zone->to_local(t);
    const std::int64_t today = days_from_civil(lt.year, lt.month, lt.day);
    for (std::int64_t d = today - back_days; d <= today + ahead_days; ++d) {
        const int wd = iso_weekday_from_days(d);
        if (std::find(w.window.weekdays.begin(), w.window.weekdays.end(), wd) == w.window.weekdays.end()) continue;
        int y = 0, m = 0, day = 0;
        civil_from_days(d, y, m, day);
        out.push_back(w.zone->from_local(y, m, day, w.window.start_minute));
    }
    return out;
}

int days_spanned(std::chrono::seconds duration) {
    return static_cast<int>(duration.count() / 86400) + 1;
}

}  // namespace

bool window_active(const ScheduledWindow& w, SysTime t, SysTime* ends) {
    if (w.window.start_minute < 0) {
        const SysTime end = w.window.start + w.window.duration;
        if (t >= w.window.start && t < end) {
            if (ends) *ends = end;
            return true;
        }
        return false;
    }
    for (SysTime s : occurrence_starts(w, t, days_spanned(w.window.duration), 0)) {
        const SysTime end = s + w.window.duration;
        if (t >= s && t < end) {
            if (ends) *ends = end;
            return true;
        }
    }
    return false;
}

std::optional<SysTime> window_next_boundary(const ScheduledWindow& w, SysTime t) {
    std::optional<SysTime> best;
    auto consider = [&](SysTime c) {
        if (c > t && (!best || c < *best)) best = c;
    };
    if (w.window.start_minute < 0) {
        consider(w.window.start);
        consider(w.window.start + w.window.duration);
        return best;
    }
    for (SysTime s : occurrence_starts(w, t, days_spanned(w.window.duration), 8)) {
        consider(s);
        consider(s + w.window.duration);
    }
    return best;
}

}  // namespace avmon::alarms
