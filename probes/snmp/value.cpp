#include "probes/snmp/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace avmon::snmp {

bool is_exception(ValueType t) {
    return t == ValueType::no_such_object || t == ValueType::no_such_instance ||
           t == ValueType::end_of_mib_view;
}

std::string_view type_name(ValueType t) {
    switch (t) {
        case ValueType::integer: return "INTEGER";
        case ValueType::octet_string: return "OCTET STRING";
        case ValueType::null: return "NULL";
        case ValueType::object_id: return "OBJECT IDENTIFIER";
        case ValueType::ip_address: return "IpAddress";
        case ValueType::counter32: return "Counter32";
        case ValueType::gauge32: return "Gauge32";
        case ValueType::timeticks: return "TimeTicks";
        case ValueType::opaque: return "Opaque";
        case ValueType::counter64: return "Counter64";
        case ValueType::no_such_object: return "noSuchObject";
        case ValueType::no_such_instance: return "noSuchInstance";
        case ValueType::end_of_mib_view: return "endOfMibView";
        case ValueType::unknown: return "unknown type";
    }
    return "unknown type";
}

std::string_view trim_trailing_nuls(std::string_view bytes) {
    while (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);
    return bytes;
}

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        unsigned char c = byte(i);
        if (c < 0x80) { ++i; continue; }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            unsigned char cc = byte(i + k);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

namespace {

std::string hex_colon(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) out += ':';
        auto b = static_cast<unsigned char>(bytes[i]);
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    return s.substr(0, end);
}

}  // namespace

std::string render_octets(std::string_view bytes, std::size_t max_bytes) {
    std::string_view s = trim_trailing_nuls(bytes);
    bool binary = !is_valid_utf8(s) || s.find('\0') != std::string_view::npos;
    if (binary) {
        bool cut = s.size() > max_bytes;
        std::string out = hex_colon(cut ? s.substr(0, max_bytes) : s);
        if (cut) out += "...";
        return out;
    }
    std::string_view shown = cut_utf8(s, max_bytes);
    std::string out;
    out.reserve(shown.size());
    for (char ch : shown) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c == '\\') out += "\\\\";
        else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    if (shown.size() < s.size()) out += "...";
    return out;
}

namespace {

// Strict decimal: optional sign, digits, optional fraction; blanks around allowed.
std::optional<double> parse_decimal_text(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    if (s.empty() || s.size() > 64) return std::nullopt;
    std::size_t i = 0;
    if (s[0] == '-' || s[0] == '+') i = 1;
    bool digits = false, dot = false;
    for (std::size_t k = i; k < s.size(); ++k) {
        if (s[k] >= '0' && s[k] <= '9') digits = true;
        else if (s[k] == '.' && !dot) dot = true;
        else return std::nullopt;
    }
    if (!digits) return std::nullopt;
    std::string copy(s[0] == '+' ? s.substr(1) : s);  // from_chars does not take '+'
    double value = 0;
    auto [ptr, ec] = std::from_chars(copy.data(), copy.data() + copy.size(), value);
    if (ec != std::errc() || ptr != copy.data() + copy.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace

std::optional<double> to_number(const RawValue& v) {
    switch (v.type) {
        case ValueType::integer: return static_cast<double>(v.integer);
        case ValueType::counter32:
        case ValueType::gauge32:
        case ValueType::timeticks:
        case ValueType::counter64: return static_cast<double>(v.unsigned_value);
        case ValueType::octet_string: return parse_decimal_text(trim_trailing_nuls(v.bytes));
        default: return std::nullopt;
    }
}

std::string to_text(const RawValue& v) {
    switch (v.type) {
        case ValueType::integer: return std::to_string(v.integer);
        case ValueType::counter32:
        case ValueType::gauge32:
        case ValueType::timeticks:
        case ValueType::counter64: return std::to_string(v.unsigned_value);
        case ValueType::octet_string: return render_octets(v.bytes);
        case ValueType::null: return "";
        case ValueType::object_id: return to_string(v.oid);
        case ValueType::ip_address:
            if (v.bytes.size() == 4) {
                auto b = [&](int i) { return std::to_string(static_cast<unsigned char>(v.bytes[static_cast<std::size_t>(i)])); };
                return b(0) + "." + b(1) + "." + b(2) + "." + b(3);
            }
            return render_octets(v.bytes);
        case ValueType::opaque:
        case ValueType::unknown: return hex_colon(v.bytes.substr(0, 1024));
        case ValueType::no_such_object:
        case ValueType::no_such_instance:
        case ValueType::end_of_mib_view: return std::string(type_name(v.type));
    }
    return {};
}

}  // namespace avmon::snmp
