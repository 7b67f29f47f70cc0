// The trap receiver against the real Net-SNMP tools (snmptrap, snmpinform) on loopback.
// Every test case listens on its own port (16200-16249) because ctest runs cases in parallel.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "probes/traps/trap_receiver.hpp"

using namespace avmon;
using namespace avmon::traps;
using namespace std::chrono_literals;

namespace {

struct CaptureSink : log::Sink {
    std::shared_ptr<std::vector<log::Entry>> out;
    explicit CaptureSink(std::shared_ptr<std::vector<log::Entry>> o) : out(std::move(o)) {}
    void write(const log::Entry& e) override { out->push_back(e); }
};

config::SnmpV3Credentials v3_user(std::string name, std::string engine_id = {}) {
    config::SnmpV3Credentials u;
    u.user = std::move(name);
    u.level = config::SnmpV3Credentials::Level::auth_priv;
    u.auth_protocol = "SHA";
    u.auth_key = "trapauth-123";
    u.priv_protocol = "AES";
    u.priv_key = "trappriv-123";
    u.engine_id = std::move(engine_id);
    return u;
}

config::TrapConfig trap_config(int port) {
    config::TrapConfig c;
    c.enabled = true;
    c.listen = "udp:127.0.0.1:" + std::to_string(port);
    c.communities = {"avtest-trap"};
    c.users = {v3_user("avtrap", "0x8000000001020304"), v3_user("avinform")};
    config::TrapMapping lamp;
    lamp.oid = "1.3.6.1.4.1.99999.0.1";
    lamp.event = "lamp_failure";
    config::TrapMapping inform;
    inform.oid = "1.3.6.1.4.1.99999.0.4";
    inform.event = "inform_test";
    c.mappings = {lamp, inform};
    return c;
}

// A receiver on the loop, the events it delivered, and a way to run the real tools meanwhile.
struct Harness {
    asio::io_context io;
    // Stands still unless a test moves it: the rate-limited log lines depend only on what was sent.
    ManualClock clock{std::chrono::system_clock::now()};
    std::vector<TrapEvent> events;
    std::shared_ptr<std::vector<log::Entry>> logs = std::make_shared<std::vector<log::Entry>>();
    std::string port;
    std::filesystem::path scratch;
    TrapReceiver receiver;

    explicit Harness(int p, config::TrapConfig c, std::map<std::string, std::string> devices = {{"127.0.0.1", "proj-101"}})
        : port(std::to_string(p)),
          scratch(std::filesystem::temp_directory_path() / ("avmon-traps-" + std::to_string(::getpid()))),
          receiver(io.get_executor(), std::move(c),
                   [devices](std::string_view a) -> std::optional<std::string> {
                       auto it = devices.find(std::string(a));
                       if (it == devices.end()) return std::nullopt;
                       return it->second;
                   },
                   [this](TrapEvent e) { events.push_back(std::move(e)); }, clock) {
        log::set_sink(std::make_unique<CaptureSink>(logs));
        std::filesystem::create_directories(scratch);
    }
    ~Harness() {
        log::set_sink(nullptr);
        std::filesystem::remove_all(scratch);
    }

    // Runs a Net-SNMP tool against the receiver while the loop keeps serving; returns its exit code.
    // The tool reads no user config and keeps its persistent state in a scratch directory.
    int tool(const std::string& name, const std::string& args) {
        std::string cmd = "SNMPCONFPATH=" + scratch.string() + " SNMP_PERSISTENT_DIR=" + scratch.string() +
                          " MIBS= " + name + " -m '' " + args;
        auto fut = std::async(std::launch::async, [cmd] { return std::system(cmd.c_str()); });
        while (fut.wait_for(0ms) != std::future_status::ready) io.run_for(5ms);
        int status = fut.get();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string at() const { return "127.0.0.1:" + port; }

    // Serves the loop until `n` events arrived or the time is up.
    bool await_events(std::size_t n, std::chrono::milliseconds limit = 3000ms) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (events.size() < n && std::chrono::steady_clock::now() < end) io.run_for(5ms);
        return events.size() >= n;
    }
    // Serves the loop a little longer to prove nothing (more) arrives.
    void settle(std::chrono::milliseconds d = 300ms) { io.run_for(d); }

