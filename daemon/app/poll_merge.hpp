#pragma once
// One device may be polled by several probes (ICMP + SNMP, ICMP + PJLink). The alarm engine and
// the store want one observation per device poll, so the probes' results are merged here.
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/core/observation.hpp"

namespace avmon::app {

struct ProbeOutcome {
    std::string_view kind;  // probe kind: "icmp", "snmp", "pjlink"...
    PollResult result;
};

// reachable: any probe got an answer. Each probe also yields a sample "probe_up.<kind>" (1/0), so a
// rule can alarm on an agent that stopped answering while the device still pings; a silent probe
// of a reachable device is reported as an unavailable metric "probe_up.<kind>" with its error.
PollResult merge_poll_results(const std::string& device, std::vector<ProbeOutcome> outcomes);

}  // namespace avmon::app
