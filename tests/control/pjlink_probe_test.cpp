// The PJLink probe against tests/sims/pjlink_sim.py over loopback TCP.
#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/control/pjlink_probe.hpp"
#include "probes/link/tcp_link.hpp"
#include "tests/control/link_probe_test_support.hpp"

using namespace avmon;
using namespace avmon::testing;
using namespace std::chrono_literals;

namespace {

struct CaptureSink : log::Sink {
    std::shared_ptr<std::vector<log::Entry>> out;
    explicit CaptureSink(std::shared_ptr<std::vector<log::Entry>> o) : out(std::move(o)) {}
    void write(const log::Entry& e) override { out->push_back(e); }
};

struct Sim {
    std::string dir = make_temp_dir("pjlink");
    Child child;
    int port = 0;
    std::string log = dir + "/commands.log";
    explicit Sim(std::vector<std::string> extra) {
        std::vector<std::string> argv{"/usr/bin/python3", sim_path("pjlink_sim.py"), "--log", log};
        argv.insert(argv.end(), extra.begin(), extra.end());
        port = start_sim(child, argv, dir);
    }
    ~Sim() {
        child.stop();
        std::filesystem::remove_all(dir);
    }
};

struct Run {
    asio::io_context io;
    std::unique_ptr<probes::Probe> probe;
    Run(int port, std::string password = {}, config::Profile profile = {}) {
        auto device = control_device("pjlink", port);
        device.control->password = std::move(password);
        probe = probes::make_control_probe(io.get_executor(), device, profile);
    }
    PollResult poll(std::chrono::milliseconds budget = 3s) { return poll_once(io, *probe, budget); }
};

}  // namespace

TEST_CASE("control pjlink probe: class 1 projector, normal values", "[control][pjlink]") {
    Sim sim({"--errors", "010200", "--lamps", "1500 1 700 0"});
    Run run(sim.port);
    CHECK(run.probe->kind() == "pjlink");
    auto r = run.poll();
    INFO(r.error);
    REQUIRE(r.reachable);
    CHECK(r.error.empty());
    CHECK(sample(r, "power_state") == 1);
    CHECK(sample(r, "error_fan") == 0);
    CHECK(sample(r, "error_lamp") == 1);
    CHECK(sample(r, "error_temperature") == 0);
    CHECK(sample(r, "error_cover") == 2);
    CHECK(sample(r, "error_filter") == 0);
    CHECK(sample(r, "error_other") == 0);
    CHECK(sample(r, "lamp_hours.1") == 1500);
    CHECK(sample(r, "lamp_on.1") == 1);
    CHECK(sample(r, "lamp_hours.2") == 700);
    CHECK(sample(r, "lamp_on.2") == 0);
    CHECK(sample(r, "video_mute") == 0);
    CHECK(fact(r, "input") == "31");
    CHECK(fact(r, "name") == "Boardroom Projector");
    CHECK(fact(r, "manufacturer") == "SIMULATOR");
    // Class 2 filter hours on a class 1 projector: not available, and not queried.
    REQUIRE(state(r, "filter_hours"));
    CHECK(state(r, "filter_hours")->status == MetricStatus::no_such_object);
    CHECK(read_file(sim.log).find("FILT") == std::string::npos);
    for (const auto& s : r.samples) CHECK(s.device == "test-pjlink");
}

TEST_CASE("control pjlink probe: class 2 filter hours and inventory", "[control][pjlink]") {
    Sim sim({"--class", "2", "--filter", "4321"});
    Run run(sim.port);
    auto r = run.poll();
    REQUIRE(r.reachable);
    CHECK(sample(r, "filter_hours") == 4321);
    CHECK(fact(r, "pjlink_class") == "2");
    // The second poll opens a fresh connection (per-poll sessions) and works the same.
    auto again = run.poll();
    CHECK(sample(again, "filter_hours") == 4321);
}

TEST_CASE("control pjlink probe: authentication with the right password", "[control][pjlink]") {
    Sim sim({"--password", "JBMIAProjectorLink"});
    Run run(sim.port, "JBMIAProjectorLink");
    auto r = run.poll();
    INFO(r.error);
    REQUIRE(r.error.empty());
    CHECK(sample(r, "power_state") == 1);
    // Only the first command of the session carries the 32-hex-digit digest.
    auto log = read_file(sim.log);
    auto first_line = log.substr(0, log.find('\n'));
    CHECK(first_line.size() == 2 + 32 + 8);  // quotes + digest + "%1POWR ?"
    CHECK(log.find("'%1ERST ?'") != std::string::npos);
}

