#include "probes/control/shure_probe.hpp"

#include <algorithm>
#include <stdexcept>

#include "probes/control/control_probe.hpp"
#include "probes/control/shure_codec.hpp"
#include "probes/link/tcp_link.hpp"

namespace avmon::probes {

namespace {

bool contains_mxa(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s.find("mxa") != std::string::npos;
}

}  // namespace

std::vector<config::MetricDef> shure_default_metrics() {
    using K = config::MetricDef::Kind;
    return {
        control::metric_def("battery_charge", "BATT_CHARGE", K::gauge, "%"),
        control::metric_def("battery_bars", "BATT_BARS", K::gauge),
        control::metric_def("battery_minutes", "BATT_RUN_TIME", K::gauge, "min"),
        control::metric_def("rf_level", "RX_RF_LVL", K::gauge, "dBm"),
        control::metric_def("rf_interference", "RF_INT_DET", K::state),
        control::metric_def("audio_mute", "AUDIO_MUTE", K::state),
        control::metric_def("transmitter_type", "TX_TYPE", K::fact),
        control::metric_def("channel_name", "CHAN_NAME", K::fact),
        control::metric_def("model", "MODEL", K::fact),
        control::metric_def("firmware", "FW_VER", K::fact),
    };
}

ShureProbe::ShureProbe(std::string device_id, std::shared_ptr<link::Link> link, std::vector<int> channels,
                       std::vector<config::MetricDef> metrics, std::chrono::milliseconds request_timeout,
                       int channel_digits, const Clock* clock)
    : device_id_(std::move(device_id)),
      link_(std::move(link)),
      channels_(channels.empty() ? std::vector<int>{1} : std::move(channels)),
      metrics_(metrics.empty() ? shure_default_metrics() : std::move(metrics)),
      request_timeout_(request_timeout),
      channel_digits_(channel_digits),
      clock_(clock ? clock : &wall_clock()) {
    for (const auto& m : metrics_) {
        auto ref = control::parse_source(m.source);
        if (!ref.field.empty() || shure::build_get(std::nullopt, ref.item).empty())
            throw std::invalid_argument(m.where.file + ":" + std::to_string(m.where.line) + ": metric '" + m.name +
                                        "': '" + m.source + "' is not a Shure parameter name");
        if (std::find(items_.begin(), items_.end(), ref.item) == items_.end()) items_.push_back(ref.item);
    }
    for (int ch : channels_)
        if (ch < 1 || ch > 99)  // 0 would mean "all channels": replies could not be matched to requests
            throw std::invalid_argument("Shure channel " + std::to_string(ch) + " is out of range (1-99)");
}

ShureProbe::~ShureProbe() { link_->stop(); }

awaitable<PollResult> ShureProbe::poll(SteadyTime deadline) {
    PollResult result;
    result.time = clock_->now();
    std::vector<control::Reading> readings;
    bool answered = false;
    // Reports the device pushed since the last poll are stale: ask afresh.
    link_->discard_input();

    for (const auto& param : items_) {
        std::vector<std::optional<int>> targets;
        if (shure::is_device_wide(param))
            targets.push_back(std::nullopt);
        else
            targets.assign(channels_.begin(), channels_.end());
        for (const auto& channel : targets) {
            if (!result.error.empty()) break;
            auto request_deadline = std::min(deadline, std::chrono::steady_clock::now() + request_timeout_);
            auto reply = co_await link_->transact(shure::build_get(channel, param, channel_digits_),
                                                  shure::reply_to(channel, param), request_deadline);
            if (!reply.ok()) {
                result.error = "Shure " + param + ": " + reply.error;
                break;
            }
            answered = true;
            std::string why;
            auto message = shure::parse_message(reply.frame, why);
            if (!message) {  // reply_to only completes on frames that parse; kept for safety
                readings.push_back({param, {}, channel ? "ch" + std::to_string(*channel) : "", std::nullopt, {},
                                    MetricStatus::error, why});
                continue;
            }
            auto r = shure::decode(*message);
            if (message->param == "ERR") {
                r.item = param;
                r.row = channel ? "ch" + std::to_string(*channel) : "";
                r.detail = "the device answered ERR to GET " + param;
            }
            readings.push_back({std::move(r.item), std::move(r.field), std::move(r.row), r.number,
                                std::move(r.text), r.status, std::move(r.detail)});
        }
    }
    result.reachable = answered || (result.error.empty());
    if (!result.error.empty()) {
        // Everything the poll did not get to is unavailable, row by row (battery_charge.ch2).
        for (const auto& param : items_) {
            std::vector<std::string> rows;
            if (shure::is_device_wide(param))
                rows.emplace_back();
            else
                for (int ch : channels_) rows.push_back("ch" + std::to_string(ch));
            for (const auto& row : rows) {
                bool have = std::any_of(readings.begin(), readings.end(),
                                        [&](const control::Reading& r) { return r.item == param && r.row == row; });
                if (!have) readings.push_back({param, {}, row, std::nullopt, {}, MetricStatus::error, result.error});
            }
        }
    }
    control::apply_readings(readings, metrics_, device_id_, result.time, result);
    co_return result;
}

std::unique_ptr<Probe> make_shure_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                        const config::Profile& profile) {
    const auto& control = *device.control;
    if (control.serial)
        throw std::invalid_argument(control::where(device) + ": Shure command strings run over TCP only");
    if (device.address.empty())
        throw std::invalid_argument(control::where(device) + ": Shure needs the device address");
    link::LinkOptions options;
    options.device_id = device.id;
    options.connect_timeout = control.timeout;
    auto link = link::TcpLink::create(ex, device.address, control.tcp_port.value_or(shure::default_tcp_port),
                                      link::TcpLink::Mode::persistent, options);
    int digits = contains_mxa(profile.name) || contains_mxa(device.model) ? 2 : 1;
    return std::make_unique<ShureProbe>(device.id, std::move(link), control.channels, profile.metrics,
                                        control.timeout, digits);
}

}  // namespace avmon::probes
