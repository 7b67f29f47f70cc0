#include "daemon/alarms/roster.hpp"

#include <algorithm>
#include <cstdio>

namespace avmon::alarms {

RosterClock::RosterClock(const config::Roster& roster, const std::string& default_zone)
    : roster_(roster), zone_(TimeZone::load(roster.timezone.empty() ? default_zone : roster.timezone)) {}

namespace {

std::string date_text(int y, int m, int d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

bool has_day(const std::vector<int>& days, int wd) { return std::find(days.begin(), days.end(), wd) != days.end(); }

}  // namespace

std::string RosterClock::on_duty(SysTime t) const {
    const LocalTime lt = zone_->to_local(t);
    const int minute = lt.minute_of_day;
    const std::int64_t today = days_from_civil(lt.year, lt.month, lt.day);
    int py = 0, pm = 0, pd = 0;
    civil_from_days(today - 1, py, pm, pd);
    const std::string today_text = date_text(lt.year, lt.month, lt.day);
    const std::string yesterday_text = date_text(py, pm, pd);
    const int yesterday_wd = iso_weekday_from_days(today - 1);

    // Overrides first: a date override wins over every shift, including one past midnight.
    for (const auto& o : roster_.overrides) {
        const bool wraps = o.end_minute <= o.start_minute;
        if (o.date == today_text && minute >= o.start_minute && (wraps || minute < o.end_minute)) return o.person;
        if (wraps && o.date == yesterday_text && minute < o.end_minute) return o.person;
    }
    for (const auto& s : roster_.shifts) {
        const bool wraps = s.end_minute <= s.start_minute;
        if (has_day(s.weekdays, lt.weekday) && minute >= s.start_minute && (wraps || minute < s.end_minute))
            return s.person;
        // The tail of a shift that started yesterday evening belongs to yesterday's weekday.
        if (wraps && has_day(s.weekdays, yesterday_wd) && minute < s.end_minute) return s.person;
    }
    return roster_.fallback;
}

}  // namespace avmon::alarms
