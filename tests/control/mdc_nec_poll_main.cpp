// Test driver: polls one MDC or NEC display (serial or TCP) with the real probe and prints
// what it saw, one line per item, so the shell tests can assert on it while they start, stop,
// unplug and replug simulators.
//
//   mdc_nec_poll --protocol mdc|nec (--serial PATH | --tcp PORT) [--id N] [--polls N]
//                [--interval-ms N] [--timeout-ms N] [--deadline-ms N] [--gap-ms N] [--backoff-ms N]
//                [--stop-when reachable|unreachable] [--wait-file PATH]
//                [--metric NAME=SOURCE[*SCALE]]... [--fact NAME=SOURCE]... [--factory-defaults 1]
// --factory-defaults 1 uses the 3-argument factories (the daemon's pacing and back-off).
// Without --metric/--fact the probe uses its defaults (the shipped profile's metrics).
// Output per poll: "poll <n> reachable=<0|1> elapsed_ms=<n>", "error <text>",
// "sample <metric> <value>", "unavailable <metric> <status> <detail>", "fact <key> <value>",
// then "end <n>". With --wait-file, before each poll after the first it waits until PATH
// exists (and deletes it), so a script can change the world between polls.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "daemon/core/asio.hpp"
#include "probes/control/mdc_probe.hpp"
#include "probes/control/nec_probe.hpp"

using namespace avmon;

namespace {
const char* status_name(MetricStatus s) {
    switch (s) {
    case MetricStatus::ok: return "ok";
    case MetricStatus::no_such_object: return "no_such_object";
    case MetricStatus::no_such_instance: return "no_such_instance";
    case MetricStatus::end_of_view: return "end_of_view";
    case MetricStatus::error: return "error";
    case MetricStatus::unknown_value: return "unknown_value";
    }
    return "?";
}
}  // namespace

int main(int argc, char** argv) {
    std::string protocol = "mdc", serial, stop_when, wait_file;
    config::Profile profile;  // no metrics: the probe's defaults (= the shipped profiles)
    bool factory_defaults = false;
    int tcp = 0, id = -1, polls = 1, interval_ms = 200, timeout_ms = 1000, deadline_ms = 5000, gap_ms = 0,
        backoff_ms = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--protocol") protocol = v;
        else if (k == "--serial") serial = v;
        else if (k == "--tcp") tcp = std::stoi(v);
        else if (k == "--id") id = std::stoi(v);
        else if (k == "--polls") polls = std::stoi(v);
        else if (k == "--interval-ms") interval_ms = std::stoi(v);
        else if (k == "--timeout-ms") timeout_ms = std::stoi(v);
        else if (k == "--deadline-ms") deadline_ms = std::stoi(v);
        else if (k == "--gap-ms") gap_ms = std::stoi(v);
        else if (k == "--backoff-ms") backoff_ms = std::stoi(v);
        else if (k == "--stop-when") stop_when = v;
        else if (k == "--wait-file") wait_file = v;
        else if (k == "--factory-defaults") factory_defaults = v == "1";
        else if (k == "--metric" || k == "--fact") {
            config::MetricDef m;
            auto eq = v.find('=');
            m.name = v.substr(0, eq);
            m.source = eq == std::string::npos ? "" : v.substr(eq + 1);
            if (auto star = m.source.find('*'); star != std::string::npos) {
                m.scale = std::stod(m.source.substr(star + 1));
                m.source.resize(star);
            }
            m.kind = k == "--fact" ? config::MetricDef::Kind::fact : config::MetricDef::Kind::gauge;
            profile.metrics.push_back(m);
        }
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    config::DeviceConfig device;
    device.id = "test-display";
    config::ControlTarget control;
    control.protocol = protocol;
    control.display_id = id >= 0 ? id : (protocol == "nec" ? 1 : 0);
    control.timeout = std::chrono::milliseconds(timeout_ms);
    if (!serial.empty()) control.serial = config::SerialLink{serial};
    else {
        control.tcp_port = static_cast<std::uint16_t>(tcp);
        device.address = "127.0.0.1";
    }
    device.control = control;
    profile.protocol = protocol;

    probes::display_control::SessionOptions options;
    options.request_gap = std::chrono::milliseconds(gap_ms);
    options.initial_backoff = std::chrono::milliseconds(backoff_ms);
    options.max_backoff = std::chrono::milliseconds(backoff_ms * 4);

    asio::io_context io;
    int rc = 0;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            auto probe = factory_defaults ? (protocol == "nec" ? probes::make_nec_probe(ex, device, profile)
                                                               : probes::make_mdc_probe(ex, device, profile))
                                          : (protocol == "nec" ? probes::make_nec_probe(ex, device, profile, options)
                                                               : probes::make_mdc_probe(ex, device, profile, options));
            for (int n = 1; n <= polls; ++n) {
                if (n > 1 && !wait_file.empty()) {
                    while (!std::filesystem::exists(wait_file)) {
                        asio::steady_timer t(ex, std::chrono::milliseconds(20));
                        co_await t.async_wait(asio::use_awaitable);
                    }
                    std::filesystem::remove(wait_file);
                }
                const auto start = std::chrono::steady_clock::now();
                auto r = co_await probe->poll(start + std::chrono::milliseconds(deadline_ms));
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
                std::printf("poll %d reachable=%d elapsed_ms=%lld\n", n, r.reachable ? 1 : 0,
                            static_cast<long long>(ms));
                if (!r.error.empty()) std::printf("error %s\n", r.error.c_str());
                for (const auto& s : r.samples) std::printf("sample %s %g\n", s.metric.c_str(), s.value);
                for (const auto& u : r.unavailable)
                    std::printf("unavailable %s %s %s\n", u.metric.c_str(), status_name(u.status), u.detail.c_str());
                for (const auto& f : r.facts) std::printf("fact %s %s\n", f.key.c_str(), f.value.c_str());
                std::printf("end %d\n", n);
                std::fflush(stdout);
                if ((stop_when == "reachable" && r.reachable) || (stop_when == "unreachable" && !r.reachable)) break;
                if (n == polls && !stop_when.empty()) rc = 1;  // never reached the awaited state
                asio::steady_timer t(ex, std::chrono::milliseconds(interval_ms));
                co_await t.async_wait(asio::use_awaitable);
            }
        },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    std::printf("exception %s\n", x.what());
                    rc = 3;
                }
            }
            io.stop();  // the links' background reopen loops would keep run() busy
        });
    io.run();
    return rc;
}
