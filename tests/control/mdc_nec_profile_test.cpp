// The shipped profiles (config/profiles/mdc-display.toml, nec-display.toml) load with the real
// config loader, and name exactly the items the probes read by default; probe construction
// and unknown items fail clearly.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "config/loader.hpp"
#include "daemon/core/asio.hpp"
#include "probes/control/control_probe.hpp"
#include "probes/control/mdc_codec.hpp"
#include "probes/control/mdc_probe.hpp"
#include "probes/control/nec_probe.hpp"

using namespace avmon;

namespace {
config::Profile load(const std::string& name) {
    auto r = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/" + name + ".toml");
    for (const auto& e : r.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(r.ok());
    return *r.profile;
}

void same_metrics(const std::vector<config::MetricDef>& a, const std::vector<config::MetricDef>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].name == b[i].name);
        CHECK(a[i].source == b[i].source);
        CHECK(a[i].kind == b[i].kind);
    }
}
}  // namespace

TEST_CASE("control.mdc profile loads and matches the probe defaults", "[control][mdc]") {
    auto p = load("mdc-display");
    CHECK(p.protocol == "mdc");
    CHECK(p.device_class == config::DeviceClass::display);
    same_metrics(p.metrics, probes::default_mdc_metrics());
    for (const auto& m : p.metrics) {
        INFO(m.source);
        CHECK(mdc::item_command(m.source).has_value());
    }
    CHECK_FALSE(p.rules.empty());
}

TEST_CASE("control.nec profile loads and matches the probe defaults", "[control][nec]") {
    auto p = load("nec-display");
    CHECK(p.protocol == "nec");
    same_metrics(p.metrics, probes::default_nec_metrics());
}

TEST_CASE("control.mdc probe refuses a device without a control target, naming it", "[control][mdc]") {
    asio::io_context io;
    config::DeviceConfig d;
    d.id = "r1-screen";
    d.where = {"avmon.toml", 42, 1};
    config::Profile p;
    try {
        (void)probes::make_mdc_probe(io.get_executor(), d, p);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "device r1-screen (avmon.toml:42): no [device.control] section");
    }
    d.control = config::ControlTarget{};  // TCP without an address
    CHECK_THROWS_WITH(probes::make_nec_probe(io.get_executor(), d, p),
                      Catch::Contains("control over TCP needs an address"));
}

TEST_CASE("control.mdc probe refuses unknown items, naming the profile line", "[control][mdc]") {
    asio::io_context io;
    config::DeviceConfig d;
    d.id = "r1-screen";
    d.address = "127.0.0.1";
    d.control = config::ControlTarget{};
    config::Profile p;
    p.name = "my-display";
    p.metrics.push_back({});
    p.metrics.back().name = "bogus";
    p.metrics.back().source = "no_such_item";
    p.metrics.back().where = {"profiles/my-display.toml", 7, 1};
    CHECK_THROWS_WITH(probes::make_mdc_probe(io.get_executor(), d, p),
                      "device r1-screen, profile my-display (profiles/my-display.toml:7): metric \"bogus\": "
                      "source \"no_such_item\" is not an MDC item");
    p.metrics.back().source = "param:0G79";
    CHECK_THROWS_WITH(probes::make_nec_probe(io.get_executor(), d, p), Catch::Contains("is not an NEC item"));
    p.metrics.back().source = "param:0279";
    CHECK_NOTHROW(probes::make_nec_probe(io.get_executor(), d, p));
}

TEST_CASE("control.mdc probe reports an unreachable display by the deadline", "[control][mdc]") {
    asio::io_context io;
    config::DeviceConfig d;
    d.id = "r1-screen";
    d.address = "127.0.0.1";
    config::ControlTarget c;
    c.protocol = "mdc";
    c.tcp_port = 1;  // nothing listens on loopback port 1: connection refused at once
    c.timeout = std::chrono::milliseconds(500);
    d.control = c;
    config::Profile p;  // defaults
    PollResult r;
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            auto probe = probes::make_mdc_probe(co_await asio::this_coro::executor, d, p);
            CHECK(probe->kind() == "mdc");
            r = co_await probe->poll(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        },
        [&](std::exception_ptr e) {
            io.stop();
            if (e) std::rethrow_exception(e);
        });
    io.run();
    CHECK_FALSE(r.reachable);
    CHECK(r.error.find("POWER: tcp:127.0.0.1:1 is down") != std::string::npos);
    CHECK(r.samples.empty());
}

TEST_CASE("control.mdc and control.nec probes are what make_control_probe builds", "[control][mdc][nec]") {
    asio::io_context io;
    config::DeviceConfig d;
    d.id = "r1-screen";
    d.address = "127.0.0.1";
    config::ControlTarget c;
    c.protocol = "mdc";
    d.control = c;
    config::Profile p;
    CHECK(probes::make_control_probe(io.get_executor(), d, p)->kind() == "mdc");
    d.control->protocol = "nec";
    CHECK(probes::make_control_probe(io.get_executor(), d, p)->kind() == "nec");
}
