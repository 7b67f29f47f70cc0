#include "daemon/alarms/alarm_text.hpp"

#include <cmath>
#include <cstdio>

namespace avmon::alarms {

std::string format_number(double v) {
    char buf[64];
    if (std::isfinite(v) && std::fabs(v) < 1e15 && v == std::floor(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

namespace {

std::string default_template(const config::RuleConfig& r) {
    using K = config::RuleKind;
    switch (r.kind) {
        case K::above: return "{device}: {metric} is {value}, above {threshold}";
        case K::below: return "{device}: {metric} is {value}, below {threshold}";
        case K::equals: return "{device}: {metric} is {value}";
        case K::not_equals: return "{device}: {metric} is {value}, expected {threshold}";
        case K::rate_above: return "{device}: {metric} changes by {value}/s, above {threshold}/s";
        case K::unreachable: return "{device} is unreachable";
        case K::trap: return "{device}: trap " + r.trap_event;
        case K::metric_unavailable: return "{device}: {metric} cannot be read";
    }
    return "{device}: " + r.id;
}

}  // namespace

std::string alarm_text(const config::RuleConfig& rule, const TextContext& ctx) {
    const std::string tmpl = rule.text.empty() ? default_template(rule) : rule.text;
    std::string out;
    out.reserve(tmpl.size() + 32);
    for (std::size_t i = 0; i < tmpl.size();) {
        if (tmpl[i] == '{') {
            const auto close = tmpl.find('}', i);
            if (close != std::string::npos) {
                const std::string name = tmpl.substr(i + 1, close - i - 1);
                const std::string* s = nullptr;
                std::string number;
                if (name == "device") s = &ctx.device;
                else if (name == "room") s = &ctx.room;
                else if (name == "metric") s = &ctx.metric;
                else if (name == "row") s = &ctx.row;
                else if (name == "value") s = &(number = format_number(ctx.value));
                else if (name == "threshold") s = &(number = format_number(rule.threshold));
                if (s) {
                    out += *s;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += tmpl[i++];  // unknown placeholders stay as written so mistakes are visible
    }
    return out;
}

}  // namespace avmon::alarms
