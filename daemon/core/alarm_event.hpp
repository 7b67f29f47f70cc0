#pragma once
// What the alarm engine emits and the store, journal and mailer consume. The engine knows
// nothing of SQLite or SMTP; these plain structs are the whole interface between them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.hpp"
#include "daemon/core/severity.hpp"

namespace avmon {

enum class AlarmState { raised, acknowledged, resolved, closed };
std::string_view to_string(AlarmState s);
std::optional<AlarmState> parse_alarm_state(std::string_view s);

enum class AlarmEventKind {
    raised,            // condition held long enough (or re-raised after a maintenance window)
    reopened,          // re-raise within the reopen window re-opens the resolved alarm
    acknowledged,
    escalated,         // a deadline passed: escalation_level went up
    reminder,          // repeat reminder for an unacknowledged alarm
    resolved,          // condition cleared (actor "avmond") or resolved by hand
    closed,            // cause and action recorded
    suppressed,        // parent down or maintenance: recorded, nobody notified
    unsuppressed,      // suppression ended with the condition still present
    flapping,          // the condition started flapping (one alarm instead of a storm)
    recurring,         // N raises within M days: a recurring problem
    note,              // free-text note by an operator
};
std::string_view to_string(AlarmEventKind k);
std::optional<AlarmEventKind> parse_alarm_event_kind(std::string_view s);

struct Alarm {
    std::int64_t id = 0;
    std::string rule_id;
    std::string device;
    std::string room;
    Severity severity = Severity::III;
    AlarmState state = AlarmState::raised;
    std::string text;                   // human text with values filled in
    double value = 0;                   // the value that triggered it (if numeric)
    SysTime raised_at{};
    std::optional<SysTime> acked_at, resolved_at, closed_at;
    std::optional<SysTime> ack_deadline, resolve_deadline, emergency_deadline;  // wall clock, stored
    int escalation_level = 0;           // index into the escalation chain's levels
    bool suppressed = false;
    std::string suppression_reason;     // "root cause: switch sw-3f port 12 down" / "maintenance mw-7"
    std::optional<std::int64_t> root_alarm_id;
    bool flapping = false;
    bool recurring = false;
    int occurrences = 1;                // raises incl. re-opens
    std::string acked_by, cause, action;
};

// A message that must reach a person: written to the outbox in the same transaction as
// the event that caused it, so a crash can neither lose nor duplicate it.
struct NotificationRequest {
    std::string recipient;              // e-mail address
    std::string person;                 // person id, when known
    int escalation_level = 0;
};

struct AlarmEvent {
    AlarmEventKind kind = AlarmEventKind::raised;
    SysTime time{};
    std::string actor = "avmond";       // Unix user for operator actions
    std::string note;
    Alarm alarm;                        // the alarm as it is after this event
    std::vector<NotificationRequest> notify;  // empty: nobody is told (suppressed, maintenance)
};

}  // namespace avmon
