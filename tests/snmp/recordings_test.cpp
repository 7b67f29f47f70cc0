// Real device recordings (tests/fixtures/snmprec, served by snmpsimd) polled by SnmpProbe with
// the shipped profiles (config/profiles/*.toml, loaded by the real loader): the values an
// operator would see, and the quirks of real agents (NUL-terminated numbers, missing tables,
// no sysUpTime, a vendor's lamp OID absent on the other vendor's projector).
#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "probes/snmp/snmp_probe.hpp"
#include "tests/snmp/test_util.hpp"

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;

namespace {

config::Profile load_profile(const std::string& name) {
    auto r = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/" + name + ".toml");
    for (const auto& e : r.errors) FAIL_CHECK(e.to_string());
    REQUIRE(r.ok());
    return *r.profile;
}

config::DeviceConfig device(const std::string& community, std::chrono::milliseconds timeout = 1000ms, int retries = 1) {
    config::DeviceConfig d;
    d.id = "dev-" + community;
    d.address = "127.0.0.1";
    d.snmp = test::v2c(test::env_port("AVMON_SNMPSIM_PORT"), community);
    d.snmp->timeout = timeout;
    d.snmp->retries = retries;
    return d;
}

struct Polled {
    PollResult r;
    std::optional<double> value(const std::string& metric) const {
        for (const auto& s : r.samples)
            if (s.metric == metric) return s.value;
        return std::nullopt;
    }
    std::optional<std::string> fact(const std::string& key) const {
        for (const auto& f : r.facts)
            if (f.key == key) return f.value;
        return std::nullopt;
    }
    const MetricState* state(const std::string& metric) const {
        for (const auto& s : r.unavailable)
            if (s.metric == metric) return &s;
        return nullptr;
    }
    std::size_t rows(const std::string& prefix) const {
        std::size_t n = 0;
        for (const auto& s : r.samples) n += s.metric.rfind(prefix + ".", 0) == 0;
        return n;
    }
};

Polled poll(const config::Profile& profile, const config::DeviceConfig& d) {
    asio::io_context io;
    SnmpProbe probe(io.get_executor(), d, profile);
    return Polled{test::run(io, probe.poll(std::chrono::steady_clock::now() + 8s))};
}

}  // namespace

TEST_CASE("snmp recordings: Epson projector lamp hours") {
    auto p = poll(load_profile("snmp-projector"), device("epson-projector_eb-4770w"));
    INFO(p.r.error);
    REQUIRE(p.r.reachable);
    CHECK(p.value("lamp_hours") == 79.0);
    CHECK(p.fact("sys_descr") == "EPSON Network Projector");
    CHECK(p.value("sys_uptime_s") == Approx(33973907.69));
    CHECK(p.value("if_oper_status.eth0") == 1.0);
    CHECK(p.value("if_oper_status.lo") == 1.0);
    REQUIRE(p.state("lamp_hours_christie"));  // the other vendor's OID
    // snmpsim answers noSuchInstance where Net-SNMP would say noSuchObject: both are "absent".
    CHECK((p.state("lamp_hours_christie")->status == MetricStatus::no_such_instance ||
           p.state("lamp_hours_christie")->status == MetricStatus::no_such_object));
}

