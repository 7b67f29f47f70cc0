#pragma once
// Turns a received trap into a TrapEvent: v1 traps are first given their SNMPv2 form
// (RFC 3584 §3.1), the snmpTrapOID is looked up in the configured mappings and then in the
// built-in MIB-II ones, the sender is matched to a device. Traps nobody mapped become
// event "unknown": they are recorded, never dropped. Asio-free and Net-SNMP-free (fuzzed).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/observation.hpp"
#include "probes/traps/received_trap.hpp"

namespace avmon::traps {

inline constexpr std::string_view snmp_trap_oid_0 = "1.3.6.1.6.3.1.1.4.1.0";
inline constexpr std::string_view sys_uptime_0 = "1.3.6.1.2.1.1.3.0";
inline constexpr std::string_view snmp_trap_address_0 = "1.3.6.1.6.3.18.1.3.0";
inline constexpr std::string_view snmp_trap_enterprise_0 = "1.3.6.1.6.3.1.1.4.3.0";
// TrapEvent::varbinds entry naming the table row a trap is about (linkDown: the interface).
inline constexpr std::string_view row_key = "row";

// Device id for a sender address, if it is one of ours.
using DeviceLookup = std::function<std::optional<std::string>(std::string_view address)>;

// Checks a mapping's OID: numeric dotted, optionally ending in ".*" (everything below it).
// Returns the problem, or nothing when it is fine. For the config loader as well.
std::optional<std::string> check_trap_oid_pattern(std::string_view pattern);

// Renders a varbind value for the record: numbers in decimal, printable text as text
// (trailing NULs dropped, control characters escaped), other bytes as 0x-hex, capped in size.
std::string render_value(const ReceivedVarbind& v);

// The SNMPv2 snmpTrapOID of an SNMPv1 trap (RFC 3584 §3.1.2).
std::string v1_trap_oid(std::string_view enterprise, int generic_trap, int specific_trap);

class TrapMapper {
public:
    // Mappings with invalid OIDs are left out and listed by errors() (file:line, OID, reason).
    TrapMapper(const std::vector<config::TrapMapping>& mappings, DeviceLookup lookup);

    TrapEvent map(const ReceivedTrap& trap, SysTime now) const;
    const std::vector<std::string>& errors() const { return errors_; }

private:
    struct Rule {
        std::string oid;  // without ".*"
        bool prefix = false;
        std::string event;
        bool builtin = false;
    };
    const Rule* find(std::string_view trap_oid) const;

    std::vector<Rule> rules_;
    std::vector<std::string> errors_;
    DeviceLookup lookup_;
};

}  // namespace avmon::traps
