#pragma once
// Local civil time in an IANA zone, read straight from the system's TZif files. g++ 12's
// libstdc++ has no <chrono> time-zone database, and TZ/localtime_r is process-global state
// that would race with other threads; this reader is small, pure and thread-safe.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/core/clock.hpp"

namespace avmon::alarms {

struct LocalTime {
    int year = 1970, month = 1, day = 1;  // civil date
    int weekday = 4;                      // ISO: 1 = Monday ... 7 = Sunday
    int minute_of_day = 0;                // 0 ... 1439
    int second = 0;                       // seconds within the minute
};

class TimeZone {
public:
    // UTC if name is empty or "UTC"; throws std::runtime_error naming the zone if unreadable.
    static std::shared_ptr<const TimeZone> load(const std::string& name,
                                                const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
    static std::shared_ptr<const TimeZone> utc();

    const std::string& name() const { return name_; }
    // Offset from UTC (seconds east) in force at t.
    std::int64_t offset_at(SysTime t) const;
    LocalTime to_local(SysTime t) const;
    // The instant a local date + minute of day means. In a spring-forward gap the time is read
    // with the offset before the gap (02:30 -> 03:30); in the autumn overlap the earlier instant wins.
    SysTime from_local(int year, int month, int day, int minute_of_day) const;

private:
    std::string name_;
    std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
    std::vector<std::int64_t> offsets_;      // offset in force from transitions_[i]
    std::int64_t initial_offset_ = 0;        // before the first transition
};

// Civil-date helpers (proleptic Gregorian), used by roster and maintenance schedules.
std::int64_t days_from_civil(int y, int m, int d);
void civil_from_days(std::int64_t z, int& y, int& m, int& d);
int iso_weekday_from_days(std::int64_t z);  // 1 = Monday

}  // namespace avmon::alarms
