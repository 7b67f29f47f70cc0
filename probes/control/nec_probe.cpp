#include "probes/control/nec_probe.hpp"

#include <charconv>
#include <map>
#include <stdexcept>

#include "probes/control/mdc_nec_metrics.hpp"
#include "probes/control/nec_codec.hpp"

namespace avmon::probes {
namespace {

using config::MetricDef;
using display_control::ResultWriter;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::string to_string(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

// Frame predicate: garbage and damaged frames are skipped, and so are replies of the wrong
// type or from another monitor (a late answer to an earlier request, a daisy-chained display).
link::FrameComplete nec_frame(nec::MessageType expected, std::uint8_t monitor) {
    return [expected, monitor](std::string_view buffered) {
        const auto b = as_bytes(buffered);
        const auto s = nec::scan(b);
        if (s.offset > 0) return link::FrameStatus::garbage(s.offset);
        if (s.outcome != nec::ScanOutcome::complete) return link::FrameStatus::incomplete();
        if (b[3] != monitor || b[4] != static_cast<std::uint8_t>(expected)) return link::FrameStatus::garbage(s.length);
        return link::FrameStatus::complete(s.length);
    };
}

// What one metric asks for.
struct Item {
    enum class What { power, power_mode, diagnosis, temperature, parameter, unknown } what = What::unknown;
    std::vector<int> sensors;        // temperature
    std::uint8_t page = 0, code = 0; // parameter
};

Item classify(const std::string& source) {
    Item i;
    auto hex_byte = [](std::string_view s, std::uint8_t& out) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
        if (ec != std::errc{} || p != s.data() + s.size() || s.size() != 2) return false;
        out = static_cast<std::uint8_t>(v);
        return true;
    };
    if (source == "power") i.what = Item::What::power;
    else if (source == "power_mode") i.what = Item::What::power_mode;
    else if (source == "diagnosis") i.what = Item::What::diagnosis;
    else if (source == "temperature") {
        i.what = Item::What::temperature;
        i.sensors = {1, 2, 3};
    } else if (source.size() == 13 && source.starts_with("temperature.") && source[12] >= '1' && source[12] <= '9') {
        i.what = Item::What::temperature;
        i.sensors = {source[12] - '0'};
    } else if (source.size() == 10 && source.starts_with("param:") &&
               hex_byte(std::string_view(source).substr(6, 2), i.page) &&
               hex_byte(std::string_view(source).substr(8, 2), i.code)) {
        i.what = Item::What::parameter;
    }
    return i;
}

class NecProbe final : public Probe {
public:
    NecProbe(asio::any_io_executor ex, const config::DeviceConfig& device, const config::Profile& profile,
             display_control::SessionOptions options)
        : device_id_(device.id),
          monitor_id_(device.control ? device.control->display_id : 1),
          metrics_(display_control::metrics_or_defaults(profile, default_nec_metrics())),
          session_(ex, display_control::open_link(ex, device, nec::default_tcp_port, options),
                   device.control ? device.control->timeout : std::chrono::milliseconds(2000),
                   options.request_gap) {
        if (monitor_id_ > 100)
            throw std::invalid_argument("device " + device.id + ": NEC monitor id " + std::to_string(monitor_id_) +
                                        " is out of range (1..100)");
        for (const auto& m : metrics_) {
            items_.push_back(classify(m.source));
            if (items_.back().what == Item::What::unknown)
                throw std::invalid_argument(display_control::unknown_item(device, profile, m, "NEC"));
        }
    }

    std::string_view kind() const override { return "nec"; }

