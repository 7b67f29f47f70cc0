#include "probes/snmp/varbind_convert.hpp"

#include <fmt/format.h>

namespace avmon::snmp {

std::size_t to_netsnmp_oid(const Oid& in, oid* out, std::size_t capacity) {
    std::size_t n = std::min(in.size(), capacity);
    for (std::size_t i = 0; i < n; ++i) out[i] = in[i];
    return n;
}

VarBind convert_varbind(const netsnmp_variable_list& vb) {
    VarBind out;
    out.oid.reserve(vb.name_length);
    for (std::size_t i = 0; i < vb.name_length; ++i) out.oid.push_back(static_cast<std::uint32_t>(vb.name[i]));
    RawValue& v = out.value;
    switch (vb.type) {
        case ASN_INTEGER:
            v.type = ValueType::integer;
            if (vb.val.integer) v.integer = *vb.val.integer;
            break;
        case ASN_COUNTER:
        case ASN_GAUGE:
        case ASN_TIMETICKS:
            v.type = vb.type == ASN_COUNTER ? ValueType::counter32
                     : vb.type == ASN_GAUGE ? ValueType::gauge32 : ValueType::timeticks;
            // Net-SNMP keeps these in a long; only the low 32 bits are the value.
            if (vb.val.integer) v.unsigned_value = static_cast<std::uint64_t>(*vb.val.integer) & 0xffffffffULL;
            break;
        case ASN_COUNTER64:
            v.type = ValueType::counter64;
            if (vb.val.counter64)
                v.unsigned_value = (static_cast<std::uint64_t>(vb.val.counter64->high) << 32) |
                                   (static_cast<std::uint64_t>(vb.val.counter64->low) & 0xffffffffULL);
            break;
        case ASN_OCTET_STR:
        case ASN_IPADDRESS:
        case ASN_OPAQUE:
            v.type = vb.type == ASN_OCTET_STR ? ValueType::octet_string
                     : vb.type == ASN_IPADDRESS ? ValueType::ip_address : ValueType::opaque;
            if (vb.val.string && vb.val_len) v.bytes.assign(reinterpret_cast<const char*>(vb.val.string), vb.val_len);
            break;
        case ASN_OBJECT_ID:
            v.type = ValueType::object_id;
            if (vb.val.objid)
                for (std::size_t i = 0; i < vb.val_len / sizeof(oid); ++i)
                    v.oid.push_back(static_cast<std::uint32_t>(vb.val.objid[i]));
            break;
        case ASN_NULL: v.type = ValueType::null; break;
        case SNMP_NOSUCHOBJECT: v.type = ValueType::no_such_object; break;
        case SNMP_NOSUCHINSTANCE: v.type = ValueType::no_such_instance; break;
        case SNMP_ENDOFMIBVIEW: v.type = ValueType::end_of_mib_view; break;
        default:
            v.type = ValueType::unknown;
            if (vb.val.string && vb.val_len) v.bytes.assign(reinterpret_cast<const char*>(vb.val.string), vb.val_len);
            break;
    }
    return out;
}

void fill_response(const netsnmp_pdu& pdu, std::string_view who, SnmpResponse& out) {
    if (pdu.errstat != SNMP_ERR_NOERROR) {
        out.status = SnmpStatus::error_status;
        out.error_status = pdu.errstat;
        out.error_index = pdu.errindex;
        out.error = error_status_text(who, pdu.errstat, pdu.errindex);
    }
    std::size_t n = 0;
    for (const netsnmp_variable_list* vb = pdu.variables; vb; vb = vb->next_variable) ++n;
    out.varbinds.reserve(n);
    for (const netsnmp_variable_list* vb = pdu.variables; vb; vb = vb->next_variable)
        out.varbinds.push_back(convert_varbind(*vb));
}

}  // namespace avmon::snmp
