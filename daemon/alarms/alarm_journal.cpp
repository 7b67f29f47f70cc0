#include "daemon/alarms/alarm_journal.hpp"

#include <string>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::alarms {
namespace {

std::string_view message_id(AlarmEventKind k) {
    switch (k) {
        case AlarmEventKind::raised: return msgid::alarm_raised;
        case AlarmEventKind::reopened: return msgid::alarm_reopened;
        case AlarmEventKind::acknowledged: return msgid::alarm_acknowledged;
        case AlarmEventKind::escalated: return msgid::alarm_escalated;
        case AlarmEventKind::resolved: return msgid::alarm_resolved;
        case AlarmEventKind::closed: return msgid::alarm_closed;
        case AlarmEventKind::suppressed: return msgid::alarm_suppressed;
        case AlarmEventKind::unsuppressed: return msgid::alarm_raised;  // it is the raise, delayed
        case AlarmEventKind::flapping: return msgid::alarm_flapping;
        case AlarmEventKind::recurring: return msgid::alarm_recurring;
        case AlarmEventKind::reminder: return msgid::alarm_reminder;
        case AlarmEventKind::note: return {};
    }
    return {};
}

// Problems that need someone carry the severity's priority; records of what people did, and
// suppressed alarms nobody is told about, stay quieter so `journalctl -p warning` shows work to do.
log::Priority priority(const AlarmEvent& e) {
    switch (e.kind) {
        case AlarmEventKind::acknowledged:
        case AlarmEventKind::closed:
        case AlarmEventKind::note:
        case AlarmEventKind::suppressed: return log::Priority::info;
        case AlarmEventKind::resolved: return log::Priority::notice;
        default: return static_cast<log::Priority>(journal_priority(e.alarm.severity));
    }
}

}  // namespace

void journal_event(const AlarmEvent& e) {
    const Alarm& a = e.alarm;
    std::string text = "[" + std::string(to_string(a.severity)) + "] alarm " + std::to_string(a.id) + " " +
                       std::string(to_string(e.kind)) + ": " + a.text;
    if (e.actor != "avmond") text += " (by " + e.actor + ")";
    if (!e.note.empty()) text += " - " + e.note;
    if (a.suppressed && !a.suppression_reason.empty() && e.note != a.suppression_reason)
        text += " [" + a.suppression_reason + "]";
    log::write(priority(e), message_id(e.kind), std::move(text),
               {{"AVMON_ROOM", a.room},
                {"AVMON_DEVICE", a.device},
                {"AVMON_SEVERITY", std::string(to_string(a.severity))},
                {"AVMON_ALARM_ID", std::to_string(a.id)},
                {"AVMON_STATE", std::string(to_string(a.state))},
                {"AVMON_ESCALATION_LEVEL", std::to_string(a.escalation_level)},
                {"AVMON_RULE", a.rule_id},
                {"AVMON_EVENT", std::string(to_string(e.kind))}});
}

}  // namespace avmon::alarms
