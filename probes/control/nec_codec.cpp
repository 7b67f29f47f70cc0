#include "probes/control/nec_codec.hpp"

#include <cstdio>

namespace avmon::nec {
namespace {

constexpr std::size_t header_size = 7;  // SOH '0' DEST SRC TYPE LEN_H LEN_L

std::optional<unsigned> hex_digit(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return std::nullopt;
}

// Parses `digits` ASCII hex characters of `text` starting at `at`.
std::optional<unsigned> hex_field(std::string_view text, std::size_t at, std::size_t digits) {
    if (at + digits > text.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        auto d = hex_digit(static_cast<std::uint8_t>(text[at + i]));
        if (!d) return std::nullopt;
        v = v * 16 + *d;
    }
    return v;
}

void append_hex(std::string& out, unsigned value, int digits) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (int i = digits - 1; i >= 0; --i) out.push_back(hex[(value >> (4 * i)) & 0xF]);
}

bool valid_type(std::uint8_t t) { return t >= 'A' && t <= 'F'; }

enum class Check { ok, incomplete, bad };

// Is there a well-formed frame at `at`? On ok, `length` is its size.
Check frame_at(std::span<const std::uint8_t> b, std::size_t at, std::size_t& length) {
    const std::size_t avail = b.size() - at;
    // Check what is already there so damaged headers are rejected without waiting.
    if (avail > 1 && b[at + 1] != '0') return Check::bad;
    if (avail > 4 && !valid_type(b[at + 4])) return Check::bad;
    if (avail < header_size) return Check::incomplete;
    auto hi = hex_digit(b[at + 5]);
    auto lo = hex_digit(b[at + 6]);
    if (!hi || !lo) return Check::bad;
    const std::size_t len = *hi * 16 + *lo;  // STX .. ETX inclusive
    if (len < 2) return Check::bad;
    if (avail > header_size && b[at + header_size] != stx) return Check::bad;
    const std::size_t total = header_size + len + 2;  // + BCC + CR
    if (avail < total) return Check::incomplete;
    const std::size_t etx_at = at + header_size + len - 1;
    if (b[etx_at] != etx || b[etx_at + 2] != cr) return Check::bad;
    if (bcc(b.subspan(at + 1, etx_at - at)) != b[etx_at + 1]) return Check::bad;
    length = total;
    return Check::ok;
}

std::string message_of(const Frame& f, std::string_view what) {
    return std::string(what) + " reply \"" + f.message + "\"";
}

}  // namespace

std::uint8_t monitor_address(int monitor_id) {
    if (monitor_id < 1) monitor_id = 1;
    if (monitor_id > 100) monitor_id = 100;
    return static_cast<std::uint8_t>('A' + monitor_id - 1);
}

std::uint8_t bcc(std::span<const std::uint8_t> bytes) {
    std::uint8_t x = 0;
    for (auto b : bytes) x ^= b;
    return x;
}

std::vector<std::uint8_t> build_frame(int monitor_id, MessageType type, std::string_view message) {
    std::vector<std::uint8_t> f{soh, '0', monitor_address(monitor_id), '0', static_cast<std::uint8_t>(type)};
    std::string len;
    append_hex(len, static_cast<unsigned>(message.size() + 2), 2);
    f.insert(f.end(), len.begin(), len.end());
    f.push_back(stx);
    f.insert(f.end(), message.begin(), message.end());
    f.push_back(etx);
    f.push_back(bcc(std::span(f).subspan(1)));
    f.push_back(cr);
    return f;
}

std::vector<std::uint8_t> build_power_status_read(int monitor_id) {
    return build_frame(monitor_id, MessageType::command, "01D6");
}

std::vector<std::uint8_t> build_self_diagnosis(int monitor_id) {
    return build_frame(monitor_id, MessageType::command, "B1");
}

std::vector<std::uint8_t> build_get_parameter(int monitor_id, std::uint8_t page, std::uint8_t code) {
    std::string m;
    append_hex(m, page, 2);
    append_hex(m, code, 2);
    return build_frame(monitor_id, MessageType::get_parameter, m);
}

