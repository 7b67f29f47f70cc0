#pragma once
// Operator maintenance windows live in two shapes: config::MaintenanceWindow for the alarm
// engine and store::MaintenanceRecord for the store (so they survive a restart). These convert
// between them, so avmond's wiring stays one line per handler.
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/store/records.hpp"

namespace avmon::control {

store::MaintenanceRecord to_record(const config::MaintenanceWindow& w, const std::string& created_by,
                                   SysTime created);
config::MaintenanceWindow to_window(const store::MaintenanceRecord& r);

// The stored operator windows to hand to AlarmEngine::add_maintenance after a restart: not
// cancelled, and (one-off ones) not over at `now`.
std::vector<config::MaintenanceWindow> windows_to_restore(const std::vector<store::MaintenanceRecord>& records,
                                                          SysTime now);

}  // namespace avmon::control
