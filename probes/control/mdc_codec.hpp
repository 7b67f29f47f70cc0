#pragma once
// Samsung MDC (Multiple Display Control) binary codec: request building, stream reassembly
// and response decoding. Asio-free so the fuzzer and unit tests use it directly.
//
//   request : AA  CMD  ID  LEN  DATA...                     CHK
//   response: AA  FF   ID  LEN  'A'|'N'  RCMD  DATA...      CHK
//   CHK = sum of every byte after the 0xAA header, mod 256
// A NAK carries one error-code byte after RCMD (DEVICES.md §1.2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace avmon::mdc {

inline constexpr std::uint8_t frame_header = 0xAA;
inline constexpr std::uint8_t response_command = 0xFF;
inline constexpr std::uint8_t ack_code = 0x41;  // 'A'
inline constexpr std::uint8_t nak_code = 0x4E;  // 'N'
inline constexpr std::uint16_t default_tcp_port = 1515;

// The read commands avmon uses (never any "set": the daemon only observes).
enum class Command : std::uint8_t {
    status = 0x00,            // power, volume, mute, input, aspect, N_TIME_NF, F_TIME_NF
    serial_number = 0x0B,     // ASCII
    error_status = 0x0D,      // lamp, temperature, brightness sensor, no-sync, temperature C, fan
    software_version = 0x0E,  // ASCII
    power = 0x11,             // 0 off, 1 on, 2 reboot
    input_source = 0x14,      // input code
    panel_on_time = 0x83,     // 10-minute units, big-endian, 2 or more bytes
    model_name = 0x8A,        // ASCII
    panel = 0xF9,             // 0 panel on, 1 panel off
};

std::uint8_t checksum(std::span<const std::uint8_t> bytes_after_header);

// AA CMD ID 00 CHK: the "get" form of a command (no data).
std::vector<std::uint8_t> build_read(Command command, std::uint8_t display_id);

// ---------- stream reassembly ----------

enum class ScanOutcome {
    complete,   // a frame with a good checksum starts at `offset` and is `length` bytes long
    need_more,  // nothing complete yet: keep the bytes from `offset` and read more
};

struct ScanResult {
    ScanOutcome outcome = ScanOutcome::need_more;
    std::size_t offset = 0;        // bytes before it are garbage (or frames with bad checksums)
    std::size_t length = 0;        // complete only
    std::size_t bad_checksums = 0; // candidates skipped: wrong checksum, or not a valid ACK/NAK
};

// Finds the first complete response frame (AA FF ...) in `buffer`. Bytes before the next
// 0xAA are skipped; a candidate whose checksum is wrong (or that is no ACK/NAK with a command)
// is skipped as garbage; a candidate
// that is still incomplete is waited for, unless a later complete frame shows it was noise.
ScanResult scan_response(std::span<const std::uint8_t> buffer);

// True when the buffer starts with the "MDCSTART<<TLS>>" greeting of the secured protocol.
bool is_secured_protocol_greeting(std::span<const std::uint8_t> buffer);

// ---------- response decoding ----------

struct Response {
    std::uint8_t display_id = 0;
    bool ack = false;
    std::uint8_t command = 0;         // the command answered (RCMD)
    std::uint8_t nak_error = 0;       // NAK only
    std::vector<std::uint8_t> data;   // ACK: the bytes after RCMD
};

struct ParseResult {
    std::optional<Response> response;
    std::string error;  // why not, e.g. "bad checksum 0x12 (expected 0x54)"
};

// Parses exactly one frame (as delimited by scan_response).
ParseResult parse_response(std::span<const std::uint8_t> frame);

// One value read from a response. `source` is the protocol item name a profile metric names
// in its `source` field (see item_command()).
struct NumberItem {
    std::string source;
    double value = 0;
};
struct TextItem {
    std::string source;
    std::string text;
};
struct MissingItem {
    std::string source;
    std::string detail;  // e.g. "fan status not supported by this model"
};

struct Decoded {
    std::vector<NumberItem> numbers;
    std::vector<TextItem> texts;
    std::vector<MissingItem> missing;
};

// Decodes the data of an ACK to `command`. Item names per command:
//   power            -> "power" (0 off, 1 on, 2 reboot)
//   status           -> "status_power", "volume", "mute", "status_input", "aspect"
//                       (volume/mute 0xFF = no audio -> missing)
//   error_status     -> "lamp_error", "temperature_error" (0 ok, 1 error),
//                       "brightness_sensor" (0 none -> missing, 1 error, 2 normal),
//                       "no_sync" (0 ok, 1 error, 2 invalid), "temperature" (°C),
//                       "fan_error" (0 ok, 1 error; 2 not supported -> missing)
//   input_source     -> "input" (input code, e.g. 0x14 = 20 = PC)
//   panel_on_time    -> "panel_on_time" (hours: counter / 6)
//   panel            -> "panel_off" (0 panel on, 1 panel off)
//   serial_number / software_version / model_name -> text "serial_number" / "software_version" / "model_name"
Decoded decode(Command command, std::span<const std::uint8_t> data);

// The command that reads a given item, or nothing for an unknown item name.
std::optional<Command> item_command(std::string_view source);
// Every item a command yields (for turning a NAK into one MetricState per item).
std::vector<std::string_view> command_items(Command command);

std::string_view command_name(Command command);
// Text for a NAK error code, e.g. "NAK error 0x01".
std::string nak_text(std::uint8_t code);
// "aa ff 00 03 41 11 00 54": for logs and error messages.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace avmon::mdc