TEST_CASE("control pjlink probe: a wrong password gives a clear error without the secret", "[control][pjlink]") {
    Sim sim({"--password", "right-secret"});
    Run run(sim.port, "wrong-secret");
    auto r = run.poll();
    CHECK(r.reachable);  // the projector answers; it refuses us
    CHECK(r.error.find("authentication failed") != std::string::npos);
    CHECK(r.error.find("secret") == std::string::npos);
    CHECK(r.samples.empty());
    REQUIRE(state(r, "power_state"));
    CHECK(state(r, "power_state")->detail.find("authentication failed") != std::string::npos);
    for (const auto& s : r.unavailable) CHECK(s.detail.find("secret") == std::string::npos);
}

TEST_CASE("control pjlink probe: a rejected password is logged once per device, without it, and again on recovery",
          "[control][pjlink]") {
    auto logs = std::make_shared<std::vector<log::Entry>>();
    log::set_sink(std::make_unique<CaptureSink>(logs));
    struct RestoreSink {
        ~RestoreSink() { log::set_sink(nullptr); }
    } restore;
    auto lines = [&] {
        std::vector<log::Entry> out;
        for (const auto& e : *logs)
            if (e.message_id == msgid::probe_error) out.push_back(e);
        return out;
    };
    auto device_field = [](const log::Entry& e) {
        for (const auto& f : e.fields)
            if (f.name == "AVMON_DEVICE") return f.value;
        return std::string();
    };

    ManualClock clock(from_unix_ms(1'790'000'000'000));
    auto sim = std::make_unique<Sim>(std::vector<std::string>{"--password", "projector-pw"});
    const int port = sim->port;
    asio::io_context io;
    link::LinkOptions options;
    options.device_id = "proj-7";
    auto link = link::TcpLink::create(io.get_executor(), "127.0.0.1", static_cast<std::uint16_t>(port),
                                      link::TcpLink::Mode::per_poll, options);
    probes::PjlinkProbe probe("proj-7", link, "stale-pw-42", {}, 1000ms, &clock);

    for (int i = 0; i < 3; ++i) {
        auto r = poll_once(io, probe);
        CHECK(r.reachable);
        CHECK(r.error.find("rejected the password") != std::string::npos);
        clock.advance(30s);
    }
    auto seen = lines();
    REQUIRE(seen.size() == 1);  // three refused polls, one line
    CHECK(seen[0].priority == log::Priority::warning);
    CHECK(device_field(seen[0]) == "proj-7");
    CHECK_THAT(seen[0].text, Catch::Contains("proj-7") && Catch::Contains("rejected the password"));

    // Still refused five minutes later: one back-off reminder naming since when.
    clock.advance(5min);
    poll_once(io, probe);
    poll_once(io, probe);
    seen = lines();
    REQUIRE(seen.size() == 2);
    CHECK_THAT(seen[1].text, Catch::Contains("still refused since"));

    // The projector's password is changed to what avmon has: one recovery line, then silence.
    sim.reset();
    Sim fixed({"--port", std::to_string(port), "--password", "stale-pw-42"});
    REQUIRE(fixed.port == port);
    auto r = poll_once(io, probe);
    INFO(r.error);
    CHECK(r.error.empty());
    poll_once(io, probe);
    seen = lines();
    REQUIRE(seen.size() == 3);
    CHECK(seen[2].priority == log::Priority::notice);
    CHECK(device_field(seen[2]) == "proj-7");
    CHECK_THAT(seen[2].text, Catch::Contains("accepts the session again"));

    for (const auto& e : *logs) {
        CHECK(e.text.find("stale-pw-42") == std::string::npos);
        CHECK(e.text.find("projector-pw") == std::string::npos);
        for (const auto& f : e.fields) CHECK(f.value.find("stale-pw-42") == std::string::npos);
    }
}

TEST_CASE("control pjlink probe: a projector that wants a password when none is configured", "[control][pjlink]") {
    Sim sim({"--password", "pw123"});
    Run run(sim.port);
    auto r = run.poll();
    CHECK(r.error.find("none is configured") != std::string::npos);
    CHECK(r.samples.empty());
}

TEST_CASE("control pjlink probe: laser projector answers LAMP with ERR1 -> unavailable, not an error",
          "[control][pjlink]") {
    Sim sim({"--laser"});
    Run run(sim.port);
    auto r = run.poll();
    CHECK(r.error.empty());
    CHECK_FALSE(sample(r, "lamp_hours.1"));
    REQUIRE(state(r, "lamp_hours"));
    CHECK(state(r, "lamp_hours")->status == MetricStatus::no_such_object);
    CHECK(state(r, "lamp_hours")->detail.find("ERR1") != std::string::npos);
    CHECK(sample(r, "power_state") == 1);
}

TEST_CASE("control pjlink probe: a garbage reply spoils only its own metric", "[control][pjlink]") {
    Sim sim({"--garbage"});
    Run run(sim.port);
    auto r = run.poll();
    CHECK(r.reachable);
    CHECK_FALSE(sample(r, "power_state"));
    REQUIRE(state(r, "power_state"));
    CHECK(state(r, "power_state")->status == MetricStatus::error);
    CHECK(state(r, "power_state")->detail.find("'Z'") != std::string::npos);
    CHECK(sample(r, "error_fan") == 0);
    CHECK(sample(r, "lamp_hours.1") == 1200);
}

