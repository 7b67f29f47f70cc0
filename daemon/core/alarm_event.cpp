#include "daemon/core/alarm_event.hpp"

#include <array>
#include <utility>

namespace avmon {
namespace {
constexpr std::array<std::pair<AlarmState, std::string_view>, 4> kStates{{
    {AlarmState::raised, "raised"},
    {AlarmState::acknowledged, "acknowledged"},
    {AlarmState::resolved, "resolved"},
    {AlarmState::closed, "closed"},
}};
constexpr std::array<std::pair<AlarmEventKind, std::string_view>, 12> kKinds{{
    {AlarmEventKind::raised, "raised"},
    {AlarmEventKind::reopened, "reopened"},
    {AlarmEventKind::acknowledged, "acknowledged"},
    {AlarmEventKind::escalated, "escalated"},
    {AlarmEventKind::reminder, "reminder"},
    {AlarmEventKind::resolved, "resolved"},
    {AlarmEventKind::closed, "closed"},
    {AlarmEventKind::suppressed, "suppressed"},
    {AlarmEventKind::unsuppressed, "unsuppressed"},
    {AlarmEventKind::flapping, "flapping"},
    {AlarmEventKind::recurring, "recurring"},
    {AlarmEventKind::note, "note"},
}};
}  // namespace

std::string_view to_string(AlarmState s) {
    for (auto& [k, v] : kStates)
        if (k == s) return v;
    return "?";
}
std::optional<AlarmState> parse_alarm_state(std::string_view s) {
    for (auto& [k, v] : kStates)
        if (v == s) return k;
    return std::nullopt;
}
std::string_view to_string(AlarmEventKind e) {
    for (auto& [k, v] : kKinds)
        if (k == e) return v;
    return "?";
}
std::optional<AlarmEventKind> parse_alarm_event_kind(std::string_view s) {
    for (auto& [k, v] : kKinds)
        if (v == s) return k;
    return std::nullopt;
}

}  // namespace avmon
