#include "probes/control/mdc_nec_metrics.hpp"

#include <cmath>
#include <cstdio>

namespace avmon::probes::display_control {
namespace {
std::string full_name(const config::MetricDef& def, std::string_view row) {
    return row.empty() ? def.name : def.name + "." + std::string(row);
}
}  // namespace

std::vector<config::MetricDef> metrics_or_defaults(const config::Profile& profile,
                                                   std::vector<config::MetricDef> defaults) {
    return profile.metrics.empty() ? std::move(defaults) : profile.metrics;
}

config::MetricDef metric(std::string name, std::string source, config::MetricDef::Kind kind) {
    config::MetricDef d;
    d.name = std::move(name);
    d.source = std::move(source);
    d.kind = kind;
    return d;
}

std::string unknown_item(const config::DeviceConfig& device, const config::Profile& profile,
                         const config::MetricDef& metric, std::string_view protocol) {
    auto at = [](const config::Location& l) {
        return l.file.empty() ? std::string{} : " (" + l.file + ":" + std::to_string(l.line) + ")";
    };
    return "device " + device.id + ", profile " + profile.name + at(metric.where) + ": metric \"" + metric.name +
           "\": source \"" + metric.source + "\" is not an " + std::string(protocol) + " item";
}

void ResultWriter::number(const config::MetricDef& def, double raw, std::string_view row) {
    const double value = raw * def.scale;
    if (def.kind == config::MetricDef::Kind::fact) {
        char buf[32];
        if (value == std::floor(value) && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", value);
        else std::snprintf(buf, sizeof buf, "%g", value);
        result_.facts.push_back({full_name(def, row), buf});
        return;
    }
    result_.samples.push_back({device_, full_name(def, row), result_.time, value});
}

void ResultWriter::text(const config::MetricDef& def, std::string text) {
    result_.facts.push_back({def.name, std::move(text)});
}

void ResultWriter::unavailable(const config::MetricDef& def, MetricStatus status, std::string detail,
                               std::string_view row) {
    result_.unavailable.push_back({full_name(def, row), status, std::move(detail)});
}

}  // namespace avmon::probes::display_control
