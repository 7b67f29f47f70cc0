// PJLink codec against the test vectors and captured frames of DEVICES.md §1.1 / §6.2.
#include <catch2/catch.hpp>

#include "probes/control/pjlink_auth.hpp"
#include "probes/control/pjlink_codec.hpp"

using namespace avmon;
using namespace avmon::pjlink;

namespace {
Reply reply_of(std::string_view line) {
    std::string error;
    auto r = parse_reply(line, error);
    INFO(error);
    REQUIRE(r);
    return *r;
}
std::vector<Reading> decode_line(std::string_view command, std::string_view line) {
    return decode(*find_item(command), reply_of(line));
}
}  // namespace

TEST_CASE("control pjlink: queries are %<class><CMD> ?<CR>", "[control][pjlink]") {
    CHECK(build_query(*find_item("POWR")) == "%1POWR ?\r");
    CHECK(build_query(*find_item("ERST")) == "%1ERST ?\r");
    CHECK(build_query(*find_item("FILT")) == "%2FILT ?\r");
    CHECK(find_item("POWX") == nullptr);
}

TEST_CASE("control pjlink: authentication digest matches the specification's worked example",
          "[control][pjlink]") {
    // OpenLP tests/resources/projector/data.py: TEST_SALT, TEST_PIN, TEST_HASH.
    CHECK(auth_digest("498e4a67", "JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682");
}

TEST_CASE("control pjlink: greetings", "[control][pjlink]") {
    std::string error;
    auto g = parse_greeting("PJLINK 0\r", error);
    REQUIRE(g);
    CHECK(g->kind == Greeting::Kind::no_auth);
    g = parse_greeting("PJLink 1 498e4a67\r", error);  // OpenLP TEST_CONNECT_AUTHENTICATE spelling
    REQUIRE(g);
    CHECK(g->kind == Greeting::Kind::auth);
    CHECK(g->random == "498e4a67");
    g = parse_greeting("PJLINK ERRA\r", error);
    REQUIRE(g);
    CHECK(g->kind == Greeting::Kind::auth_error);
    CHECK_FALSE(parse_greeting("HELLO\r", error));
    CHECK(error.find("not a PJLink greeting") != std::string::npos);
    CHECK_FALSE(parse_greeting("PJLINK 1 \r", error));
    CHECK_FALSE(parse_greeting("PJLINK 7\r", error));
}

TEST_CASE("control pjlink: frame splitting skips noise and waits for the CR", "[control][pjlink]") {
    CHECK(frame_status("%1POWR=1\r%1ERST").kind == link::FrameStatus::Kind::complete);
    CHECK(frame_status("%1POWR=1\r%1ERST").bytes == 9);
    CHECK(frame_status("%1POW").kind == link::FrameStatus::Kind::incomplete);
    auto fs = frame_status(std::string_view("\n\x00zz%1POWR=1\r", 14));
    CHECK(fs.kind == link::FrameStatus::Kind::garbage);
    CHECK(fs.bytes == 4);
    CHECK(frame_status("PJLINK 0\r").kind == link::FrameStatus::Kind::complete);
    CHECK(frame_status("PJL").kind == link::FrameStatus::Kind::incomplete);
    CHECK(frame_status("Pxyz").kind == link::FrameStatus::Kind::garbage);
    std::string longline = "%1NAME=" + std::string(200, 'A') + "\r";
    CHECK(frame_status(longline).kind == link::FrameStatus::Kind::garbage);
}

TEST_CASE("control pjlink: POWR, ERST, INPT, AVMT, CLSS decode", "[control][pjlink]") {
    auto p = decode_line("POWR", "%1POWR=1\r");
    REQUIRE(p.size() == 1);
    CHECK(*p[0].number == 1);

    auto e = decode_line("ERST", "%1ERST=012001\r");
    REQUIRE(e.size() == 6);
    CHECK(e[0].field == "fan");
    CHECK(*e[0].number == 0);
    CHECK(e[1].field == "lamp");
    CHECK(*e[1].number == 1);
    CHECK(e[2].field == "temperature");
    CHECK(*e[2].number == 2);
    CHECK(e[5].field == "other");
    CHECK(*e[5].number == 1);

    auto i = decode_line("INPT", "%1INPT=31\r");
    CHECK(i[0].text == "31");

    auto a = decode_line("AVMT", "%1AVMT=11\r");
    CHECK(*a[0].number == 1);  // video muted
    CHECK(*a[1].number == 0);
    a = decode_line("AVMT", "%1AVMT=31\r");
    CHECK((*a[0].number == 1 && *a[1].number == 1));
    a = decode_line("AVMT", "%1AVMT=30\r");
    CHECK((*a[0].number == 0 && *a[1].number == 0));

    // Non-standard CLSS answers (Optoma, BenQ) mean class 1.
    CHECK(*decode_line("CLSS", "%1CLSS=Class 1\r")[0].number == 1);
    CHECK(*decode_line("CLSS", "%1CLSS=Version1\r")[0].number == 1);
    CHECK(*decode_line("CLSS", "%1CLSS=2\r")[0].number == 2);
}

TEST_CASE("control pjlink: LAMP with one and several lamps, FILT, text facts", "[control][pjlink]") {
    auto l = decode_line("LAMP", "%1LAMP=1200 1\r");
    REQUIRE(l.size() == 2);
    CHECK((l[0].field == "hours" && l[0].row == "1" && *l[0].number == 1200));
    CHECK((l[1].field == "on" && *l[1].number == 1));
    l = decode_line("LAMP", "%1LAMP=99999 1 800 0\r");
    REQUIRE(l.size() == 4);
    CHECK((l[2].row == "2" && *l[2].number == 800));
    CHECK(*l[3].number == 0);
    CHECK(*decode_line("FILT", "%2FILT=000123\r")[0].number == 123);
    CHECK(decode_line("NAME", "%1NAME=Boardroom 3F \r")[0].text == "Boardroom 3F");
    CHECK(decode_line("INF1", "%1INF1=\r")[0].text.empty());
}

TEST_CASE("control pjlink: errors become metric states, laser ERR1 is not a fault", "[control][pjlink]") {
    auto l = decode_line("LAMP", "%1LAMP=ERR1\r");
    REQUIRE(l.size() == 2);
    CHECK(l[0].status == MetricStatus::no_such_object);
    CHECK(l[0].detail.find("ERR1") != std::string::npos);
    auto p = decode_line("POWR", "%1POWR=ERR3\r");
    CHECK(p[0].status == MetricStatus::error);
    CHECK(p[0].detail.find("busy") != std::string::npos);
    CHECK(decode_line("ERST", "%1ERST=ERR4\r")[0].detail.find("failure") != std::string::npos);
    CHECK(reply_of("PJLINK ERRA\r").kind == Reply::Kind::auth_error);
    CHECK(reply_of("%1POWR=ERRA\r").kind == Reply::Kind::auth_error);
}

TEST_CASE("control pjlink: malformed replies are errors naming the data, never numbers", "[control][pjlink]") {
    std::string error;
    CHECK_FALSE(parse_reply("POWR=1\r", error));
    CHECK_FALSE(parse_reply("%3POWR=1\r", error));
    CHECK_FALSE(parse_reply("%1PO\x01R=1\r", error));
    CHECK_FALSE(parse_reply("%1POWR=1\x02\r", error));
    for (auto [cmd, line] : std::vector<std::pair<std::string_view, std::string_view>>{
             {"POWR", "%1POWR=7\r"},       {"POWR", "%1POWR=Z\r"},          {"ERST", "%1ERST=00000\r"},
             {"ERST", "%1ERST=000300\r"},  {"LAMP", "%1LAMP=1200\r"},       {"LAMP", "%1LAMP=123456 1\r"},
             {"LAMP", "%1LAMP=12 2\r"},    {"LAMP", "%1LAMP=12  1\r"},      {"AVMT", "%1AVMT=41\r"},
             {"INPT", "%1INPT=71\r"},      {"FILT", "%2FILT=-1\r"},         {"POWR", "%1ERST=000000\r"}}) {
        auto readings = decode_line(cmd, line);
        INFO(line);
        REQUIRE_FALSE(readings.empty());
        for (const auto& r : readings) {
            CHECK(r.status == MetricStatus::error);
            CHECK_FALSE(r.number);
        }
    }
}