std::vector<std::uint8_t> build_select_temperature_sensor(int monitor_id, int sensor) {
    std::string m = "0278";
    append_hex(m, static_cast<unsigned>(sensor) & 0xFFFF, 4);
    return build_frame(monitor_id, MessageType::set_parameter, m);
}

std::vector<std::uint8_t> build_read_temperature(int monitor_id) { return build_get_parameter(monitor_id, 0x02, 0x79); }

ScanResult scan(std::span<const std::uint8_t> buffer) {
    ScanResult r;
    std::size_t at = 0;
    while (at < buffer.size()) {
        if (buffer[at] != soh) {
            ++at;
            continue;
        }
        std::size_t len = 0;
        switch (frame_at(buffer, at, len)) {
        case Check::ok:
            r.outcome = ScanOutcome::complete;
            r.offset = at;
            r.length = len;
            return r;
        case Check::bad:
            ++r.bad_frames;
            ++at;
            continue;
        case Check::incomplete:
            // A later complete frame proves this partial one was noise.
            for (std::size_t later = at + 1; later < buffer.size(); ++later) {
                if (buffer[later] != soh) continue;
                std::size_t l2 = 0;
                if (frame_at(buffer, later, l2) == Check::ok) {
                    r.outcome = ScanOutcome::complete;
                    r.offset = later;
                    r.length = l2;
                    return r;
                }
            }
            r.outcome = ScanOutcome::need_more;
            r.offset = at;
            return r;
        }
    }
    r.outcome = ScanOutcome::need_more;
    r.offset = buffer.size();
    return r;
}

ParseResult parse_frame(std::span<const std::uint8_t> bytes) {
    ParseResult r;
    if (bytes.empty() || bytes[0] != soh) {
        r.error = "NEC frame does not start with SOH";
        return r;
    }
    std::size_t len = 0;
    if (frame_at(bytes, 0, len) != Check::ok || len != bytes.size()) {
        // Say which part is wrong: length, delimiters or BCC.
        if (bytes.size() < header_size + 4) {
            r.error = "NEC frame too short (" + std::to_string(bytes.size()) + " bytes)";
        } else if (!hex_digit(bytes[5]) || !hex_digit(bytes[6])) {
            r.error = "NEC length field is not hex";
        } else {
            const std::size_t n = *hex_digit(bytes[5]) * 16 + *hex_digit(bytes[6]);
            if (header_size + n + 2 != bytes.size())
                r.error = "NEC length field " + std::to_string(n) + " does not match frame of " +
                          std::to_string(bytes.size()) + " bytes";
            else if (bytes[header_size] != stx || bytes[header_size + n - 1] != etx || bytes.back() != cr)
                r.error = "NEC frame delimiters (STX/ETX/CR) missing";
            else {
                char buf[64];
                std::snprintf(buf, sizeof buf, "NEC bad BCC 0x%02x (expected 0x%02x)", bytes[bytes.size() - 2],
                              bcc(bytes.subspan(1, bytes.size() - 3)));
                r.error = bytes[1] != '0' || !valid_type(bytes[4]) ? "NEC header malformed" : buf;
            }
        }
        return r;
    }
    Frame f;
    f.destination = bytes[2];
    f.source = bytes[3];
    f.type = static_cast<MessageType>(bytes[4]);
    const std::size_t n = len - header_size - 2;  // STX .. ETX
    f.message.assign(reinterpret_cast<const char*>(bytes.data()) + header_size + 1, n - 2);
    r.frame = std::move(f);
    return r;
}

