// Fuzzes the v1/v2c answer decoder (every answer of every SNMP poll goes through it) with
// arbitrary datagrams: it must never read outside them, and what it accepts must hold what
// its contract says (OIDs of 1..128 arcs, versions 0/1, unsigned values within their width).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/snmp/community_codec.hpp"

using namespace avmon::snmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CommunityResponse out;
    if (!decode_community_response(std::string_view(reinterpret_cast<const char*>(data), size), out)) return 0;
    if (out.version != 0 && out.version != 1) std::abort();
    for (const auto& vb : out.varbinds) {
        if (vb.oid.empty() || vb.oid.size() > 128) std::abort();
        const auto t = vb.value.type;
        if ((t == ValueType::counter32 || t == ValueType::gauge32 || t == ValueType::timeticks) &&
            vb.value.unsigned_value > 0xffffffffULL)
            std::abort();
        if (t == ValueType::object_id && (vb.value.oid.empty() || vb.value.oid.size() > 128)) std::abort();
    }
    return 0;
}
