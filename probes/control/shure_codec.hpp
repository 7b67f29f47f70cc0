#pragma once
// Shure command strings (TCP 2202: ULX-D, QLX-D, SLX-D, Axient Digital, MXW, MXA) codec.
// Asio-free so the fuzzer and unit tests use it directly.
//
//   request: < GET 1 BATT_CHARGE >      (MXA: < GET 01 AUDIO_MUTE >, device-wide: < GET FW_VER >)
//   reply  : < REP 1 BATT_CHARGE 087 >  (strings in braces: < REP 1 CHAN_NAME {Lead Vox   } >)
// Replies may arrive concatenated, with extra spaces, and the device pushes REP/SAMPLE frames
// on its own. Sentinels (255, 65535, UNKN...) mean "unknown", never a number.
// Sources: DEVICES.md §2.1 (bitfocus companion-module-shure-wireless/-mxa910, micboard).
//
// Read-only by construction: this codec can only build GET requests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/observation.hpp"
#include "probes/link/frame.hpp"

namespace avmon::shure {

inline constexpr std::uint16_t default_tcp_port = 2202;
inline constexpr std::size_t max_frame = 512;

// Parameters that belong to the device rather than a channel (asked without a channel number).
bool is_device_wide(std::string_view param);

// "< GET 1 BATT_CHARGE >"; channel_digits 2 gives MXA's "01". nullopt channel: device-wide.
// Returns "" for a parameter name that is not [A-Z0-9_]+ (nothing else can be sent).
std::string build_get(std::optional<int> channel, std::string_view param, int channel_digits = 1);

struct Message {
    std::string verb;               // REP, SAMPLE, ... (upper case)
    std::optional<int> channel;     // absent for device-wide reports
    std::string param;              // BATT_CHARGE; "ERR" for "< REP ERR >"
    std::string value;              // rest of the frame, single-spaced; braces removed and trimmed
    bool braced = false;            // the value was a {string}
};

// Frame predicate: skips bytes before '<', completes at the matching '>' (a '>' inside braces
// does not end the frame); over-long frames are garbage.
link::FrameStatus frame_status(std::string_view buffered);

// Parses one frame "< REP 1 BATT_CHARGE 087 >" (surrounding whitespace allowed).
std::optional<Message> parse_message(std::string_view frame, std::string& error);

// Frame predicate for one GET: completes on the REP for `param` on `channel` (or on
// "< REP ERR >"); every other complete frame (pushed reports, samples) is skipped.
link::FrameComplete reply_to(std::optional<int> channel, std::string param);

// One decoded value, same shape as pjlink::Reading (row "ch<N>" for channel values).
struct Reading {
    std::string item;
    std::string field;
    std::string row;
    std::optional<double> number;
    std::string text;
    MetricStatus status = MetricStatus::ok;
    std::string detail;
};

// Decodes a REP: numbers with their sentinels (255 / 65535 / 65534 / 65533 -> unknown_value),
// ON/OFF -> 1/0, NONE/CRITICAL -> 0/1, UNKN/UNKNOWN -> unknown_value, strings as text.
// Offsets are applied: BATT_TEMP_C - 40, RX_RF_LVL - 128 (dBm).
Reading decode(const Message& message);

}  // namespace avmon::shure
