#include "daemon/app/poll_merge.hpp"

namespace avmon::app {

PollResult merge_poll_results(const std::string& device, std::vector<ProbeOutcome> outcomes) {
    PollResult merged;
    std::size_t samples = 0;
    for (const auto& o : outcomes) {
        merged.reachable = merged.reachable || o.result.reachable;
        samples += o.result.samples.size() + 1;  // and its probe_up
    }
    merged.samples.reserve(samples);
    for (auto& o : outcomes) {
        auto& r = o.result;
        if (r.time > merged.time) merged.time = r.time;
        std::string up_metric = "probe_up." + std::string(o.kind);
        merged.samples.push_back({device, up_metric, r.time, r.reachable ? 1.0 : 0.0});
        if (!r.reachable) {
            if (!merged.error.empty()) merged.error += "; ";
            merged.error += std::string(o.kind) + ": " + (r.error.empty() ? "no answer" : r.error);
            if (merged.reachable)
                merged.unavailable.push_back({up_metric, MetricStatus::error, r.error.empty() ? "no answer" : r.error});
        }
        for (auto& s : r.samples) {
            if (s.device.empty()) s.device = device;
            merged.samples.push_back(std::move(s));
        }
        for (auto& m : r.unavailable) merged.unavailable.push_back(std::move(m));
        for (auto& f : r.facts) merged.facts.push_back(std::move(f));
    }
    if (merged.reachable) merged.error.clear();
    // Every probe failed to build at start-up (the journal said why then): the device cannot be
    // watched, and its alarm must say so rather than carry an empty reason.
    if (outcomes.empty()) merged.error = "no probe could be built for this device (see its start-up error)";
    return merged;
}

}  // namespace avmon::app