    std::size_t log_count(std::string_view id) const {
        return std::count_if(logs->begin(), logs->end(), [&](const log::Entry& e) { return e.message_id == id; });
    }
    const log::Entry* last_log(std::string_view id) const {
        for (auto it = logs->rbegin(); it != logs->rend(); ++it)
            if (it->message_id == id) return &*it;
        return nullptr;
    }
};

std::string value_of(const TrapEvent& e, std::string_view key) {
    for (const auto& f : e.varbinds)
        if (f.key == key) return f.value;
    return "<absent>";
}

}  // namespace

TEST_CASE("traps: a v2c trap with a configured community is mapped and attributed to its device") {
    Harness h(16200, trap_config(16200));
    REQUIRE(h.receiver.start().empty());
    CHECK(h.receiver.running());
    CHECK(h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() +
                                 " '' 1.3.6.1.4.1.99999.0.1 1.3.6.1.4.1.99999.1.1.0 s 'lamp failure'") == 0);
    REQUIRE(h.await_events(1));
    const auto& e = h.events[0];
    CHECK(e.event == "lamp_failure");
    CHECK(e.trap_oid == "1.3.6.1.4.1.99999.0.1");
    CHECK(e.device == std::optional<std::string>("proj-101"));
    CHECK(e.source_address == "127.0.0.1");
    CHECK(value_of(e, "1.3.6.1.4.1.99999.1.1.0") == "lamp failure");
    CHECK(value_of(e, "1.3.6.1.6.3.1.1.4.1.0") == "1.3.6.1.4.1.99999.0.1");
    CHECK(h.receiver.stats().accepted == 1);
    auto* line = h.last_log(msgid::trap_received);
    REQUIRE(line);
    CHECK_THAT(line->text, Catch::Contains("lamp_failure"));
    CHECK_THAT(line->text, Catch::Contains("proj-101"));
}

TEST_CASE("traps: a wrong community is dropped with one rate-limited log line that never shows it") {
    Harness h(16201, trap_config(16201));
    REQUIRE(h.receiver.start().empty());
    for (int i = 0; i < 3; ++i)
        h.tool("snmptrap", "-v2c -c guessed-secret " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1");
    h.settle();
    CHECK(h.events.empty());
    CHECK(h.receiver.stats().rejected == 3);
    CHECK(h.log_count(msgid::trap_rejected) == 1);
    auto* line = h.last_log(msgid::trap_rejected);
    REQUIRE(line);
    CHECK_THAT(line->text, Catch::Contains("127.0.0.1"));
    CHECK_THAT(line->text, Catch::Contains("unknown community"));
    CHECK_THAT(line->text, !Catch::Contains("guessed-secret"));
    // The receiver still serves good senders.
    h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1");
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].event == "cold_start");
}

TEST_CASE("traps: a v3 authPriv trap from a configured user and engine id is accepted") {
    Harness h(16202, trap_config(16202));
    REQUIRE(h.receiver.start().empty());
    CHECK(h.receiver.config_problems().empty());
    h.tool("snmptrap", "-v3 -e 0x8000000001020304 -u avtrap -l authPriv -a SHA -A trapauth-123 -x AES -X trappriv-123 " +
                           h.at() + " '' 1.3.6.1.6.3.1.1.5.2 1.3.6.1.2.1.1.5.0 s room-101-projector");
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].event == "warm_start");
    CHECK(value_of(h.events[0], "1.3.6.1.2.1.1.5.0") == "room-101-projector");

    SECTION("a wrong privacy key or unknown user is dropped and says why") {
        h.tool("snmptrap", "-v3 -e 0x8000000001020304 -u avtrap -l authPriv -a SHA -A trapauth-123 -x AES -X wrong-priv-9 " +
                               h.at() + " '' 1.3.6.1.6.3.1.1.5.2");
        h.tool("snmptrap", "-v3 -e 0x8000000001020304 -u mallory -l authPriv -a SHA -A trapauth-123 -x AES -X trappriv-123 " +
                               h.at() + " '' 1.3.6.1.6.3.1.1.5.2");
        h.settle();
        CHECK(h.events.size() == 1);
        CHECK(h.receiver.stats().rejected + h.receiver.stats().malformed == 2);
        bool unknown_user = false, privacy = false;
        for (const auto& l : *h.logs) {
            if (l.message_id != msgid::trap_rejected) continue;
            if (l.text.find("unknown SNMPv3 user") != std::string::npos) unknown_user = true;
            if (l.text.find("privacy key") != std::string::npos) privacy = true;
        }
        CHECK(unknown_user);
        CHECK(privacy);
    }
    SECTION("a configured user below its security level is refused") {
        h.tool("snmptrap", "-v3 -e 0x8000000001020304 -u avtrap -l authNoPriv -a SHA -A trapauth-123 " + h.at() +
                               " '' 1.3.6.1.6.3.1.1.5.2");
        h.settle();
        CHECK(h.events.size() == 1);
        CHECK(h.receiver.stats().rejected == 1);
        REQUIRE(h.last_log(msgid::trap_rejected));
        CHECK_THAT(h.last_log(msgid::trap_rejected)->text, Catch::Contains("lower security level"));
    }
}

