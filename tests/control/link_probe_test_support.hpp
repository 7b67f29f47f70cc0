#pragma once
// Shared by the PJLink and Shure probe tests: device configs and polling through a probe.
#include <optional>

#include "probes/control/control_probe.hpp"
#include "tests/control/link_test_support.hpp"

namespace avmon::testing {

inline config::DeviceConfig control_device(std::string protocol, int port) {
    config::DeviceConfig d;
    d.id = "test-" + protocol;
    d.address = "127.0.0.1";
    d.where = {"avmon.toml", 42, 1};
    config::ControlTarget c;
    c.protocol = std::move(protocol);
    c.tcp_port = static_cast<std::uint16_t>(port);
    c.timeout = std::chrono::milliseconds(1000);
    d.control = c;
    return d;
}

inline PollResult poll_once(asio::io_context& io, probes::Probe& probe,
                            std::chrono::milliseconds budget = std::chrono::seconds(3)) {
    return run_coro(io, probe.poll(std::chrono::steady_clock::now() + budget), budget + std::chrono::seconds(2));
}

inline std::optional<double> sample(const PollResult& r, std::string_view metric) {
    for (const auto& s : r.samples)
        if (s.metric == metric) return s.value;
    return std::nullopt;
}

inline std::optional<std::string> fact(const PollResult& r, std::string_view key) {
    for (const auto& f : r.facts)
        if (f.key == key) return f.value;
    return std::nullopt;
}

inline const MetricState* state(const PollResult& r, std::string_view metric) {
    for (const auto& s : r.unavailable)
        if (s.metric == metric) return &s;
    return nullptr;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string sim_path(const char* name) { return std::string(AVMON_SOURCE_DIR) + "/tests/sims/" + name; }

}  // namespace avmon::testing
