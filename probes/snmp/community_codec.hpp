#pragma once
// SNMPv1/v2c request messages (RFC 1157 / RFC 3416) encoded by hand: the shared community
// socket (community_mux) sends them without a Net-SNMP session. Read-only by construction:
// ReadCommand has no SET. Free of Net-SNMP and Asio (unit-tested and fuzzable as plain data).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/snmp/oid.hpp"
#include "probes/snmp/response.hpp"

namespace avmon::snmp {

enum class ReadCommand { get, get_next, get_bulk };

struct CommunityRequest {
    int version = 1;              // 0: SNMPv1, 1: SNMPv2c (the values on the wire)
    std::string_view community;
    ReadCommand command = ReadCommand::get;
    std::int32_t request_id = 0;
    int max_repetitions = 10;     // GETBULK only (non-repeaters is always 0)
    const std::vector<Oid>* oids = nullptr;
};

// The whole message, varbinds with NULL values. GETBULK in a v1 request is sent as GETNEXT
// (v1 has no GETBULK).
std::string encode_community_request(const CommunityRequest& request);

// A v1/v2c GetResponse as it came off the wire.
struct CommunityResponse {
    int version = 1;
    std::string_view community;  // points into the decoded message
    std::int32_t request_id = 0;
    long error_status = 0;
    long error_index = 0;
    std::vector<VarBind> varbinds;
};

// Decodes a v1/v2c GetResponse-PDU (tag 0xA2) into `out`: every value type of RFC 2578/3416
// (INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER, IpAddress, Counter32, Gauge32, TimeTicks,
// Opaque, Counter64, the three exceptions; other tags as ValueType::unknown with their bytes).
// False for anything else: SNMPv3, other PDUs, lengths beyond the datagram, indefinite or
// over-long lengths, integers wider than their type, OIDs over 128 arcs or arcs over 2^32-1.
// Unsigned types are read as plain unsigned numbers, as Net-SNMP reads them.
// Every answer of every poll comes through here: Net-SNMP's snmp_parse with its allocations
// per varbind and the conversion after it cost ~12,000 instructions per 5-varbind answer.
// Varbinds already in `out` are decoded over, so their OID buffers are reused.
bool decode_community_response(std::string_view message, CommunityResponse& out);

// The version field of a v1/v2c message (0 or 1), or nullopt when `message` does not start
// like one (SNMPv3, garbage): the mux hands only v1/v2c messages to Net-SNMP's parser.
std::optional<int> peek_community_version(std::string_view message);

}  // namespace avmon::snmp
