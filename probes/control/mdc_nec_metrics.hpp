#pragma once
// Turns protocol items read by the MDC and NEC probes into the profile's metrics: a metric's
// `source` names the item, its `name` becomes the sample/fact/metric-state name, `scale`
// applies, and `kind = "fact"` makes an inventory fact of it. Asio-free.
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/observation.hpp"

namespace avmon::probes::display_control {

// The metrics a profile asks for, or `defaults` when the profile lists none.
std::vector<config::MetricDef> metrics_or_defaults(const config::Profile& profile,
                                                   std::vector<config::MetricDef> defaults);

config::MetricDef metric(std::string name, std::string source, config::MetricDef::Kind kind =
                                                                   config::MetricDef::Kind::gauge);

// "profile mdc-display (profiles/mdc-display.toml:12), device r1-screen: metric \"x\": source
// \"y\" is not an MDC item": the constructor's error for a metric the protocol cannot read.
std::string unknown_item(const config::DeviceConfig& device, const config::Profile& profile,
                         const config::MetricDef& metric, std::string_view protocol);

// Appends to a PollResult under one device id and one timestamp.
class ResultWriter {
public:
    ResultWriter(PollResult& result, std::string device) : result_(result), device_(std::move(device)) {}

    // `row` (if not empty) is appended as "<name>.<row>".
    void number(const config::MetricDef& def, double raw, std::string_view row = {});
    void text(const config::MetricDef& def, std::string text);
    void unavailable(const config::MetricDef& def, MetricStatus status, std::string detail,
                     std::string_view row = {});

private:
    PollResult& result_;
    std::string device_;
};

}  // namespace avmon::probes::display_control
