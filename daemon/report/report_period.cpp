#include "daemon/report/report_period.hpp"

#include <fmt/format.h>

#include <charconv>

namespace avmon::report {

std::string ReportPeriod::label() const { return fmt::format("{:04}-{:02}", year, month); }

ReportPeriod make_period(int year, int month, std::shared_ptr<const alarms::TimeZone> zone) {
    ReportPeriod p;
    p.year = year;
    p.month = month;
    p.zone = zone ? std::move(zone) : alarms::TimeZone::utc();
    const std::int64_t first = alarms::days_from_civil(year, month, 1);
    const int ny = month == 12 ? year + 1 : year;
    const int nm = month == 12 ? 1 : month + 1;
    const std::int64_t next = alarms::days_from_civil(ny, nm, 1);
    for (std::int64_t d = first; d < next; ++d) {
        int y = 0, m = 0, day = 0, y2 = 0, m2 = 0, day2 = 0;
        alarms::civil_from_days(d, y, m, day);
        alarms::civil_from_days(d + 1, y2, m2, day2);
        p.days.push_back({day, p.zone->from_local(y, m, day, 0), p.zone->from_local(y2, m2, day2, 0)});
    }
    p.from = p.days.front().from;
    p.to = p.days.back().to;
    return p;
}

ReportPeriod months_before(const ReportPeriod& p, int n) {
    int index = p.year * 12 + (p.month - 1) - n;
    return make_period(index / 12, index % 12 + 1, p.zone);
}

std::optional<ReportPeriod> parse_period(const std::string& text, SysTime now,
                                         std::shared_ptr<const alarms::TimeZone> zone) {
    if (!zone) zone = alarms::TimeZone::utc();
    if (text == "last") {
        const auto lt = zone->to_local(now);
        return months_before(make_period(lt.year, lt.month, zone), 1);
    }
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    int y = 0, m = 0;
    auto r1 = std::from_chars(text.data(), text.data() + 4, y);
    auto r2 = std::from_chars(text.data() + 5, text.data() + 7, m);
    if (r1.ec != std::errc() || r1.ptr != text.data() + 4 || r2.ec != std::errc() || r2.ptr != text.data() + 7)
        return std::nullopt;
    if (y < 2000 || y > 2200 || m < 1 || m > 12) return std::nullopt;
    return make_period(y, m, zone);
}

}  // namespace avmon::report
