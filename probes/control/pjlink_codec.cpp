#include "probes/control/pjlink_codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace avmon::pjlink {
namespace {

constexpr std::array<ItemInfo, 15> kItems{{
    {"POWR", 1, false}, {"ERST", 1, false}, {"LAMP", 1, false}, {"INPT", 1, true},  {"AVMT", 1, false},
    {"CLSS", 1, true},  {"NAME", 1, true},  {"INF1", 1, true},  {"INF2", 1, true},  {"INFO", 1, true},
    {"FILT", 2, false}, {"SNUM", 2, true},  {"SVER", 2, true},  {"RLMP", 2, true},  {"RFIL", 2, true},
}};

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    return true;
}

std::string_view strip_eol(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A short, printable copy of device data for error details and logs.
std::string clip(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    if (s.size() > 40) out += "...";
    return out;
}

double to_number(std::string_view digits) {
    double v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
}

Reading make(std::string_view item, std::string_view field, std::string row = {}) {
    Reading r;
    r.item = std::string(item);
    r.field = std::string(field);
    r.row = std::move(row);
    return r;
}

// Every field of `item` with the same status: an error answer or an undecodable value.
std::vector<Reading> all_fields(std::string_view item, MetricStatus status, const std::string& detail) {
    std::vector<Reading> out;
    for (auto field : item_fields(item)) {
        auto r = make(item, field);
        r.status = status;
        r.detail = detail;
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Reading> malformed(std::string_view item, std::string_view data) {
    return all_fields(item, MetricStatus::error, "unexpected " + std::string(item) + " value '" + clip(data) + "'");
}

}  // namespace

const ItemInfo* find_item(std::string_view command) {
    for (const auto& item : kItems)
        if (item.command == command) return &item;
    return nullptr;
}

std::string build_query(const ItemInfo& item) {
    return "%" + std::to_string(item.pj_class) + std::string(item.command) + " ?\r";
}

link::FrameStatus frame_status(std::string_view b) {
    static constexpr std::string_view greeting = "PJLINK";
    std::size_t start = 0;
    for (; start < b.size(); ++start) {
        char c = b[start];
        if (c == '%') break;
        if (c == 'P' || c == 'p') {
            std::string_view rest = b.substr(start, greeting.size());
            if (iequals_prefix(rest, greeting.substr(0, rest.size()))) break;
        }
    }
    if (start > 0) return link::FrameStatus::garbage(start);
    auto cr = b.find('\r');
    if (cr == std::string_view::npos)
        return b.size() >= max_frame ? link::FrameStatus::garbage(1) : link::FrameStatus::incomplete();
    if (cr + 1 > max_frame) return link::FrameStatus::garbage(cr + 1);
    return link::FrameStatus::complete(cr + 1);
}

std::optional<Greeting> parse_greeting(std::string_view line, std::string& error) {
    line = strip_eol(line);
    if (!iequals_prefix(line, "PJLINK ")) {
        error = "not a PJLink greeting: '" + clip(line) + "'";
        return std::nullopt;
    }
    std::string_view rest = line.substr(7);
    Greeting g;
    if (rest == "0") {
        g.kind = Greeting::Kind::no_auth;
        return g;
    }
    if (iequals_prefix(rest, "ERRA") && rest.size() == 4) {
        g.kind = Greeting::Kind::auth_error;
        return g;
    }
    if (rest.size() > 2 && rest.substr(0, 2) == "1 ") {
        std::string_view random = rest.substr(2);
        bool ok = random.size() >= 4 && random.size() <= 32 &&
                  std::all_of(random.begin(), random.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
        if (ok) {
            g.kind = Greeting::Kind::auth;
            g.random = std::string(random);
            return g;
        }
    }
    error = "malformed PJLink greeting: '" + clip(line) + "'";
    return std::nullopt;
}

std::optional<Reply> parse_reply(std::string_view line, std::string& error) {
    line = strip_eol(line);
    if (iequals_prefix(line, "PJLINK ")) {
        if (iequals_prefix(line.substr(7), "ERRA") && line.size() == 11) {
            Reply r;
            r.kind = Reply::Kind::auth_error;
            return r;
        }
        error = "unexpected PJLink greeting instead of a reply: '" + clip(line) + "'";
        return std::nullopt;
    }
    if (line.size() < 7 || line[0] != '%' || (line[1] != '1' && line[1] != '2') || line[6] != '=') {
        error = "malformed PJLink reply: '" + clip(line) + "'";
        return std::nullopt;
    }
    Reply r;
    r.pj_class = line[1] - '0';
    for (char c : line.substr(2, 4)) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            error = "malformed PJLink command in reply: '" + clip(line) + "'";
            return std::nullopt;
        }
        r.command += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::string_view data = line.substr(7);
    for (char c : data) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            error = "control character in PJLink reply: '" + clip(line) + "'";
            return std::nullopt;
        }
    }
    r.data = std::string(data);
    if (data == "OK") {
        r.kind = Reply::Kind::ok;
    } else if (data == "ERRA") {
        r.kind = Reply::Kind::auth_error;
    } else if (data.size() == 4 && data.substr(0, 3) == "ERR" && data[3] >= '1' && data[3] <= '4') {
        r.kind = Reply::Kind::error;
        r.error_code = data[3] - '0';
    }
    return r;
}

