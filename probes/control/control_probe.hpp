#pragma once
// Control-protocol probes (PJLink, Shure; Samsung MDC and NEC when built in) behind one
// factory, plus the mapping every one of them shares: protocol readings -> the profile's
// metrics (samples, unavailable states, inventory facts).
//
// Profile metric `source` for control protocols: "ITEM" or "ITEM.field", e.g. "POWR",
// "ERST.fan", "LAMP.hours", "BATT_CHARGE". Readings with a row (lamp 2, channel 1) become
// "<metric name>.<row>" ("lamp_hours.2", "battery_charge.ch1").
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/asio.hpp"
#include "probes/probe.hpp"

namespace avmon::probes {

// Builds the probe for `device.control` (protocol "pjlink", "shure", and "mdc"/"nec" when this
// build has them). Throws std::invalid_argument naming the device (and profile file:line) for
// configuration it cannot use: unknown protocol, missing address, serial for a TCP-only
// protocol, a metric source the protocol does not know.
std::unique_ptr<Probe> make_control_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                          const config::Profile& profile);

namespace control {

// A metric definition for a protocol's built-in defaults (used when a profile lists none).
config::MetricDef metric_def(std::string name, std::string source,
                             config::MetricDef::Kind kind = config::MetricDef::Kind::gauge, std::string unit = {});

// One value a protocol codec decoded (see the codecs' Reading types, which have the same shape).
struct Reading {
    std::string item;                 // protocol item: "LAMP", "BATT_CHARGE"
    std::string field;                // part of it: "hours"; empty for single-valued items
    std::string row;                  // "1" (lamp), "ch1" (channel); empty for device-wide values
    std::optional<double> number;
    std::string text;
    MetricStatus status = MetricStatus::ok;
    std::string detail;               // why not ok
};

struct SourceRef {
    std::string item;
    std::string field;
};
// "ERST.fan" -> {ERST, fan}; "POWR" -> {POWR, ""}.
SourceRef parse_source(const std::string& source);

// Adds what `readings` say about `metrics` to `out`: gauges/states -> samples (value * scale;
// a state's text goes through value_map), facts -> facts, a reading with a status -> a
// MetricState. Readings no metric asks for are ignored.
void apply_readings(const std::vector<Reading>& readings, const std::vector<config::MetricDef>& metrics,
                    const std::string& device_id, SysTime time, PollResult& out);

// Metrics no reading matched get a state (e.g. "authentication failed", "no reply"): the
// poll ended before they were read.
void mark_unread(const std::vector<config::MetricDef>& metrics, const std::vector<Reading>& readings,
                 MetricStatus status, const std::string& detail, PollResult& out);

// "device r3f-proj (config.toml:12)" for error messages.
std::string where(const config::DeviceConfig& device);

}  // namespace control
}  // namespace avmon::probes
