#include <fmt/format.h>

#include "daemon/report/renderers.hpp"
#include "daemon/report/svg_charts.hpp"

namespace avmon::report {
namespace {

std::string opt_duration(const std::optional<Millis>& d) { return d ? format_duration_ms(*d) : "&ndash;"; }
std::string opt_number(const std::optional<double>& v, int decimals = 0) {
    return v ? fmt::format("{:.{}f}", *v, decimals) : "&ndash;";
}

}  // namespace

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string render_html(const MonthlyReport& r) {
    std::string h;
    auto add = [&](const std::string& s) { h += s; };
    const std::string title = fmt::format("avmon monthly AV health report {}", r.period.label());
    add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    add(fmt::format("<title>{}</title>\n", html_escape(title)));
    // Inline CSS only: mail clients strip links to external resources.
    add("<style>body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:13px;color:#222;margin:16px;}"
        "h1{font-size:20px;}h2{font-size:16px;margin-top:24px;border-bottom:1px solid #ccc;}"
        "table{border-collapse:collapse;margin:6px 0;}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;}"
        "th{background:#eef2f7;}td.l,th.l{text-align:left;}.big{font-size:28px;font-weight:bold;}"
        ".bad{color:#b03020;}.muted{color:#777;}</style>\n</head><body>\n");
    add(fmt::format("<h1>{}</h1>\n<p class=\"muted\">Scope: {} &middot; time zone {} &middot; generated {}</p>\n",
                    html_escape(title), html_escape(r.scope), html_escape(r.period.zone->name()),
                    html_escape(local_time_text(r, r.generated))));
    add(fmt::format("<p><span class=\"big\">{}</span> availability &middot; {} devices &middot; {} alarms &middot; "
                    "{:.2f} alarms per device-month</p>\n",
                    format_percent(r.availability.ratio(), 3), r.devices.size(), r.total_alarms(), r.failure_rate()));
    add(fmt::format("<p>Downtime {} (unreachable {}, level-I alarms {}); maintenance {} excluded.</p>\n",
                    format_duration_ms(r.availability.downtime), format_duration_ms(r.availability.unreachable),
                    format_duration_ms(r.availability.level1_alarm), format_duration_ms(r.availability.maintenance)));

    add("<h2>Alarms and service levels</h2>\n<table><tr><th class=\"l\">Level</th><th>Alarms</th><th>MTTA</th>"
        "<th>MTTR</th><th>Acked in time</th><th>Resolved in time</th></tr>\n");
    for (Severity s : {Severity::I, Severity::II, Severity::III, Severity::IV}) {
        const auto& st = r.by_severity[sev_index(s)];
        const auto& sla = r.sla[sev_index(s)];
        add(fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        to_string(s), st.alarms, opt_duration(st.mtta()), opt_duration(st.mttr()),
                        sla.ack_due ? format_percent(sla.ack_ratio(), 1) : "&ndash;",
                        sla.resolve_due ? format_percent(sla.resolve_ratio(), 1) : "&ndash;"));
    }
    add("</table>\n");
    if (!r.breaches.empty()) {
        add("<h2>SLA breaches</h2>\n<table><tr><th>Alarm</th><th class=\"l\">Level</th><th class=\"l\">Room</th>"
            "<th class=\"l\">Device</th><th class=\"l\">Rule</th><th class=\"l\">Missed</th><th>Deadline</th>"
            "<th>Done</th></tr>\n");
        for (const auto& b : r.breaches)
            add(fmt::format("<tr class=\"bad\"><td>#{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
                            "<td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td></tr>\n",
                            b.alarm_id, to_string(b.severity), html_escape(b.room), html_escape(b.device),
                            html_escape(b.rule), b.what, local_time_text(r, b.deadline),
                            b.done ? local_time_text(r, *b.done) : "not yet"));
        add("</table>\n");
    }

    add("<h2>Causes (Pareto)</h2>\n");
    add(pareto_svg(r.pareto));
    add("<h2>Availability per room and day</h2>\n");
    add(heatmap_svg(r.rooms, r.period));
    add("<h2>Trend</h2>\n");
    add(trend_svg(r.trend));

    add("<h2>Rooms</h2>\n<table><tr><th class=\"l\">Room</th><th class=\"l\">Name</th><th>Availability</th>"
        "<th>Devices</th><th>I</th><th>II</th><th>III</th><th>IV</th><th>Alarms/device</th></tr>\n");
    for (const auto& room : r.rooms)
        add(fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                        "<td>{}</td><td>{}</td><td>{:.2f}</td></tr>\n",
                        html_escape(room.id), html_escape(room.name), format_percent(room.availability.ratio()),
                        room.devices, room.alarms[0], room.alarms[1], room.alarms[2], room.alarms[3],
                        room.failure_rate()));
    add("</table>\n");

    add("<h2>Top 10 devices by downtime</h2>\n<table><tr><th class=\"l\">Device</th><th class=\"l\">Room</th>"
        "<th>Downtime</th><th>Availability</th></tr>\n");
    for (const auto* d : r.top_downtime())
        add(fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td></tr>\n",
                        html_escape(d->id), html_escape(d->room), format_duration_ms(d->availability.downtime),
                        format_percent(d->availability.ratio())));
    add("</table>\n");

    add("<h2>Recurring problems</h2>\n");
    if (r.recurring.empty()) add("<p class=\"muted\">None.</p>\n");
    else {
        add("<table><tr><th class=\"l\">Device</th><th class=\"l\">Room</th><th class=\"l\">Rule</th><th>Times</th></tr>\n");
        for (const auto& p : r.recurring)
            add(fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td></tr>\n",
                            html_escape(p.device), html_escape(p.room), html_escape(p.rule), p.count));
        add("</table>\n");
    }

    add("<h2>Devices</h2>\n<table><tr><th class=\"l\">Device</th><th class=\"l\">Room</th><th class=\"l\">Class</th>"
        "<th>Availability</th><th>Downtime</th><th>Maintenance</th><th>Alarms</th><th>MTTR (I)</th></tr>\n");
    for (const auto& d : r.devices)
        add(fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td>"
                        "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        html_escape(d.id), html_escape(d.room), html_escape(d.device_class),
                        format_percent(d.availability.ratio()), format_duration_ms(d.availability.downtime),
                        format_duration_ms(d.availability.maintenance), d.alarm_count(),
                        opt_duration(d.by_severity[0].mttr())));
    add("</table>\n");

    add("<h2>Inventory (monthly full inspection)</h2>\n<table><tr><th class=\"l\">Device</th><th class=\"l\">Class</th>"
        "<th class=\"l\">Model</th><th class=\"l\">Firmware</th><th>Uptime</th><th>Lamp h</th><th>Filter h</th>"
        "<th>Battery %</th><th>PoE W</th><th>Last seen</th></tr>\n");
    for (const auto& i : r.inventory)
        add(fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
                        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        html_escape(i.device), html_escape(i.device_class), html_escape(i.model),
                        html_escape(i.firmware),
                        i.uptime_s ? format_duration_ms(Millis(static_cast<std::int64_t>(*i.uptime_s * 1000)))
                                   : "&ndash;",
                        opt_number(i.lamp_hours), opt_number(i.filter_hours), opt_number(i.battery_pct),
                        opt_number(i.poe_w, 1), i.last_seen ? local_time_text(r, *i.last_seen) : "never"));
    add("</table>\n</body></html>\n");
    return h;
}

}  // namespace avmon::report
