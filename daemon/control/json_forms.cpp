#include "daemon/control/json_forms.hpp"

#include <fmt/format.h>

namespace avmon::control {

Json time_json(const std::optional<SysTime>& t) {
    if (!t) return nullptr;
    return format_utc(*t);
}

Json alarm_json(const Alarm& a) {
    Json j{{"id", a.id},
           {"rule", a.rule_id},
           {"device", a.device},
           {"room", a.room},
           {"severity", std::string(to_string(a.severity))},
           {"state", std::string(to_string(a.state))},
           {"text", a.text},
           {"value", a.value},
           {"raised_at", format_utc(a.raised_at)},
           {"acked_at", time_json(a.acked_at)},
           {"resolved_at", time_json(a.resolved_at)},
           {"closed_at", time_json(a.closed_at)},
           {"ack_deadline", time_json(a.ack_deadline)},
           {"resolve_deadline", time_json(a.resolve_deadline)},
           {"emergency_deadline", time_json(a.emergency_deadline)},
           {"escalation_level", a.escalation_level},
           {"suppressed", a.suppressed},
           {"suppression_reason", a.suppression_reason},
           {"root_alarm_id", a.root_alarm_id ? Json(*a.root_alarm_id) : Json(nullptr)},
           {"flapping", a.flapping},
           {"recurring", a.recurring},
           {"occurrences", a.occurrences},
           {"acked_by", a.acked_by},
           {"cause", a.cause},
           {"action", a.action}};
    return j;
}

Json device_json(const DeviceStatus& d) {
    const char* state = !d.polled ? "unknown" : d.reachable ? "up" : "down";
    return Json{{"id", d.id},
                {"name", d.name},
                {"room", d.room},
                {"class", d.device_class},
                {"address", d.address},
                {"state", state},
                {"consecutive_failures", d.consecutive_failures},
                {"last_poll", time_json(d.last_poll)},
                {"last_duration_ms", d.last_duration.count()}};
}

std::string_view scope_name(config::MaintenanceWindow::Scope s) {
    switch (s) {
        case config::MaintenanceWindow::Scope::device: return "device";
        case config::MaintenanceWindow::Scope::room: return "room";
        case config::MaintenanceWindow::Scope::site: return "site";
    }
    return "device";
}

std::optional<config::MaintenanceWindow::Scope> parse_scope(std::string_view s) {
    if (s == "device") return config::MaintenanceWindow::Scope::device;
    if (s == "room") return config::MaintenanceWindow::Scope::room;
    if (s == "site") return config::MaintenanceWindow::Scope::site;
    return std::nullopt;
}

Json window_json(const config::MaintenanceWindow& w, bool active) {
    const bool weekly = w.start_minute >= 0;
    Json j{{"id", w.id},
           {"scope", std::string(scope_name(w.scope))},
           {"target", w.target},
           {"duration_s", w.duration.count()},
           {"reason", w.reason},
           {"active", active},
           // Config windows carry their file:line; operator windows do not.
           {"source", w.where.line > 0 ? fmt::format("{}:{}", w.where.file, w.where.line) : std::string("avmonctl")}};
    if (weekly) {
        j["weekdays"] = w.weekdays;
        j["at"] = fmt::format("{:02}:{:02}", w.start_minute / 60, w.start_minute % 60);
        j["start"] = nullptr;
        j["end"] = nullptr;
    } else {
        j["weekdays"] = Json::array();
        j["at"] = nullptr;
        j["start"] = format_utc(w.start);
        j["end"] = format_utc(w.start + w.duration);
    }
    return j;
}

}  // namespace avmon::control
