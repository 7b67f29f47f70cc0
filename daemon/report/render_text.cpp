#include <fmt/format.h>

#include "daemon/report/renderers.hpp"

namespace avmon::report {
namespace {

std::string opt_duration(const std::optional<Millis>& d) { return d ? format_duration_ms(*d) : "-"; }

std::string opt_number(const std::optional<double>& v, int decimals = 0) {
    return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

}  // namespace

std::string local_time_text(const MonthlyReport& r, SysTime t) {
    const auto lt = r.period.zone->to_local(t);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", lt.year, lt.month, lt.day, lt.minute_of_day / 60,
                       lt.minute_of_day % 60);
}

std::string render_text(const MonthlyReport& r) {
    std::string out;
    auto line = [&](const std::string& s) { out += s + "\n"; };
    line(fmt::format("avmon monthly AV health report {} ({}, time zone {})", r.period.label(), r.scope,
                     r.period.zone->name()));
    line(fmt::format("generated {}", local_time_text(r, r.generated)));
    line("");
    line(fmt::format("Availability {}   devices {}   alarms {}   failure rate {:.2f} alarms/device-month",
                     format_percent(r.availability.ratio(), 3), r.devices.size(), r.total_alarms(),
                     r.failure_rate()));
    line(fmt::format("  downtime {} (unreachable {}, level-I alarms {}), maintenance excluded {}",
                     format_duration_ms(r.availability.downtime), format_duration_ms(r.availability.unreachable),
                     format_duration_ms(r.availability.level1_alarm), format_duration_ms(r.availability.maintenance)));
    line("");
    line("Alarms by severity");
    line(fmt::format("  {:<5} {:>6} {:>12} {:>12} {:>14} {:>14}", "level", "alarms", "MTTA", "MTTR", "acked in time",
                     "resolved in time"));
    for (Severity s : {Severity::I, Severity::II, Severity::III, Severity::IV}) {
        const auto& st = r.by_severity[sev_index(s)];
        const auto& sla = r.sla[sev_index(s)];
        line(fmt::format("  {:<5} {:>6} {:>12} {:>12} {:>14} {:>14}", to_string(s), st.alarms, opt_duration(st.mtta()),
                         opt_duration(st.mttr()),
                         sla.ack_due ? fmt::format("{}/{}", sla.ack_met, sla.ack_due - sla.ack_pending) : "-",
                         sla.resolve_due ? fmt::format("{}/{}", sla.resolve_met, sla.resolve_due - sla.resolve_pending)
                                         : "-"));
    }
    line("");
    line(fmt::format("SLA breaches ({})", r.breaches.size()));
    for (const auto& b : r.breaches)
        line(fmt::format("  #{} {} {} {} {}: {} deadline {}, {}", b.alarm_id, to_string(b.severity), b.room, b.device,
                         b.rule, b.what, local_time_text(r, b.deadline),
                         b.done ? "done " + local_time_text(r, *b.done) : std::string("not done")));
    line("");
    line("Rooms");
    line(fmt::format("  {:<20} {:<24} {:>10} {:>7} {:>4} {:>4} {:>4} {:>4}", "room", "name", "avail.", "devices", "I",
                     "II", "III", "IV"));
    for (const auto& room : r.rooms)
        line(fmt::format("  {:<20} {:<24} {:>10} {:>7} {:>4} {:>4} {:>4} {:>4}", room.id, room.name,
                         format_percent(room.availability.ratio()), room.devices, room.alarms[0], room.alarms[1],
                         room.alarms[2], room.alarms[3]));
    line("");
    line("Devices");
    line(fmt::format("  {:<20} {:<16} {:<8} {:>10} {:>14} {:>14} {:>6}", "device", "room", "class", "avail.",
                     "downtime", "maintenance", "alarms"));
    for (const auto& d : r.devices)
        line(fmt::format("  {:<20} {:<16} {:<8} {:>10} {:>14} {:>14} {:>6}", d.id, d.room, d.device_class,
                         format_percent(d.availability.ratio()), format_duration_ms(d.availability.downtime),
                         format_duration_ms(d.availability.maintenance), d.alarm_count()));
    line("");
    line("Top devices by downtime");
    for (const auto* d : r.top_downtime())
        line(fmt::format("  {:<20} {:<16} {}", d->id, d->room, format_duration_ms(d->availability.downtime)));
    line("");
    line("Causes (Pareto)");
    for (const auto& e : r.pareto)
        line(fmt::format("  {:<28} {:<8} {:>5} {:>7.1f} %", e.rule, e.device_class, e.count, e.cumulative * 100));
    line("");
    line("Recurring problems");
    for (const auto& p : r.recurring)
        line(fmt::format("  {:<20} {:<16} {:<24} {} times{}", p.device, p.room, p.rule, p.count,
                         p.flagged_by_engine ? " (flagged)" : ""));
    line("");
    line("Trend");
    for (const auto& t : r.trend)
        line(fmt::format("  {} {:>10} {:>5} alarms{}", t.month, format_percent(t.availability, 3), t.alarms,
                         t.from_archive ? "" : "  (this report)"));
    line("");
    line("Inventory (monthly full inspection)");
    line(fmt::format("  {:<20} {:<8} {:<18} {:<12} {:>10} {:>7} {:>7} {:>6} {:>6} {}", "device", "class", "model",
                     "firmware", "uptime", "lamp h", "filt h", "batt%", "PoE W", "last seen"));
    for (const auto& i : r.inventory)
        line(fmt::format("  {:<20} {:<8} {:<18} {:<12} {:>10} {:>7} {:>7} {:>6} {:>6} {}", i.device, i.device_class,
                         i.model.empty() ? "-" : i.model, i.firmware.empty() ? "-" : i.firmware,
                         i.uptime_s ? format_duration_ms(Millis(static_cast<std::int64_t>(*i.uptime_s * 1000))) : "-",
                         opt_number(i.lamp_hours), opt_number(i.filter_hours), opt_number(i.battery_pct),
                         opt_number(i.poe_w, 1), i.last_seen ? local_time_text(r, *i.last_seen) : "never"));
    return out;
}

}  // namespace avmon::report
