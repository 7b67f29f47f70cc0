// Fuzzes trap mapping and value rendering: the mapper sees whatever a sender put in a trap.
// Input (text lines; values may hold any bytes):
//   map <oid pattern> <event>                      configured mappings, any number, first
//   v1 <source> <enterprise> <generic> <specific> <agent> | v2 <source> | inform <source>
//   <oid> <type> <value>                           varbinds; type: i c g t C s o a n O N I E
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "probes/traps/trap_mapper.hpp"

using namespace avmon;
using namespace avmon::traps;

namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        auto nl = s.find('\n');
        out.push_back(s.substr(0, nl));
        if (nl == std::string_view::npos) break;
        s.remove_prefix(nl + 1);
    }
    return out;
}

// Next space-separated word; the rest stays in `s`.
std::string_view word(std::string_view& s) {
    auto sp = s.find(' ');
    auto w = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
    return w;
}

std::int64_t number(std::string_view s) {
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using T = ReceivedVarbind::Type;
    auto lines = split_lines(std::string_view(reinterpret_cast<const char*>(data), size));
    std::size_t i = 0;
    std::vector<config::TrapMapping> mappings;
    for (; i < lines.size() && lines[i].substr(0, 4) == "map "; ++i) {
        auto rest = lines[i].substr(4);
        config::TrapMapping m;
        m.oid = std::string(word(rest));
        m.event = std::string(rest);
        (void)check_trap_oid_pattern(m.oid);
        mappings.push_back(std::move(m));
    }
    ReceivedTrap trap;
    if (i < lines.size()) {
        auto rest = lines[i++];
        auto kind = word(rest);
        trap.source_address = std::string(word(rest));
        if (kind == "v1") {
            trap.pdu = ReceivedTrap::Pdu::trap_v1;
            trap.enterprise = std::string(word(rest));
            trap.generic_trap = static_cast<int>(number(word(rest)));
            trap.specific_trap = static_cast<int>(number(word(rest)));
            trap.agent_address = std::string(word(rest));
        } else if (kind == "inform") {
            trap.pdu = ReceivedTrap::Pdu::inform;
        }
    }
    for (; i < lines.size(); ++i) {
        auto rest = lines[i];
        ReceivedVarbind v;
        v.oid = std::string(word(rest));
        auto type = word(rest);
        const char t = type.empty() ? 's' : type[0];
        switch (t) {
            case 'i': v.type = T::integer; v.number = number(rest); break;
            case 'c': v.type = T::counter32; v.number = number(rest); break;
            case 'g': v.type = T::gauge32; v.number = number(rest); break;
            case 't': v.type = T::timeticks; v.number = number(rest); break;
            case 'C': v.type = T::counter64; v.number = number(rest); break;
            case 'o': v.type = T::object_id; v.object_id = std::string(rest); break;
            case 'a': v.type = T::ip_address; v.bytes = std::string(rest); break;
            case 'n': v.type = T::null; break;
            case 'O': v.type = T::opaque; v.bytes = std::string(rest); break;
            case 'N': v.type = T::no_such_object; break;
            case 'I': v.type = T::no_such_instance; break;
            case 'E': v.type = T::end_of_mib_view; break;
            default: v.type = T::octets; v.bytes = std::string(rest); break;
        }
        trap.varbinds.push_back(std::move(v));
    }

    TrapMapper mapper(mappings, [](std::string_view a) -> std::optional<std::string> {
        if (a == "192.0.2.1") return std::string("known-device");
        return std::nullopt;
    });
    TrapEvent e = mapper.map(trap, SysTime{});
    // Invariants: always an event; no OID means unknown; the record stays bounded.
    if (e.event.empty()) std::abort();
    if (e.trap_oid.empty() && e.event != "unknown") std::abort();
    if (e.detail.size() > 4096 + 64) std::abort();
    for (const auto& f : e.varbinds)
        if (f.value.size() > 2 * 512 + 64 && f.key.find('.') != std::string::npos && f.value.rfind("0x", 0) != 0 &&
            f.value.find("bytes)") == std::string::npos)
            std::abort();
    return 0;
}
