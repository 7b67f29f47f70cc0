#pragma once
// One journal line per alarm state change, with the structured fields operators filter on
// (journalctl AVMON_SEVERITY=I, AVMON_ROOM=..., MESSAGE_ID=...).
#include "daemon/core/alarm_event.hpp"

namespace avmon::alarms {

void journal_event(const AlarmEvent& e);

}  // namespace avmon::alarms
