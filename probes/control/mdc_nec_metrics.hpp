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
