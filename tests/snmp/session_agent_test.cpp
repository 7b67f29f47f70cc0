// SnmpSession against a real Net-SNMP snmpd on loopback (started by run_with_snmpd.sh):
// v1/v2c get + walk, SNMPv3 at every level and with several auth/priv protocols (engine id
// discovered asynchronously, or configured), and the errors operators will see.
#include <catch2/catch.hpp>

#include "probes/snmp/session.hpp"
#include "probes/snmp/snmp_probe.hpp"
#include "tests/snmp/dead_agent.hpp"
#include "tests/snmp/test_util.hpp"

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;
using test::run;

namespace {

const Oid sys_name = *parse_oid("1.3.6.1.2.1.1.5.0");
const Oid sys_uptime = *parse_oid("1.3.6.1.2.1.1.3.0");
const Oid extend_output = *parse_oid("1.3.6.1.4.1.8072.1.3.2.3.1.1");
// snmpd's engineID "avmon-test-agent": RFC 3411 text format, enterprise 8072 (Net-SNMP).
const std::string agent_engine_hex = "80001f880461766d6f6e2d746573742d6167656e74";

std::uint16_t port() { return test::env_port("AVMON_SNMPD_PORT"); }

SnmpResponse get_once(config::SnmpTarget target, std::vector<Oid> oids, std::string* engine_hex = nullptr) {
    asio::io_context io;
    SnmpSession s(io.get_executor(), {"room-101-proj", "127.0.0.1", target});
    auto r = run(io, s.get(std::move(oids), test::in(3s)));
    if (engine_hex) *engine_hex = s.engine_id_hex();
    return r;
}

std::string text_of(const SnmpResponse& r, std::size_t i) { return to_text(r.varbinds.at(i).value); }

}  // namespace

TEST_CASE("snmp agent: v2c get returns values and exceptions as varbinds") {
    auto r = get_once(test::v2c(port()), {sys_name, sys_uptime, *parse_oid("1.3.6.1.2.1.1.99.0")});
    REQUIRE(r.ok());
    REQUIRE(r.varbinds.size() == 3);
    CHECK(text_of(r, 0) == "room-101-projector");
    CHECK(r.varbinds[1].value.type == ValueType::timeticks);
    CHECK(r.varbinds[2].value.type == ValueType::no_such_object);
}

TEST_CASE("snmp agent: v1 get works and a missing object is an error PDU") {
    auto target = test::v2c(port());
    target.version = config::SnmpTarget::Version::v1;
    auto r = get_once(target, {sys_name});
    REQUIRE(r.ok());
    CHECK(text_of(r, 0) == "room-101-projector");
    auto missing = get_once(target, {sys_name, *parse_oid("1.3.6.1.2.1.1.99.0")});
    CHECK(missing.status == SnmpStatus::error_status);
    CHECK(missing.error_status == error_no_such_name);
    CHECK(missing.error_index == 2);
}

TEST_CASE("snmp agent: v2c walk reads a column to its end, in several GETBULKs") {
    asio::io_context io;
    auto target = test::v2c(port());
    target.max_repetitions = 2;  // forces several round trips over the system group
    SnmpSession s(io.get_executor(), {"room-101-proj", "127.0.0.1", target});
    auto extend = run(io, s.walk(extend_output, test::in(3s)));
    REQUIRE(extend.ok());
    REQUIRE(extend.varbinds.size() == 2);
    std::vector<std::string> values{to_text(extend.varbinds[0].value), to_text(extend.varbinds[1].value)};
    std::sort(values.begin(), values.end());
    CHECK(values == std::vector<std::string>{"2950", "on"});

    auto system = run(io, s.walk(*parse_oid("1.3.6.1.2.1.1"), test::in(3s)));
    REQUIRE(system.ok());
    CHECK(system.varbinds.size() >= 7);
    bool saw_name = false;
    for (std::size_t i = 0; i < system.varbinds.size(); ++i) {
        if (i) CHECK(system.varbinds[i - 1].oid < system.varbinds[i].oid);
        if (system.varbinds[i].oid == sys_name) saw_name = to_text(system.varbinds[i].value) == "room-101-projector";
    }
    CHECK(saw_name);

    auto absent = run(io, s.walk(*parse_oid("1.3.6.1.4.1.99999.42"), test::in(3s)));
    CHECK(absent.ok());
    CHECK(absent.varbinds.empty());
}

