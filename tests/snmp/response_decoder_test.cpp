// The v1/v2c answer decoder (community_codec) against Net-SNMP's own parser: the same bytes go
// through snmp_parse + fill_response and through decode_community_response, and must give the
// same varbinds, error-status and request id - for every value type, for short and long
// lengths, and for thousands of corrupted variants (where the two must agree whenever both
// accept, and the decoder must never read outside the message).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "probes/snmp/community_codec.hpp"
#include "probes/snmp/netsnmp_init.hpp"
#include "probes/snmp/varbind_convert.hpp"

using namespace avmon::snmp;

namespace {

std::string length_of(std::size_t n) {
    if (n < 0x80) return std::string(1, static_cast<char>(n));
    std::string bytes;
    for (; n; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
    return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

std::string tlv(unsigned char tag, const std::string& content) {
    return std::string(1, static_cast<char>(tag)) + length_of(content.size()) + content;
}

std::string twos(std::int64_t v) {  // minimal two's complement
    std::string out;
    bool more = true;
    while (more) {
        auto b = static_cast<unsigned char>(v & 0xff);
        v >>= 8;
        out.insert(out.begin(), static_cast<char>(b));
        more = !((v == 0 && !(b & 0x80)) || (v == -1 && (b & 0x80)));
    }
    return out;
}

std::string unsigned_bytes(std::uint64_t v) {  // with a leading 0 when the top bit is set
    std::string out;
    do {
        out.insert(out.begin(), static_cast<char>(v & 0xff));
        v >>= 8;
    } while (v);
    if (static_cast<unsigned char>(out[0]) & 0x80) out.insert(out.begin(), '\0');
    return out;
}

std::string oid_bytes(const Oid& o) {
    std::string out;
    auto arc = [&](std::uint64_t a) {
        std::string b(1, static_cast<char>(a & 0x7f));
        for (a >>= 7; a; a >>= 7) b.insert(b.begin(), static_cast<char>(0x80 | (a & 0x7f)));
        out += b;
    };
    arc(o[0] * 40 + o[1]);
    for (std::size_t i = 2; i < o.size(); ++i) arc(o[i]);
    return out;
}

std::string response(int version, std::int32_t id, long status, long index, const std::string& varbinds,
                     const std::string& community = "public") {
    std::string pdu = tlv(0x02, twos(id)) + tlv(0x02, twos(status)) + tlv(0x02, twos(index)) + tlv(0x30, varbinds);
    return tlv(0x30, tlv(0x02, twos(version)) + tlv(0x04, community) + tlv(0xA2, pdu));
}

std::string varbind(const Oid& name, unsigned char tag, const std::string& content) {
    return tlv(0x30, tlv(0x06, oid_bytes(name)) + tlv(tag, content));
}

// Net-SNMP's reading of `wire`: nullopt when it refuses the message.
std::optional<SnmpResponse> netsnmp_reading(std::string wire, int version, std::int32_t& reqid) {
    netsnmp_session parser;
    snmp_sess_init(&parser);
    parser.version = version == 0 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
    auto* pdu = static_cast<netsnmp_pdu*>(calloc(1, sizeof(netsnmp_pdu)));
    std::optional<SnmpResponse> out;
    if (snmp_parse(nullptr, &parser, pdu, reinterpret_cast<u_char*>(wire.data()), wire.size()) == 0 &&
        pdu->command == SNMP_MSG_RESPONSE) {
        SnmpResponse r;
        fill_response(*pdu, "d", r);
        reqid = static_cast<std::int32_t>(pdu->reqid);
        out = std::move(r);
    }
    snmp_free_pdu(pdu);
    return out;
}

void check_same(const SnmpResponse& theirs, const CommunityResponse& ours) {
    CHECK(theirs.error_status == ours.error_status);
    if (theirs.error_status) CHECK(theirs.error_index == ours.error_index);
    REQUIRE(theirs.varbinds.size() == ours.varbinds.size());
    for (std::size_t i = 0; i < ours.varbinds.size(); ++i) {
        const auto& a = theirs.varbinds[i];
        const auto& b = ours.varbinds[i];
        INFO("varbind " << i);
        CHECK(a.oid == b.oid);
        CHECK(a.value.type == b.value.type);
        CHECK(a.value.integer == b.value.integer);
        CHECK(a.value.unsigned_value == b.value.unsigned_value);
        CHECK(a.value.bytes == b.value.bytes);
        CHECK(a.value.oid == b.value.oid);
    }
}

const Oid base = *parse_oid("1.3.6.1.4.1.99999.1.1.0");

std::string every_type() {
    std::string vbs;
    for (std::int64_t v : {0LL, 1LL, -1LL, 127LL, 128LL, -129LL, 2147483647LL, -2147483648LL})
        vbs += varbind(base, 0x02, twos(v));
    for (unsigned char tag : {0x41, 0x42, 0x43})
        for (std::uint64_t v : {0ULL, 1ULL, 255ULL, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL})
            vbs += varbind(base, tag, unsigned_bytes(v));
    for (std::uint64_t v : {0ULL, 1ULL, 0x8000000000000000ULL, ~0ULL}) vbs += varbind(base, 0x46, unsigned_bytes(v));
    vbs += varbind(base, 0x04, "");
    vbs += varbind(base, 0x04, std::string("a\0b\xff", 4));
    vbs += varbind(base, 0x04, std::string(300, 'x'));  // a long-form length inside
    vbs += varbind(base, 0x40, std::string("\x7f\x00\x00\x01", 4));
    vbs += varbind(base, 0x05, "");
    vbs += varbind(base, 0x06, oid_bytes(*parse_oid("1.3.6.1.2.1.2.2.1.10.4294967295")));
    vbs += varbind(base, 0x06, oid_bytes(*parse_oid("2.999.1")));
    vbs += varbind(*parse_oid("0.0"), 0x80, "");
    vbs += varbind(*parse_oid("1.3.6.1.2.1.1.5.0"), 0x81, "");
    vbs += varbind(*parse_oid("1.3.6.1.2.1.1.6.0"), 0x82, "");
    return vbs;
}

}  // namespace

TEST_CASE("snmp decoder: every value type reads as Net-SNMP reads it, v1 and v2c") {
    ensure_netsnmp_initialised();
    for (int version : {0, 1})
        for (std::int32_t id : {1, 200, 0x7ffffffe}) {
            auto wire = response(version, id, 0, 0, every_type());
            CommunityResponse ours;
            REQUIRE(decode_community_response(wire, ours));
            std::int32_t reqid = 0;
            auto theirs = netsnmp_reading(wire, version, reqid);
            REQUIRE(theirs);
            CHECK(ours.request_id == reqid);
            CHECK(ours.version == version);
            CHECK(ours.community == "public");
            check_same(*theirs, ours);
        }
}

TEST_CASE("snmp decoder: an error-status answer keeps its status, index and varbinds") {
    ensure_netsnmp_initialised();
    auto wire = response(1, 42, 5, 2, varbind(base, 0x05, "") + varbind(base, 0x05, ""));
    CommunityResponse ours;
    REQUIRE(decode_community_response(wire, ours));
    CHECK(ours.error_status == 5);
    CHECK(ours.error_index == 2);
    std::int32_t reqid = 0;
    auto theirs = netsnmp_reading(wire, 1, reqid);
    REQUIRE(theirs);
    check_same(*theirs, ours);
}

TEST_CASE("snmp decoder: an answer decoded over a longer one's varbinds keeps nothing of it") {
    ensure_netsnmp_initialised();
    CommunityResponse ours;
    const std::string answers[] = {response(1, 7, 0, 0, every_type()),
                                   response(1, 8, 0, 0, varbind(base, 0x43, unsigned_bytes(42))),
                                   response(0, 9, 0, 0, varbind(base, 0x04, "abc") + varbind(base, 0x05, "")),
                                   response(1, 10, 0, 0, every_type())};
    for (const auto& wire : answers) {
        REQUIRE(decode_community_response(wire, ours));
        std::int32_t reqid = 0;
        auto theirs = netsnmp_reading(wire, ours.version, reqid);
        REQUIRE(theirs);
        CHECK(ours.request_id == reqid);
        check_same(*theirs, ours);
    }
}

TEST_CASE("snmp decoder: refuses what is not a v1/v2c response or overruns the message") {
    CommunityResponse out;
    const auto good = response(1, 7, 0, 0, varbind(base, 0x02, twos(5)));
    REQUIRE(decode_community_response(good, out));
    CHECK_FALSE(decode_community_response("", out));
    CHECK_FALSE(decode_community_response(good.substr(0, good.size() - 1), out));  // cut short
    std::string request = good;
    request[request.find('\xa2')] = '\xa0';  // a GetRequest, not an answer
    CHECK_FALSE(decode_community_response(request, out));
    CHECK_FALSE(decode_community_response(response(3, 7, 0, 0, ""), out));  // SNMPv3 / unknown version
    CHECK_FALSE(decode_community_response(std::string("\x30\x80\x02\x01\x01", 5), out));  // indefinite length
    CHECK_FALSE(decode_community_response(std::string("\x30\x84\xff\xff\xff\xff", 6), out));  // huge length
    CHECK_FALSE(decode_community_response(response(1, 7, 0, 0, varbind(base, 0x41, std::string(6, '\x01'))), out));
    CHECK_FALSE(decode_community_response(response(1, 7, 0, 0, varbind(base, 0x02, "")), out));  // empty INTEGER
    Oid long_oid(129, 1);
    CHECK_FALSE(decode_community_response(response(1, 7, 0, 0, varbind(long_oid, 0x05, "")), out));
    CHECK_FALSE(decode_community_response(
        response(1, 7, 0, 0, tlv(0x30, tlv(0x06, "\x2b\x86\x80\x80\x80\x80\x01") + tlv(0x05, ""))), out));  // arc > 2^32
    CHECK(decode_community_response(response(1, 7, 0, 0, ""), out));  // no varbinds is an answer
    CHECK(out.varbinds.empty());
}

TEST_CASE("snmp decoder: 20,000 corrupted answers never crash, and agree with Net-SNMP when both accept") {
    ensure_netsnmp_initialised();
    std::mt19937 rng(20261124);
    const std::string seeds[] = {response(1, 99, 0, 0, every_type()),
                                 response(0, 5, 0, 0, varbind(base, 0x43, unsigned_bytes(123456)))};
    int both = 0;
    CommunityResponse ours;  // one for all: each answer is decoded over the last one's varbinds
    for (int i = 0; i < 20000; ++i) {
        std::string wire = seeds[i % 2];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const auto at = rng() % wire.size();
            switch (rng() % 3) {
                case 0: wire[at] = static_cast<char>(rng() & 0xff); break;
                case 1: wire.resize(at); break;
                default: wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng() & 0xff));
            }
            if (wire.empty()) wire = "0";
        }
        // A copy of exactly the message's size: ASan sees any read past its end.
        auto* copy = static_cast<char*>(std::malloc(wire.size()));
        std::memcpy(copy, wire.data(), wire.size());
        const bool accepted = decode_community_response(std::string_view(copy, wire.size()), ours);
        std::free(copy);
        if (!accepted) continue;
        std::int32_t reqid = 0;
        auto theirs = netsnmp_reading(wire, ours.version, reqid);
        if (!theirs) continue;
        // Net-SNMP cuts INTEGERs wider than 32 bits, we keep them: compare the conforming ones.
        bool conforming = true;
        for (const auto& vb : ours.varbinds)
            if (vb.value.type == ValueType::integer && (vb.value.integer > INT32_MAX || vb.value.integer < INT32_MIN))
                conforming = false;
        if (!conforming) continue;
        ++both;
        std::string hex;
        for (unsigned char ch : wire) hex += fmt::format("{:02x}", ch);
        INFO("message " << hex);
        CHECK(ours.request_id == reqid);
        check_same(*theirs, ours);
    }
    CHECK(both > 100);  // the comparison really ran
}
