#include "probes/control/pjlink_probe.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/control/control_probe.hpp"
#include "probes/control/pjlink_auth.hpp"
#include "probes/control/pjlink_codec.hpp"
#include "probes/link/tcp_link.hpp"

namespace avmon::probes {

namespace {

std::vector<control::Reading> convert(std::vector<pjlink::Reading> in) {
    std::vector<control::Reading> out;
    out.reserve(in.size());
    for (auto& r : in)
        out.push_back({std::move(r.item), std::move(r.field), std::move(r.row), r.number, std::move(r.text), r.status,
                       std::move(r.detail)});
    return out;
}

}  // namespace

std::vector<config::MetricDef> pjlink_default_metrics() {
    using K = config::MetricDef::Kind;
    std::vector<config::MetricDef> m;
    m.push_back(control::metric_def("power_state", "POWR", K::state));
    for (auto f : {"fan", "lamp", "temperature", "cover", "filter", "other"})
        m.push_back(control::metric_def(std::string("error_") + f, std::string("ERST.") + f, K::state));
    m.push_back(control::metric_def("lamp_hours", "LAMP.hours", K::gauge, "h"));
    m.push_back(control::metric_def("lamp_on", "LAMP.on", K::state));
    m.push_back(control::metric_def("filter_hours", "FILT", K::gauge, "h"));
    m.push_back(control::metric_def("video_mute", "AVMT.video", K::state));
    m.push_back(control::metric_def("audio_mute", "AVMT.audio", K::state));
    m.push_back(control::metric_def("input", "INPT", K::fact));
    m.push_back(control::metric_def("pjlink_class", "CLSS", K::fact));
    m.push_back(control::metric_def("name", "NAME", K::fact));
    m.push_back(control::metric_def("manufacturer", "INF1", K::fact));
    m.push_back(control::metric_def("product", "INF2", K::fact));
    m.push_back(control::metric_def("info", "INFO", K::fact));
    return m;
}

PjlinkProbe::PjlinkProbe(std::string device_id, std::shared_ptr<link::Link> link, std::string password,
                         std::vector<config::MetricDef> metrics, std::chrono::milliseconds request_timeout,
                         const Clock* clock)
    : device_id_(std::move(device_id)),
      link_(std::move(link)),
      password_(std::move(password)),
      metrics_(metrics.empty() ? pjlink_default_metrics() : std::move(metrics)),
      request_timeout_(request_timeout),
      clock_(clock ? clock : &wall_clock()) {
    for (const auto& m : metrics_) {
        auto ref = control::parse_source(m.source);
        const auto* item = pjlink::find_item(ref.item);
        auto fields = item ? pjlink::item_fields(ref.item) : std::vector<std::string_view>{};
        if (!item || std::find(fields.begin(), fields.end(), ref.field) == fields.end())
            throw std::invalid_argument(m.where.file + ":" + std::to_string(m.where.line) + ": metric '" + m.name +
                                        "': PJLink has no item '" + m.source + "'");
        if (std::find(items_.begin(), items_.end(), ref.item) == items_.end()) items_.push_back(ref.item);
    }
}

PjlinkProbe::~PjlinkProbe() { link_->stop(); }

void PjlinkProbe::log_auth_failure(const std::string& why) {
    std::vector<log::Field> fields{{"AVMON_DEVICE", device_id_}};
    switch (auth_complaints_.failure(device_id_, clock_->now())) {
        case ComplaintTracker::Say::first_failure:
            log::warning(msgid::probe_error,
                         fmt::format("{}: {}; its metrics cannot be read until the password matches", device_id_, why),
                         std::move(fields));
            break;
        case ComplaintTracker::Say::reminder: {
            const auto since = auth_complaints_.failing_since(device_id_);
            log::warning(msgid::probe_error,
                         fmt::format("{}: still refused since {}: {}", device_id_, since ? format_utc(*since) : "?",
                                     why),
                         std::move(fields));
            break;
        }
        default: break;
    }
}

void PjlinkProbe::log_auth_success() {
    if (auth_complaints_.success(device_id_) != ComplaintTracker::Say::recovered) return;
    log::notice(msgid::probe_error, fmt::format("{}: the PJLink projector accepts the session again", device_id_),
                {{"AVMON_DEVICE", device_id_}});
}

awaitable<PollResult> PjlinkProbe::poll(SteadyTime deadline) {
    PollResult result;
    result.time = clock_->now();
    auto request_deadline = [&] { return std::min(deadline, std::chrono::steady_clock::now() + request_timeout_); };
    std::vector<control::Reading> readings;
    auto give_up = [&](std::string error) { result.error = std::move(error); };

    // The projector speaks first: "PJLINK 0" or "PJLINK 1 <random>".
    auto hello = co_await link_->transact({}, pjlink::frame_status, request_deadline());
    if (!hello.ok()) {
        result.reachable = false;
        result.error = "PJLink: " + hello.error;
        link_->end_session();
        co_return result;
    }
    result.reachable = true;
    std::string why;
    auto greeting = pjlink::parse_greeting(hello.frame, why);
    std::string prefix;
    std::optional<std::string> auth_refused;  // the projector will not let us in: why
    bool accepted = false;                    // a command got a real answer in this session
    if (!greeting) {
        give_up("PJLink: " + why);
    } else if (greeting->kind == pjlink::Greeting::Kind::auth_error) {
        give_up("PJLink: the projector refused the session (PJLINK ERRA)");
        auth_refused = result.error;
        greeting.reset();
    } else if (greeting->kind == pjlink::Greeting::Kind::auth) {
        if (password_.empty()) {
            give_up("PJLink: the projector requires a password and none is configured (device.control.password)");
            auth_refused = result.error;
            greeting.reset();
        } else {
            prefix = pjlink::auth_digest(greeting->random, password_);
        }
    }

    if (greeting) {
        // Class 2 items only on class 2 projectors: ask CLSS first when any is wanted.
        int projector_class = 2;
        bool wants_class2 = std::any_of(items_.begin(), items_.end(),
                                        [](const std::string& c) { return pjlink::find_item(c)->pj_class == 2; });
        std::vector<std::string> order = items_;
        if (wants_class2) {
            order.erase(std::remove(order.begin(), order.end(), "CLSS"), order.end());
            order.insert(order.begin(), "CLSS");
        }
        for (const auto& command : order) {
            const auto* item = pjlink::find_item(command);
            if (item->pj_class > projector_class) {
                for (auto field : pjlink::item_fields(command))
                    readings.push_back({command, std::string(field), {}, std::nullopt, {},
                                        MetricStatus::no_such_object, "class 2 item; the projector is class 1"});
                continue;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                give_up("PJLink: poll deadline passed before " + command);
                break;
            }
            auto reply = co_await link_->transact(prefix + pjlink::build_query(*item), pjlink::frame_status,
                                                  request_deadline());
            prefix.clear();  // the digest goes in front of the first command only
            if (!reply.ok()) {
                give_up("PJLink " + command + ": " + reply.error);
                break;
            }
            auto parsed = pjlink::parse_reply(reply.frame, why);
            if (parsed && parsed->kind != pjlink::Reply::Kind::auth_error) accepted = true;
            if (!parsed) {
                for (auto field : pjlink::item_fields(command))
                    readings.push_back({command, std::string(field), {}, std::nullopt, {}, MetricStatus::error, why});
                continue;
            }
            if (parsed->kind == pjlink::Reply::Kind::auth_error) {
                give_up("PJLink: authentication failed: the projector rejected the password (PJLINK ERRA)");
                auth_refused = result.error;
                break;
            }
            auto decoded = convert(pjlink::decode(*item, *parsed));
            if (command == "CLSS" && !decoded.empty() && decoded.front().number)
                projector_class = static_cast<int>(*decoded.front().number);
            readings.insert(readings.end(), decoded.begin(), decoded.end());
        }
    }
    link_->end_session();
    if (auth_refused) log_auth_failure(*auth_refused);
    else if (accepted) log_auth_success();
    control::apply_readings(readings, metrics_, device_id_, result.time, result);
    if (!result.error.empty()) control::mark_unread(metrics_, readings, MetricStatus::error, result.error, result);
    co_return result;
}

std::unique_ptr<Probe> make_pjlink_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                         const config::Profile& profile) {
    const auto& control = *device.control;
    if (control.serial)
        throw std::invalid_argument(control::where(device) + ": PJLink runs over TCP only (remove control.serial)");
    if (device.address.empty())
        throw std::invalid_argument(control::where(device) + ": PJLink needs the device address");
    link::LinkOptions options;
    options.device_id = device.id;
    options.connect_timeout = control.timeout;
    options.log_state_changes = false;  // per-poll: the poll result carries reachability
    auto link = link::TcpLink::create(ex, device.address, control.tcp_port.value_or(pjlink::default_tcp_port),
                                      link::TcpLink::Mode::per_poll, options);
    return std::make_unique<PjlinkProbe>(device.id, std::move(link), control.password, profile.metrics,
                                         control.timeout);
}

}  // namespace avmon::probes