    awaitable<PollResult> poll(SteadyTime deadline) override {
        PollResult r;
        r.time = std::chrono::system_clock::now();
        ResultWriter out(r, device_id_);
        ++poll_count_;
        answered_ = false;
        failure_.clear();
        power_done_ = diag_done_ = false;

        for (std::size_t i = 0; i < metrics_.size(); ++i) {
            const auto& m = metrics_[i];
            const auto& item = items_[i];
            bool keep_going = true;
            switch (item.what) {
            case Item::What::unknown:  // refused by the constructor
                break;
            case Item::What::power:
            case Item::What::power_mode:
                keep_going = co_await read_power(deadline);
                if (keep_going) emit_power(m, item, out);
                break;
            case Item::What::diagnosis:
                keep_going = co_await read_diagnosis(deadline);
                if (keep_going) emit_diagnosis(m, out);
                break;
            case Item::What::temperature:
                for (int sensor : item.sensors) {
                    keep_going = co_await read_temperature(m, sensor, deadline, out);
                    if (!keep_going) break;
                }
                break;
            case Item::What::parameter:
                keep_going = co_await read_parameter(m, item.page, item.code, deadline, out);
                break;
            }
            if (!keep_going) {  // nothing ever answered: the display is unreachable
                r.reachable = false;
                r.error = failure_;
                session_.end_poll();
                co_return r;
            }
        }
        r.reachable = true;
        session_.end_poll();
        co_return r;
    }

private:
    // One exchange. Returns the parsed frame, or nothing with `why` set.
    awaitable<std::optional<nec::Frame>> ask(std::vector<std::uint8_t> request, nec::MessageType reply_type,
                                             std::string_view what, SteadyTime deadline, std::string& why) {
        auto reply = co_await session_.exchange(to_string(request),
                                                nec_frame(reply_type, nec::monitor_address(monitor_id_)), deadline);
        if (!reply.ok()) {
            why = display_control::describe_failure(reply, what, session_.link());
            co_return std::nullopt;
        }
        answered_ = true;
        auto parsed = nec::parse_frame(as_bytes(reply.frame));
        if (!parsed.frame) why = std::string(what) + ": " + parsed.error;
        co_return parsed.frame;
    }

    // false: stop the poll (no answer to anything yet).
    bool fail(std::string why) {
        failure_ = std::move(why);
        return answered_;
    }

    awaitable<bool> read_power(SteadyTime deadline) {
        if (power_done_) co_return true;
        power_done_ = true;
        power_ = {};
        power_error_.clear();
        auto frame = co_await ask(nec::build_power_status_read(monitor_id_), nec::MessageType::command_reply,
                                  "power status read", deadline, power_error_);
        if (!frame) co_return fail(power_error_);
        auto d = nec::decode_power_status(*frame);
        if (!d.value) power_error_ = d.error;
        else power_ = *d.value;
        co_return true;
    }

    void emit_power(const MetricDef& m, const Item& item, ResultWriter& out) {
        if (!power_error_.empty()) return out.unavailable(m, MetricStatus::error, power_error_);
        if (!power_.supported)
            return out.unavailable(m, MetricStatus::no_such_object, "display reports power status read unsupported");
        if (item.what == Item::What::power_mode) return out.number(m, power_.mode);
        out.number(m, power_.mode == 1 ? 1 : 0);
    }

    awaitable<bool> read_diagnosis(SteadyTime deadline) {
        if (diag_done_) co_return true;
        diag_done_ = true;
        diag_ = {};
        diag_error_.clear();
        auto frame = co_await ask(nec::build_self_diagnosis(monitor_id_), nec::MessageType::command_reply,
                                  "self-diagnosis", deadline, diag_error_);
        if (!frame) co_return fail(diag_error_);
        auto d = nec::decode_self_diagnosis(*frame);
        if (!d.value) diag_error_ = d.error;
        else diag_ = *d.value;
        co_return true;
    }

    void emit_diagnosis(const MetricDef& m, ResultWriter& out) {
        if (!diag_error_.empty()) return out.unavailable(m, MetricStatus::error, diag_error_);
        std::uint8_t first_abnormal = 0;
        std::string text;
        for (auto c : diag_.codes) {
            if (c != 0 && first_abnormal == 0) first_abnormal = c;
            if (!text.empty()) text += "; ";
            text += nec::diagnosis_text(c);
        }
        if (m.kind == MetricDef::Kind::fact) return out.text(m, text);
        out.number(m, first_abnormal);
    }

