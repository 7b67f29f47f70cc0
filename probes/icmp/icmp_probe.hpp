#pragma once
// Reachability and round-trip time of one device by ICMP echo, through the shared Pinger.
// Each poll sends `count` echo requests a little apart; the device is reachable when at least
// one is answered. icmp_loss_pct and icmp_rtt_ms (mean) are judged over the last `window`
// requests, so a single lost packet does not look like lasting loss.
#include <chrono>
#include <cstddef>
#include <memory>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "probes/icmp/pinger.hpp"
#include "probes/probe.hpp"

namespace avmon::icmp {

struct IcmpProbeOptions {
    int count = 3;                                  // echo requests per poll
    std::chrono::milliseconds spacing{100};         // between the requests of one poll
    std::chrono::milliseconds timeout{1000};        // per request (never past the poll deadline)
    std::size_t window = 10;                        // requests remembered for loss and mean RTT
    const Clock* clock = nullptr;                   // sample timestamps; null: system clock
};

// Metric names the probe emits.
inline constexpr const char* metric_rtt_ms = "icmp_rtt_ms";
inline constexpr const char* metric_loss_pct = "icmp_loss_pct";

// Null when the device is not to be pinged (icmp = false, no address) or ICMP is off
// (pinger.mode() == IcmpMode::off): the daemon then judges reachability by its other probes.
// The pinger must outlive the probe.
std::unique_ptr<probes::Probe> make_icmp_probe(Pinger& pinger, const config::DeviceConfig& device,
                                               IcmpProbeOptions options = {});

}  // namespace avmon::icmp
