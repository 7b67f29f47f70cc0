#include "probes/control/mdc_codec.hpp"

#include <cstdio>

namespace avmon::mdc {
namespace {

// Smallest response: AA FF ID LEN 'A'|'N' RCMD CHK (LEN = 2, e.g. an ACK with no data).
constexpr std::size_t header_size = 4;  // AA FF ID LEN

struct ItemInfo {
    std::string_view source;
    Command command;
};

constexpr ItemInfo item_table[] = {
    {"power", Command::power},
    {"status_power", Command::status},
    {"volume", Command::status},
    {"mute", Command::status},
    {"status_input", Command::status},
    {"aspect", Command::status},
    {"lamp_error", Command::error_status},
    {"temperature_error", Command::error_status},
    {"brightness_sensor", Command::error_status},
    {"no_sync", Command::error_status},
    {"temperature", Command::error_status},
    {"fan_error", Command::error_status},
    {"input", Command::input_source},
    {"panel_on_time", Command::panel_on_time},
    {"panel_off", Command::panel},
    {"serial_number", Command::serial_number},
    {"software_version", Command::software_version},
    {"model_name", Command::model_name},
};

// Is there a complete frame with a good checksum at `at`? Returns its length.
std::optional<std::size_t> complete_frame_at(std::span<const std::uint8_t> b, std::size_t at,
                                             bool* bad_checksum) {
    if (b.size() - at < header_size) return std::nullopt;
    if (b[at] != frame_header || b[at + 1] != response_command) return std::nullopt;
    const std::size_t total = header_size + b[at + 3] + 1;
    if (b.size() - at < total) return std::nullopt;
    const auto body = b.subspan(at + 1, total - 2);
    if (checksum(body) != b[at + total - 1]) {
        if (bad_checksum) *bad_checksum = true;
        return std::nullopt;
    }
    // A checksum-valid frame must still be a response: ACK/NAK, the command, and a NAK's code.
    const std::size_t len = b[at + 3];
    const std::uint8_t code = len >= 1 ? b[at + 4] : 0;
    if (len < 2 || (code != ack_code && code != nak_code) || (code == nak_code && len < 3)) {
        if (bad_checksum) *bad_checksum = true;
        return std::nullopt;
    }
    return total;
}

// Text fields are ASCII, sometimes NUL- or space-padded: keep printable bytes, trim the ends.
std::string ascii_text(std::span<const std::uint8_t> data) {
    std::string out;
    for (auto c : data) {
        if (c == 0) break;
        out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::size_t first = out.find_first_not_of(' ');
    return first == std::string::npos ? std::string{} : out.substr(first);
}

}  // namespace

std::uint8_t checksum(std::span<const std::uint8_t> bytes_after_header) {
    unsigned sum = 0;
    for (auto b : bytes_after_header) sum += b;
    return static_cast<std::uint8_t>(sum & 0xFF);
}

std::vector<std::uint8_t> build_read(Command command, std::uint8_t display_id) {
    std::vector<std::uint8_t> frame{frame_header, static_cast<std::uint8_t>(command), display_id, 0x00};
    frame.push_back(checksum(std::span(frame).subspan(1)));
    return frame;
}

ScanResult scan_response(std::span<const std::uint8_t> buffer) {
    ScanResult result;
    std::size_t at = 0;
    while (at < buffer.size()) {
        if (buffer[at] != frame_header) {
            ++at;
            continue;
        }
        // A response header needs AA FF; AA followed by anything else (once known) is noise.
        if (at + 1 < buffer.size() && buffer[at + 1] != response_command) {
            ++at;
            continue;
        }
        bool bad = false;
        if (auto len = complete_frame_at(buffer, at, &bad)) {
            result.outcome = ScanOutcome::complete;
            result.offset = at;
            result.length = *len;
            return result;
        }
        if (bad) {  // whole candidate present but its checksum is wrong: skip it
            ++result.bad_checksums;
            ++at;
            continue;
        }
        // Incomplete candidate. If a later 0xAA starts a complete, valid frame, this one was
        // noise (e.g. a stray AA FF in garbage announcing a huge length): take the later one.
        for (std::size_t later = at + 1; later < buffer.size(); ++later) {
            if (buffer[later] != frame_header) continue;
            if (auto len = complete_frame_at(buffer, later, nullptr)) {
                result.outcome = ScanOutcome::complete;
                result.offset = later;
                result.length = *len;
                return result;
            }
        }
        result.outcome = ScanOutcome::need_more;
        result.offset = at;
        return result;
    }
    result.outcome = ScanOutcome::need_more;
    result.offset = buffer.size();  // all garbage: drop it
    return result;
}

bool is_secured_protocol_greeting(std::span<const std::uint8_t> buffer) {
    constexpr std::string_view greeting = "MDCSTART";
    if (buffer.size() < greeting.size()) return false;
    return std::string_view(reinterpret_cast<const char*>(buffer.data()), greeting.size()) == greeting;
}

ParseResult parse_response(std::span<const std::uint8_t> frame) {
    ParseResult r;
    if (frame.size() < header_size + 3) {
        r.error = "MDC frame too short (" + std::to_string(frame.size()) + " bytes)";
        return r;
    }
    if (frame[0] != frame_header || frame[1] != response_command) {
        r.error = "not an MDC response header: " + to_hex(frame.first(2));
        return r;
    }
    const std::size_t len = frame[3];
    if (frame.size() != header_size + len + 1) {
        r.error = "MDC length field " + std::to_string(len) + " does not match frame of " +
                  std::to_string(frame.size()) + " bytes";
        return r;
    }
    const std::uint8_t want = checksum(frame.subspan(1, frame.size() - 2));
    if (want != frame.back()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "MDC bad checksum 0x%02x (expected 0x%02x)", frame.back(), want);
        r.error = buf;
        return r;
    }
    if (len < 2) {
        r.error = "MDC response without ACK/NAK and command (length " + std::to_string(len) + ")";
        return r;
    }
    Response resp;
    resp.display_id = frame[2];
    resp.command = frame[5];
    const auto payload = frame.subspan(header_size + 2, len - 2);
    if (frame[4] == ack_code) {
        resp.ack = true;
        resp.data.assign(payload.begin(), payload.end());
    } else if (frame[4] == nak_code) {
        resp.ack = false;
        if (payload.empty()) {
            r.error = "MDC NAK without an error code";
            return r;
        }
        resp.nak_error = payload[0];
    } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "MDC response code 0x%02x is neither ACK nor NAK", frame[4]);
        r.error = buf;
        return r;
    }
    r.response = std::move(resp);
    return r;
}

