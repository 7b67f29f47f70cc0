#include "daemon/notify/mime.hpp"

#include <array>
#include <ctime>

#include <fmt/format.h>

namespace avmon::notify {
namespace {

constexpr std::size_t kLineLimit = 78;
constexpr std::string_view kWordStart = "=?UTF-8?B?";
constexpr std::string_view kWordEnd = "?=";

std::string base64(std::string_view in) {
    static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += tbl[v >> 18 & 63]; out += tbl[v >> 12 & 63]; out += tbl[v >> 6 & 63]; out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        out += tbl[v >> 18 & 63]; out += tbl[v >> 12 & 63]; out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += tbl[v >> 18 & 63]; out += tbl[v >> 12 & 63]; out += tbl[v >> 6 & 63]; out += '=';
    }
    return out;
}

// Length of the UTF-8 sequence starting with byte c (1 for stray continuation bytes).
std::size_t utf8_len(unsigned char c) {
    if (c >= 0xF0 && c < 0xF8) return 4;
    if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
    if (c >= 0xC0) return 2;
    return 1;
}

}  // namespace

bool is_plain_ascii(std::string_view text) {
    for (unsigned char c : text)
        if (c > 126 || (c < 32 && c != '\t')) return false;
    return true;
}

std::string header_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) out += (c < 32 || c == 127) ? ' ' : static_cast<char>(c);
    return out;
}

std::string encode_words(std::string_view text, std::size_t first_line_room) {
    // Each word carries at most this many raw bytes: 4 * ceil(n/3) + 12 <= 75.
    std::string out;
    std::size_t room = first_line_room;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t max_raw = room > 12 ? (room - 12) / 4 * 3 : 3;
        if (max_raw < 3) max_raw = 3;
        std::size_t end = i;
        while (end < text.size()) {
            std::size_t n = utf8_len(static_cast<unsigned char>(text[end]));
            if (end + n > text.size()) n = text.size() - end;
            if (end + n - i > max_raw && end > i) break;
            end += n;
        }
        if (!out.empty()) out += "\r\n ";
        out += kWordStart;
        out += base64(text.substr(i, end - i));
        out += kWordEnd;
        i = end;
        room = 75;  // later lines start with one space; 75 is the RFC 2047 word limit
    }
    return out;
}

std::string format_header(std::string_view name, std::string_view raw_value) {
    const std::string value = header_safe(raw_value);
    std::string out(name);
    out += ": ";
    if (!is_plain_ascii(value)) {
        out += encode_words(value, std::min<std::size_t>(75, kLineLimit - out.size()));
        out += "\r\n";
        return out;
    }
    // Fold at spaces: a fold is CRLF inserted before a space.
    std::size_t line_len = out.size();
    std::size_t i = 0;
    while (i < value.size()) {
        std::size_t next_space = value.find(' ', i + 1);
        std::string_view word = std::string_view(value).substr(i, next_space == std::string::npos ? std::string::npos : next_space - i);
        if (line_len + word.size() > kLineLimit && line_len > name.size() + 2 && word.front() == ' ') {
            out += "\r\n";
            line_len = 0;
        }
        out += word;
        line_len += word.size();
        i += word.size();
    }
    out += "\r\n";
    return out;
}

std::string rfc5322_date(SysTime t) {
    static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", days[tm.tm_wday], tm.tm_mday,
                       months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string to_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40);
    std::size_t col = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r') continue;  // re-added before each LF
        if (c == '\n') {
            out += "\r\n";
            col = 0;
            continue;
        }
        if (col >= 998) {
            out += "\r\n";
            col = 0;
        }
        out += c;
        ++col;
    }
    return out;
}

}  // namespace avmon::notify
