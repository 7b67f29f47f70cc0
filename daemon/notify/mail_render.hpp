#pragma once
// Turns one group of outbox items (same room, same recipient) into a complete RFC 5322
// message. A pure function of its inputs: no store, no clock, no I/O — unit-tested alone.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/alarms/time_zone.hpp"
#include "daemon/core/alarm_event.hpp"

namespace avmon::notify {

// One outbox row with the alarm and event that caused it.
struct MailItem {
    std::int64_t outbox_id = 0;
    AlarmEventKind kind = AlarmEventKind::raised;  // raised, escalated, reminder, resolved ...
    SysTime event_time{};
    std::string note;            // the event's note, if any
    Alarm alarm;                 // the alarm as stored now
    int escalation_level = 0;    // the level this recipient was notified at
    std::vector<std::string> also_told;  // other recipients of the same event
};

// Everything the text needs besides the items; the sender fills it from config and store.
struct MailContext {
    std::string from;
    std::string to;
    std::string message_id;      // "<avmon.12.ab34cd@host>"
    SysTime date{};
    std::string room_id;
    std::string room_name;       // falls back to room_id when empty
    std::string site_name;
    std::shared_ptr<const alarms::TimeZone> site_tz;  // null: UTC only
    std::map<std::string, std::string> device_names;  // id -> "Codec Boardroom 3F"
    std::vector<std::string> level_names;             // escalation chain level names
    std::vector<Alarm> other_open_alarms;             // the room's other open alarms
    std::string ctl_command = "avmonctl";
};

struct RenderedMail {
    std::string subject;   // unencoded (UTF-8)
    std::string body;      // plain text, LF line ends
    std::string message;   // the full message: headers + CRLF + body, CRLF line ends
};

RenderedMail render_mail(const std::vector<MailItem>& items, const MailContext& ctx);

// Stable per group: "<avmon.<first id>.<hash of all ids>@<host>>".
std::string make_message_id(const std::vector<std::int64_t>& outbox_ids, const std::string& host);

}  // namespace avmon::notify
