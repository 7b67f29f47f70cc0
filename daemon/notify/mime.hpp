#pragma once
// Small RFC 5322 / RFC 2047 helpers for building a message by hand: header folding, encoded
// words for non-ASCII text, the Date format. Pure functions, no I/O.
#include <string>
#include <string_view>

#include "daemon/core/clock.hpp"

namespace avmon::notify {

// True if every byte is printable ASCII or a space/tab.
bool is_plain_ascii(std::string_view text);

// Removes CR, LF and other control characters so a value can never end a header early
// (a room name with a newline must not inject a Bcc:).
std::string header_safe(std::string_view text);

// One header line "Name: value" with CRLF folding so no line exceeds 78 characters where a
// space allows it. Non-ASCII values become RFC 2047 "=?UTF-8?B?...?=" words, each at most
// 75 characters and never splitting a UTF-8 sequence.
std::string format_header(std::string_view name, std::string_view value);

// The RFC 2047 form of `text` split into encoded words joined by CRLF SP (no header name).
std::string encode_words(std::string_view text, std::size_t first_line_room);

// "Tue, 24 Nov 2026 08:03:56 +0000"
std::string rfc5322_date(SysTime t);

// Turns LF or CRLF line ends into CRLF and hard-wraps lines longer than 998 octets.
std::string to_crlf(std::string_view text);

}  // namespace avmon::notify
