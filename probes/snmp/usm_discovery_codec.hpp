#pragma once
// SNMPv3 engine discovery on the wire (RFC 3414 §4): the probe message (noAuthNoPriv, empty
// user and engine id, reportable) and the agent's REPORT, from which we read
// msgAuthoritativeEngineID / Boots / Time. Hand-written so discovery runs on an Asio socket
// and never inside Net-SNMP, whose built-in discovery blocks. No Asio here: fuzzed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace avmon::snmp {

struct EngineReport {
    std::int64_t msg_id = 0;
    std::string engine_id;  // bytes
    std::uint32_t boots = 0;
    std::uint32_t time = 0;
};

// The probe datagram. msg_id and request_id are positive 31-bit numbers.
std::string build_discovery_probe(std::int32_t msg_id, std::int32_t request_id);

// Reads an SNMPv3 message's header and USM security parameters. nullopt for anything that is
// not a well-formed SNMPv3/USM message (never throws, never reads out of bounds).
std::optional<EngineReport> parse_discovery_report(std::string_view datagram);

}  // namespace avmon::snmp