TEST_CASE("control pjlink probe: a reply stalled mid-frame ends at the deadline", "[control][pjlink]") {
    Sim sim({"--stall-after", "13"});  // "PJLINK 0\r" + "%1PO"
    Run run(sim.port);
    auto start = std::chrono::steady_clock::now();
    auto r = run.poll(3s);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 900ms);  // the request timeout (1 s) ...
    CHECK(took < 2500ms);  // ... not the whole poll budget
    CHECK(r.reachable);
    CHECK(r.error.find("incomplete at the deadline") != std::string::npos);
    REQUIRE(state(r, "power_state"));
    CHECK(state(r, "error_fan"));
}

TEST_CASE("control pjlink probe: the poll deadline wins over the request timeout", "[control][pjlink]") {
    Sim sim({"--stall-after", "9"});  // greeting only, then silence
    Run run(sim.port);
    auto start = std::chrono::steady_clock::now();
    auto r = run.poll(400ms);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took < 900ms);
    CHECK(r.error.find("no reply before the deadline") != std::string::npos);
}

TEST_CASE("control pjlink probe: nobody listening -> unreachable", "[control][pjlink]") {
    asio::io_context io;
    asio::ip::tcp::socket holder(io);  // bound, not listening: connections are refused
    holder.open(asio::ip::tcp::v4());
    holder.bind({asio::ip::make_address("127.0.0.1"), 0});
    Run run(holder.local_endpoint().port());
    auto r = run.poll();
    CHECK_FALSE(r.reachable);
    CHECK(r.error.find("refused") != std::string::npos);
}

TEST_CASE("control pjlink probe: a profile picks the items; unknown items are config errors", "[control][pjlink]") {
    Sim sim({});
    config::Profile profile;
    profile.name = "pjlink-projector";
    config::MetricDef power;
    power.name = "power";
    power.source = "POWR";
    power.kind = config::MetricDef::Kind::state;
    profile.metrics.push_back(power);
    Run run(sim.port, {}, profile);
    auto r = run.poll();
    CHECK(sample(r, "power") == 1);
    CHECK(r.samples.size() == 1);
    CHECK(read_file(sim.log).find("ERST") == std::string::npos);

    config::MetricDef bad = power;
    bad.source = "LAMP.colour";
    bad.where = {"profiles/pjlink-projector.toml", 7, 1};
    profile.metrics = {bad};
    asio::io_context io;
    auto device = control_device("pjlink", sim.port);
    CHECK_THROWS_WITH(probes::make_control_probe(io.get_executor(), device, profile),
                      Catch::Contains("profiles/pjlink-projector.toml:7") && Catch::Contains("LAMP.colour"));
}

TEST_CASE("control pjlink probe: the shipped profile loads and drives the probe", "[control][pjlink]") {
    auto loaded = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/pjlink-projector.toml");
    for (const auto& e : loaded.errors) FAIL(e.to_string());
    REQUIRE(loaded.ok());
    CHECK(loaded.profile->protocol == "pjlink");
    Sim sim({"--class", "2", "--errors", "000001"});
    Run run(sim.port, {}, *loaded.profile);
    auto r = run.poll();
    CHECK(r.error.empty());
    CHECK(sample(r, "power_state") == 1);
    CHECK(sample(r, "error_other") == 1);
    CHECK(sample(r, "lamp_hours.1") == 1200);
    CHECK(sample(r, "filter_hours") == 123);
    CHECK(fact(r, "product") == "PJ-SIM 2000");
    CHECK(r.unavailable.empty());
}

TEST_CASE("control factory: unknown protocols, missing control sections and wrong transports are named errors",
          "[control][pjlink]") {
    asio::io_context io;
    auto device = control_device("sony-ssip", 4352);
    CHECK_THROWS_WITH(probes::make_control_probe(io.get_executor(), device, config::Profile{}),
                      Catch::Contains("device test-sony-ssip (avmon.toml:42)") &&
                          Catch::Contains("'sony-ssip' is not supported in this build"));
    device.control.reset();
    CHECK_THROWS_WITH(probes::make_control_probe(io.get_executor(), device, config::Profile{}),
                      Catch::Contains("no [device.control] section"));
    auto serial_pjlink = control_device("pjlink", 4352);
    serial_pjlink.control->serial = config::SerialLink{};
    CHECK_THROWS_WITH(probes::make_control_probe(io.get_executor(), serial_pjlink, config::Profile{}),
                      Catch::Contains("TCP only"));
    auto shure_all = control_device("shure", 2202);
    shure_all.control->channels = {0};
    CHECK_THROWS_WITH(probes::make_control_probe(io.get_executor(), shure_all, config::Profile{}),
                      Catch::Contains("out of range"));
}
