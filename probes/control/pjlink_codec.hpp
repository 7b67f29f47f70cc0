#pragma once
// PJLink class 1 and 2 (TCP 4352) codec: queries, greeting, replies, and the decoding of each
// health item into readings. Asio-free so the fuzzer and unit tests use it directly.
//
//   query   : %1POWR ?\r              (class digit, 4-letter command, space, '?', CR)
//   reply   : %1POWR=1\r  or  %1LAMP=ERR1\r
//   greeting: PJLINK 0\r (no auth) | PJLINK 1 <random>\r (auth) ; wrong digest -> PJLINK ERRA\r
// Sources: DEVICES.md §1.1 (OpenLP constants, IDK/Maxell/Panasonic manuals).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/observation.hpp"
#include "probes/link/frame.hpp"

namespace avmon::pjlink {

inline constexpr std::uint16_t default_tcp_port = 4352;
inline constexpr std::size_t max_frame = 136;  // PJLINK_MAX_PACKET incl. CR; longer is garbage

// The items avmon reads (queries only: the daemon never sends a PJLink "set").
struct ItemInfo {
    std::string_view command;  // "POWR"
    int pj_class;              // 1 or 2: the class digit to query it with
    bool text;                 // inventory text rather than a number
};
// Known items: POWR ERST LAMP INPT AVMT CLSS NAME INF1 INF2 INFO (class 1);
// FILT SNUM SVER RLMP RFIL (class 2). Null for anything else.
const ItemInfo* find_item(std::string_view command);

// "%1POWR ?\r"; `command` must be one of the known items.
std::string build_query(const ItemInfo& item);

// Frame predicate for replies and greetings: CR-terminated, starting with '%' or "PJLINK".
// Skips leading bytes that cannot start a frame (LF of a CRLF, noise) and over-long lines.
link::FrameStatus frame_status(std::string_view buffered);

struct Greeting {
    enum class Kind { no_auth, auth, auth_error } kind = Kind::no_auth;
    std::string random;  // auth: the projector's random number (salt)
};
// Parses one greeting line (CR optional). nullopt + `error` when it is not a greeting.
std::optional<Greeting> parse_greeting(std::string_view line, std::string& error);

struct Reply {
    int pj_class = 1;
    std::string command;  // upper case, 4 letters
    std::string data;     // after '=', CR stripped; for errors "ERR1".."ERR4"
    enum class Kind { value, ok, error, auth_error } kind = Kind::value;
    int error_code = 0;   // 1..4 for ERRn
};
// Parses one reply line: "%1POWR=1\r". "PJLINK ERRA" (the answer to a wrong digest) gives
// kind auth_error. nullopt + `error` for anything malformed.
std::optional<Reply> parse_reply(std::string_view line, std::string& error);

// One decoded value. item = command ("LAMP"), field = part of it ("hours"), row = which one
// ("1" for the first lamp), number and/or text, or a status when it could not be read.
struct Reading {
    std::string item;
    std::string field;
    std::string row;
    std::optional<double> number;
    std::string text;
    MetricStatus status = MetricStatus::ok;
    std::string detail;
};

// The fields an item's readings carry: ERST -> fan lamp temperature cover filter other;
// LAMP -> hours on; AVMT -> video audio; everything else -> "" (a single value).
std::vector<std::string_view> item_fields(std::string_view command);

// Decodes a reply to `item` into readings. ERR1/ERR3 etc. become readings with a status
// (ERR1 on LAMP = a laser projector without lamps: no_such_object, not a fault). A malformed
// value gives readings with status error and a detail quoting (a clipped copy of) the data.
std::vector<Reading> decode(const ItemInfo& item, const Reply& reply);

// "undefined command" etc. for ERR1..ERR4.
std::string_view error_meaning(int code);

}  // namespace avmon::pjlink