TEST_CASE("traps: v3 and v2c INFORMs are acknowledged so snmpinform succeeds") {
    Harness h(16203, trap_config(16203));
    REQUIRE(h.receiver.start().empty());
    CHECK(h.tool("snmpinform", "-v3 -u avinform -l authPriv -a SHA -A trapauth-123 -x AES -X trappriv-123 -t 2 -r 1 " +
                                   h.at() + " '' 1.3.6.1.4.1.99999.0.4 1.3.6.1.4.1.99999.1.1.0 i 42") == 0);
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].event == "inform_test");
    CHECK(value_of(h.events[0], "1.3.6.1.4.1.99999.1.1.0") == "42");
    CHECK(h.tool("snmpinform", "-v2c -c avtest-trap -t 2 -r 1 " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1") == 0);
    REQUIRE(h.await_events(2));
    CHECK(h.events[1].event == "cold_start");
    CHECK(h.receiver.stats().informs_acknowledged == 2);

    // Without a valid key there is no acknowledgement: the sender times out and fails.
    CHECK(h.tool("snmpinform", "-v2c -c not-ours -t 0.3 -r 0 " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1 2>/dev/null") != 0);
    CHECK(h.receiver.stats().informs_acknowledged == 2);
    CHECK(h.events.size() == 2);
}

TEST_CASE("traps: v1 traps are converted to their SNMPv2 form, the agent address names the device") {
    // 127.0.0.1 is unknown here: the v1 agent-addr field is what names the device (a relay case).
    Harness h(16204, trap_config(16204), {{"10.1.2.3", "proj-7"}});
    REQUIRE(h.receiver.start().empty());
    h.tool("snmptrap", "-v1 -c avtest-trap " + h.at() + " 1.3.6.1.4.1.99999 10.1.2.3 6 1 '' 1.3.6.1.4.1.99999.1.1.0 s lamp");
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].trap_oid == "1.3.6.1.4.1.99999.0.1");
    CHECK(h.events[0].event == "lamp_failure");
    CHECK(h.events[0].device == std::optional<std::string>("proj-7"));
    CHECK(value_of(h.events[0], "1.3.6.1.6.3.18.1.3.0") == "10.1.2.3");
    CHECK(value_of(h.events[0], "1.3.6.1.6.3.1.1.4.3.0") == "1.3.6.1.4.1.99999");

    h.tool("snmptrap", "-v1 -c avtest-trap " + h.at() + " 1.3.6.1.4.1.99999 10.1.2.3 2 0 '' 1.3.6.1.2.1.2.2.1.1.12 i 12");
    REQUIRE(h.await_events(2));
    CHECK(h.events[1].trap_oid == "1.3.6.1.6.3.1.1.5.3");
    CHECK(h.events[1].event == "link_down");
    CHECK(value_of(h.events[1], "row") == "12");
}

TEST_CASE("traps: linkDown and linkUp carry the interface as their row") {
    Harness h(16205, trap_config(16205));
    REQUIRE(h.receiver.start().empty());
    h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() +
                           " '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.12 i 12 1.3.6.1.2.1.2.2.1.7.12 i 1 "
                           "1.3.6.1.2.1.2.2.1.8.12 i 2 1.3.6.1.2.1.31.1.1.1.1.12 s Gi1/0/12");
    h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() + " '' 1.3.6.1.6.3.1.1.5.4 1.3.6.1.2.1.2.2.1.1.12 i 12");
    REQUIRE(h.await_events(2));
    CHECK(h.events[0].event == "link_down");
    CHECK(value_of(h.events[0], "row") == "Gi1/0/12");
    CHECK(value_of(h.events[0], "1.3.6.1.2.1.2.2.1.8.12") == "2");
    CHECK(h.events[1].event == "link_up");
    CHECK(value_of(h.events[1], "row") == "12");
}

