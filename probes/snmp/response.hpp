#pragma once
// The outcome of one SNMP exchange, as plain data (no Net-SNMP types leak out of the session).
#include <chrono>
#include <string>
#include <vector>

#include "probes/snmp/oid.hpp"
#include "probes/snmp/value.hpp"

namespace avmon::snmp {

using SteadyTime = std::chrono::steady_clock::time_point;

struct VarBind {
    Oid oid;
    RawValue value;
};

enum class SnmpStatus {
    ok,              // a response PDU with error-status 0 (varbinds may still hold exceptions)
    error_status,    // a response PDU with an error-status (tooBig, noSuchName, genError, authorizationError ...)
    timeout,         // no answer after timeout x (retries + 1)
    deadline,        // the caller's deadline came first
    auth_error,      // SNMPv3 report: wrong auth key, unknown user, unsupported level ...
    report,          // another SNMPv3 report (unknown engine id, decryption error ...)
    send_failed,     // the request could not be sent (socket error, bad credentials)
    resolve_failed,  // the device's name did not resolve
    open_failed,     // Net-SNMP refused to open the session
    closed,          // the session was closed while the request waited
};

std::string_view to_string(SnmpStatus s);

struct SnmpResponse {
    SnmpStatus status = SnmpStatus::ok;
    std::string error;        // human readable, names the device, never a secret
    long error_status = 0;    // SNMP error-status when status == error_status
    long error_index = 0;     // 1-based varbind index of the error
    std::vector<VarBind> varbinds;
    std::string security_engine_id;  // bytes, from an SNMPv3 message (discovery uses it)

    static SnmpResponse failure(SnmpStatus s, std::string text) {
        SnmpResponse r;
        r.status = s;
        r.error = std::move(text);
        return r;
    }
    bool ok() const { return status == SnmpStatus::ok; }
    // The agent sent something back (so it is reachable, even if it said no).
    bool answered() const {
        return status == SnmpStatus::ok || status == SnmpStatus::error_status ||
               status == SnmpStatus::auth_error || status == SnmpStatus::report;
    }
};

inline constexpr long error_too_big = 1;
inline constexpr long error_no_such_name = 2;

// SNMP error-status names (RFC 3416): 2 -> "noSuchName", 5 -> "genError", 16 -> "authorizationError".
std::string_view error_status_name(long status);
// "device X (addr:port): agent answered genError (error-status 5) at varbind 2".
std::string error_status_text(std::string_view who, long status, long index);

}  // namespace avmon::snmp
