#include <catch2/catch.hpp>

#include "daemon/notify/mime.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::notify;

namespace {

// Minimal RFC 2047 "B" decoder for the checks below.
std::string decode_words(const std::string& header_value) {
    static const std::string tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t pos = 0;
    while ((pos = header_value.find("=?UTF-8?B?", pos)) != std::string::npos) {
        pos += 10;
        const auto end = header_value.find("?=", pos);
        unsigned acc = 0;
        int bits = 0;
        for (std::size_t i = pos; i < end; ++i) {
            if (header_value[i] == '=') break;
            acc = acc << 6 | static_cast<unsigned>(tbl.find(header_value[i]));
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += static_cast<char>(acc >> bits & 0xff);
            }
        }
        pos = end + 2;
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0, p;
    while ((p = s.find("\r\n", start)) != std::string::npos) {
        out.push_back(s.substr(start, p - start));
        start = p + 2;
    }
    return out;
}

}  // namespace

TEST_CASE("notify: ASCII headers are folded at spaces with CRLF, lines at most 78") {
    std::string long_subject;
    for (int i = 0; i < 30; ++i) long_subject += "word" + std::to_string(i) + " ";
    long_subject += "end";
    const auto h = format_header("Subject", long_subject);
    REQUIRE(h.size() > 78);
    const auto lines = lines_of(h);
    REQUIRE(lines.size() > 1);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i].size() <= 78);
        if (i) CHECK(lines[i][0] == ' ');  // continuation lines start with white space
    }
    // Unfolding (remove CRLF before WSP) gives the value back.
    std::string unfolded;
    for (std::size_t i = 0; i < lines.size(); ++i) unfolded += lines[i];
    CHECK(unfolded == "Subject: " + long_subject);
    CHECK(h.substr(h.size() - 2) == "\r\n");
}

TEST_CASE("notify: a Chinese room name is RFC 2047 encoded, words <= 75, UTF-8 never split") {
    const std::string subject = "[AVMON I] 三楼大会议室 Boardroom 3F 三楼大会议室三楼大会议室三楼大会议室三楼大会议室: codec unreachable";
    const auto h = format_header("Subject", subject);
    CHECK(h.find("三") == std::string::npos);
    const auto lines = lines_of(h);
    REQUIRE(lines.size() >= 2);
    for (const auto& l : lines) CHECK(l.size() <= 78);
    // Every word decodes to valid UTF-8 on its own: decode each separately and concatenate.
    std::string joined;
    for (const auto& l : lines) {
        auto start = l.find("=?UTF-8?B?");
        REQUIRE(start != std::string::npos);
        const std::string word = l.substr(start);
        CHECK(word.size() <= 75);
        const std::string piece = decode_words(word);
        // A piece must not end inside a multi-byte sequence.
        int expect = 0;
        for (unsigned char c : piece) {
            if (expect) { CHECK((c & 0xC0) == 0x80); --expect; continue; }
            expect = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        }
        CHECK(expect == 0);
        joined += piece;
    }
    CHECK(joined == subject);
}

TEST_CASE("notify: header values cannot inject headers") {
    const auto h = format_header("To", "ops@example.test\r\nBcc: evil@example.test");
    CHECK(lines_of(h).size() == 1);
    CHECK(h.find("\r\nBcc") == std::string::npos);
}

TEST_CASE("notify: RFC 5322 date and CRLF body") {
    CHECK(rfc5322_date(store::test::utc("2026-11-24T08:03:56Z")) == "Tue, 24 Nov 2026 08:03:56 +0000");
    CHECK(to_crlf("a\nb\r\nc") == "a\r\nb\r\nc");
    const auto wrapped = to_crlf(std::string(2000, 'x'));
    for (const auto& l : lines_of(wrapped + "\r\n")) CHECK(l.size() <= 998);
}
