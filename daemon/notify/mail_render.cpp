#include "daemon/notify/mail_render.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "daemon/core/severity.hpp"
#include "daemon/notify/mime.hpp"

namespace avmon::notify {
namespace {

std::string sev(Severity s) { return std::string(to_string(s)); }

std::string device_label(const MailContext& ctx, const std::string& id) {
    auto it = ctx.device_names.find(id);
    if (it == ctx.device_names.end() || it->second.empty() || it->second == id) return id;
    return fmt::format("{} ({})", it->second, id);
}

std::string level_label(const MailContext& ctx, int level) {
    if (level >= 0 && static_cast<std::size_t>(level) < ctx.level_names.size() &&
        !ctx.level_names[static_cast<std::size_t>(level)].empty())
        return ctx.level_names[static_cast<std::size_t>(level)];
    return fmt::format("level {}", level);
}

std::string local_time(const MailContext& ctx, SysTime t) {
    std::string utc = format_utc(t);
    if (!ctx.site_tz || ctx.site_tz->name().empty() || ctx.site_tz->name() == "UTC") return utc;
    const auto lt = ctx.site_tz->to_local(t);
    const std::int64_t off = ctx.site_tz->offset_at(t);
    const std::int64_t a = off < 0 ? -off : off;
    return fmt::format("{} ({:04}-{:02}-{:02} {:02}:{:02} {}{:02}:{:02} {})", utc, lt.year, lt.month,
                       lt.day, lt.minute_of_day / 60, lt.minute_of_day % 60, off < 0 ? '-' : '+',
                       a / 3600, a % 3600 / 60, ctx.site_tz->name());
}

// The verb the subject and first line use for this kind of event.
std::string kind_prefix(const MailItem& it, const MailContext& ctx) {
    switch (it.kind) {
        case AlarmEventKind::resolved: return "RESOLVED ";
        case AlarmEventKind::closed: return "CLOSED ";
        case AlarmEventKind::acknowledged: return "ACKNOWLEDGED ";
        case AlarmEventKind::escalated:
            return fmt::format("ESCALATED to {} ", level_label(ctx, it.escalation_level));
        case AlarmEventKind::reminder: return "REMINDER ";
        case AlarmEventKind::reopened: return "REOPENED ";
        default: return "";
    }
}

std::string value_text(double v) {
    if (std::isnan(v) || std::isinf(v)) return "-";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
    return fmt::format("{:.2f}", v);
}

// Most severe first (I before IV), then oldest.
bool more_urgent(const MailItem& a, const MailItem& b) {
    if (a.alarm.severity != b.alarm.severity) return a.alarm.severity < b.alarm.severity;
    return a.outbox_id < b.outbox_id;
}

void describe(std::string& b, const MailItem& it, const MailContext& ctx) {
    const Alarm& a = it.alarm;
    b += fmt::format("{}{}\n", kind_prefix(it, ctx), a.text);
    b += fmt::format("  Alarm:     #{} (rule {})\n", a.id, a.rule_id);
    b += fmt::format("  Device:    {}\n", device_label(ctx, a.device));
    b += fmt::format("  Severity:  {}\n", sev(a.severity));
    b += fmt::format("  State:     {}\n", to_string(a.state));
    b += fmt::format("  Since:     {}\n", local_time(ctx, a.raised_at));
    b += fmt::format("  Value:     {}\n", value_text(a.value));
    if (a.ack_deadline) b += fmt::format("  Ack by:    {}\n", local_time(ctx, *a.ack_deadline));
    if (a.resolve_deadline) b += fmt::format("  Resolve by: {}\n", local_time(ctx, *a.resolve_deadline));
    if (a.emergency_deadline)
        b += fmt::format("  Emergency escalation at: {}\n", local_time(ctx, *a.emergency_deadline));
    if (a.resolved_at) b += fmt::format("  Resolved:  {}\n", local_time(ctx, *a.resolved_at));
    if (a.acked_at)
        b += fmt::format("  Acknowledged: {}{}\n", local_time(ctx, *a.acked_at),
                         a.acked_by.empty() ? "" : " by " + a.acked_by);
    b += fmt::format("  Escalation: {} (you are notified at this level)\n",
                     level_label(ctx, it.escalation_level));
    if (!it.also_told.empty()) {
        b += "  Also told: ";
        for (std::size_t i = 0; i < it.also_told.size(); ++i) b += (i ? ", " : "") + it.also_told[i];
        b += "\n";
    }
    if (a.suppressed && !a.suppression_reason.empty())
        b += fmt::format("  Suppressed: {}\n", a.suppression_reason);
    if (a.root_alarm_id) b += fmt::format("  Root cause alarm: #{}\n", *a.root_alarm_id);
    if (a.flapping) b += "  Flapping: the condition comes and goes\n";
    if (a.recurring) b += fmt::format("  Recurring problem: {} occurrences\n", a.occurrences);
    if (!it.note.empty()) b += fmt::format("  Note:      {}\n", it.note);
}

bool needs_ack(const MailItem& it) {
    return it.alarm.state == AlarmState::raised && it.kind != AlarmEventKind::resolved &&
           it.kind != AlarmEventKind::closed;
}

}  // namespace

std::string make_message_id(const std::vector<std::int64_t>& ids, const std::string& host) {
    // FNV-1a over the sorted ids: the same group always gets the same id.
    std::vector<std::int64_t> sorted(ids);
    std::sort(sorted.begin(), sorted.end());
    std::uint64_t h = 1469598103934665603ULL;
    for (auto id : sorted)
        for (int i = 0; i < 8; ++i) {
            h ^= static_cast<std::uint64_t>(id) >> (i * 8) & 0xff;
            h *= 1099511628211ULL;
        }
    std::string safe_host;
    for (char c : host)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') safe_host += c;
    if (safe_host.empty()) safe_host = "avmond";
    return fmt::format("<avmon.{}.{:016x}@{}>", sorted.empty() ? 0 : sorted.front(), h, safe_host);
}

RenderedMail render_mail(const std::vector<MailItem>& input, const MailContext& ctx) {
    RenderedMail out;
    std::vector<MailItem> items(input);
    std::sort(items.begin(), items.end(), more_urgent);
    const std::string room = ctx.room_name.empty() ? ctx.room_id : ctx.room_name;

    if (items.empty()) {
        out.subject = fmt::format("[AVMON] {}: no alarms", room);
    } else {
        const MailItem& top = items.front();
        out.subject = fmt::format("[AVMON {}] {}{}: {}", sev(top.alarm.severity), kind_prefix(top, ctx),
                                  room, top.alarm.text);
        if (items.size() > 1) out.subject += fmt::format(" +{} more", items.size() - 1);
    }

    std::string& b = out.body;
    b += fmt::format("Room: {}", room);
    if (!ctx.room_name.empty() && ctx.room_name != ctx.room_id) b += fmt::format(" ({})", ctx.room_id);
    b += "\n";
    if (!ctx.site_name.empty()) b += fmt::format("Site: {}\n", ctx.site_name);
    b += "\n";

    // Root causes first, then the children they explain.
    std::vector<const MailItem*> roots, children;
    for (const auto& it : items) (it.alarm.root_alarm_id ? children : roots).push_back(&it);
    if (!children.empty() && !roots.empty())
        b += fmt::format("{} alarm(s); {} device(s) are affected by the root cause below.\n\n",
                         items.size(), children.size());
    for (const MailItem* it : roots) {
        describe(b, *it, ctx);
        b += "\n";
    }
    if (!children.empty()) {
        b += "Affected devices (alarms explained by a root cause):\n";
        for (const MailItem* it : children)
            b += fmt::format("  - #{} {}: {} ({})\n", it->alarm.id, device_label(ctx, it->alarm.device),
                             it->alarm.text,
                             it->alarm.suppression_reason.empty()
                                 ? fmt::format("root cause alarm #{}", *it->alarm.root_alarm_id)
                                 : it->alarm.suppression_reason);
        b += "\n";
        for (const MailItem* it : children) {
            describe(b, *it, ctx);
            b += "\n";
        }
    }

    std::vector<std::int64_t> to_ack;
    for (const auto& it : items)
        if (needs_ack(it) && std::find(to_ack.begin(), to_ack.end(), it.alarm.id) == to_ack.end())
            to_ack.push_back(it.alarm.id);
    if (!to_ack.empty()) {
        b += "What to do next: acknowledge that you are handling it:\n";
        for (auto id : to_ack) b += fmt::format("  {} ack {}\n", ctx.ctl_command, id);
        b += "\n";
    } else {
        b += fmt::format("Nothing to acknowledge. See `{} alarms` for the current state.\n\n", ctx.ctl_command);
    }

    b += "Other open alarms in this room:\n";
    if (ctx.other_open_alarms.empty()) b += "  none\n";
    for (const Alarm& a : ctx.other_open_alarms)
        b += fmt::format("  #{} [{}] {} {}: {} (since {})\n", a.id, sev(a.severity), to_string(a.state),
                         device_label(ctx, a.device), a.text, format_utc(a.raised_at));
    b += "\n-- \navmond\n";

    std::string& m = out.message;
    m += format_header("From", ctx.from);
    m += format_header("To", ctx.to);
    m += format_header("Date", rfc5322_date(ctx.date));
    m += format_header("Message-ID", ctx.message_id);
    m += format_header("Subject", out.subject);
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += fmt::format("Content-Transfer-Encoding: {}\r\n", std::none_of(b.begin(), b.end(), [](char c) { return static_cast<unsigned char>(c) > 126; }) ? "7bit" : "8bit");
    m += "Auto-Submitted: auto-generated\r\n";
    m += "\r\n";
    m += to_crlf(b);
    return out;
}

}  // namespace avmon::notify
