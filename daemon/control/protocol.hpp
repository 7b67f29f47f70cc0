#pragma once
// The control-socket wire protocol, version 1: one JSON object per line, both ways.
//   request : {"v":1,"id":7,"cmd":"ack","args":{"alarm":42,"note":"on it"}}
//   response: {"v":1,"id":7,"ok":true,"result":{...}}
//             {"v":1,"id":7,"ok":false,"error":{"code":"unknown_alarm","message":"..."}}
// Shared by avmond's server and avmonctl; no Asio here (the parser is fuzzed).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace avmon::control {

using Json = nlohmann::json;

inline constexpr int protocol_version = 1;
// A request or response line longer than this is refused (the server closes the connection).
inline constexpr std::size_t max_line_bytes = 64 * 1024;
// Requests nest 3 levels at most; deeper ones are refused before parsing, because copying or
// printing a JSON value recurses once per level (a 64 KiB line can nest 32,000 levels).
inline constexpr int max_request_depth = 32;

// Stable error codes: avmonctl maps them to messages and exit codes.
namespace err {
inline constexpr std::string_view bad_json = "bad_json";
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view unsupported_version = "unsupported_version";
inline constexpr std::string_view unknown_command = "unknown_command";
inline constexpr std::string_view bad_args = "bad_args";
inline constexpr std::string_view unknown_alarm = "unknown_alarm";
inline constexpr std::string_view invalid_state = "invalid_state";
inline constexpr std::string_view unknown_target = "unknown_target";
inline constexpr std::string_view unknown_window = "unknown_window";
inline constexpr std::string_view reload_failed = "reload_failed";
inline constexpr std::string_view line_too_long = "line_too_long";
inline constexpr std::string_view busy = "busy";
inline constexpr std::string_view not_available = "not_available";
inline constexpr std::string_view internal = "internal";
}  // namespace err

// What a handler throws to answer with {"ok":false}; anything else becomes "internal".
class ControlError : public std::runtime_error {
public:
    ControlError(std::string_view code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

struct Request {
    std::int64_t id = 0;
    std::string cmd;
    Json args = Json::object();
};

// Parses one request line (without the newline). Throws ControlError (bad_json, bad_request,
// unsupported_version) with the request id in `id_out` when it could be read. A line nesting
// deeper than max_request_depth is bad_request (its id is not read).
Request parse_request(std::string_view line, std::int64_t& id_out);

std::string encode_request(const Request& r);
std::string ok_response(std::int64_t id, const Json& result);
std::string error_response(std::int64_t id, std::string_view code, std::string_view message);

struct Response {
    std::int64_t id = 0;
    bool ok = false;
    Json result;           // when ok
    std::string code;      // when !ok
    std::string message;
};
// Parses a response line; throws ControlError(bad_json / bad_request) when it is not one.
Response parse_response(std::string_view line);

// ---- typed argument access: missing or mistyped arguments are bad_args naming the key ----
std::int64_t arg_int(const Json& args, const char* key);
std::string arg_string(const Json& args, const char* key, bool required = true);
std::optional<std::string> arg_optional_string(const Json& args, const char* key);

}  // namespace avmon::control
