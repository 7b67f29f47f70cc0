#pragma once
// Net-SNMP varbind -> plain VarBind. The only place that reads netsnmp_variable_list.
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "probes/snmp/response.hpp"

namespace avmon::snmp {

VarBind convert_varbind(const netsnmp_variable_list& vb);

// A (non-REPORT) response PDU -> status (ok / error_status with its text naming `who`) and varbinds.
void fill_response(const netsnmp_pdu& pdu, std::string_view who, SnmpResponse& out);

// Copies a plain OID into Net-SNMP's representation; returns the length used.
std::size_t to_netsnmp_oid(const Oid& in, oid* out, std::size_t capacity);

}  // namespace avmon::snmp
