#include "daemon/control/protocol.hpp"

namespace avmon::control {

namespace {

// Counts brackets outside strings; cheaper than parsing and needs no recursion.
bool nests_deeper_than(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

}  // namespace

Request parse_request(std::string_view line, std::int64_t& id_out) {
    id_out = 0;
    if (nests_deeper_than(line, max_request_depth))
        throw ControlError(err::bad_request,
                           "request nests deeper than " + std::to_string(max_request_depth) + " levels");
    Json j = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw ControlError(err::bad_json, "request is not valid JSON");
    if (!j.is_object()) throw ControlError(err::bad_request, "request must be a JSON object");
    if (auto it = j.find("id"); it != j.end()) {
        if (!it->is_number_integer()) throw ControlError(err::bad_request, "\"id\" must be an integer");
        id_out = it->get<std::int64_t>();
    }
    auto v = j.find("v");
    if (v == j.end() || !v->is_number_integer())
        throw ControlError(err::bad_request, "\"v\" (protocol version) is missing");
    if (v->get<std::int64_t>() != protocol_version)
        throw ControlError(err::unsupported_version,
                           "protocol version " + v->dump() + " is not supported (this avmond speaks 1)");
    Request r;
    r.id = id_out;
    auto cmd = j.find("cmd");
    if (cmd == j.end() || !cmd->is_string() || cmd->get<std::string>().empty())
        throw ControlError(err::bad_request, "\"cmd\" is missing");
    r.cmd = cmd->get<std::string>();
    if (auto a = j.find("args"); a != j.end() && !a->is_null()) {
        if (!a->is_object()) throw ControlError(err::bad_request, "\"args\" must be an object");
        r.args = *a;
    }
    return r;
}

std::string encode_request(const Request& r) {
    Json j{{"v", protocol_version}, {"id", r.id}, {"cmd", r.cmd}, {"args", r.args}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string ok_response(std::int64_t id, const Json& result) {
    Json j{{"v", protocol_version}, {"id", id}, {"ok", true}, {"result", result}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string error_response(std::int64_t id, std::string_view code, std::string_view message) {
    Json j{{"v", protocol_version},
           {"id", id},
           {"ok", false},
           {"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Response parse_response(std::string_view line) {
    Json j = Json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw ControlError(err::bad_json, "avmond sent a malformed reply");
    Response r;
    if (auto it = j.find("id"); it != j.end() && it->is_number_integer()) r.id = it->get<std::int64_t>();
    auto ok = j.find("ok");
    if (ok == j.end() || !ok->is_boolean()) throw ControlError(err::bad_request, "avmond's reply has no \"ok\"");
    r.ok = ok->get<bool>();
    if (r.ok) {
        r.result = j.value("result", Json::object());
    } else {
        const Json e = j.value("error", Json::object());
        r.code = e.is_object() && e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "internal";
        r.message = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                                                        : "(no message)";
    }
    return r;
}

std::int64_t arg_int(const Json& args, const char* key) {
    auto it = args.find(key);
    if (it == args.end()) throw ControlError(err::bad_args, std::string("missing argument \"") + key + "\"");
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_string()) {
        // avmonctl sends ids as typed; "42" is accepted, "42x" is not.
        const std::string& s = it->get_ref<const std::string&>();
        std::size_t used = 0;
        try {
            long long v = std::stoll(s, &used);
            if (used == s.size()) return v;
        } catch (const std::exception&) {
        }
    }
    throw ControlError(err::bad_args, std::string("argument \"") + key + "\" must be an integer");
}

std::string arg_string(const Json& args, const char* key, bool required) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) {
        if (required) throw ControlError(err::bad_args, std::string("missing argument \"") + key + "\"");
        return {};
    }
    if (!it->is_string()) throw ControlError(err::bad_args, std::string("argument \"") + key + "\" must be a string");
    return it->get<std::string>();
}

std::optional<std::string> arg_optional_string(const Json& args, const char* key) {
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return std::nullopt;
    return arg_string(args, key);
}

}  // namespace avmon::control
