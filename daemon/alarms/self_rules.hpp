#pragma once
// avmond watches itself as one more device (config::kSelfDeviceId) with these built-in rules,
// so a fault of the monitor takes the same debounce, lifecycle, deadlines, journal lines and
// mail as a projector's, and shows in `avmonctl alarms` like any other alarm.
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace avmon::alarms {

// 1 while the store writer fails to commit (disk full, I/O error, read-only file system), else 0.
inline constexpr std::string_view kStoreUnwritableMetric = "store_unwritable";

std::vector<config::RuleConfig> self_rules();

}  // namespace avmon::alarms