TEST_CASE("snmp agent: v3 authPriv with asynchronously discovered engine id") {
    struct Case { const char* user; const char* auth; const char* auth_key; const char* priv; const char* priv_key; };
    auto c = GENERATE(Case{"avmon", "SHA", "authpass-123", "AES", "privpass-123"},
                      Case{"avmon256", "SHA-256", "authpass-256", "AES-256", "privpass-256"},
                      Case{"avmon512", "SHA-512", "authpass-512", "AES-192", "privpass-512"},
                      Case{"avmonmd5", "MD5", "authpass-md5", "DES", "privpass-des"},
                      Case{"avnopriv", "SHA", "authpass-123", "", ""},
                      Case{"avnoauth", "", "", "", ""});
    INFO("user " << c.user);
    std::string engine;
    auto r = get_once(test::v3(port(), c.user, c.auth, c.auth_key, c.priv, c.priv_key), {sys_name, sys_uptime}, &engine);
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(text_of(r, 0) == "room-101-projector");
    CHECK(engine == agent_engine_hex);
}

TEST_CASE("snmp agent: v3 with a configured engine id skips discovery") {
    auto target = test::v3(port(), "avmon", "SHA", "authpass-123", "AES", "privpass-123");
    target.v3->engine_id = "0x" + agent_engine_hex;
    asio::io_context io;
    SnmpSession s(io.get_executor(), {"room-101-proj", "127.0.0.1", target});
    CHECK(s.engine_id_hex() == agent_engine_hex);  // known before any traffic
    auto r = run(io, s.get({sys_name}, test::in(3s)));
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(text_of(r, 0) == "room-101-projector");
    // The session keeps working for later requests (time window synchronised).
    auto again = run(io, s.walk(extend_output, test::in(3s)));
    REQUIRE(again.ok());
    CHECK(again.varbinds.size() == 2);
}

TEST_CASE("snmp agent: wrong community times out with a clear error that hides the community") {
    auto start = std::chrono::steady_clock::now();
    auto r = get_once(test::v2c(port(), "s3cret-wrong-community"), {sys_name});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.status == SnmpStatus::timeout);
    CHECK_FALSE(r.answered());
    CHECK(r.error.find("room-101-proj") != std::string::npos);
    CHECK(r.error.find("no SNMP response within 500 ms x 2 attempts") != std::string::npos);
    CHECK(r.error.find("wrong community") != std::string::npos);
    CHECK(r.error.find("s3cret-wrong-community") == std::string::npos);
    CHECK(took >= 900ms);
    CHECK(took < 1500ms);
}

TEST_CASE("snmp agent: wrong v3 auth password gives an authentication failure without the password") {
    auto r = get_once(test::v3(port(), "avmon", "SHA", "wr0ng-auth-pass", "AES", "privpass-123"), {sys_name});
    INFO(r.error);
    CHECK(r.status == SnmpStatus::auth_error);
    CHECK(r.error.find("authentication failure") != std::string::npos);
    CHECK(r.error.find("room-101-proj") != std::string::npos);
    CHECK(r.error.find("wr0ng-auth-pass") == std::string::npos);
    CHECK(r.error.find("privpass-123") == std::string::npos);

    // ... and the right password still works afterwards in the same process (no stale user).
    auto good = get_once(test::v3(port(), "avmon", "SHA", "authpass-123", "AES", "privpass-123"), {sys_name});
    INFO(good.error);
    CHECK(good.ok());
}

TEST_CASE("snmp agent: wrong v3 privacy password times out (the agent drops it)") {
    auto r = get_once(test::v3(port(), "avmon", "SHA", "authpass-123", "AES", "wr0ng-priv-pass"), {sys_name});
    CHECK(r.status == SnmpStatus::timeout);
    CHECK(r.error.find("privacy key") != std::string::npos);
    CHECK(r.error.find("wr0ng-priv-pass") == std::string::npos);
}

TEST_CASE("snmp agent: bad v3 settings are refused before sending, naming the field") {
    auto r = get_once(test::v3(port(), "avmon", "SHA-999", "authpass-123", "AES", "privpass-123"), {sys_name});
    CHECK(r.status == SnmpStatus::open_failed);
    CHECK(r.error.find("auth_protocol") != std::string::npos);
    auto short_key = get_once(test::v3(port(), "avmon", "SHA", "short", "AES", "privpass-123"), {sys_name});
    CHECK(short_key.status == SnmpStatus::open_failed);
    CHECK(short_key.error.find("auth_key is shorter") != std::string::npos);
    CHECK(short_key.error.find("short\"") == std::string::npos);
}

TEST_CASE("snmp agent: a device name is resolved asynchronously") {
    auto r = [&] {
        asio::io_context io;
        SnmpSession s(io.get_executor(), {"named", "localhost", test::v2c(port())});
        return run(io, s.get({sys_name}, test::in(3s)));
    }();
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(text_of(r, 0) == "room-101-projector");
    asio::io_context io;
    SnmpSession bad(io.get_executor(), {"nowhere", "no-such-host.invalid", test::v2c(port())});
    auto e = run(io, bad.get({sys_name}, test::in(3s)));
    CHECK(e.status == SnmpStatus::resolve_failed);
    CHECK(e.error.find("nowhere") != std::string::npos);
}

