#include "probes/snmp/oid.hpp"

namespace avmon::snmp {

std::optional<Oid> parse_oid(std::string_view text) {
    if (!text.empty() && text.front() == '.') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    Oid out;
    std::uint64_t arc = 0;
    bool have_digit = false;
    for (char c : text) {
        if (c == '.') {
            if (!have_digit) return std::nullopt;
            out.push_back(static_cast<std::uint32_t>(arc));
            arc = 0;
            have_digit = false;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        arc = arc * 10 + static_cast<std::uint64_t>(c - '0');
        if (arc > 0xffffffffULL) return std::nullopt;
        have_digit = true;
    }
    if (!have_digit) return std::nullopt;
    out.push_back(static_cast<std::uint32_t>(arc));
    if (out.size() > 128) return std::nullopt;  // SNMP's own limit (RFC 2578 §3.5)
    return out;
}

std::string to_string(const Oid& oid) {
    std::string out;
    for (std::size_t i = 0; i < oid.size(); ++i) {
        if (i) out += '.';
        out += std::to_string(oid[i]);
    }
    return out;
}

bool is_below(const Oid& oid, const Oid& prefix) {
    if (oid.size() <= prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (oid[i] != prefix[i]) return false;
    return true;
}

std::string suffix_after(const Oid& oid, const Oid& prefix) {
    if (!is_below(oid, prefix)) return {};
    return to_string(Oid(oid.begin() + static_cast<std::ptrdiff_t>(prefix.size()), oid.end()));
}

}  // namespace avmon::snmp
