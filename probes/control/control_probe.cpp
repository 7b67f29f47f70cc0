#include "probes/control/control_probe.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "probes/control/pjlink_probe.hpp"
#include "probes/control/shure_probe.hpp"
#if __has_include("probes/control/mdc_probe.hpp")
#include "probes/control/mdc_probe.hpp"
#define AVMON_HAVE_MDC_PROBE 1
#endif
#if __has_include("probes/control/nec_probe.hpp")
#include "probes/control/nec_probe.hpp"
#define AVMON_HAVE_NEC_PROBE 1
#endif

namespace avmon::probes {

std::unique_ptr<Probe> make_control_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                          const config::Profile& profile) {
    if (!device.control)
        throw std::invalid_argument(control::where(device) + ": no [device.control] section");
    const std::string& protocol = device.control->protocol;
    if (protocol == "pjlink") return make_pjlink_probe(ex, device, profile);
    if (protocol == "shure") return make_shure_probe(ex, device, profile);
#ifdef AVMON_HAVE_MDC_PROBE
    if (protocol == "mdc") return make_mdc_probe(ex, device, profile);
#endif
#ifdef AVMON_HAVE_NEC_PROBE
    if (protocol == "nec") return make_nec_probe(ex, device, profile);
#endif
    throw std::invalid_argument(control::where(device) + ": control protocol '" + protocol +
                                "' is not supported in this build");
}

namespace control {

config::MetricDef metric_def(std::string name, std::string source, config::MetricDef::Kind kind, std::string unit) {
    config::MetricDef m;
    m.name = std::move(name);
    m.source = std::move(source);
    m.kind = kind;
    m.unit = std::move(unit);
    return m;
}

SourceRef parse_source(const std::string& source) {
    auto dot = source.find('.');
    if (dot == std::string::npos) return {source, {}};
    return {source.substr(0, dot), source.substr(dot + 1)};
}

std::string where(const config::DeviceConfig& device) {
    std::string w = "device " + device.id;
    if (!device.where.file.empty()) w += " (" + device.where.file + ":" + std::to_string(device.where.line) + ")";
    return w;
}

namespace {

bool matches(const Reading& r, const SourceRef& ref) { return r.item == ref.item && r.field == ref.field; }

std::optional<double> map_text(const config::MetricDef& m, const std::string& text) {
    if (auto it = m.value_map.find(text); it != m.value_map.end()) return it->second;
    for (const auto& [key, value] : m.value_map) {
        if (key.size() == text.size() &&
            std::equal(key.begin(), key.end(), text.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return value;
    }
    return std::nullopt;
}

std::string format_number(double v) {
    if (v == static_cast<double>(static_cast<long long>(v))) return std::to_string(static_cast<long long>(v));
    return std::to_string(v);
}

}  // namespace

void apply_readings(const std::vector<Reading>& readings, const std::vector<config::MetricDef>& metrics,
                    const std::string& device_id, SysTime time, PollResult& out) {
    for (const auto& m : metrics) {
        const SourceRef ref = parse_source(m.source);
        for (const auto& r : readings) {
            if (!matches(r, ref)) continue;
            const std::string name = r.row.empty() ? m.name : m.name + "." + r.row;
            if (r.status != MetricStatus::ok) {
                out.unavailable.push_back({name, r.status, r.detail});
                continue;
            }
            if (m.kind == config::MetricDef::Kind::fact) {
                out.facts.push_back({name, !r.text.empty() || !r.number ? r.text : format_number(*r.number)});
                continue;
            }
            std::optional<double> value;
            if (!r.text.empty() && !m.value_map.empty()) value = map_text(m, r.text);
            if (!value && r.number) value = *r.number;
            if (!value) {
                out.unavailable.push_back({name, MetricStatus::error, "value '" + r.text + "' is not a number" +
                                                                       (m.value_map.empty() ? "" : " nor in values")});
                continue;
            }
            out.samples.push_back({device_id, name, time, *value * m.scale});
        }
    }
}

void mark_unread(const std::vector<config::MetricDef>& metrics, const std::vector<Reading>& readings,
                 MetricStatus status, const std::string& detail, PollResult& out) {
    for (const auto& m : metrics) {
        const SourceRef ref = parse_source(m.source);
        bool read = std::any_of(readings.begin(), readings.end(), [&](const Reading& r) { return matches(r, ref); });
        if (!read) out.unavailable.push_back({m.name, status, detail});
    }
}

}  // namespace control
}  // namespace avmon::probes
