#pragma once
// Numeric object identifiers as plain data. Debian ships almost no MIBs, so avmon only ever
// speaks numeric OIDs; this type is free of Net-SNMP and Asio so the fuzzers can use it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avmon::snmp {

using Oid = std::vector<std::uint32_t>;

// "1.3.6.1.2.1.1.3.0" or ".1.3.6..." -> arcs; nullopt on anything else (empty arcs, letters,
// arcs above 2^32-1, more than 128 arcs).
std::optional<Oid> parse_oid(std::string_view text);

// Arcs joined by dots, without a leading dot.
std::string to_string(const Oid& oid);

// True when `oid` lies strictly below `prefix` (a column and one of its rows).
bool is_below(const Oid& oid, const Oid& prefix);

// The arcs after `prefix` as "49" or "1.49" (the row index of a table column).
std::string suffix_after(const Oid& oid, const Oid& prefix);

}  // namespace avmon::snmp