TEST_CASE("traps: an unmapped vendor trap is recorded as unknown and logged with back-off") {
    Harness h(16206, trap_config(16206));
    REQUIRE(h.receiver.start().empty());
    for (int i = 0; i < 2; ++i)
        h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() +
                               " '' 1.3.6.1.4.1.7312.2468.0.1 1.3.6.1.4.1.7312.2468.1.1.0 s 55.652");
    REQUIRE(h.await_events(2));
    for (const auto& e : h.events) {
        CHECK(e.event == "unknown");
        CHECK(e.trap_oid == "1.3.6.1.4.1.7312.2468.0.1");
        CHECK(value_of(e, "1.3.6.1.4.1.7312.2468.1.1.0") == "55.652");
    }
    CHECK(h.receiver.stats().unknown == 2);
    CHECK(h.log_count(msgid::trap_unknown) == 1);
    CHECK_THAT(h.last_log(msgid::trap_unknown)->text, Catch::Contains("1.3.6.1.4.1.7312.2468.0.1"));
}

TEST_CASE("traps: garbage datagrams are dropped and the receiver keeps working") {
    Harness h(16207, trap_config(16207));
    REQUIRE(h.receiver.start().empty());
    asio::ip::udp::socket sender(h.io, asio::ip::udp::v4());
    asio::ip::udp::endpoint target(asio::ip::make_address("127.0.0.1"), 16207);
    const std::string garbage[] = {std::string("\x30\x82\xff\xff\x02\x01", 6), "hello, trap port",
                                   std::string(1, '\0'), std::string("\x30\x03\x02\x01\x07", 5)};
    for (const auto& g : garbage) sender.send_to(asio::buffer(g), target);
    sender.send_to(asio::buffer(std::string(1400, '\x30')), target);
    h.settle();
    CHECK(h.events.empty());
    CHECK(h.receiver.stats().datagrams == 5);
    CHECK(h.receiver.stats().malformed + h.receiver.stats().rejected == 5);
    CHECK(h.log_count(msgid::trap_rejected) >= 1);
    h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1");
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].event == "cold_start");
}

TEST_CASE("traps: a port already in use is reported naming the listen address") {
    asio::io_context io;
    asio::ip::udp::socket squatter(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 16208));
    Harness h(16208, trap_config(16208));
    auto error = h.receiver.start();
    CHECK_THAT(error, Catch::Contains("udp:127.0.0.1:16208"));
    CHECK_FALSE(h.receiver.running());
}

TEST_CASE("traps: bad v3 users and mapping OIDs are reported as configuration problems") {
    auto c = trap_config(16209);
    auto short_key = v3_user("shorty");
    short_key.auth_key = "k3y";
    auto bad_engine = v3_user("engine", "0xZZ");
    auto bad_proto = v3_user("proto");
    bad_proto.auth_protocol = "SHA-1024";
    c.users = {short_key, bad_engine, bad_proto};
    config::TrapMapping bad;
    bad.oid = "IF-MIB::linkDown";
    bad.event = "x";
    bad.where = {"avmon.toml", 33, 1};
    c.mappings.push_back(bad);
    Harness h(16209, c);
    REQUIRE(h.receiver.start().empty());
    const auto& p = h.receiver.config_problems();
    auto mentions = [&](std::string_view s) {
        return std::any_of(p.begin(), p.end(), [&](const std::string& x) { return x.find(s) != std::string::npos; });
    };
    CHECK(mentions("avmon.toml:33"));
    CHECK(mentions("\"shorty\""));
    CHECK(mentions("engine_id \"0xZZ\""));
    CHECK(mentions("unknown auth protocol \"SHA-1024\""));
    for (const auto& x : p) CHECK_THAT(x, !Catch::Contains("k3y") && !Catch::Contains("trapauth-123"));
}

