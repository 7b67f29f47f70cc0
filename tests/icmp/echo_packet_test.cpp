#include <catch2/catch.hpp>

#include <vector>

#include "probes/icmp/echo_packet.hpp"
#include "probes/icmp/echo_window.hpp"

using namespace avmon::icmp;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes request(Family family, std::uint16_t id, std::uint16_t seq) {
    auto p = build_echo_request(family, id, seq);
    return Bytes(p.begin(), p.end());
}

// What a peer does with our request: same bytes, reply type, checksum redone for IPv4.
Bytes as_reply(Bytes packet, Family family) {
    packet[0] = family == Family::v4 ? 0 : 129;
    packet[2] = packet[3] = 0;
    if (family == Family::v4) {
        auto sum = internet_checksum(packet);
        packet[2] = static_cast<std::uint8_t>(sum >> 8);
        packet[3] = static_cast<std::uint8_t>(sum);
    }
    return packet;
}

// A minimal IPv4 header (20 bytes, or more with options) in front of an ICMP message.
Bytes with_ipv4_header(const Bytes& icmp, std::size_t header_len = 20) {
    Bytes p(header_len, 0);
    p[0] = static_cast<std::uint8_t>(0x40 | (header_len / 4));
    const std::size_t total = header_len + icmp.size();
    p[2] = static_cast<std::uint8_t>(total >> 8);
    p[3] = static_cast<std::uint8_t>(total);
    p[8] = 64;
    p[9] = 1;  // ICMP
    p.insert(p.end(), icmp.begin(), icmp.end());
    return p;
}

}  // namespace

TEST_CASE("icmp: an IPv4 echo request carries type 8, id, sequence and a valid checksum") {
    auto p = build_echo_request(Family::v4, 0x1234, 0xabcd);
    REQUIRE(p.size() == 8 + payload_size);
    CHECK(p[0] == 8);
    CHECK(p[1] == 0);
    CHECK(p[4] == 0x12);
    CHECK(p[5] == 0x34);
    CHECK(p[6] == 0xab);
    CHECK(p[7] == 0xcd);
    CHECK(internet_checksum(p) == 0);
}

TEST_CASE("icmp: an ICMPv6 echo request has type 128 and leaves the checksum to the kernel") {
    auto p = build_echo_request(Family::v6, 7, 9);
    CHECK(p[0] == 128);
    CHECK(p[2] == 0);
    CHECK(p[3] == 0);
}

TEST_CASE("icmp: echo replies parse for both families, with and without an IPv4 header") {
    auto v4 = as_reply(request(Family::v4, 0x0102, 513), Family::v4);
    auto r = parse_echo_reply(v4, Family::v4, false);
    REQUIRE(r);
    CHECK(r->id == 0x0102);
    CHECK(r->seq == 513);

    auto framed = parse_echo_reply(with_ipv4_header(v4), Family::v4, true);
    REQUIRE(framed);
    CHECK(framed->seq == 513);
    auto with_options = parse_echo_reply(with_ipv4_header(v4, 24), Family::v4, true);
    REQUIRE(with_options);
    CHECK(with_options->seq == 513);

    auto v6 = as_reply(request(Family::v6, 3, 65535), Family::v6);
    auto r6 = parse_echo_reply(v6, Family::v6, false);
    REQUIRE(r6);
    CHECK(r6->seq == 65535);
    // A raw IPv6 socket delivers no IP header even when the flag is set.
    CHECK(parse_echo_reply(v6, Family::v6, true));
}

TEST_CASE("icmp: truncated, foreign and damaged packets are rejected") {
    auto good = as_reply(request(Family::v4, 1, 2), Family::v4);
    for (std::size_t n = 0; n < good.size(); ++n)
        CHECK_FALSE(parse_echo_reply(std::span(good.data(), n), Family::v4, false));

    SECTION("our own echo request (raw sockets see it on loopback)") {
        CHECK_FALSE(parse_echo_reply(request(Family::v4, 1, 2), Family::v4, false));
    }
    SECTION("bad IPv4 checksum") {
        auto bad = good;
        bad[8] ^= 0xff;
        CHECK_FALSE(parse_echo_reply(bad, Family::v4, false));
    }
    SECTION("somebody else's payload") {
        auto other = good;
        other[10] = 'X';
        other[2] = other[3] = 0;
        auto sum = internet_checksum(other);
        other[2] = static_cast<std::uint8_t>(sum >> 8);
        other[3] = static_cast<std::uint8_t>(sum);
        CHECK_FALSE(parse_echo_reply(other, Family::v4, false));
    }
    SECTION("IPv4 header lies") {
        auto framed = with_ipv4_header(good);
        auto short_ihl = framed;
        short_ihl[0] = 0x44;  // IHL 16 bytes
        CHECK_FALSE(parse_echo_reply(short_ihl, Family::v4, true));
        auto huge_ihl = framed;
        huge_ihl[0] = 0x4f;  // 60 bytes of header in a 52-byte packet... and more
        huge_ihl.resize(50);
        CHECK_FALSE(parse_echo_reply(huge_ihl, Family::v4, true));
        auto not_v4 = framed;
        not_v4[0] = 0x65;
        CHECK_FALSE(parse_echo_reply(not_v4, Family::v4, true));
        auto not_icmp = framed;
        not_icmp[9] = 17;
        CHECK_FALSE(parse_echo_reply(not_icmp, Family::v4, true));
        auto short_total = framed;
        short_total[2] = 0;
        short_total[3] = 30;  // the header says the message ends after 10 bytes of ICMP
        CHECK_FALSE(parse_echo_reply(short_total, Family::v4, true));
    }
    SECTION("an IPv4 reply is not an ICMPv6 reply and vice versa") {
        CHECK_FALSE(parse_echo_reply(good, Family::v6, false));
        auto v6 = as_reply(request(Family::v6, 1, 2), Family::v6);
        CHECK_FALSE(parse_echo_reply(v6, Family::v4, false));
    }
}

TEST_CASE("icmp: the echo window judges loss and mean RTT over the last N requests") {
    using namespace std::chrono;
    EchoWindow w(4);
    CHECK(w.loss_pct() == 0);
    CHECK_FALSE(w.mean_rtt_ms());
    w.record(milliseconds(2));
    w.record(std::nullopt);
    CHECK(w.loss_pct() == Approx(50));
    CHECK(*w.mean_rtt_ms() == Approx(2));
    w.record(milliseconds(4));
    w.record(milliseconds(6));
    CHECK(w.loss_pct() == Approx(25));
    CHECK(*w.mean_rtt_ms() == Approx(4));
    // The fifth result pushes out the first (2 ms): the loss stays, the mean moves.
    w.record(milliseconds(8));
    CHECK(w.size() == 4);
    CHECK(w.loss_pct() == Approx(25));
    CHECK(*w.mean_rtt_ms() == Approx(6));
    // Four losses in a row fill the window: 100 %, no RTT.
    for (int i = 0; i < 4; ++i) w.record(std::nullopt);
    CHECK(w.loss_pct() == Approx(100));
    CHECK_FALSE(w.mean_rtt_ms());
}
