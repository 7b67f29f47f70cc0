// The shared v1/v2c socket (CommunityMux) against small in-process agents on many loopback
// addresses (127.0.x.y, all local on Linux): each agent answers only its own community, from
// its own address. Covers many devices with different communities on one socket, a forged
// answer from the wrong address, a dead device beside live ones, and the request encoder
// checked by Net-SNMP's own parser.
#include <catch2/catch.hpp>

#include <memory>

#include <fmt/format.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "probes/snmp/community_codec.hpp"
#include "probes/snmp/community_mux.hpp"
#include "probes/snmp/netsnmp_init.hpp"
#include "probes/snmp/session.hpp"
#include "tests/snmp/test_util.hpp"

#undef max_repetitions
#undef non_repeaters

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;

namespace {

const Oid sys_name = *parse_oid("1.3.6.1.2.1.1.5.0");
const Oid sys_uptime = *parse_oid("1.3.6.1.2.1.1.3.0");

// Answers a v1/v2c request whose community is `community` with the same message turned into a
// Response (NULL values: enough to prove the round trip). Other communities are dropped, as
// snmpd does. Only short-form lengths: the test requests are small.
class EchoAgent {
public:
    EchoAgent(asio::io_context& io, const std::string& address, std::string community, bool answer = true)
        : socket_(io, asio::ip::udp::endpoint(asio::ip::make_address(address), 0)),
          community_(std::move(community)), answer_(answer) {
        receive();
    }
    asio::ip::udp::endpoint endpoint() const { return socket_.local_endpoint(); }
    std::size_t requests() const { return requests_; }
    // The last request's bytes and sender (for forging an answer from elsewhere).
    const std::string& last() const { return last_; }
    const asio::ip::udp::endpoint& last_from() const { return from_; }
    // A Response made from `request`, or empty when it is not for `community`.
    static std::string respond(const std::string& request, const std::string& community) {
        if (request.size() < 7 || request[0] != 0x30 || (request[1] & 0x80)) return {};
        std::size_t at = 2 + 3;  // SEQUENCE header, INTEGER version
        if (request[at] != 0x04 || (request[at + 1] & 0x80)) return {};
        std::size_t len = static_cast<unsigned char>(request[at + 1]);
        if (request.compare(at + 2, len, community) != 0 || len != community.size()) return {};
        std::string response = request;
        response[at + 2 + len] = static_cast<char>(0xA2);  // GetRequest -> Response
        return response;
    }

private:
    void receive() {
        socket_.async_receive_from(asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t n) {
            if (ec) return;
            ++requests_;
            last_.assign(buffer_.data(), n);
            auto response = respond(last_, community_);
            if (answer_ && !response.empty()) socket_.send_to(asio::buffer(response), from_, 0, ec);
            receive();
        });
    }
    asio::ip::udp::socket socket_;
    std::string community_;
    bool answer_;
    asio::ip::udp::endpoint from_;
    std::array<char, 2048> buffer_{};
    std::string last_;
    std::size_t requests_ = 0;
};

config::SnmpTarget target_for(const EchoAgent& agent, std::string community) {
    auto t = test::v2c(agent.endpoint().port(), std::move(community));
    t.timeout = 300ms;
    t.retries = 1;
    return t;
}

std::string loopback(int i) { return fmt::format("127.0.{}.{}", 10 + i / 200, 1 + i % 200); }

}  // namespace

