#pragma once
// The small interface every probe implements. A probe polls one device over one transport
// and reports what it saw; it never blocks the loop and always finishes by the deadline.
#include <chrono>
#include <string_view>

#include "daemon/core/asio.hpp"
#include "daemon/core/observation.hpp"

namespace avmon::probes {

using SteadyTime = std::chrono::steady_clock::time_point;

class Probe {
public:
    virtual ~Probe() = default;
    // One poll. Completes by `deadline` whatever the device does (dead, slow, garbage);
    // device faults are reported in the PollResult, never thrown.
    virtual awaitable<PollResult> poll(SteadyTime deadline) = 0;
    // "icmp", "snmp", "pjlink", "mdc", "nec", "shure": used in logs and as a metric prefix where needed.
    virtual std::string_view kind() const = 0;
};

}  // namespace avmon::probes
