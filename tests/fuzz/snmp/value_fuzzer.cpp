// Fuzzes SNMP value conversion: byte 0 picks the type, the rest is the value's bytes (or its
// number, or an OID text). Checks invariants: rendered text is one printable line.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "probes/snmp/oid.hpp"
#include "probes/snmp/value.hpp"

using namespace avmon::snmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const ValueType types[] = {ValueType::integer,   ValueType::octet_string,   ValueType::null,
                                      ValueType::object_id, ValueType::ip_address,     ValueType::counter32,
                                      ValueType::gauge32,   ValueType::timeticks,      ValueType::opaque,
                                      ValueType::counter64, ValueType::no_such_object, ValueType::no_such_instance,
                                      ValueType::end_of_mib_view, ValueType::unknown};
    RawValue v;
    v.type = types[data[0] % (sizeof types / sizeof types[0])];
    std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    v.bytes = bytes;
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), std::min<std::size_t>(bytes.size(), sizeof n));
    v.unsigned_value = v.type == ValueType::counter64 ? n : (n & 0xffffffffULL);
    v.integer = static_cast<std::int32_t>(n);
    if (auto oid = parse_oid(bytes)) {
        v.oid = *oid;
        if (to_string(*oid) != (bytes[0] == '.' ? bytes.substr(1) : bytes)) {
            // Leading zeros ("01") are the only way text and arcs may differ.
            if (bytes.find("0") == std::string::npos) std::abort();
        }
    }
    (void)to_number(v);
    std::string text = to_text(v);
    std::string rendered = render_octets(bytes, 1 + data[0] % 64);
    for (const std::string* s : {&text, &rendered})
        for (char c : *s)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();  // one safe line
    if (!is_valid_utf8(rendered)) std::abort();
    return 0;
}
