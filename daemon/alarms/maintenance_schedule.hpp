#pragma once
// When maintenance windows are in force: one-off windows at absolute times, and weekly
// recurring windows at a local time of day in the site's time zone (DST-correct).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/alarms/time_zone.hpp"

namespace avmon::alarms {

struct ScheduledWindow {
    config::MaintenanceWindow window;
    std::shared_ptr<const TimeZone> zone;  // recurring windows only: the target's site zone
};

// Is the window in force at t? If so, *ends receives the end of the current occurrence.
bool window_active(const ScheduledWindow& w, SysTime t, SysTime* ends = nullptr);
// The first start or end of an occurrence strictly after t (within the next 8 days for weekly ones).
std::optional<SysTime> window_next_boundary(const ScheduledWindow& w, SysTime t);

}  // namespace avmon::alarms
