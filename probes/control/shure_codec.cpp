#include "probes/control/shure_codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace avmon::shure {
namespace {

bool is_param_name(std::string_view s) {
    return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string clip(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) ? c : '?';
    if (s.size() > 40) out += "...";
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Where a frame starting at b[0] == '<' ends ('>' outside braces), or npos.
std::size_t frame_end(std::string_view b) {
    bool in_brace = false;
    for (std::size_t i = 1; i < b.size(); ++i) {
        char c = b[i];
        if (c == '{') in_brace = true;
        else if (c == '}') in_brace = false;
        else if (c == '>' && !in_brace) return i;
        else if (c == '<' && !in_brace) return std::string_view::npos - 1;  // a new frame began: this one was cut
    }
    return std::string_view::npos;
}

// Numeric sentinels per parameter family (bitfocus internalAPI.js, micboard device_config.py).
struct Sentinel {
    std::string_view param;
    double value;
    std::string_view meaning;
};
constexpr std::array<Sentinel, 14> kSentinels{{
    {"BATT_BARS", 255, "unknown / no transmitter"},
    {"TX_BATT_BARS", 255, "unknown / no transmitter"},
    {"BATT_CHARGE", 255, "unknown"},
    {"TX_BATT_CHARGE_PERCENT", 255, "unknown"},
    {"BATT_HEALTH", 255, "unknown"},
    {"TX_BATT_HEALTH_PERCENT", 255, "unknown"},
    {"BATT_TEMP_C", 255, "unknown"},
    {"BATT_RUN_TIME", 65535, "unknown"},
    {"BATT_RUN_TIME", 65534, "calculating"},
    {"BATT_RUN_TIME", 65533, "communication warning"},
    {"TX_BATT_MINS", 65535, "unknown"},
    {"TX_BATT_MINS", 65534, "calculating"},
    {"TX_BATT_MINS", 65533, "communication warning"},
    {"RX_RF_LVL", 255, "unknown"},
}};

}  // namespace

bool is_device_wide(std::string_view param) {
    static constexpr std::array<std::string_view, 12> kDeviceWide{
        "DEVICE_AUDIO_MUTE", "MODEL",  "SERIAL_NUM", "FW_VER",           "DEVICE_ID",         "PRESET",
        "FLASH",             "RF_BAND", "ENCRYPTION", "LED_STATE_MUTED", "LED_STATE_UNMUTED", "LED_BRIGHTNESS"};
    return std::find(kDeviceWide.begin(), kDeviceWide.end(), param) != kDeviceWide.end();
}

std::string build_get(std::optional<int> channel, std::string_view param, int channel_digits) {
    if (!is_param_name(param)) return {};
    std::string out = "< GET ";
    if (channel) {
        std::string n = std::to_string(*channel);
        if (channel_digits > 1 && n.size() < static_cast<std::size_t>(channel_digits))
            n.insert(0, static_cast<std::size_t>(channel_digits) - n.size(), '0');
        out += n + " ";
    }
    out += std::string(param) + " >";
    return out;
}

link::FrameStatus frame_status(std::string_view b) {
    auto start = b.find('<');
    if (start == std::string_view::npos) return link::FrameStatus::garbage(b.size());
    if (start > 0) return link::FrameStatus::garbage(start);
    auto end = frame_end(b);
    if (end == std::string_view::npos - 1) return link::FrameStatus::garbage(1);  // cut frame
    if (end == std::string_view::npos)
        return b.size() >= max_frame ? link::FrameStatus::garbage(1) : link::FrameStatus::incomplete();
    if (end + 1 > max_frame) return link::FrameStatus::garbage(end + 1);
    return link::FrameStatus::complete(end + 1);
}

std::optional<Message> parse_message(std::string_view frame, std::string& error) {
    auto first = frame.find_first_not_of(" \t\r\n");
    auto last = frame.find_last_not_of(" \t\r\n");
    if (first == std::string_view::npos || frame[first] != '<' || frame[last] != '>' || last == first) {
        error = "not a Shure frame: '" + clip(frame) + "'";
        return std::nullopt;
    }
    std::string_view body = frame.substr(first + 1, last - first - 1);

    // Tokens split on spaces; a {braced string} is one token and must be the last one.
    std::vector<std::string_view> tokens;
    std::optional<std::string_view> braced;
    std::size_t i = 0;
    while (i < body.size()) {
        char c = body[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            error = "control character in Shure frame: '" + clip(frame) + "'";
            return std::nullopt;
        }
        if (c == '{') {
            auto close = body.find('}', i + 1);
            if (close == std::string_view::npos || braced) {
                error = "unbalanced braces in Shure frame: '" + clip(frame) + "'";
                return std::nullopt;
            }
            braced = body.substr(i + 1, close - i - 1);
            i = close + 1;
            continue;
        }
        if (braced) {
            error = "text after a braced string in Shure frame: '" + clip(frame) + "'";
            return std::nullopt;
        }
        auto end = body.find_first_of(" \t{", i);
        if (end == std::string_view::npos) end = body.size();
        tokens.push_back(body.substr(i, end - i));
        i = end;
    }
    if (tokens.size() < 2) {
        error = "incomplete Shure frame: '" + clip(frame) + "'";
        return std::nullopt;
    }
    Message m;
    m.verb = upper(tokens[0]);
    std::size_t next = 1;
    if (all_digits(tokens[1]) && tokens[1].size() <= 3) {
        int ch = 0;
        for (char c : tokens[1]) ch = ch * 10 + (c - '0');
        m.channel = ch;
        next = 2;
    }
    if (next >= tokens.size() || !is_param_name(tokens[next])) {
        error = "no parameter name in Shure frame: '" + clip(frame) + "'";
        return std::nullopt;
    }
    m.param = std::string(tokens[next]);
    for (std::size_t k = next + 1; k < tokens.size(); ++k) {
        if (!m.value.empty()) m.value += ' ';
        m.value += tokens[k];
    }
    if (braced) {
        if (!m.value.empty()) {
            error = "value and braced string in one Shure frame: '" + clip(frame) + "'";
            return std::nullopt;
        }
        auto f = braced->find_first_not_of(' ');
        auto l = braced->find_last_not_of(' ');
        m.value = f == std::string_view::npos ? std::string() : std::string(braced->substr(f, l - f + 1));
        m.braced = true;
    }
    return m;
}

link::FrameComplete reply_to(std::optional<int> channel, std::string param) {
    return [channel, param = std::move(param)](std::string_view b) {
        auto fs = frame_status(b);
        if (fs.kind != link::FrameStatus::Kind::complete) return fs;
        std::string error;
        auto m = parse_message(b.substr(0, fs.bytes), error);
        if (m && m->verb == "REP" && ((m->param == param && m->channel == channel) || (m->param == "ERR" && m->value.empty())))
            return fs;
        return link::FrameStatus::garbage(fs.bytes);  // a pushed report or sample: not ours
    };
}

Reading decode(const Message& m) {
    Reading r;
    r.item = m.param;
    if (m.channel) r.row = "ch" + std::to_string(*m.channel);
    const std::string v = upper(m.value);
    if (m.param == "ERR") {
        r.status = MetricStatus::error;
        r.detail = "the device answered ERR";
        return r;
    }
    if (m.braced) {
        r.text = m.value;
        if (v == "UNKN" || v == "UNKNOWN") {
            r.status = MetricStatus::unknown_value;
            r.detail = "Shure reports " + m.value + " (unknown)";
        }
        return r;
    }
    if (all_digits(m.value) && m.value.size() <= 6) {
        double n = 0;
        for (char c : m.value) n = n * 10 + (c - '0');
        for (const auto& s : kSentinels) {
            if (s.param == m.param && s.value == n) {
                r.status = MetricStatus::unknown_value;
                r.detail = "Shure reports " + m.value + " (" + std::string(s.meaning) + ")";
                return r;
            }
        }
        if (m.param == "BATT_TEMP_C") n -= 40;  // reported with a +40 offset
        if (m.param == "RX_RF_LVL") n -= 128;   // value - 128 = dBm, as in ULX-D samples
        r.number = n;
        return r;
    }
    r.text = m.value;
    if (v == "UNKN" || v == "UNKNOWN" || v.empty()) {
        r.status = MetricStatus::unknown_value;
        r.detail = "Shure reports " + (m.value.empty() ? std::string("nothing") : m.value) + " (unknown)";
    } else if (v == "ON") {
        r.number = 1;
    } else if (v == "OFF") {
        r.number = 0;
    } else if (v == "NONE") {
        r.number = 0;
    } else if (v == "CRITICAL") {
        r.number = 1;
    }
    return r;
}

}  // namespace avmon::shure