std::vector<std::string_view> item_fields(std::string_view command) {
    if (command == "ERST") return {"fan", "lamp", "temperature", "cover", "filter", "other"};
    if (command == "LAMP") return {"hours", "on"};
    if (command == "AVMT") return {"video", "audio"};
    return {""};
}

std::string_view error_meaning(int code) {
    switch (code) {
        case 1: return "undefined command: not supported by this model";
        case 2: return "out of parameter";
        case 3: return "unavailable time: projector busy";
        case 4: return "projector/display failure";
    }
    return "unknown error";
}

std::vector<Reading> decode(const ItemInfo& item, const Reply& reply) {
    const std::string_view cmd = item.command;
    if (reply.kind == Reply::Kind::auth_error)
        return all_fields(cmd, MetricStatus::error, "authentication failed (ERRA)");
    if (reply.command != cmd)
        return all_fields(cmd, MetricStatus::error, "reply for " + clip(reply.command) + " instead of " + std::string(cmd));
    if (reply.kind == Reply::Kind::error) {
        // ERR1 = the model has no such item (laser projectors: LAMP): a capability, not a fault.
        auto status = reply.error_code == 1 ? MetricStatus::no_such_object : MetricStatus::error;
        return all_fields(cmd, status, reply.data + " (" + std::string(error_meaning(reply.error_code)) + ")");
    }
    if (reply.kind == Reply::Kind::ok) return malformed(cmd, reply.data);

    const std::string_view d = reply.data;
    std::vector<Reading> out;
    if (cmd == "POWR") {
        if (d.size() != 1 || d[0] < '0' || d[0] > '3') return malformed(cmd, d);
        auto r = make(cmd, "");
        r.number = d[0] - '0';
        r.text = std::string(d);
        out.push_back(std::move(r));
    } else if (cmd == "ERST") {
        if (d.size() != 6 || !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '2'; }))
            return malformed(cmd, d);
        auto fields = item_fields(cmd);
        for (std::size_t i = 0; i < 6; ++i) {
            auto r = make(cmd, fields[i]);
            r.number = d[i] - '0';
            out.push_back(std::move(r));
        }
    } else if (cmd == "LAMP") {
        // "<hours> <on>" per lamp, space separated: "1200 1 800 0".
        std::vector<std::string_view> parts;
        std::size_t pos = 0;
        while (pos <= d.size()) {
            auto sp = d.find(' ', pos);
            if (sp == std::string_view::npos) sp = d.size();
            parts.push_back(d.substr(pos, sp - pos));
            pos = sp + 1;
        }
        if (parts.size() < 2 || parts.size() % 2 != 0 || parts.size() > 16) return malformed(cmd, d);
        for (std::size_t i = 0; i < parts.size(); i += 2) {
            auto hours = parts[i], on = parts[i + 1];
            if (!all_digits(hours) || hours.size() > 5 || (on != "0" && on != "1")) return malformed(cmd, d);
        }
        for (std::size_t i = 0; i < parts.size(); i += 2) {
            std::string row = std::to_string(i / 2 + 1);
            auto h = make(cmd, "hours", row);
            h.number = to_number(parts[i]);
            out.push_back(std::move(h));
            auto o = make(cmd, "on", row);
            o.number = parts[i + 1] == "1" ? 1 : 0;
            out.push_back(std::move(o));
        }
    } else if (cmd == "FILT") {
        if (!all_digits(d) || d.size() > 6) return malformed(cmd, d);
        auto r = make(cmd, "");
        r.number = to_number(d);
        out.push_back(std::move(r));
    } else if (cmd == "INPT") {
        // Source type 1-6 then the input number 1-9 / A-Z.
        bool ok = d.size() == 2 && d[0] >= '1' && d[0] <= '6' &&
                  ((d[1] >= '1' && d[1] <= '9') || (d[1] >= 'A' && d[1] <= 'Z'));
        if (!ok) return malformed(cmd, d);
        auto r = make(cmd, "");
        r.text = std::string(d);
        out.push_back(std::move(r));
    } else if (cmd == "AVMT") {
        // 11 video mute, 21 audio mute, 31 both, 30 (10, 20) off.
        bool ok = d.size() == 2 && d[0] >= '1' && d[0] <= '3' && (d[1] == '0' || d[1] == '1');
        if (!ok) return malformed(cmd, d);
        bool on = d[1] == '1';
        auto v = make(cmd, "video");
        v.number = on && (d[0] == '1' || d[0] == '3') ? 1 : 0;
        auto a = make(cmd, "audio");
        a.number = on && (d[0] == '2' || d[0] == '3') ? 1 : 0;
        out.push_back(std::move(v));
        out.push_back(std::move(a));
    } else if (cmd == "CLSS") {
        // Non-standard answers ("Class 1", "Version1") mean class 1 (OpenLP's rule).
        auto r = make(cmd, "");
        r.text = std::string(d);
        r.number = d == "2" ? 2 : 1;
        out.push_back(std::move(r));
    } else {
        auto r = make(cmd, "");  // inventory text: NAME INF1 INF2 INFO SNUM SVER RLMP RFIL
        auto first = d.find_first_not_of(' ');
        auto last = d.find_last_not_of(' ');
        r.text = first == std::string_view::npos ? std::string() : std::string(d.substr(first, last - first + 1));
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace avmon::pjlink