TEST_CASE("snmp mux: the request encoder's messages parse with Net-SNMP, v1 and v2c, GET/GETNEXT/GETBULK") {
    ensure_netsnmp_initialised();
    std::vector<Oid> oids{sys_uptime, sys_name, *parse_oid("1.3.6.1.4.1.99999.4294967295.0"), *parse_oid("2.999.3"),
                          *parse_oid("1.3")};
    // A long OID and many varbinds: messages beyond the encoder's first buffer.
    Oid deep(120, 4000000000u);
    deep[0] = 1;
    deep[1] = 3;
    std::vector<Oid> many(40, deep);
    struct Case { int version; ReadCommand command; int tag; };
    for (const auto* list : {&oids, &many})
    for (std::int32_t id : {1, 127, 128, 255, 256, 65535, 0x800000, 0x7ffffffe})
    for (auto c : {Case{1, ReadCommand::get, SNMP_MSG_GET}, Case{1, ReadCommand::get_next, SNMP_MSG_GETNEXT},
                   Case{1, ReadCommand::get_bulk, SNMP_MSG_GETBULK}, Case{0, ReadCommand::get, SNMP_MSG_GET},
                   Case{0, ReadCommand::get_bulk, SNMP_MSG_GETNEXT}}) {
        std::string community(id % 2 ? 200 : 3, 'c');  // 200: long enough for a multi-byte length
        CommunityRequest rq{c.version, community, c.command, id, 25, list};
        std::string wire = encode_community_request(rq);
        CHECK(peek_community_version(wire) == c.version);
        netsnmp_session parser;
        snmp_sess_init(&parser);
        parser.version = c.version == 0 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
        auto* pdu = static_cast<netsnmp_pdu*>(calloc(1, sizeof(netsnmp_pdu)));
        REQUIRE(snmp_parse(nullptr, &parser, pdu, reinterpret_cast<u_char*>(wire.data()), wire.size()) == 0);
        CHECK(pdu->command == c.tag);
        CHECK(pdu->reqid == id);
        CHECK(std::string(reinterpret_cast<char*>(pdu->community), pdu->community_len) == community);
        CHECK(pdu->errindex == (c.tag == SNMP_MSG_GETBULK ? 25 : 0));
        std::size_t n = 0;
        for (auto* vb = pdu->variables; vb; vb = vb->next_variable, ++n) {
            REQUIRE(n < list->size());
            CHECK(Oid(vb->name, vb->name + vb->name_length) == (*list)[n]);
            CHECK(vb->type == ASN_NULL);
        }
        CHECK(n == list->size());
        snmp_free_pdu(pdu);
    }
    CHECK_FALSE(peek_community_version("\x30\x03\x02\x01\x03"));  // SNMPv3
    CHECK_FALSE(peek_community_version("garbage"));
    CHECK_FALSE(peek_community_version(""));
}

TEST_CASE("snmp mux: 200 v2c devices on different addresses and communities share one socket") {
    asio::io_context io;
    std::vector<std::unique_ptr<EchoAgent>> agents;
    std::vector<std::unique_ptr<SnmpSession>> sessions;
    for (int i = 0; i < 200; ++i) {
        std::string community = fmt::format("room-{}-ro", i);
        agents.push_back(std::make_unique<EchoAgent>(io, loopback(i), community));
        sessions.push_back(std::make_unique<SnmpSession>(
            io.get_executor(), SessionOptions{fmt::format("dev-{}", i), loopback(i), target_for(*agents.back(), community)}));
    }
    std::vector<SnmpResponse> results(sessions.size());
    std::size_t done = 0;
    auto deadline = test::in(3s);
    for (std::size_t i = 0; i < sessions.size(); ++i)
        asio::co_spawn(io, sessions[i]->get({sys_uptime, sys_name}, deadline),
                       [&, i](std::exception_ptr e, SnmpResponse r) {
                           if (e) std::rethrow_exception(e);
                           results[i] = std::move(r);
                           ++done;
                       });
    auto start = std::chrono::steady_clock::now();
    while (done < sessions.size()) io.run_one();
    auto took = std::chrono::steady_clock::now() - start;
    for (std::size_t i = 0; i < results.size(); ++i) {
        INFO("device " << i << ": " << results[i].error);
        REQUIRE(results[i].ok());
        REQUIRE(results[i].varbinds.size() == 2);
        CHECK(results[i].varbinds[0].oid == sys_uptime);
        CHECK(results[i].varbinds[1].oid == sys_name);
        CHECK(agents[i]->requests() == 1);  // answered at once: no retransmission
    }
    CHECK(took < 300ms);  // well inside one timeout
    // Every agent saw the same sender: one socket, not one per device.
    auto mux = CommunityMux::shared_for(io.get_executor());
    for (const auto& a : agents) CHECK(a->last_from().port() == mux->local_port_v4());
    CHECK(mux->stats().answers == 200);
    CHECK(mux->waiting() == 0);
}

