#pragma once
// A reload rebuilds a device's probes only when something that affects polling changed.
#include <string>

#include "config/model.hpp"

namespace avmon::app {

// Everything that shapes how `d` is polled (transport settings, secrets, interval, its
// profile's metrics), as one string. Kept in memory only: it contains secrets, never log it.
std::string device_fingerprint(const config::Config& cfg, const config::DeviceConfig& d);

}  // namespace avmon::app
