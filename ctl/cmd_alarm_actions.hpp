#pragma once
// ack / resolve / close / note share one shape: an alarm id, some text, one write.
#include <span>
#include <string_view>

namespace avmon::ctl {

int run_alarm_action(std::string_view command, std::string_view usage, std::span<char* const> args);

}  // namespace avmon::ctl
