#pragma once
// A trap or inform as it arrived, before mapping: plain data with raw values, no Net-SNMP
// types, so the mapping and rendering code is testable and fuzzable on its own.
#include <cstdint>
#include <string>
#include <vector>

namespace avmon::traps {

struct ReceivedVarbind {
    enum class Type {
        integer, octets, object_id, ip_address, counter32, gauge32, timeticks, counter64,
        opaque, null, no_such_object, no_such_instance, end_of_mib_view, other
    };
    std::string oid;          // numeric, dotted, no leading dot
    Type type = Type::null;
    std::int64_t number = 0;  // integer types (counter64 as unsigned bits)
    std::string bytes;        // octets, opaque, ip_address (4 or 16 raw bytes)
    std::string object_id;    // object_id values, dotted
};

struct ReceivedTrap {
    enum class Pdu { trap_v1, trap_v2, inform };
    Pdu pdu = Pdu::trap_v2;
    int version = 2;             // 1, 2 (v2c) or 3
    std::string source_address;  // UDP sender
    std::string security_name;   // SNMPv3 user; empty for v1/v2c (the community is never kept)
    // SNMPv1 trap header (RFC 1157); unused for v2/v3 notifications.
    std::string enterprise;
    int generic_trap = 0;
    int specific_trap = 0;
    std::string agent_address;   // dotted quad from the v1 header
    std::uint32_t v1_timestamp = 0;
    std::vector<ReceivedVarbind> varbinds;
};

}  // namespace avmon::traps
