#include "daemon/report/fault_report.hpp"

#include <fmt/format.h>

#include "daemon/report/monthly_report.hpp"
#include "daemon/report/renderers.hpp"

namespace avmon::report {
namespace {

std::string local(const alarms::TimeZone& z, SysTime t) {
    const auto lt = z.to_local(t);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", lt.year, lt.month, lt.day, lt.minute_of_day / 60,
                       lt.minute_of_day % 60, lt.second);
}

std::string yes_no(const std::optional<bool>& b, const char* unknown) {
    if (!b) return unknown;
    return *b ? "met" : "MISSED";
}

struct Line {
    std::string label, value;
};

std::vector<Line> summary_lines(const FaultReport& f, const alarms::TimeZone& z) {
    const Alarm& a = f.alarm;
    std::vector<Line> l;
    l.push_back({"Alarm", fmt::format("#{} level {} ({})", a.id, to_string(a.severity), to_string(a.state))});
    l.push_back({"What", a.text});
    l.push_back({"Rule", a.rule_id});
    l.push_back({"Where", fmt::format("device {}{} in room {}{}{}", a.device,
                                      f.device_name.empty() ? "" : " (" + f.device_name + ")", a.room,
                                      f.room_name.empty() ? "" : " (" + f.room_name + ")",
                                      f.site.empty() ? "" : ", site " + f.site)});
    l.push_back({"Raised", local(z, a.raised_at)});
    l.push_back({"Acknowledged", a.acked_at ? fmt::format("{} by {}", local(z, *a.acked_at), a.acked_by) : "no"});
    l.push_back({"Resolved", a.resolved_at ? local(z, *a.resolved_at) : "not yet"});
    l.push_back({"Duration", f.duration ? format_duration_ms(*f.duration) : "still open"});
    l.push_back({"Escalations", std::to_string(f.escalations)});
    l.push_back({"Response SLA", a.ack_deadline ? fmt::format("{} (deadline {})", yes_no(f.ack_sla_met, "pending"),
                                                              local(z, *a.ack_deadline))
                                                : "no response deadline"});
    l.push_back({"Resolution SLA",
                 a.resolve_deadline ? fmt::format("{} (deadline {})", yes_no(f.resolve_sla_met, "pending"),
                                                  local(z, *a.resolve_deadline))
                                    : "no resolution deadline"});
    l.push_back({"Cause", a.cause.empty() ? "(not recorded yet)" : a.cause});
    l.push_back({"Action", a.action.empty() ? "(not recorded yet)" : a.action});
    if (a.suppressed || !a.suppression_reason.empty()) l.push_back({"Suppressed", a.suppression_reason});
    if (f.report_due) l.push_back({"Report due", local(z, *f.report_due)});
    return l;
}

}  // namespace

std::optional<FaultReport> build_fault_report(store::StoreReader& reader, std::int64_t alarm_id,
                                              const config::Config* config, SysTime now) {
    auto a = reader.alarm(alarm_id);
    if (!a) return std::nullopt;
    FaultReport f;
    f.alarm = *a;
    f.timeline = reader.alarm_events(alarm_id);
    if (config) {
        if (const auto* d = config->find_device(a->device)) f.device_name = d->name;
        if (const auto* r = config->find_room(a->room)) {
            f.room_name = r->name;
            f.site = r->site;
        }
    } else if (auto d = reader.device(a->device)) {
        f.device_name = d->name;
    }
    for (const auto& e : f.timeline)
        if (e.kind == AlarmEventKind::escalated) ++f.escalations;
    if (a->resolved_at) f.duration = std::chrono::duration_cast<std::chrono::milliseconds>(*a->resolved_at - a->raised_at);
    if (a->acked_at) f.time_to_ack = std::chrono::duration_cast<std::chrono::milliseconds>(*a->acked_at - a->raised_at);
    // The same rule as the monthly report: an alarm that cleared before anyone acknowledged it
    // had its response in time if it cleared in time.
    if (a->ack_deadline) {
        std::optional<SysTime> response = a->acked_at;
        if (a->resolved_at && (!response || *a->resolved_at < *response)) response = a->resolved_at;
        if (response) f.ack_sla_met = *response <= *a->ack_deadline;
        else if (now >= *a->ack_deadline) f.ack_sla_met = false;
    }
    if (a->resolve_deadline) {
        if (a->resolved_at) f.resolve_sla_met = *a->resolved_at <= *a->resolve_deadline;
        else if (now >= *a->resolve_deadline) f.resolve_sla_met = false;
    }
    const bool needs_report = a->severity == Severity::I || a->severity == Severity::II;
    if (needs_report && a->resolved_at) f.report_due = *a->resolved_at + std::chrono::hours(24);
    if (!needs_report) f.notes.push_back("a fault report is required only for levels I and II; this is a draft anyway");
    if (!a->resolved_at) f.notes.push_back("the alarm is not resolved yet: duration and resolution SLA are provisional");
    if (a->cause.empty() || a->action.empty())
        f.notes.push_back("cause and action are not recorded yet: they are recorded when the alarm is closed");
    return f;
}

std::string render_fault_text(const FaultReport& f, const alarms::TimeZone& z) {
    std::string out = fmt::format("FAULT REPORT (draft) for alarm #{}\n\n", f.alarm.id);
    for (const auto& l : summary_lines(f, z)) out += fmt::format("{:<15} {}\n", l.label + ":", l.value);
    out += "\nTimeline:\n";
    for (const auto& e : f.timeline)
        out += fmt::format("  {}  {:<12} {:<8} level {:<3} esc {}{}\n", local(z, e.time), to_string(e.kind), e.actor,
                           to_string(e.severity), e.escalation_level, e.note.empty() ? "" : "  " + e.note);
    for (const auto& n : f.notes) out += "\nNote: " + n + "\n";
    return out;
}

std::string render_fault_html(const FaultReport& f, const alarms::TimeZone& z) {
    std::string h = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fault report #{0}</title>"
        "<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;font-size:13px;margin:16px;}}"
        "td,th{{border:1px solid #ccc;padding:3px 7px;text-align:left;}}table{{border-collapse:collapse;}}"
        "th{{background:#eef2f7;}}</style></head><body>\n<h1>Fault report (draft) for alarm #{0}</h1>\n<table>\n",
        f.alarm.id);
    for (const auto& l : summary_lines(f, z))
        h += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(l.label), html_escape(l.value));
    h += "</table>\n<h2>Timeline</h2>\n<table><tr><th>Time</th><th>Event</th><th>By</th><th>Level</th>"
         "<th>Escalation</th><th>Note</th></tr>\n";
    for (const auto& e : f.timeline)
        h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         local(z, e.time), to_string(e.kind), html_escape(e.actor), to_string(e.severity),
                         e.escalation_level, html_escape(e.note));
    h += "</table>\n";
    for (const auto& n : f.notes) h += "<p><em>Note: " + html_escape(n) + "</em></p>\n";
    return h + "</body></html>\n";
}

}  // namespace avmon::report
