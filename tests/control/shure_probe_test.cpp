// The Shure probe against tests/sims/shure_sim.py (which pushes unsolicited reports).
#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "tests/control/link_probe_test_support.hpp"

using namespace avmon;
using namespace avmon::testing;
using namespace std::chrono_literals;

namespace {

struct Sim {
    std::string dir = make_temp_dir("shure");
    Child child;
    int port = 0;
    std::string log = dir + "/commands.log";
    std::vector<std::string> extra;
    explicit Sim(std::vector<std::string> options) : extra(std::move(options)) { start(); }
    void start(int fixed_port = 0) {
        std::vector<std::string> argv{"/usr/bin/python3", sim_path("shure_sim.py"), "--log", log,
                                      "--port", std::to_string(fixed_port)};
        argv.insert(argv.end(), extra.begin(), extra.end());
        port = start_sim(child, argv, dir);
    }
    ~Sim() {
        child.stop();
        std::filesystem::remove_all(dir);
    }
};

config::Profile profile_with(std::string name, std::vector<std::tuple<std::string, std::string, config::MetricDef::Kind>> ms) {
    config::Profile p;
    p.name = std::move(name);
    p.protocol = "shure";
    for (auto& [n, s, k] : ms) {
        config::MetricDef m;
        m.name = n;
        m.source = s;
        m.kind = k;
        p.metrics.push_back(m);
    }
    return p;
}

}  // namespace

TEST_CASE("control shure probe: ULX-D battery and RF per channel, despite pushed reports", "[control][shure]") {
    Sim sim({"--push-interval", "5"});
    asio::io_context io;
    auto device = control_device("shure", sim.port);
    device.control->channels = {1, 2};
    auto probe = probes::make_control_probe(io.get_executor(), device, config::Profile{});
    CHECK(probe->kind() == "shure");
    auto r = poll_once(io, *probe);
    INFO(r.error);
    REQUIRE(r.reachable);
    CHECK(r.error.empty());
    CHECK(sample(r, "battery_charge.ch1") == 87);
    CHECK(sample(r, "battery_charge.ch2") == 45);
    CHECK(sample(r, "battery_bars.ch1") == 4);
    CHECK(sample(r, "battery_minutes.ch1") == 245);
    CHECK(sample(r, "battery_minutes.ch2") == 90);
    CHECK(sample(r, "rf_level.ch1") == -28);
    CHECK(sample(r, "rf_interference.ch1") == 0);
    CHECK(sample(r, "rf_interference.ch2") == 1);
    CHECK(sample(r, "audio_mute.ch2") == 1);
    CHECK(fact(r, "transmitter_type.ch1") == "ULXD2");
    CHECK(fact(r, "channel_name.ch1") == "Lead Vox");
    CHECK(fact(r, "model") == "ULXD4D");
    CHECK(fact(r, "firmware") == "2.3.40");
    CHECK(r.unavailable.empty());

    // A second poll reuses the one persistent connection.
    auto again = poll_once(io, *probe);
    CHECK(sample(again, "battery_charge.ch1") == 87);
    auto log = read_file(sim.log);
    std::size_t connects = 0;
    for (auto p = log.find("CONNECT"); p != std::string::npos; p = log.find("CONNECT", p + 1)) ++connects;
    CHECK(connects == 1);
    // Poll only: nothing but GETs ever reached the device, and never metering.
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line == "CONNECT") continue;
        CHECK(line.rfind("GET ", 0) == 0);
        CHECK(line.find("METER") == std::string::npos);
        CHECK(line.find("SAMPLE") == std::string::npos);
    }
}

TEST_CASE("control shure probe: unknown battery and transmitter values are metric states, not numbers",
          "[control][shure]") {
    Sim sim({"--unknown-battery"});
    asio::io_context io;
    auto device = control_device("shure", sim.port);
    device.control->channels = {1};
    auto probe = probes::make_control_probe(io.get_executor(), device, config::Profile{});
    auto r = poll_once(io, *probe);
    REQUIRE(r.reachable);
    for (auto metric : {"battery_charge.ch1", "battery_bars.ch1", "battery_minutes.ch1", "transmitter_type.ch1"}) {
        INFO(metric);
        CHECK_FALSE(sample(r, metric));
        CHECK_FALSE(fact(r, metric));
        REQUIRE(state(r, metric));
        CHECK(state(r, metric)->status == MetricStatus::unknown_value);
    }
    CHECK(state(r, "battery_charge.ch1")->detail.find("255") != std::string::npos);
    CHECK(sample(r, "rf_level.ch1") == -28);  // the receiver itself still reports
}

