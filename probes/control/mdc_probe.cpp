#include "probes/control/mdc_probe.hpp"

#include <map>
#include <stdexcept>

#include "probes/control/mdc_codec.hpp"
#include "probes/control/mdc_nec_metrics.hpp"

namespace avmon::probes {
namespace {

using config::MetricDef;
using display_control::ResultWriter;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The link's frame predicate for one request: skips garbage and bad checksums, and replies
// to other commands (a late answer to an earlier, timed-out request) or other display ids.
link::FrameComplete mdc_frame(mdc::Command expected, std::uint8_t display_id) {
    return [expected, display_id](std::string_view buffered) {
        const auto b = as_bytes(buffered);
        if (mdc::is_secured_protocol_greeting(b)) return link::FrameStatus::complete(b.size());
        const auto s = mdc::scan_response(b);
        if (s.offset > 0) return link::FrameStatus::garbage(s.offset);
        if (s.outcome != mdc::ScanOutcome::complete) return link::FrameStatus::incomplete();
        const auto frame = b.subspan(0, s.length);
        const bool broadcast = display_id >= 0xFE;
        if (frame[5] != static_cast<std::uint8_t>(expected) || (!broadcast && frame[2] != display_id))
            return link::FrameStatus::garbage(s.length);
        return link::FrameStatus::complete(s.length);
    };
}

struct Step {
    mdc::Command command;
    std::vector<const MetricDef*> metrics;
};

class MdcProbe final : public Probe {
public:
    MdcProbe(asio::any_io_executor ex, const config::DeviceConfig& device, const config::Profile& profile,
             display_control::SessionOptions options)
        : device_id_(device.id),
          display_id_(static_cast<std::uint8_t>(device.control ? device.control->display_id : 0)),
          metrics_(display_control::metrics_or_defaults(profile, default_mdc_metrics())),
          session_(ex, display_control::open_link(ex, device, mdc::default_tcp_port, options),
                   device.control ? device.control->timeout : std::chrono::milliseconds(2000),
                   options.request_gap) {
        std::map<mdc::Command, std::size_t> index;
        for (const auto& m : metrics_) {
            auto cmd = mdc::item_command(m.source);
            if (!cmd) throw std::invalid_argument(display_control::unknown_item(device, profile, m, "MDC"));
            auto [it, fresh] = index.try_emplace(*cmd, steps_.size());
            if (fresh) steps_.push_back({*cmd, {}});
            steps_[it->second].metrics.push_back(&m);
        }
    }

    std::string_view kind() const override { return "mdc"; }

    awaitable<PollResult> poll(SteadyTime deadline) override {
        PollResult r;
        r.time = std::chrono::system_clock::now();
        ResultWriter out(r, device_id_);
        bool answered = false;
        for (const auto& step : steps_) {
            const auto name = std::string(mdc::command_name(step.command));
            auto reply = co_await session_.exchange(
                to_string(mdc::build_read(step.command, display_id_)), mdc_frame(step.command, display_id_),
                deadline);
            if (!reply.ok()) {
                const auto why = display_control::describe_failure(reply, name, session_.link());
                if (!answered) {  // the display said nothing at all: it is unreachable
                    r.reachable = false;
                    r.error = why;
                    session_.end_poll();
                    co_return r;
                }
                for (const auto* m : step.metrics) out.unavailable(*m, MetricStatus::error, why);
                continue;
            }
            if (mdc::is_secured_protocol_greeting(as_bytes(reply.frame))) {
                r.reachable = false;
                r.error = "display on " + session_.link().name() +
                          " requires the MDC secured protocol (TLS + PIN), which avmon does not speak";
                session_.end_poll();
                co_return r;
            }
            answered = true;
            const auto parsed = mdc::parse_response(as_bytes(reply.frame));
            if (!parsed.response) {  // cannot happen after the predicate; kept for safety
                for (const auto* m : step.metrics) out.unavailable(*m, MetricStatus::error, parsed.error);
                continue;
            }
            if (!parsed.response->ack) {
                const auto why = name + ": display answered " + mdc::nak_text(parsed.response->nak_error);
                for (const auto* m : step.metrics) out.unavailable(*m, MetricStatus::error, why);
                continue;
            }
            apply(step, mdc::decode(step.command, parsed.response->data), out);
        }
        r.reachable = true;
        session_.end_poll();
        co_return r;
    }

private:
    static std::string to_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

    static void apply(const Step& step, const mdc::Decoded& d, ResultWriter& out) {
        for (const auto* m : step.metrics) {
            bool found = false;
            for (const auto& n : d.numbers)
                if (n.source == m->source) {
                    out.number(*m, n.value);
                    found = true;
                }
            for (const auto& t : d.texts)
                if (t.source == m->source) {
                    if (m->kind == MetricDef::Kind::fact) out.text(*m, t.text);
                    else out.unavailable(*m, MetricStatus::unknown_value, "\"" + m->source + "\" is text, not a number: use kind = \"fact\"");
                    found = true;
                }
            for (const auto& miss : d.missing)
                if (miss.source == m->source) {
                    out.unavailable(*m, MetricStatus::no_such_object, miss.detail);
                    found = true;
                }
            if (!found) out.unavailable(*m, MetricStatus::error, "not in the display's reply");
        }
    }

    std::string device_id_;
    std::uint8_t display_id_;
    std::vector<MetricDef> metrics_;
    std::vector<Step> steps_;
    display_control::Session session_;
};

}  // namespace

std::vector<config::MetricDef> default_mdc_metrics() {
    using display_control::metric;
    using K = MetricDef::Kind;
    auto unit = [](MetricDef m, std::string u) {
        m.unit = std::move(u);
        return m;
    };
    return {
        metric("power_state", "power", K::state),
        unit(metric("temperature_c", "temperature"), "C"),
        metric("error_lamp", "lamp_error", K::state),
        metric("error_temperature", "temperature_error", K::state),
        metric("error_fan", "fan_error", K::state),
        metric("error_brightness_sensor", "brightness_sensor", K::state),
        metric("error_no_sync", "no_sync", K::state),
        metric("input_source", "input", K::state),
        unit(metric("panel_on_hours", "panel_on_time"), "h"),
        metric("serial_number", "serial_number", K::fact),
        metric("software_version", "software_version", K::fact),
        metric("model_name", "model_name", K::fact),
    };
}

std::unique_ptr<Probe> make_mdc_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile) {
    return make_mdc_probe(std::move(ex), device, profile, {});
}

std::unique_ptr<Probe> make_mdc_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile, display_control::SessionOptions options) {
    return std::make_unique<MdcProbe>(std::move(ex), device, profile, options);
}

}  // namespace avmon::probes