Decode<ParameterReply> decode_parameter_reply(const Frame& frame) {
    Decode<ParameterReply> d;
    if (frame.type != MessageType::get_reply && frame.type != MessageType::set_reply) {
        d.error = message_of(frame, "expected a parameter reply, got type '" +
                                        std::string(1, static_cast<char>(frame.type)) + "'");
        return d;
    }
    const std::string_view m = frame.message;
    auto result = hex_field(m, 0, 2);
    auto page = hex_field(m, 2, 2);
    auto code = hex_field(m, 4, 2);
    if (!result || !page || !code) {
        d.error = message_of(frame, "malformed parameter");
        return d;
    }
    ParameterReply p;
    p.page = static_cast<std::uint8_t>(*page);
    p.code = static_cast<std::uint8_t>(*code);
    if (*result == 0x01) {  // unsupported operation: the rest may be absent
        d.value = p;
        return d;
    }
    auto type = hex_field(m, 6, 2);
    auto max = hex_field(m, 8, 4);
    auto cur = hex_field(m, 12, 4);
    if (*result != 0x00 || !type || !max || !cur || m.size() != 16) {
        d.error = message_of(frame, "malformed parameter");
        return d;
    }
    p.supported = true;
    p.type = static_cast<std::uint8_t>(*type);
    p.max_value = static_cast<std::uint16_t>(*max);
    p.current = static_cast<std::uint16_t>(*cur);
    d.value = p;
    return d;
}

Decode<PowerStatus> decode_power_status(const Frame& frame) {
    Decode<PowerStatus> d;
    const std::string_view m = frame.message;
    // "02" reserved, "RR" result, "D6", "00" type, "0004" max, "000x" current mode.
    if (frame.type != MessageType::command_reply || m.size() < 6 || m.substr(0, 2) != "02" ||
        m.substr(4, 2) != "D6") {
        d.error = message_of(frame, "malformed power status");
        return d;
    }
    auto result = hex_field(m, 2, 2);
    if (!result) {
        d.error = message_of(frame, "malformed power status");
        return d;
    }
    PowerStatus p;
    if (*result == 0x01) {
        d.value = p;
        return d;
    }
    auto mode = hex_field(m, 12, 4);
    if (*result != 0x00 || !mode || m.size() != 16) {
        d.error = message_of(frame, "malformed power status");
        return d;
    }
    p.supported = true;
    p.mode = static_cast<std::uint16_t>(*mode);
    d.value = p;
    return d;
}

Decode<SelfDiagnosis> decode_self_diagnosis(const Frame& frame) {
    Decode<SelfDiagnosis> d;
    const std::string_view m = frame.message;
    if (frame.type != MessageType::command_reply || m.size() < 4 || m.size() % 2 != 0 || m.substr(0, 2) != "A1") {
        d.error = message_of(frame, "malformed self-diagnosis");
        return d;
    }
    SelfDiagnosis s;
    for (std::size_t at = 2; at < m.size(); at += 2) {
        auto c = hex_field(m, at, 2);
        if (!c) {
            d.error = message_of(frame, "malformed self-diagnosis");
            return d;
        }
        s.codes.push_back(static_cast<std::uint8_t>(*c));
    }
    d.value = std::move(s);
    return d;
}

double temperature_celsius(std::uint16_t raw) { return static_cast<std::int16_t>(raw) / 2.0; }

std::string_view power_mode_name(std::uint16_t mode) {
    switch (mode) {
    case 1: return "on";
    case 2: return "standby";
    case 3: return "suspend";
    case 4: return "off";
    default: return "unknown";
    }
}

std::string diagnosis_text(std::uint8_t code) {
    char buf[48];
    switch (code) {
    case 0x00: return "normal";
    case 0x70: case 0x71: case 0x72:
        std::snprintf(buf, sizeof buf, "standby power abnormal (0x%02X)", code);
        return buf;
    case 0x78: return "inverter/option +24 V abnormal (0x78)";
    case 0x80: return "cooling fan 1 abnormal (0x80)";
    case 0x81: return "cooling fan 2 abnormal (0x81)";
    case 0x82: return "cooling fan 3 abnormal (0x82)";
    case 0x90: return "inverter abnormal (0x90)";
    case 0x91: return "LED backlight abnormal (0x91)";
    default:
        std::snprintf(buf, sizeof buf, "abnormal, code 0x%02X", code);
        return buf;
    }
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", bytes[i]);
        out += buf;
    }
    return out;
}

}  // namespace avmon::nec