    awaitable<bool> read_temperature(const MetricDef& m, int sensor, SteadyTime deadline, ResultWriter& out) {
        const auto row = std::to_string(sensor);
        // A sensor the display does not have costs two paced packets per poll for nothing:
        // remember it, and ask again only every recheck_unsupported_polls polls.
        if (auto it = unsupported_sensors_.find(sensor); it != unsupported_sensors_.end()) {
            if (poll_count_ - it->second < recheck_unsupported_polls) {
                out.unavailable(m, MetricStatus::no_such_object,
                                "display reports temperature sensor " + row + " unsupported", row);
                co_return true;
            }
            unsupported_sensors_.erase(it);
        }
        std::string why;
        auto sel = co_await ask(nec::build_select_temperature_sensor(monitor_id_, sensor),
                                nec::MessageType::set_reply, "temperature sensor " + row + " select", deadline, why);
        if (!sel) {
            if (!answered_) co_return fail(why);
            out.unavailable(m, MetricStatus::error, why, row);
            co_return true;
        }
        auto selected = nec::decode_parameter_reply(*sel);
        if (selected.value && !selected.value->supported) unsupported_sensors_[sensor] = poll_count_;
        if (!selected.value || !selected.value->supported) {
            out.unavailable(m, selected.value ? MetricStatus::no_such_object : MetricStatus::error,
                            selected.value ? "display reports temperature sensor " + row + " unsupported"
                                           : selected.error,
                            row);
            co_return true;
        }
        auto frame = co_await ask(nec::build_read_temperature(monitor_id_), nec::MessageType::get_reply,
                                  "temperature read", deadline, why);
        if (!frame) {
            out.unavailable(m, MetricStatus::error, why, row);
            co_return true;
        }
        auto d = nec::decode_parameter_reply(*frame);
        if (!d.value) out.unavailable(m, MetricStatus::error, d.error, row);
        else if (!d.value->supported)
            out.unavailable(m, MetricStatus::no_such_object, "display reports temperature read unsupported", row);
        else out.number(m, nec::temperature_celsius(d.value->current), row);
        co_return true;
    }

    awaitable<bool> read_parameter(const MetricDef& m, std::uint8_t page, std::uint8_t code, SteadyTime deadline,
                                   ResultWriter& out) {
        std::string why;
        auto frame = co_await ask(nec::build_get_parameter(monitor_id_, page, code), nec::MessageType::get_reply,
                                  "get parameter " + m.source.substr(6), deadline, why);
        if (!frame) {
            if (!answered_) co_return fail(why);
            out.unavailable(m, MetricStatus::error, why);
            co_return true;
        }
        auto d = nec::decode_parameter_reply(*frame);
        if (!d.value) out.unavailable(m, MetricStatus::error, d.error);
        else if (!d.value->supported)
            out.unavailable(m, MetricStatus::no_such_object, "display reports parameter " + m.source.substr(6) + " unsupported");
        else out.number(m, d.value->current);
        co_return true;
    }

    std::string device_id_;
    int monitor_id_;
    std::vector<MetricDef> metrics_;
    std::vector<Item> items_;
    display_control::Session session_;

    static constexpr std::uint64_t recheck_unsupported_polls = 60;
    std::uint64_t poll_count_ = 0;
    std::map<int, std::uint64_t> unsupported_sensors_;  // sensor -> poll that found it missing

    // Per poll: each request is sent once even when several metrics use it.
    bool answered_ = false;
    std::string failure_;
    bool power_done_ = false, diag_done_ = false;
    nec::PowerStatus power_;
    std::string power_error_;
    nec::SelfDiagnosis diag_;
    std::string diag_error_;
};

}  // namespace

std::vector<config::MetricDef> default_nec_metrics() {
    using display_control::metric;
    using K = MetricDef::Kind;
    auto temp = metric("temperature_c", "temperature");
    temp.unit = "C";
    return {
        metric("power_state", "power", K::state),
        metric("power_mode", "power_mode", K::state),
        metric("diagnosis_code", "diagnosis", K::state),
        metric("diagnosis", "diagnosis", K::fact),
        temp,
    };
}

std::unique_ptr<Probe> make_nec_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile) {
    display_control::SessionOptions o;
    o.request_gap = nec_request_gap;
    return make_nec_probe(std::move(ex), device, profile, o);
}

std::unique_ptr<Probe> make_nec_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      const config::Profile& profile, display_control::SessionOptions options) {
    return std::make_unique<NecProbe>(std::move(ex), device, profile, options);
}

}  // namespace avmon::probes