Decoded decode(Command command, std::span<const std::uint8_t> data) {
    Decoded d;
    // Fields the display did not send (short payloads on older models) are "missing", not 0.
    auto number = [&](std::string_view source, std::size_t index) -> std::optional<std::uint8_t> {
        if (index < data.size()) return data[index];
        d.missing.push_back({std::string(source), "not in the display's " + std::string(command_name(command)) +
                                                      " reply (" + std::to_string(data.size()) + " data bytes)"});
        return std::nullopt;
    };
    auto put = [&](std::string_view source, double v) { d.numbers.push_back({std::string(source), v}); };

    switch (command) {
    case Command::power:
        if (auto v = number("power", 0)) put("power", *v);
        break;
    case Command::status: {
        if (auto v = number("status_power", 0)) put("status_power", *v);
        for (auto [name, idx] : {std::pair<std::string_view, std::size_t>{"volume", 1}, {"mute", 2}}) {
            if (auto v = number(name, idx)) {
                if (*v == 0xFF) d.missing.push_back({std::string(name), "display has no audio (0xFF)"});
                else put(name, *v);
            }
        }
        if (auto v = number("status_input", 3)) put("status_input", *v);
        if (auto v = number("aspect", 4)) put("aspect", *v);
        break;
    }
    case Command::error_status: {
        if (auto v = number("lamp_error", 0)) put("lamp_error", *v);
        if (auto v = number("temperature_error", 1)) put("temperature_error", *v);
        if (auto v = number("brightness_sensor", 2)) {
            if (*v == 0) d.missing.push_back({"brightness_sensor", "no brightness sensor fitted"});
            else put("brightness_sensor", *v);
        }
        if (auto v = number("no_sync", 3)) put("no_sync", *v);
        if (auto v = number("temperature", 4)) put("temperature", *v);
        if (auto v = number("fan_error", 5)) {
            if (*v == 2) d.missing.push_back({"fan_error", "fan status not supported by this model"});
            else put("fan_error", *v);
        }
        break;
    }
    case Command::input_source:
        if (auto v = number("input", 0)) put("input", *v);
        break;
    case Command::panel_on_time: {
        if (data.empty()) {
            d.missing.push_back({"panel_on_time", "empty panel-on-time reply"});
            break;
        }
        if (data.size() > 6) {  // more than 48 bits cannot be an hour counter: refuse, don't wrap
            d.missing.push_back({"panel_on_time", "panel-on-time reply of " + std::to_string(data.size()) +
                                                      " bytes is too long"});
            break;
        }
        std::uint64_t counter = 0;  // big-endian, whole payload (2 bytes on old models, more on new)
        for (auto b : data) counter = (counter << 8) | b;
        put("panel_on_time", static_cast<double>(counter) / 6.0);
        break;
    }
    case Command::panel:
        if (auto v = number("panel_off", 0)) put("panel_off", *v);
        break;
    case Command::serial_number:
        d.texts.push_back({"serial_number", ascii_text(data)});
        break;
    case Command::software_version:
        d.texts.push_back({"software_version", ascii_text(data)});
        break;
    case Command::model_name:
        d.texts.push_back({"model_name", ascii_text(data)});
        break;
    }
    return d;
}

std::optional<Command> item_command(std::string_view source) {
    for (const auto& i : item_table)
        if (i.source == source) return i.command;
    return std::nullopt;
}

std::vector<std::string_view> command_items(Command command) {
    std::vector<std::string_view> out;
    for (const auto& i : item_table)
        if (i.command == command) out.push_back(i.source);
    return out;
}

std::string_view command_name(Command command) {
    switch (command) {
    case Command::status: return "STATUS";
    case Command::serial_number: return "SERIAL_NUMBER";
    case Command::error_status: return "ERROR_STATUS";
    case Command::software_version: return "SOFTWARE_VERSION";
    case Command::power: return "POWER";
    case Command::input_source: return "INPUT_SOURCE";
    case Command::panel_on_time: return "PANEL_ON_TIME";
    case Command::model_name: return "MODEL_NAME";
    case Command::panel: return "PANEL";
    }
    return "UNKNOWN";
}

std::string nak_text(std::uint8_t code) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "NAK error 0x%02x", code);
    return buf;
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

}  // namespace avmon::mdc
