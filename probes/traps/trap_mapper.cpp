#include "probes/traps/trap_mapper.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace avmon::traps {
namespace {

constexpr std::string_view link_down_oid = "1.3.6.1.6.3.1.1.5.3";
constexpr std::string_view link_up_oid = "1.3.6.1.6.3.1.1.5.4";
constexpr std::string_view if_name_column = "1.3.6.1.2.1.31.1.1.1.1.";
constexpr std::string_view if_index_column = "1.3.6.1.2.1.2.2.1.1.";
constexpr std::string_view if_status_columns[] = {"1.3.6.1.2.1.2.2.1.7.", "1.3.6.1.2.1.2.2.1.8.",
                                                  "1.3.6.1.2.1.2.2.1.2."};
constexpr std::size_t max_rendered_bytes = 512;
constexpr std::size_t max_detail = 4096;

struct Builtin {
    std::string_view oid;
    std::string_view event;
};
// SNMPv2-MIB / IF-MIB standard notifications every agent may send.
constexpr Builtin builtins[] = {
    {"1.3.6.1.6.3.1.1.5.1", "cold_start"},
    {"1.3.6.1.6.3.1.1.5.2", "warm_start"},
    {link_down_oid, "link_down"},
    {link_up_oid, "link_up"},
    {"1.3.6.1.6.3.1.1.5.5", "authentication_failure"},
};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string strip_dot(std::string_view oid) {
    if (!oid.empty() && oid.front() == '.') oid.remove_prefix(1);
    return std::string(oid);
}

// Length of the valid UTF-8 sequence starting at s[i] (0: invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (n == 0 || c >= 0xf5 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    return n;
}

std::string hex(std::string_view bytes) {
    std::string out = "0x";
    for (unsigned char c : bytes.substr(0, max_rendered_bytes)) out += fmt::format("{:02x}", c);
    if (bytes.size() > max_rendered_bytes) out += fmt::format("... ({} bytes)", bytes.size());
    return out;
}

std::string render_text(std::string_view bytes) {
    while (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);  // C strings on the wire
    const bool cut = bytes.size() > max_rendered_bytes;
    std::string_view shown = bytes.substr(0, max_rendered_bytes);
    std::string out;
    for (std::size_t i = 0; i < shown.size();) {
        const auto c = static_cast<unsigned char>(shown[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
            ++i;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
            ++i;
        } else if (std::size_t n = c >= 0x80 ? utf8_sequence(shown, i) : 0; n > 0) {
            out.append(shown.substr(i, n));
            i += n;
        } else if (cut && i + 4 > shown.size()) {
            break;  // a multi-byte character cut by the cap
        } else {
            return hex(bytes);  // binary: show it as bytes
        }
    }
    if (cut) out += fmt::format("... ({} bytes)", bytes.size());
    return out;
}

std::string render_ip(std::string_view b) {
    if (b.size() == 4)
        return fmt::format("{}.{}.{}.{}", static_cast<unsigned char>(b[0]), static_cast<unsigned char>(b[1]),
                           static_cast<unsigned char>(b[2]), static_cast<unsigned char>(b[3]));
    return hex(b);
}

}  // namespace