TEST_CASE("snmp mux: an answer from the wrong address is ignored, and the request times out") {
    asio::io_context io;
    EchoAgent silent(io, "127.0.20.1", "secret-ro", /*answer=*/false);
    asio::ip::udp::socket forger(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.20.2"), 0));
    SnmpSession s(io.get_executor(), {"target-dev", "127.0.20.1", target_for(silent, "secret-ro")});
    SnmpResponse result;
    bool done = false;
    asio::co_spawn(io, s.get({sys_name}, test::in(3s)), [&](std::exception_ptr e, SnmpResponse r) {
        if (e) std::rethrow_exception(e);
        result = std::move(r);
        done = true;
    });
    while (silent.requests() == 0) io.run_one();
    // A perfect answer (right request id, right community) but from 127.0.20.2.
    auto forged = EchoAgent::respond(silent.last(), "secret-ro");
    REQUIRE_FALSE(forged.empty());
    forger.send_to(asio::buffer(forged), silent.last_from());
    while (!done) io.run_one();
    INFO(result.error);
    CHECK(result.status == SnmpStatus::timeout);
    CHECK(result.error.find("target-dev") != std::string::npos);
    CHECK(result.error.find("secret-ro") == std::string::npos);
    CHECK(silent.requests() == 2);  // the request and its one retry
    auto mux = CommunityMux::shared_for(io.get_executor());
    CHECK(mux->stats().stray >= 1);
    CHECK(mux->stats().answers == 0);
}

TEST_CASE("snmp mux: a dead device times out without delaying the live ones; a wrong community is dead too") {
    asio::io_context io;
    std::vector<std::unique_ptr<EchoAgent>> agents;
    std::vector<std::unique_ptr<SnmpSession>> sessions;
    std::vector<bool> dead;
    for (int i = 0; i < 40; ++i) {
        bool is_dead = i % 10 == 7;
        bool wrong_community = i == 13;
        agents.push_back(std::make_unique<EchoAgent>(io, loopback(400 + i), "ro", /*answer=*/!is_dead));
        sessions.push_back(std::make_unique<SnmpSession>(
            io.get_executor(),
            SessionOptions{fmt::format("dev-{}", i), loopback(400 + i), target_for(*agents.back(), wrong_community ? "rw" : "ro")}));
        dead.push_back(is_dead || wrong_community);
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<std::chrono::steady_clock::duration> took(sessions.size());
    std::vector<SnmpResponse> results(sessions.size());
    std::size_t done = 0;
    for (std::size_t i = 0; i < sessions.size(); ++i)
        asio::co_spawn(io, sessions[i]->get({sys_name}, test::in(3s)), [&, i](std::exception_ptr e, SnmpResponse r) {
            if (e) std::rethrow_exception(e);
            took[i] = std::chrono::steady_clock::now() - start;
            results[i] = std::move(r);
            ++done;
        });
    while (done < sessions.size()) io.run_one();
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        INFO("device " << i << ": " << results[i].error);
        if (dead[i]) {
            CHECK(results[i].status == SnmpStatus::timeout);
            CHECK(results[i].error.find("no SNMP response within 300 ms x 2 attempts") != std::string::npos);
            CHECK(took[i] >= 590ms);
            CHECK(took[i] < 900ms);
            CHECK(agents[i]->requests() == 2);
        } else {
            CHECK(results[i].ok());
            CHECK(took[i] < 250ms);  // not held up by the dead ones' timeouts
        }
    }
    // Nothing waits any more, so the mux leaves no read pending on the shared socket.
    CHECK(CommunityMux::shared_for(io.get_executor())->waiting() == 0);
}

TEST_CASE("snmp mux: IPv6 devices get their own shared socket beside the IPv4 one") {
    asio::io_context io;
    boost::system::error_code ec;
    asio::ip::udp::socket probe(io);
    probe.open(asio::ip::udp::v6(), ec);
    if (!ec) probe.bind(asio::ip::udp::endpoint(asio::ip::make_address("::1"), 0), ec);
    if (ec) {
        WARN("no IPv6 loopback here (" << ec.message() << "): skipped");
        return;
    }
    probe.close();
    EchoAgent v6(io, "::1", "six-ro");
    EchoAgent v4(io, "127.0.30.1", "four-ro");
    SnmpSession s6(io.get_executor(), {"dev-v6", "::1", target_for(v6, "six-ro")});
    SnmpSession s4(io.get_executor(), {"dev-v4", "127.0.30.1", target_for(v4, "four-ro")});
    auto r6 = test::run(io, s6.get({sys_name}, test::in(2s)));
    auto r4 = test::run(io, s4.get({sys_name}, test::in(2s)));
    INFO(r6.error << " / " << r4.error);
    CHECK(r6.ok());
    CHECK(r4.ok());
    CHECK(v6.last_from().address().is_v6());
    CHECK(v4.last_from().port() == CommunityMux::shared_for(io.get_executor())->local_port_v4());
}