TEST_CASE("control shure probe: MXA device mute and two-digit channels", "[control][shure]") {
    Sim sim({"--mxa", "--muted"});
    asio::io_context io;
    auto device = control_device("shure", sim.port);
    device.control->channels = {1, 2};
    using K = config::MetricDef::Kind;
    auto profile = profile_with("shure-mxa", {{"device_mute", "DEVICE_AUDIO_MUTE", K::state},
                                              {"audio_mute", "AUDIO_MUTE", K::state},
                                              {"led_muted", "LED_STATE_MUTED", K::fact},
                                              {"no_such", "FOO_BAR", K::gauge}});
    auto probe = probes::make_control_probe(io.get_executor(), device, profile);
    auto r = poll_once(io, *probe);
    REQUIRE(r.reachable);
    CHECK(sample(r, "device_mute") == 1);
    CHECK(sample(r, "audio_mute.ch1") == 0);
    CHECK(sample(r, "audio_mute.ch2") == 0);
    CHECK(fact(r, "led_muted") == "RED");
    // A parameter the device does not know: it answers ERR, the metric is unavailable.
    REQUIRE(state(r, "no_such.ch1"));
    CHECK(state(r, "no_such.ch1")->detail.find("ERR") != std::string::npos);
    auto log = read_file(sim.log);
    CHECK(log.find("GET 01 AUDIO_MUTE") != std::string::npos);
    CHECK(log.find("GET 02 AUDIO_MUTE") != std::string::npos);
    CHECK(log.find("GET DEVICE_AUDIO_MUTE") != std::string::npos);
}

TEST_CASE("control shure probe: device restart -> unreachable, then reconnects by itself", "[control][shure]") {
    Sim sim({});
    asio::io_context io;
    auto device = control_device("shure", sim.port);
    device.control->channels = {1};
    auto probe = probes::make_control_probe(io.get_executor(), device, config::Profile{});
    REQUIRE(poll_once(io, *probe).reachable);

    int port = sim.port;
    sim.child.stop();
    auto down = poll_once(io, *probe, 1500ms);
    CHECK_FALSE(down.reachable);
    CHECK_FALSE(down.error.empty());
    CHECK_FALSE(state(down, "battery_charge.ch1") == nullptr);

    sim.start(port);
    bool back = false;
    for (int i = 0; i < 20 && !back; ++i) {
        auto r = poll_once(io, *probe, 1000ms);
        back = r.reachable && sample(r, "battery_charge.ch1") == 87;
        if (!back) run_until(io, [] { return false; }, 300ms);
    }
    CHECK(back);
}

TEST_CASE("control shure probe: the shipped profiles load and drive the probe", "[control][shure]") {
    auto wireless = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/shure-wireless.toml");
    for (const auto& e : wireless.errors) FAIL(e.to_string());
    REQUIRE(wireless.ok());
    auto mxa = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/shure-mxa.toml");
    for (const auto& e : mxa.errors) FAIL(e.to_string());
    REQUIRE(mxa.ok());

    Sim ulxd({});
    asio::io_context io;
    auto device = control_device("shure", ulxd.port);
    device.control->channels = {1, 2};
    auto probe = probes::make_control_probe(io.get_executor(), device, *wireless.profile);
    auto r = poll_once(io, *probe);
    CHECK(r.error.empty());
    CHECK(sample(r, "battery_charge.ch2") == 45);
    CHECK(sample(r, "rf_interference.ch2") == 1);
    CHECK(sample(r, "audio_mute.ch1") == 0);
    CHECK(r.unavailable.empty());

    Sim array({"--mxa"});
    auto mxa_device = control_device("shure", array.port);
    mxa_device.control->channels = {1};
    auto mxa_probe = probes::make_control_probe(io.get_executor(), mxa_device, *mxa.profile);
    auto m = poll_once(io, *mxa_probe);
    CHECK(m.error.empty());
    CHECK(sample(m, "device_mute") == 0);
    CHECK(sample(m, "audio_mute.ch1") == 0);
    CHECK(fact(m, "led_state_unmuted") == "GREEN");
    CHECK(sample(m, "preset") == 1);
    CHECK(fact(m, "model") == "MXA910");
    CHECK(m.unavailable.empty());
}
