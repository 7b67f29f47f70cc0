#pragma once
// The human text of an alarm: the rule's template with {device} {room} {metric} {row}
// {value} {threshold} filled in, or a sensible default per rule kind.
#include <string>

#include "config/model.hpp"

namespace avmon::alarms {

struct TextContext {
    std::string device;  // device name (id when it has none)
    std::string room;    // room name (id when it has none)
    std::string metric;  // the metric instance, e.g. "if_oper_status.Gi1/0/12"
    std::string row;     // the row of a walked metric, e.g. "Gi1/0/12"; empty otherwise
    double value = 0;
};

std::string alarm_text(const config::RuleConfig& rule, const TextContext& ctx);
// Numbers as people write them: 95, 0.5, 1e+09 -> "95", "0.5", "1000000000".
std::string format_number(double v);

}  // namespace avmon::alarms
