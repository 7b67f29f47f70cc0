#pragma once
// The JSON shapes of alarms, devices and maintenance windows on the control socket (and in
// `avmonctl --json`). Times are "YYYY-MM-DDTHH:MM:SSZ" strings; absent times are null.
#include "config/model.hpp"
#include "daemon/control/handlers.hpp"
#include "daemon/control/protocol.hpp"
#include "daemon/core/alarm_event.hpp"

namespace avmon::control {

Json time_json(const std::optional<SysTime>& t);
Json alarm_json(const Alarm& a);
Json device_json(const DeviceStatus& d);
Json window_json(const config::MaintenanceWindow& w, bool active);
std::string_view scope_name(config::MaintenanceWindow::Scope s);
std::optional<config::MaintenanceWindow::Scope> parse_scope(std::string_view s);

}  // namespace avmon::control