TEST_CASE("traps: a disabled receiver opens no socket") {
    auto c = trap_config(16210);
    c.enabled = false;
    Harness h(16210, c);
    CHECK(h.receiver.start().empty());
    CHECK_FALSE(h.receiver.running());
    // The port is free: nobody is listening.
    asio::ip::udp::socket probe(h.io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 16210));
    CHECK(probe.is_open());
}

TEST_CASE("traps: the receiver listens on IPv6 and reports IPv6 senders") {
    auto c = trap_config(16211);
    c.listen = "udp6:[::1]:16211";
    Harness h(16211, c, {{"::1", "codec-v6"}});
    REQUIRE(h.receiver.start().empty());
    h.tool("snmptrap", "-v2c -c avtest-trap udp6:[::1]:16211 '' 1.3.6.1.6.3.1.1.5.1");
    REQUIRE(h.await_events(1));
    CHECK(h.events[0].source_address == "::1");
    CHECK(h.events[0].device == std::optional<std::string>("codec-v6"));
    CHECK(h.events[0].event == "cold_start");
}

TEST_CASE("traps: a garbage flood from one sender and from hundreds of senders logs a bounded number of lines") {
    Harness h(16212, trap_config(16212));
    REQUIRE(h.receiver.start().empty());
    asio::ip::udp::endpoint target(asio::ip::make_address("127.0.0.1"), 16212);
    const std::string garbage = "not an SNMP message";
    // Sends from `source` in batches the socket buffer holds, serving the loop in between.
    auto flood = [&](const std::string& source, int count) {
        asio::ip::udp::socket sender(h.io, asio::ip::udp::endpoint(asio::ip::make_address(source), 0));
        for (int sent = 0; sent < count;) {
            const auto goal = h.receiver.stats().datagrams + std::min(100, count - sent);
            for (int i = 0; i < 100 && sent < count; ++i, ++sent) sender.send_to(asio::buffer(garbage), target);
            const auto end = std::chrono::steady_clock::now() + 2s;
            while (h.receiver.stats().datagrams < goal && std::chrono::steady_clock::now() < end) h.io.run_for(1ms);
        }
    };
    // 12,000 datagrams from one address: one line (the old table was emptied every 10,000
    // datagrams and logged the same sender again).
    flood("127.0.0.1", 12'000);
    CHECK(h.receiver.stats().datagrams == 12'000);
    CHECK(h.receiver.stats().malformed == 12'000);
    CHECK(h.log_count(msgid::trap_rejected) == 1);

    // Spoofed-looking senders (every 127.x address is local): each of the first ones is named
    // once; beyond the table's capacity they are summarised in one line.
    const int senders = static_cast<int>(SenderComplaints::default_capacity) + 44;
    for (int n = 0; n < senders; ++n) flood("127.0." + std::to_string(1 + n / 200) + "." + std::to_string(1 + n % 200), 3);
    const auto lines = h.log_count(msgid::trap_rejected);
    CHECK(lines == SenderComplaints::default_capacity + 1);
    auto* summary = h.last_log(msgid::trap_rejected);
    REQUIRE(summary);
    CHECK_THAT(summary->text, Catch::Contains("logged together"));
    // Another round from all of them in the same minute adds nothing.
    for (int n = 0; n < senders; ++n) flood("127.0." + std::to_string(1 + n / 200) + "." + std::to_string(1 + n % 200), 1);
    CHECK(h.log_count(msgid::trap_rejected) == lines);
    // The receiver still serves good senders.
    h.tool("snmptrap", "-v2c -c avtest-trap " + h.at() + " '' 1.3.6.1.6.3.1.1.5.1");
    REQUIRE(h.await_events(1));
}
