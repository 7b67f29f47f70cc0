#pragma once
// Maintenance windows (from the config and those operators added, stored in the store) as
// interval sets per device, so reports can take planned work out of the availability figures.
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/alarms/time_zone.hpp"
#include "daemon/report/intervals.hpp"
#include "daemon/store/records.hpp"

namespace avmon::report {

struct WindowSpec {
    config::MaintenanceWindow window;
    std::shared_ptr<const alarms::TimeZone> zone;  // for weekly windows
    std::optional<SysTime> cut_at;                 // cancelled by an operator at this instant
};

// A stored (operator) window in the form the config uses.
WindowSpec window_from_record(const store::MaintenanceRecord& r, std::shared_ptr<const alarms::TimeZone> zone);

// The window's occurrences overlapping [from, to).
IntervalSet occurrences(const WindowSpec& w, SysTime from, SysTime to);

// Does the window cover this device (by id, its room or its site)?
bool window_applies(const WindowSpec& w, const std::string& device, const std::string& room, const std::string& site);

}  // namespace avmon::report
