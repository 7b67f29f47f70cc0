#pragma once
// The alarm table shared by `alarms` and `show`.
#include "ctl/cmd_support.hpp"

namespace avmon::ctl {

void print_alarm_rows(const Json& alarms);

}  // namespace avmon::ctl
