#pragma once
// NEC large-format display probe: power status, self-diagnosis and temperature sensors over
// RS-232 (ControlTarget.serial) or TCP 7142. NEC wants more than 600 ms between packets, so
// requests are paced (SessionOptions::request_gap, default 600 ms).
//
// Profile metrics name NEC items in `source`:
//   "power"        1 = on, 0 = standby/suspend/off            (power status read, 01D6)
//   "power_mode"   NEC's code: 1 on, 2 standby, 3 suspend, 4 off
//   "diagnosis"    self-diagnosis (B1): number = first abnormal code (0 = normal);
//                  with kind = "fact" the text of every code
//   "temperature"  sensors 1..3 -> "<name>.1" .. "<name>.3" in °C; "temperature.N": sensor N only
//   "param:PPCC"   any "get parameter" (op page PP, op code CC, hex): the current value
// "Unsupported" replies become MetricState no_such_object; a temperature sensor the display
// lacks is remembered and asked for again only every 60 polls (each NEC packet costs 600 ms). A profile with no metrics gets
// default_nec_metrics().
#include <memory>
#include <vector>

#include "config/model.hpp"
#include "probes/control/mdc_nec_session.hpp"
#include "probes/probe.hpp"

namespace avmon::probes {

std::vector<config::MetricDef> default_nec_metrics();

// NEC's documented minimum gap between packets.
inline constexpr std::chrono::milliseconds nec_request_gap{600};

// Throws std::invalid_argument (naming the device) when the device has no usable control target.
std::unique_ptr<Probe> make_nec_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile);
std::unique_ptr<Probe> make_nec_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile, display_control::SessionOptions options);

}  // namespace avmon::probes