std::optional<std::string> check_trap_oid_pattern(std::string_view pattern) {
    std::string_view p = pattern;
    if (!p.empty() && p.front() == '.') p.remove_prefix(1);
    if (p.size() >= 2 && p.substr(p.size() - 2) == ".*") p.remove_suffix(2);
    if (p.empty()) return std::string("empty OID");
    int components = 0;
    std::size_t start = 0;
    while (start <= p.size()) {
        std::size_t end = p.find('.', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view part = p.substr(start, end - start);
        if (part.empty()) return std::string("empty component (\"..\" or a trailing dot)");
        if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return fmt::format("\"{}\" is not a number: trap OIDs must be numeric (MIB names are not loaded)",
                               std::string(part.substr(0, 40)));
        std::uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (ec != std::errc() || value > 0xffffffffULL) return fmt::format("component {} is too large", components + 1);
        ++components;
        start = end + 1;
    }
    if (components < 2) return std::string("an OID needs at least two components");
    return std::nullopt;
}

std::string render_value(const ReceivedVarbind& v) {
    using T = ReceivedVarbind::Type;
    switch (v.type) {
        case T::integer: return std::to_string(v.number);
        case T::counter32:
        case T::gauge32:
        case T::timeticks: return std::to_string(static_cast<std::uint32_t>(v.number));
        case T::counter64: return std::to_string(static_cast<std::uint64_t>(v.number));
        case T::octets: return render_text(v.bytes);
        case T::opaque: return hex(v.bytes);
        case T::object_id: return v.object_id;
        case T::ip_address: return render_ip(v.bytes);
        case T::null: return "";
        case T::no_such_object: return "noSuchObject";
        case T::no_such_instance: return "noSuchInstance";
        case T::end_of_mib_view: return "endOfMibView";
        case T::other: return hex(v.bytes);
    }
    return "";
}

std::string v1_trap_oid(std::string_view enterprise, int generic_trap, int specific_trap) {
    if (generic_trap >= 0 && generic_trap <= 5) return fmt::format("1.3.6.1.6.3.1.1.5.{}", generic_trap + 1);
    return fmt::format("{}.0.{}", strip_dot(enterprise), specific_trap);
}

TrapMapper::TrapMapper(const std::vector<config::TrapMapping>& mappings, DeviceLookup lookup)
    : lookup_(std::move(lookup)) {
    for (const auto& m : mappings) {
        if (auto problem = check_trap_oid_pattern(m.oid)) {
            errors_.push_back(fmt::format("{}:{}: trap mapping \"{}\": {}", m.where.file, m.where.line, m.oid, *problem));
            continue;
        }
        if (m.event.empty()) {
            errors_.push_back(fmt::format("{}:{}: trap mapping \"{}\" has no event name", m.where.file, m.where.line, m.oid));
            continue;
        }
        Rule r;
        r.oid = strip_dot(m.oid);
        if (r.oid.size() >= 2 && r.oid.substr(r.oid.size() - 2) == ".*") {
            r.oid.resize(r.oid.size() - 2);
            r.prefix = true;
        }
        r.event = m.event;
        rules_.push_back(std::move(r));
    }
    for (const auto& b : builtins) rules_.push_back(Rule{std::string(b.oid), false, std::string(b.event), true});
}

// Configured exact OIDs first, then the longest configured prefix, then the built-ins: the
// config can rename or re-route even the standard traps.
const TrapMapper::Rule* TrapMapper::find(std::string_view trap_oid) const {
    const Rule* best_prefix = nullptr;
    for (const auto& r : rules_) {
        if (r.builtin) continue;
        if (!r.prefix && r.oid == trap_oid) return &r;
        if (r.prefix && trap_oid.size() > r.oid.size() + 1 && starts_with(trap_oid, r.oid) &&
            trap_oid[r.oid.size()] == '.' && (!best_prefix || r.oid.size() > best_prefix->oid.size()))
            best_prefix = &r;
    }
    if (best_prefix) return best_prefix;
    for (const auto& r : rules_)
        if (r.builtin && r.oid == trap_oid) return &r;
    return nullptr;
}

TrapEvent TrapMapper::map(const ReceivedTrap& trap, SysTime now) const {
    using T = ReceivedVarbind::Type;
    TrapEvent e;
    e.time = now;
    e.source_address = trap.source_address;

    // The SNMPv2 view of the notification: v1 traps get the framing varbinds RFC 3584 adds.
    std::vector<ReceivedVarbind> varbinds;
    if (trap.pdu == ReceivedTrap::Pdu::trap_v1) {
        e.trap_oid = v1_trap_oid(trap.enterprise, trap.generic_trap, trap.specific_trap);
        varbinds.push_back({std::string(sys_uptime_0), T::timeticks, trap.v1_timestamp, {}, {}});
        varbinds.push_back({std::string(snmp_trap_oid_0), T::object_id, 0, {}, e.trap_oid});
        varbinds.insert(varbinds.end(), trap.varbinds.begin(), trap.varbinds.end());
        ReceivedVarbind agent{std::string(snmp_trap_address_0), T::octets, 0, trap.agent_address, {}};
        varbinds.push_back(agent);
        varbinds.push_back({std::string(snmp_trap_enterprise_0), T::object_id, 0, {}, strip_dot(trap.enterprise)});
    } else {
        varbinds = trap.varbinds;
        for (const auto& v : varbinds)
            if (strip_dot(v.oid) == snmp_trap_oid_0 && v.type == T::object_id) {
                e.trap_oid = strip_dot(v.object_id);
                break;
            }
    }

    const Rule* rule = e.trap_oid.empty() ? nullptr : find(e.trap_oid);
    e.event = rule ? rule->event : "unknown";

    if (e.trap_oid == link_down_oid || e.trap_oid == link_up_oid) {
        std::string if_name, if_index, instance;
        for (const auto& v : varbinds) {
            std::string oid = strip_dot(v.oid);
            if (starts_with(oid, if_name_column) && if_name.empty()) if_name = render_value(v);
            else if (starts_with(oid, if_index_column) && if_index.empty()) if_index = render_value(v);
            for (auto column : if_status_columns)
                if (starts_with(oid, column) && instance.empty()) instance = oid.substr(column.size());
        }
        std::string row = !if_name.empty() ? if_name : !if_index.empty() ? if_index : instance;
        if (!row.empty()) e.varbinds.push_back(Fact{std::string(row_key), row});
    }

    for (const auto& v : varbinds) {
        Fact f{strip_dot(v.oid), render_value(v)};
        if (e.detail.size() < max_detail) {
            if (!e.detail.empty()) e.detail += "; ";
            e.detail += f.key + " = " + f.value;
            if (e.detail.size() > max_detail) e.detail.resize(max_detail);
        }
        e.varbinds.push_back(std::move(f));
    }
    if (e.trap_oid.empty() && e.detail.size() < max_detail) e.detail = "no snmpTrapOID.0 varbind; " + e.detail;

    if (lookup_) {
        e.device = lookup_(trap.source_address);
        if (!e.device && !trap.agent_address.empty() && trap.agent_address != trap.source_address)
            e.device = lookup_(trap.agent_address);  // v1 through a relay or NAT: the header names the agent
    }
    return e;
}

}  // namespace avmon::traps
