// The dead-device fleet: 100 devices polled concurrently on one io_context, 10 of which never
// answer. The cycle must take about timeout x (retries + 1), not ten times that, and the loop
// must never stall. The SNMPv3 run proves engine discovery is asynchronous: with Net-SNMP's
// built-in discovery each dead v3 device would block the loop for the whole timeout.
#include <catch2/catch.hpp>

#include <memory>

#include "probes/snmp/snmp_probe.hpp"
#include "tests/snmp/dead_agent.hpp"
#include "tests/snmp/test_util.hpp"

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;

namespace {

config::Profile fleet_profile() {
    config::Profile p;
    p.name = "fleet";
    p.protocol = "snmp";
    config::MetricDef name;
    name.name = "sys_name";
    name.source = "1.3.6.1.2.1.1.5.0";
    name.kind = config::MetricDef::Kind::fact;
    p.metrics.push_back(name);
    config::MetricDef lamp;
    lamp.name = "extend";
    lamp.source = "1.3.6.1.4.1.8072.1.3.2.3.1.1";
    lamp.kind = config::MetricDef::Kind::state;
    lamp.walk = true;
    lamp.value_map = {{"on", 1}, {"off", 0}};
    p.metrics.push_back(lamp);
    return p;
}

struct FleetOutcome {
    std::chrono::steady_clock::duration cycle{};
    std::chrono::steady_clock::duration worst_loop_lag{};
    int reachable = 0;
    int unreachable = 0;
    int live_with_values = 0;
    std::vector<std::string> dead_errors;
};

FleetOutcome poll_fleet(config::SnmpTarget live_target, config::SnmpTarget dead_target) {
    asio::io_context io;
    std::vector<std::unique_ptr<test::DeadAgent>> dead;
    std::vector<std::unique_ptr<SnmpProbe>> probes;
    std::vector<bool> is_dead;
    auto profile = fleet_profile();
    for (int i = 0; i < 100; ++i) {
        config::DeviceConfig d;
        d.id = "dev-" + std::to_string(i);
        d.address = "127.0.0.1";
        bool dead_one = i % 10 == 3;
        if (dead_one) {
            dead.push_back(std::make_unique<test::DeadAgent>(io));
            d.snmp = dead_target;
            d.snmp->port = dead.back()->port();
        } else {
            d.snmp = live_target;
        }
        probes.push_back(std::make_unique<SnmpProbe>(io.get_executor(), d, profile));
        is_dead.push_back(dead_one);
    }

    FleetOutcome out;
    std::vector<PollResult> results(probes.size());
    std::size_t done = 0;
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + 5s;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        asio::co_spawn(io, probes[i]->poll(deadline), [&, i](std::exception_ptr e, PollResult r) {
            if (e) std::rethrow_exception(e);
            results[i] = std::move(r);
            if (++done == probes.size()) out.cycle = std::chrono::steady_clock::now() - start;
        });
    }
    // A 10 ms ticker measures how late the loop runs it: a blocking call anywhere shows here.
    asio::steady_timer ticker(io);
    std::function<void(std::chrono::steady_clock::time_point)> tick = [&](std::chrono::steady_clock::time_point due) {
        ticker.expires_at(due);
        ticker.async_wait([&, due](boost::system::error_code ec) {
            if (ec) return;
            out.worst_loop_lag = std::max(out.worst_loop_lag, std::chrono::steady_clock::now() - due);
            if (done < probes.size()) tick(due + 10ms);
        });
    };
    tick(start + 10ms);
    while (done < probes.size()) io.run_one();

    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        if (r.reachable) ++out.reachable;
        else ++out.unreachable;
        if (is_dead[i]) {
            CHECK_FALSE(r.reachable);
            out.dead_errors.push_back(r.error);
            continue;
        }
        INFO(r.error);
        CHECK(r.reachable);
        bool name = false, extend = false;
        for (const auto& f : r.facts) name |= f.key == "sys_name" && f.value == "room-101-projector";
        for (const auto& s : r.samples) extend |= s.metric.rfind("extend.", 0) == 0;
        if (name && extend) ++out.live_with_values;
    }
    return out;
}

}  // namespace

TEST_CASE("snmp fleet: 100 v2c devices, 10 dead, finish in about one timeout") {
    auto live = test::v2c(test::env_port("AVMON_SNMPD_PORT"));
    live.timeout = 500ms;
    live.retries = 1;
    auto out = poll_fleet(live, live);
    const auto budget = 500ms * 2;
    INFO("cycle " << std::chrono::duration_cast<std::chrono::milliseconds>(out.cycle).count() << " ms, worst loop lag "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(out.worst_loop_lag).count() << " ms");
    CHECK(out.reachable == 90);
    CHECK(out.unreachable == 10);
    CHECK(out.live_with_values == 90);
    CHECK(out.cycle >= budget - 50ms);      // the dead ones really were waited for ...
    CHECK(out.cycle < budget * 3 / 2);      // ... concurrently, not one after another
    CHECK(out.worst_loop_lag < 100ms);
    for (const auto& e : out.dead_errors) {
        CHECK(e.find("no SNMP response within 500 ms x 2 attempts") != std::string::npos);
        CHECK(e.find("avtest-ro") == std::string::npos);
    }
}

TEST_CASE("snmp fleet: 100 SNMPv3 authPriv devices, 10 dead, engine discovery never blocks the loop") {
    auto live = test::v3(test::env_port("AVMON_SNMPD_PORT"), "avmon", "SHA", "authpass-123", "AES", "privpass-123");
    live.timeout = 500ms;
    live.retries = 1;
    auto out = poll_fleet(live, live);
    const auto budget = 500ms * 2;
    INFO("cycle " << std::chrono::duration_cast<std::chrono::milliseconds>(out.cycle).count() << " ms, worst loop lag "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(out.worst_loop_lag).count() << " ms");
    CHECK(out.reachable == 90);
    CHECK(out.unreachable == 10);
    CHECK(out.live_with_values == 90);
    CHECK(out.cycle >= budget - 50ms);
    CHECK(out.cycle < budget * 3 / 2);
    CHECK(out.worst_loop_lag < 100ms);
    for (const auto& e : out.dead_errors) {
        CHECK(e.find("no answer to SNMPv3 engine discovery") != std::string::npos);
        CHECK(e.find("authpass-123") == std::string::npos);
        CHECK(e.find("privpass-123") == std::string::npos);
    }
}
