#pragma once
// Shure probe: one persistent TCP connection (port 2202) kept open with back-off reconnect;
// each poll GETs every item the profile names, per configured channel (or device-wide),
// matching each REP to its request by parameter and channel. Poll only: no SET is ever sent
// and metering (METER_RATE) is never enabled — a QLX-D can lock up if a metering client
// vanishes (DEVICES.md §2.1); the socket is closed cleanly on stop.
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "probes/link/link.hpp"
#include "probes/probe.hpp"

namespace avmon::probes {

// Metrics used when a profile lists none (ULX-D/QLX-D names): battery_charge, battery_bars,
// battery_minutes, rf_level, rf_interference, audio_mute per channel; transmitter_type,
// channel_name facts per channel; model, firmware facts.
std::vector<config::MetricDef> shure_default_metrics();

class ShureProbe final : public Probe {
public:
    // `channels`: receiver channels to ask per-channel items for (empty: channel 1).
    // `channel_digits`: 2 for MXA ("01"), 1 otherwise.
    ShureProbe(std::string device_id, std::shared_ptr<link::Link> link, std::vector<int> channels,
               std::vector<config::MetricDef> metrics, std::chrono::milliseconds request_timeout,
               int channel_digits = 1, const Clock* clock = nullptr);
    ~ShureProbe() override;

    awaitable<PollResult> poll(SteadyTime deadline) override;
    std::string_view kind() const override { return "shure"; }

private:
    std::string device_id_;
    std::shared_ptr<link::Link> link_;
    std::vector<int> channels_;
    std::vector<config::MetricDef> metrics_;
    std::vector<std::string> items_;
    std::chrono::milliseconds request_timeout_;
    int channel_digits_;
    const Clock* clock_;
};

std::unique_ptr<Probe> make_shure_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                        const config::Profile& profile);

}  // namespace avmon::probes
