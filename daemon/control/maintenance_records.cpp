#include "daemon/control/maintenance_records.hpp"

#include "daemon/control/json_forms.hpp"

namespace avmon::control {

store::MaintenanceRecord to_record(const config::MaintenanceWindow& w, const std::string& created_by,
                                   SysTime created) {
    store::MaintenanceRecord r;
    r.id = w.id;
    r.scope = std::string(scope_name(w.scope));
    r.target = w.target;
    r.start = w.start;
    if (w.start_minute < 0) r.end = w.start + w.duration;
    r.weekdays = w.weekdays;
    r.start_minute = w.start_minute;
    r.duration = w.duration;
    r.reason = w.reason;
    r.created_by = created_by;
    r.created = created;
    return r;
}

config::MaintenanceWindow to_window(const store::MaintenanceRecord& r) {
    config::MaintenanceWindow w;
    w.id = r.id;
    w.scope = parse_scope(r.scope).value_or(config::MaintenanceWindow::Scope::device);
    w.target = r.target;
    w.start = r.start;
    w.weekdays = r.weekdays;
    w.start_minute = r.start_minute;
    w.duration = r.duration;
    if (r.start_minute < 0 && r.end) w.duration = std::chrono::duration_cast<std::chrono::seconds>(*r.end - r.start);
    w.reason = r.reason;
    return w;
}

std::vector<config::MaintenanceWindow> windows_to_restore(const std::vector<store::MaintenanceRecord>& records,
                                                          SysTime now) {
    std::vector<config::MaintenanceWindow> out;
    for (const auto& r : records) {
        if (r.cancelled) continue;
        auto w = to_window(r);
        if (w.start_minute < 0 && w.start + w.duration <= now) continue;
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace avmon::control
