#pragma once
// The draft fault report due within 24 h after a level I/II alarm is resolved
// (REQUIREMENTS.md §3): what, where, the timeline from the alarm's events, duration, cause and
// action as recorded, escalations, and whether the SLA was met.
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/alarms/time_zone.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::report {

struct FaultReport {
    Alarm alarm;
    std::vector<store::AlarmEventRecord> timeline;
    std::string device_name, room_name, site;
    std::optional<std::chrono::milliseconds> duration;      // raised -> resolved
    std::optional<std::chrono::milliseconds> time_to_ack;
    int escalations = 0;
    std::optional<bool> ack_sla_met;      // nullopt: no ack deadline / still running
    std::optional<bool> resolve_sla_met;
    std::optional<SysTime> report_due;    // resolved + 24 h (levels I and II)
    std::vector<std::string> notes;       // warnings for the reader ("not resolved yet", ...)
};

// nullopt when there is no such alarm.
std::optional<FaultReport> build_fault_report(store::StoreReader& reader, std::int64_t alarm_id,
                                              const config::Config* config, SysTime now);
std::string render_fault_text(const FaultReport& f, const alarms::TimeZone& zone);
std::string render_fault_html(const FaultReport& f, const alarms::TimeZone& zone);

}  // namespace avmon::report
