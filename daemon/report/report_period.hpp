#pragma once
// A report month in the site's time zone: it starts and ends at local midnight, and is held as
// UTC instants (a DST change inside the month makes it 743 or 745 hours long, not 744).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/alarms/time_zone.hpp"
#include "daemon/core/clock.hpp"

namespace avmon::report {

struct ReportDay {
    int day = 1;       // day of the month
    SysTime from{};    // local midnight
    SysTime to{};      // next local midnight
};

struct ReportPeriod {
    int year = 1970;
    int month = 1;
    std::shared_ptr<const alarms::TimeZone> zone;
    SysTime from{};
    SysTime to{};
    std::vector<ReportDay> days;
    std::string label() const;  // "2026-10"
};

// The month `year-month` in `zone`.
ReportPeriod make_period(int year, int month, std::shared_ptr<const alarms::TimeZone> zone);
// "YYYY-MM" or "last" (the month before the one `now` falls in, locally). nullopt if malformed.
std::optional<ReportPeriod> parse_period(const std::string& text, SysTime now,
                                         std::shared_ptr<const alarms::TimeZone> zone);
// The period `n` months before `p` (n > 0) in the same zone.
ReportPeriod months_before(const ReportPeriod& p, int n);

}  // namespace avmon::report