TEST_CASE("snmp recordings: Christie projector lamp hours and firmware") {
    auto p = poll(load_profile("snmp-projector"), device("christie-projector_cp"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("lamp_hours_christie") == 3475.0);
    CHECK(p.fact("firmware") == "4.8.1.3");
    CHECK(p.fact("sys_descr") == "Solaria");
    CHECK(p.state("lamp_hours"));
    REQUIRE(p.state("if_oper_status"));  // no ifTable in this recording
    CHECK(p.state("if_oper_status")->status == MetricStatus::no_such_object);
}

TEST_CASE("snmp recordings: Poly Studio X50 leaves show what the roll-up hides") {
    auto p = poll(load_profile("poly-codec"), device("polycomLens_studioxc50"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("overall_status") == 2.0);      // ok ...
    CHECK(p.value("sip_registration.1") == 3.0);  // ... but SIP line 1 failed
    CHECK(p.value("syslog_server") == 3.0);       // ... and syslog failed
    CHECK(p.value("h323_registration") == 1.0);   // disabled
    CHECK(p.value("camera_status.Main") == 2.0);
    CHECK(p.value("microphone_status.1") == 2.0);
    CHECK(p.value("microphone_status.2") == 2.0);
    CHECK(p.value("nic_status") == 2.0);
    CHECK(p.fact("model") == "StudioX50");
    CHECK(p.fact("software") == "3.10.0-362035");
    REQUIRE(p.state("active_conferences"));  // not in this recording
    CHECK((p.state("active_conferences")->status == MetricStatus::no_such_instance ||
           p.state("active_conferences")->status == MetricStatus::no_such_object));
}

TEST_CASE("snmp recordings: ClickShare sensors are NUL-terminated strings") {
    auto p = poll(load_profile("clickshare"), device("clickshare_main"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("cpu_temp_c") == Approx(55.652));
    CHECK(p.value("cpu_temp_threshold_c") == 95.0);
    CHECK(p.value("cpu_fan_rpm") == 0.0);
    REQUIRE(p.state("case_fan_rpm"));  // "\0": no reading, not zero
    CHECK(p.state("case_fan_rpm")->status == MetricStatus::unknown_value);
    CHECK(p.fact("article_code") == "R9861520EU");
    CHECK(p.fact("serial") == "1874830543");
    CHECK(p.fact("room_name") == "Zentraler Semina\\n72 72 61 75 6D 00");  // one line, newline escaped
    CHECK(p.value("if_oper_status.eth0") == 1.0);
    CHECK(p.value("if_oper_status.wlan0") == 2.0);
}

TEST_CASE("snmp recordings: Zyxel PoE main PSE and ifName rows") {
    auto p = poll(load_profile("poe-switch"), device("zynos_xs1930-12hp"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("poe_main_power_w.1") == 375.0);
    CHECK(p.value("poe_main_consumption_w.1") == 11.0);
    CHECK(p.value("poe_main_status.1") == 1.0);
    CHECK(p.value("poe_budget_used_pct.1") == Approx(100.0 * 11 / 375));
    CHECK(p.value("if_oper_status.swp00"));
    CHECK(p.rows("if_oper_status") == 16);
    REQUIRE(p.state("poe_port_status"));  // no port table in this recording
    CHECK(p.state("poe_port_status")->status == MetricStatus::no_such_object);
}

TEST_CASE("snmp recordings: Linksys PoE port admin rows keep the <group>.<port> index") {
    auto p = poll(load_profile("poe-switch"), device("linksys-ss_lgs318p"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("poe_port_admin.1.49") == 2.0);
    CHECK(p.value("poe_port_admin.1.62") == 1.0);
    CHECK(p.rows("poe_port_admin") == 18);
    CHECK(p.rows("if_oper_status") == 30);
}

TEST_CASE("snmp recordings: ProCurve ENTITY-SENSOR temperature") {
    auto p = poll(load_profile("poe-switch"), device("procurve_e2910"));
    REQUIRE(p.r.reachable);
    CHECK(p.value("sensor.Chassis Temperature") == Approx(31.0));
    CHECK(p.value("sensor_status.Chassis Temperature") == 1.0);
}

TEST_CASE("snmp recordings: switches without IF-MIB or without sysUpTime still poll") {
    auto junos = poll(load_profile("poe-switch"), device("junos_ex"));
    REQUIRE(junos.r.reachable);
    CHECK(junos.value("poe_main_consumption_w.1") == 248.0);
    CHECK(junos.value("poe_main_consumption_w.2") == 137.0);
    CHECK(junos.value("poe_budget_used_pct.2") == Approx(100.0 * 137 / 767));
    REQUIRE(junos.state("if_oper_status"));

    auto cisco = poll(load_profile("poe-switch"), device("iosxe_c9200l"));
    REQUIRE(cisco.r.reachable);
    CHECK(cisco.rows("poe_main_power_w") == 3);
    CHECK(cisco.value("poe_main_consumption_w.3") == 24.0);
    CHECK(cisco.fact("sys_descr")->rfind("Cisco IOS Software [Gibraltar]", 0) == 0);
    CHECK(cisco.state("if_oper_status")->status == MetricStatus::no_such_object);

    auto cbs = poll(load_profile("poe-switch"), device("ciscosb_cbs250-24p-4x-v3"));
    REQUIRE(cbs.r.reachable);  // answers, though without sysUpTime
    CHECK_FALSE(cbs.value("sys_uptime_s"));
    CHECK(cbs.rows("if_oper_status") == 49);
}

TEST_CASE("snmp recordings: generic host resources") {
    auto pi = poll(load_profile("generic-host"), device("linux_raspberrypi-gpiomonitor"));
    REQUIRE(pi.r.reachable);
    CHECK(pi.value("hr_storage_size.Physical memory") == 948072.0);
    CHECK(pi.value("hr_storage_used.Physical memory") == 563960.0);
    CHECK(pi.value("if_oper_status.eth0") == 1.0);
    CHECK(pi.value("if_oper_status.wlan0") == 2.0);
    auto aruba = poll(load_profile("generic-host"), device("arubaos-cx_10.16"));
    REQUIRE(aruba.r.reachable);
    CHECK(aruba.value("hr_cpu_load_pct.196608") == 9.0);
    CHECK(aruba.rows("hr_cpu_load_pct") == 4);
}

TEST_CASE("snmp recordings: PoE port fault and counter rates between two polls") {
    auto profile = load_profile("poe-switch");
    asio::io_context io;
    SnmpProbe probe(io.get_executor(), device("avmon-poe-fault"), profile);
    Polled first{test::run(io, probe.poll(std::chrono::steady_clock::now() + 5s))};
    REQUIRE(first.r.reachable);
    CHECK(first.value("poe_port_status.1.1") == 3.0);  // deliveringPower
    CHECK(first.value("poe_port_status.1.2") == 4.0);  // fault
    CHECK(first.value("poe_budget_used_pct.1") == Approx(95.0));
    CHECK(first.fact("if_alias.Gi1/0/2") == "r3f-codec");
    CHECK_FALSE(first.value("if_in_bps.Gi1/0/1"));  // one reading: no rate yet

    asio::steady_timer wait(io, 1500ms);  // the simulated counters move with real time
    test::run(io, [&]() -> awaitable<int> { co_await wait.async_wait(asio::use_awaitable); co_return 0; }());
    Polled second{test::run(io, probe.poll(std::chrono::steady_clock::now() + 5s))};
    REQUIRE(second.value("if_in_bps.Gi1/0/1"));
    CHECK(*second.value("if_in_bps.Gi1/0/1") == Approx(125000.0 * 8).epsilon(0.3));
    CHECK(second.value("if_in_bps.Gi1/0/2") == 0.0);
    CHECK(*second.value("if_in_errors.Gi1/0/2") == Approx(5.0).epsilon(0.3));
}

TEST_CASE("snmp recordings: error PDUs and odd values become metric states") {
    config::Profile p;
    p.name = "flaky";
    auto add = [&](std::string name, std::string oid, config::MetricDef::Kind kind) {
        config::MetricDef m;
        m.name = std::move(name);
        m.source = std::move(oid);
        m.kind = kind;
        p.metrics.push_back(m);
    };
    add("lamp_hours", "1.3.6.1.4.1.99999.1.2.0", config::MetricDef::Kind::gauge);
    add("status_text", "1.3.6.1.4.1.99999.1.5.0", config::MetricDef::Kind::fact);
    add("denied", "1.3.6.1.4.1.99999.1.4.0", config::MetricDef::Kind::gauge);
    auto out = poll(p, device("avmon-flaky-display"));
    REQUIRE(out.r.reachable);
    CHECK(out.value("lamp_hours") == 2950.0);  // read although another varbind spoiled the PDU
    CHECK(out.fact("status_text") == "ok");
    REQUIRE(out.state("denied"));
    CHECK(out.state("denied")->status == MetricStatus::error);
    CHECK(out.state("denied")->detail == "agent answered authorizationError");

    config::Profile g;
    g.metrics.push_back(p.metrics[0]);
    g.metrics[0].name = "gen_error";
    g.metrics[0].source = "1.3.6.1.4.1.99999.1.3.0";  // snmpsim answers genError with NULL
    auto gen = poll(g, device("avmon-flaky-display"));
    REQUIRE(gen.state("gen_error"));
    CHECK(gen.state("gen_error")->status == MetricStatus::unknown_value);
    CHECK(gen.state("gen_error")->detail.find("NULL") != std::string::npos);
}

TEST_CASE("snmp recordings: a slow agent is unreachable within the timeout, reachable with a longer one") {
    config::Profile p;
    config::MetricDef slow;
    slow.name = "slow";
    slow.source = "1.3.6.1.4.1.99999.1.1.0";  // answered after 0.8 s
    slow.kind = config::MetricDef::Kind::gauge;
    p.metrics.push_back(slow);
    auto start = std::chrono::steady_clock::now();
    auto fast = poll(p, device("avmon-flaky-display", 400ms, 0));
    CHECK(std::chrono::steady_clock::now() - start < 700ms);
    CHECK_FALSE(fast.r.reachable);
    CHECK(fast.r.error.find("no SNMP response within 400 ms x 1 attempts") != std::string::npos);
    // snmpsimd is single-threaded and still busy with the delayed answer: give it a moment.
    auto patient = poll(p, device("avmon-flaky-display", 2000ms, 0));
    INFO(patient.r.error);
    REQUIRE(patient.r.reachable);
    CHECK(patient.value("slow") == 1.0);
}

TEST_CASE("snmp recordings: a walk past the last OID of the agent ends at endOfMibView") {
    asio::io_context io;
    SnmpSession s(io.get_executor(), {"cs", "127.0.0.1", test::v2c(test::env_port("AVMON_SNMPSIM_PORT"), "clickshare_main")});
    auto column = *parse_oid("1.3.6.1.4.1.7312.2468.1");  // the last subtree in the recording
    auto r = test::run(io, s.walk(column, std::chrono::steady_clock::now() + 5s));
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.error.empty());
    REQUIRE(r.varbinds.size() == 7);
    CHECK(to_string(r.varbinds.back().oid) == "1.3.6.1.4.1.7312.2468.1.2.4.0");
    CHECK(to_number(r.varbinds.back().value) == 95.0);
}
