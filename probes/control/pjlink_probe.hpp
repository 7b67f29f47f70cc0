#pragma once
// PJLink probe: one TCP connection per poll (projectors drop idle clients after 30 s),
// greeting + optional MD5 authentication, then one query per item the profile names.
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/complaint.hpp"
#include "probes/link/link.hpp"
#include "probes/probe.hpp"

namespace avmon::probes {

// The metrics used when a profile lists none: power_state, error_{fan,lamp,temperature,cover,
// filter,other}, lamp_hours.<n>, lamp_on.<n>, filter_hours, video_mute, audio_mute and the
// facts input, pjlink_class, name, manufacturer, product, info.
std::vector<config::MetricDef> pjlink_default_metrics();

class PjlinkProbe final : public Probe {
public:
    // `link`: usually a per-poll TcpLink; `password` may be empty (projector without auth).
    // Throws std::invalid_argument when a metric names an item PJLink does not have.
    PjlinkProbe(std::string device_id, std::shared_ptr<link::Link> link, std::string password,
                std::vector<config::MetricDef> metrics, std::chrono::milliseconds request_timeout,
                const Clock* clock = nullptr);
    ~PjlinkProbe() override;

    awaitable<PollResult> poll(SteadyTime deadline) override;
    std::string_view kind() const override { return "pjlink"; }

private:
    // A refused password is the operator's to fix, and the projector still answers (so the
    // daemon's unreachable log says nothing): the probe logs it once per device, with back-off
    // reminders, and once more when a session is accepted again. Never with the password.
    void log_auth_failure(const std::string& why);
    void log_auth_success();

    std::string device_id_;
    std::shared_ptr<link::Link> link_;
    std::string password_;
    std::vector<config::MetricDef> metrics_;
    std::vector<std::string> items_;  // commands to query, in profile order, no duplicates
    std::chrono::milliseconds request_timeout_;
    const Clock* clock_;
    ComplaintTracker auth_complaints_;
};

std::unique_ptr<Probe> make_pjlink_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                         const config::Profile& profile);

}  // namespace avmon::probes
