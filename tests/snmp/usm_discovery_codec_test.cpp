// The SNMPv3 discovery probe and REPORT parser, against a REPORT captured from Net-SNMP 5.9.3
// snmpd (engineID "avmon-test-agent") and one from snmpsim 0.4.5.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "probes/snmp/usm_discovery_codec.hpp"

using namespace avmon::snmp;

namespace {
std::string corpus_file(const std::string& name) {
    std::ifstream in(std::string(AVMON_SOURCE_DIR) + "/tests/fuzz/corpus/snmp_usm_report/" + name, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
std::string hex(const std::string& b) {
    std::string out;
    for (unsigned char c : b) out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
    return out;
}
}  // namespace

TEST_CASE("snmp usm discovery: the probe is the RFC 3414 discovery message") {
    // Byte for byte what an independent encoder (tests' capture script) produced.
    CHECK(build_discovery_probe(0x1234567, 0x1234567) == corpus_file("probe-avmon"));
    CHECK_FALSE(parse_discovery_report(build_discovery_probe(5, 5)));  // empty engine id: not a report
}

TEST_CASE("snmp usm discovery: reads engine id, boots and time from real REPORTs") {
    auto netsnmp = parse_discovery_report(corpus_file("report-netsnmp-5.9.3"));
    REQUIRE(netsnmp);
    CHECK(netsnmp->msg_id == 0x1234567);
    CHECK(hex(netsnmp->engine_id) == "80001f880461766d6f6e2d746573742d6167656e74");
    CHECK(netsnmp->boots == 1);
    auto snmpsim = parse_discovery_report(corpus_file("report-snmpsim-0.4.5"));
    REQUIRE(snmpsim);
    CHECK(hex(snmpsim->engine_id) == "80004fb805766d29059d40");
    CHECK(snmpsim->boots == 2);
    CHECK(snmpsim->time == 1);
}

TEST_CASE("snmp usm discovery: malformed datagrams are refused") {
    for (const char* bad : {"truncated-report", "v2c-version", "huge-length", "empty", "v2c-get-response"})
        CHECK_FALSE(parse_discovery_report(corpus_file(bad)));
    auto long_form = parse_discovery_report(corpus_file("long-form-length"));  // legal BER
    REQUIRE(long_form);
    CHECK(long_form->boots == 1);
}