TEST_CASE("snmp agent: a device that never answers is unreachable after timeout x (retries + 1)") {
    auto version = GENERATE(config::SnmpTarget::Version::v2c, config::SnmpTarget::Version::v3);
    asio::io_context io;
    test::DeadAgent dead(io);
    auto target = version == config::SnmpTarget::Version::v2c
                      ? test::v2c(dead.port())
                      : test::v3(dead.port(), "avmon", "SHA", "authpass-123", "AES", "privpass-123");
    target.timeout = 300ms;
    target.retries = 2;
    SnmpSession s(io.get_executor(), {"dead-dev", "127.0.0.1", target});
    auto start = std::chrono::steady_clock::now();
    auto r = run(io, s.get({sys_name}, test::in(5s)));
    auto took = std::chrono::steady_clock::now() - start;
    INFO(r.error);
    CHECK_FALSE(r.answered());
    CHECK(r.error.find("dead-dev") != std::string::npos);
    CHECK(took >= 850ms);
    CHECK(took < 1350ms);
    CHECK(dead.datagrams() == 3);  // one request, two retries; nothing else was sent
}

TEST_CASE("snmp agent: the caller's deadline wins over a long SNMP timeout") {
    asio::io_context io;
    test::DeadAgent dead(io);
    auto target = test::v2c(dead.port());
    target.timeout = 5s;
    SnmpSession s(io.get_executor(), {"slow-dev", "127.0.0.1", target});
    auto start = std::chrono::steady_clock::now();
    auto r = run(io, s.get({sys_name}, test::in(300ms)));
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.status == SnmpStatus::deadline);
    CHECK(took < 600ms);
}

TEST_CASE("snmp agent: the probe reports wrong credentials per device, without the secret") {
    config::Profile profile;
    config::MetricDef name;
    name.name = "sys_name";
    name.source = "1.3.6.1.2.1.1.5.0";
    name.kind = config::MetricDef::Kind::fact;
    profile.metrics.push_back(name);
    auto poll_with = [&](config::SnmpTarget target) {
        config::DeviceConfig d;
        d.id = "r101-proj";
        d.address = "127.0.0.1";
        d.snmp = target;
        asio::io_context io;
        SnmpProbe probe(io.get_executor(), d, profile);
        return run(io, probe.poll(test::in(5s)));
    };
    auto good = poll_with(test::v3(port(), "avmon", "SHA", "authpass-123", "AES", "privpass-123"));
    REQUIRE(good.reachable);
    REQUIRE(good.facts.size() == 1);
    CHECK(good.facts[0].value == "room-101-projector");

    auto bad_auth = poll_with(test::v3(port(), "avmon", "SHA", "Secret-Auth-999", "AES", "privpass-123"));
    CHECK_FALSE(bad_auth.reachable);
    CHECK(bad_auth.error.find("r101-proj") != std::string::npos);
    CHECK(bad_auth.error.find("authentication failure") != std::string::npos);
    CHECK(bad_auth.error.find("Secret-Auth-999") == std::string::npos);

    auto bad_community = poll_with(test::v2c(port(), "Secret-Community-1"));
    CHECK_FALSE(bad_community.reachable);
    CHECK(bad_community.error.find("wrong community") != std::string::npos);
    CHECK(bad_community.error.find("Secret-Community-1") == std::string::npos);

    config::DeviceConfig no_snmp;
    no_snmp.id = "r101-mic";
    no_snmp.address = "127.0.0.1";
    asio::io_context io;
    SnmpProbe probe(io.get_executor(), no_snmp, profile);
    auto r = run(io, probe.poll(test::in(1s)));
    CHECK_FALSE(r.reachable);
    CHECK(r.error.find("no [device.snmp] section") != std::string::npos);
}

TEST_CASE("snmp agent: v1 walk uses GETNEXT and ends cleanly") {
    auto target = test::v2c(port());
    target.version = config::SnmpTarget::Version::v1;
    asio::io_context io;
    SnmpSession s(io.get_executor(), {"room-101-proj", "127.0.0.1", target});
    auto r = run(io, s.walk(extend_output, test::in(3s)));
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.varbinds.size() == 2);
    auto past_end = run(io, s.walk(*parse_oid("1.3.6.1.6.3.99"), test::in(3s)));  // beyond the agent's view
    CHECK(past_end.ok());
    CHECK(past_end.varbinds.empty());
}
