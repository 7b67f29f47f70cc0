// CSV in long form (one figure per line: month,section,subject,field,value), so one file holds
// every table and a spreadsheet pivot or a script can pick what it needs.
#include <fmt/format.h>

#include "daemon/report/renderers.hpp"

namespace avmon::report {
namespace {

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string ratio_text(std::optional<double> v) { return v ? fmt::format("{:.6f}", *v) : ""; }
std::string seconds_text(std::optional<Millis> v) { return v ? fmt::format("{:.0f}", v->count() / 1000.0) : ""; }
std::string opt_text(std::optional<double> v) { return v ? fmt::format("{}", *v) : ""; }

}  // namespace

std::string render_csv(const MonthlyReport& r) {
    std::string out = "month,section,subject,field,value\n";
    const std::string month = r.period.label();
    auto row = [&](std::string_view section, std::string_view subject, std::string_view field, const std::string& value) {
        out += fmt::format("{},{},{},{},{}\n", month, section, csv_field(subject), field, csv_field(value));
    };
    auto availability_rows = [&](std::string_view section, std::string_view subject, const Availability& a) {
        row(section, subject, "availability", ratio_text(a.ratio()));
        row(section, subject, "downtime_s", std::to_string(a.downtime.count() / 1000));
        row(section, subject, "unreachable_s", std::to_string(a.unreachable.count() / 1000));
        row(section, subject, "level1_alarm_s", std::to_string(a.level1_alarm.count() / 1000));
        row(section, subject, "maintenance_s", std::to_string(a.maintenance.count() / 1000));
        row(section, subject, "period_s", std::to_string(a.period.count() / 1000));
    };
    availability_rows("summary", r.scope, r.availability);
    row("summary", r.scope, "alarms", std::to_string(r.total_alarms()));
    row("summary", r.scope, "failure_rate", fmt::format("{:.4f}", r.failure_rate()));
    for (Severity s : {Severity::I, Severity::II, Severity::III, Severity::IV}) {
        const auto& st = r.by_severity[sev_index(s)];
        const auto& sla = r.sla[sev_index(s)];
        const std::string level(to_string(s));
        row("severity", level, "alarms", std::to_string(st.alarms));
        row("severity", level, "mtta_s", seconds_text(st.mtta()));
        row("severity", level, "mttr_s", seconds_text(st.mttr()));
        row("sla", level, "ack_due", std::to_string(sla.ack_due));
        row("sla", level, "ack_met", std::to_string(sla.ack_met));
        row("sla", level, "ack_pending", std::to_string(sla.ack_pending));
        row("sla", level, "ack_compliance", ratio_text(sla.ack_ratio()));
        row("sla", level, "resolve_due", std::to_string(sla.resolve_due));
        row("sla", level, "resolve_met", std::to_string(sla.resolve_met));
        row("sla", level, "resolve_pending", std::to_string(sla.resolve_pending));
        row("sla", level, "resolve_compliance", ratio_text(sla.resolve_ratio()));
    }
    for (const auto& b : r.breaches)
        row("sla_breach", std::to_string(b.alarm_id),
            b.what, fmt::format("{} {} {} deadline {}", to_string(b.severity), b.device, b.rule,
                                format_utc(b.deadline)));
    for (const auto& room : r.rooms) {
        availability_rows("room", room.id, room.availability);
        row("room", room.id, "devices", std::to_string(room.devices));
        row("room", room.id, "failure_rate", fmt::format("{:.4f}", room.failure_rate()));
        for (std::size_t i = 0; i < kSeverities; ++i)
            row("room", room.id, fmt::format("alarms_{}", to_string(static_cast<Severity>(i + 1))),
                std::to_string(room.alarms[i]));
        for (std::size_t d = 0; d < room.daily.size(); ++d)
            row("room_day", room.id, fmt::format("{}-{:02}", month, r.period.days[d].day), ratio_text(room.daily[d]));
    }
    for (const auto& d : r.devices) {
        availability_rows("device", d.id, d.availability);
        row("device", d.id, "room", d.room);
        row("device", d.id, "class", d.device_class);
        for (Severity s : {Severity::I, Severity::II, Severity::III, Severity::IV}) {
            const auto& st = d.by_severity[sev_index(s)];
            const std::string level(to_string(s));
            row("device", d.id, "alarms_" + level, std::to_string(st.alarms));
            row("device", d.id, "mtta_s_" + level, seconds_text(st.mtta()));
            row("device", d.id, "mttr_s_" + level, seconds_text(st.mttr()));
        }
    }
    for (const auto& e : r.pareto) {
        const std::string subject = e.rule + "/" + e.device_class;
        row("pareto", subject, "count", std::to_string(e.count));
        row("pareto", subject, "cumulative", fmt::format("{:.4f}", e.cumulative));
    }
    for (const auto& p : r.recurring) row("recurring", p.device, p.rule, std::to_string(p.count));
    std::size_t rank = 1;
    for (const auto* d : r.top_downtime())
        row("top_downtime", std::to_string(rank++), d->id, std::to_string(d->availability.downtime.count() / 1000));
    for (const auto& t : r.trend) {
        row("trend", t.month, "availability", ratio_text(t.availability));
        row("trend", t.month, "alarms", std::to_string(t.alarms));
    }
    for (const auto& i : r.inventory) {
        row("inventory", i.device, "model", i.model);
        row("inventory", i.device, "firmware", i.firmware);
        row("inventory", i.device, "uptime_s", opt_text(i.uptime_s));
        row("inventory", i.device, "lamp_hours", opt_text(i.lamp_hours));
        row("inventory", i.device, "filter_hours", opt_text(i.filter_hours));
        row("inventory", i.device, "battery_pct", opt_text(i.battery_pct));
        row("inventory", i.device, "poe_w", opt_text(i.poe_w));
        row("inventory", i.device, "last_seen", i.last_seen ? format_utc(*i.last_seen) : "");
    }
    return out;
}

}  // namespace avmon::report
