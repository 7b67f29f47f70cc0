#include "probes/snmp/response.hpp"

#include <fmt/format.h>

namespace avmon::snmp {

std::string_view to_string(SnmpStatus s) {
    switch (s) {
        case SnmpStatus::ok: return "ok";
        case SnmpStatus::error_status: return "error-status";
        case SnmpStatus::timeout: return "timeout";
        case SnmpStatus::deadline: return "deadline";
        case SnmpStatus::auth_error: return "authentication error";
        case SnmpStatus::report: return "report";
        case SnmpStatus::send_failed: return "send failed";
        case SnmpStatus::resolve_failed: return "name resolution failed";
        case SnmpStatus::open_failed: return "open failed";
        case SnmpStatus::closed: return "closed";
    }
    return "?";
}

std::string_view error_status_name(long status) {
    static constexpr std::string_view names[] = {
        "noError", "tooBig", "noSuchName", "badValue", "readOnly", "genError", "noAccess", "wrongType",
        "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
        "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
        "inconsistentName"};
    if (status >= 0 && status < static_cast<long>(std::size(names))) return names[status];
    return "unknown error-status";
}

std::string error_status_text(std::string_view who, long status, long index) {
    return fmt::format("{}: agent answered {} (error-status {}) at varbind {}", who, error_status_name(status), status,
                       index);
}

}  // namespace avmon::snmp
