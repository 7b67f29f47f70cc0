#pragma once
// Samsung MDC probe: reads power, error status (lamp/temperature/fan/...), input, panel-on
// time and inventory text from a display over RS-232 (ControlTarget.serial) or TCP 1515.
//
// Profile metrics name MDC items in `source` (see mdc_codec.hpp `decode`): "power",
// "lamp_error", "temperature_error", "brightness_sensor", "no_sync", "temperature",
// "fan_error", "input", "panel_on_time", "panel_off", "status_power", "volume", "mute",
// "status_input", "aspect", "serial_number", "software_version", "model_name".
// Each command is sent once per poll however many metrics use it. A profile with no metrics
// gets default_mdc_metrics().
#include <memory>
#include <vector>

#include "config/model.hpp"
#include "probes/control/mdc_nec_session.hpp"
#include "probes/probe.hpp"

namespace avmon::probes {

std::vector<config::MetricDef> default_mdc_metrics();

// Throws std::invalid_argument (naming the device) when the device has no usable control target.
std::unique_ptr<Probe> make_mdc_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile);
std::unique_ptr<Probe> make_mdc_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile, display_control::SessionOptions options);

}  // namespace avmon::probes
