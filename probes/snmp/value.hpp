#pragma once
// One SNMP value as plain data, and its conversion to the number or text avmon stores.
// Free of Net-SNMP and Asio: varbind_convert.cpp fills it from a netsnmp_variable_list, the
// fuzzers fill it from random bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probes/snmp/oid.hpp"

namespace avmon::snmp {

// BER tags of the SMIv2 types (RFC 3416), and the three exception values of a v2c/v3 response.
enum class ValueType : std::uint8_t {
    integer = 0x02,
    octet_string = 0x04,
    null = 0x05,
    object_id = 0x06,
    ip_address = 0x40,
    counter32 = 0x41,
    gauge32 = 0x42,
    timeticks = 0x43,
    opaque = 0x44,
    counter64 = 0x46,
    no_such_object = 0x80,
    no_such_instance = 0x81,
    end_of_mib_view = 0x82,
    unknown = 0xff,  // a tag we do not interpret; shown as hex
};

struct RawValue {
    ValueType type = ValueType::null;
    std::int64_t integer = 0;    // INTEGER (signed 32 bit on the wire)
    std::uint64_t unsigned_value = 0;  // Counter32/Gauge32/TimeTicks/Counter64
    std::string bytes;           // OCTET STRING, Opaque, IpAddress (4 or 16 bytes), unknown tags
    Oid oid;                     // OBJECT IDENTIFIER

    static RawValue make_integer(std::int64_t v) { RawValue r; r.type = ValueType::integer; r.integer = v; return r; }
    static RawValue make_unsigned(ValueType t, std::uint64_t v) { RawValue r; r.type = t; r.unsigned_value = v; return r; }
    static RawValue make_octets(std::string b) { RawValue r; r.type = ValueType::octet_string; r.bytes = std::move(b); return r; }
    static RawValue make_exception(ValueType t) { RawValue r; r.type = t; return r; }
};

// noSuchObject / noSuchInstance / endOfMibView.
bool is_exception(ValueType t);
// "INTEGER", "Counter32", "noSuchObject", ... for error details.
std::string_view type_name(ValueType t);

// The value as a number: the integer types directly; an OCTET STRING when its text (after
// trimming trailing NULs and blanks) is a plain decimal number, because agents such as
// Barco ClickShare report sensors as strings ("55.652\0"). nullopt for anything else.
std::optional<double> to_number(const RawValue& v);

// The value as text for facts and error details: strings rendered safely (see
// render_octets), OIDs dotted, IpAddress dotted-quad, numbers in decimal, exceptions by name.
std::string to_text(const RawValue& v);

// OCTET STRING -> text safe for logs, the journal and JSON:
// - trailing NUL bytes are dropped (C strings copied with their terminator);
// - valid UTF-8 without control characters is kept; \n \r \t and other C0/DEL controls are
//   escaped as "\n", "\r", "\t", "\xNN" so one value stays one line;
// - anything that is not valid UTF-8, or has NULs inside (MAC addresses, binary blobs), is
//   rendered as colon-separated hex, e.g. "b0:e8:92:fd:30:ec".
// At most `max_bytes` input bytes are rendered; longer values end in "...".
std::string render_octets(std::string_view bytes, std::size_t max_bytes = 1024);

// Drops trailing NUL bytes.
std::string_view trim_trailing_nuls(std::string_view bytes);
// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

}  // namespace avmon::snmp
