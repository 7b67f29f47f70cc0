#pragma once
// NEC large-format display "external control" codec (RS-232C 9600 8N1 or TCP 7142):
// request building, stream reassembly and reply decoding. Asio-free (fuzzed).
//
//   SOH '0' DEST SRC TYPE LEN_H LEN_L  STX message ETX  BCC  CR
//   DEST/SRC: monitor id 'A' = 1, 'B' = 2 ...; the controller is '0'
//   TYPE: 'A' command, 'B' command reply, 'C' get parameter, 'D' get reply,
//         'E' set parameter, 'F' set reply
//   LEN : two ASCII hex digits = bytes from STX to ETX inclusive
//   BCC : XOR of every byte from the '0' after SOH through ETX
// (DEVICES.md §1.3.)
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace avmon::nec {

inline constexpr std::uint8_t soh = 0x01;
inline constexpr std::uint8_t stx = 0x02;
inline constexpr std::uint8_t etx = 0x03;
inline constexpr std::uint8_t cr = 0x0D;
inline constexpr std::uint16_t default_tcp_port = 7142;

enum class MessageType : char {
    command = 'A',
    command_reply = 'B',
    get_parameter = 'C',
    get_reply = 'D',
    set_parameter = 'E',
    set_reply = 'F',
};

// Monitor id 1..100 -> 'A'.. ; 0 (the config default) is taken as 1.
std::uint8_t monitor_address(int monitor_id);

std::uint8_t bcc(std::span<const std::uint8_t> bytes);

// Any frame from the controller to the monitor (message is the ASCII text between STX and ETX).
std::vector<std::uint8_t> build_frame(int monitor_id, MessageType type, std::string_view message);

// The requests avmon uses. Only "set" is the temperature-sensor select (op 02/78), which
// chooses what the following read reports and changes nothing on the display.
std::vector<std::uint8_t> build_power_status_read(int monitor_id);   // command "01D6"
std::vector<std::uint8_t> build_self_diagnosis(int monitor_id);      // command "B1"
std::vector<std::uint8_t> build_get_parameter(int monitor_id, std::uint8_t page, std::uint8_t code);
std::vector<std::uint8_t> build_select_temperature_sensor(int monitor_id, int sensor);  // set 02/78 = sensor
std::vector<std::uint8_t> build_read_temperature(int monitor_id);    // get 02/79

// ---------- stream reassembly ----------

enum class ScanOutcome { complete, need_more };

struct ScanResult {
    ScanOutcome outcome = ScanOutcome::need_more;
    std::size_t offset = 0;   // bytes before it are garbage / damaged frames
    std::size_t length = 0;   // complete only (SOH .. CR inclusive)
    std::size_t bad_frames = 0;  // candidates skipped (bad BCC, bad length, missing STX/ETX/CR)
};

// Finds the first complete, well-formed frame with a good BCC. Skips garbage up to the next
// SOH and damaged candidates; waits for an incomplete candidate unless a later complete frame
// shows it was noise.
ScanResult scan(std::span<const std::uint8_t> buffer);

// ---------- replies ----------

struct Frame {
    std::uint8_t destination = 0;
    std::uint8_t source = 0;
    MessageType type = MessageType::command;
    std::string message;  // text between STX and ETX
};

struct ParseResult {
    std::optional<Frame> frame;
    std::string error;
};

// Parses exactly one frame as delimited by scan(); checks length, STX/ETX, BCC and CR.
ParseResult parse_frame(std::span<const std::uint8_t> bytes);

// Result of a get/set parameter reply ('D' / 'F'): "RR PP CC TT MMMM VVVV".
struct ParameterReply {
    bool supported = false;     // result code 00; 01 = unsupported operation
    std::uint8_t page = 0;
    std::uint8_t code = 0;
    std::uint8_t type = 0;      // 00 set parameter, 01 momentary
    std::uint16_t max_value = 0;
    std::uint16_t current = 0;
};
struct PowerStatus {
    bool supported = false;     // result 00; 01 unsupported
    std::uint16_t mode = 0;     // 1 on, 2 standby, 3 suspend, 4 off
};
struct SelfDiagnosis {
    std::vector<std::uint8_t> codes;  // 0x00 alone = normal
};

template <typename T>
struct Decode {
    std::optional<T> value;
    std::string error;  // malformed reply (not "unsupported": that is a valid reply)
};

Decode<ParameterReply> decode_parameter_reply(const Frame& frame);
Decode<PowerStatus> decode_power_status(const Frame& frame);
Decode<SelfDiagnosis> decode_self_diagnosis(const Frame& frame);

// Temperature: 2's complement in 0.5 °C steps (0x0032 = 25.0, 0xFFFF = -0.5).
double temperature_celsius(std::uint16_t raw);
// Power mode 1 on / 2 standby / 3 suspend / 4 off -> text.
std::string_view power_mode_name(std::uint16_t mode);
// Self-diagnosis code -> text ("normal", "cooling fan 1 abnormal", ...).
std::string diagnosis_text(std::uint8_t code);
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace avmon::nec
