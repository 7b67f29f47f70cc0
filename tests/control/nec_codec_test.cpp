// NEC external control codec: byte vectors from DEVICES.md §1.3 (requests from the manual's
// rules; one packet captured from a real display, nodel-recipes "NEC Display/Mk1/script.py").
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "probes/control/nec_codec.hpp"

using namespace avmon::nec;
using Bytes = std::vector<std::uint8_t>;

namespace {
// Element by element: g++ 12 at -O2 reports a false -Warray-bounds for vector::insert here.
Bytes cat(Bytes a, const Bytes& b) {
    for (auto x : b) a.push_back(x);
    return a;
}
// A reply from monitor 1 to the controller ('0' '0' 'A' type ...).
Bytes reply(char type, std::string message, std::uint8_t monitor = 'A') {
    Bytes f{0x01, '0', '0', monitor, static_cast<std::uint8_t>(type)};
    char len[3];
    std::snprintf(len, sizeof len, "%02X", static_cast<unsigned>(message.size() + 2));
    f.push_back(len[0]);
    f.push_back(len[1]);
    f.push_back(0x02);
    f.insert(f.end(), message.begin(), message.end());
    f.push_back(0x03);
    f.push_back(bcc(std::span(f).subspan(1)));
    f.push_back(0x0d);
    return f;
}
Frame parsed(const Bytes& b) {
    auto p = parse_frame(b);
    INFO(p.error);
    REQUIRE(p.frame);
    return *p.frame;
}
const Bytes captured_set_input{0x01, 0x30, 0x41, 0x30, 0x45, 0x30, 0x41, 0x02, 0x30, 0x30,
                               0x36, 0x30, 0x30, 0x30, 0x31, 0x31, 0x03, 0x72, 0x0d};
}  // namespace

TEST_CASE("control.nec codec builds the documented requests", "[control][nec]") {
    CHECK(build_power_status_read(1) ==
          Bytes{0x01, 0x30, 0x41, 0x30, 0x41, 0x30, 0x36, 0x02, 0x30, 0x31, 0x44, 0x36, 0x03, 0x74, 0x0d});
    CHECK(build_self_diagnosis(1) == Bytes{0x01, 0x30, 0x41, 0x30, 0x41, 0x30, 0x34, 0x02, 0x42, 0x31, 0x03, 0x76, 0x0d});
    CHECK(build_read_temperature(1) ==
          Bytes{0x01, 0x30, 0x41, 0x30, 0x43, 0x30, 0x36, 0x02, 0x30, 0x32, 0x37, 0x39, 0x03, 0x09, 0x0d});
    // the captured set-input packet is what build_frame makes for the same message
    CHECK(build_frame(1, MessageType::set_parameter, "00600011") == captured_set_input);
    auto sel = build_select_temperature_sensor(2, 3);
    auto f = parse_frame(sel);
    REQUIRE(f.frame);
    CHECK(f.frame->destination == 'B');
    CHECK(f.frame->type == MessageType::set_parameter);
    CHECK(f.frame->message == "02780003");
}

TEST_CASE("control.nec codec maps monitor ids to addresses", "[control][nec]") {
    CHECK(monitor_address(1) == 'A');
    CHECK(monitor_address(2) == 'B');
    CHECK(monitor_address(0) == 'A');  // config default 0 means the first monitor
    CHECK(monitor_address(100) == 'A' + 99);
}

TEST_CASE("control.nec codec parses the captured packet", "[control][nec]") {
    auto s = scan(captured_set_input);
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.length == captured_set_input.size());
    auto f = parsed(captured_set_input);
    CHECK(f.destination == 'A');
    CHECK(f.source == '0');
    CHECK(f.type == MessageType::set_parameter);
    CHECK(f.message == "00600011");
}

TEST_CASE("control.nec codec decodes power status replies", "[control][nec]") {
    auto on = decode_power_status(parsed(reply('B', "0200D60000040001")));
    REQUIRE(on.value);
    CHECK(on.value->supported);
    CHECK(on.value->mode == 1);
    CHECK(power_mode_name(on.value->mode) == "on");
    auto off = decode_power_status(parsed(reply('B', "0200D60000040004")));
    CHECK(off.value->mode == 4);
    CHECK(power_mode_name(2) == "standby");
    auto unsupported = decode_power_status(parsed(reply('B', "0201D6000000")));
    REQUIRE(unsupported.value);
    CHECK_FALSE(unsupported.value->supported);
    auto junk = decode_power_status(parsed(reply('B', "0200D6000004XYZ1")));
    CHECK_FALSE(junk.value);
    CHECK(junk.error.find("malformed power status") != std::string::npos);
    CHECK_FALSE(decode_power_status(parsed(reply('D', "0200D60000040001"))).value);
}

TEST_CASE("control.nec codec decodes self-diagnosis replies", "[control][nec]") {
    auto ok = decode_self_diagnosis(parsed(reply('B', "A100")));
    REQUIRE(ok.value);
    CHECK(ok.value->codes == std::vector<std::uint8_t>{0x00});
    CHECK(diagnosis_text(0x00) == "normal");
    auto fans = decode_self_diagnosis(parsed(reply('B', "A18081")));
    REQUIRE(fans.value);
    CHECK(fans.value->codes == std::vector<std::uint8_t>{0x80, 0x81});
    CHECK(diagnosis_text(0x80) == "cooling fan 1 abnormal (0x80)");
    CHECK(diagnosis_text(0x91) == "LED backlight abnormal (0x91)");
    CHECK(diagnosis_text(0xA3) == "abnormal, code 0xA3");
    CHECK_FALSE(decode_self_diagnosis(parsed(reply('B', "A1"))).value);   // no code at all
    CHECK_FALSE(decode_self_diagnosis(parsed(reply('B', "A180F"))).value); // odd length
    CHECK_FALSE(decode_self_diagnosis(parsed(reply('B', "B100"))).value);
}

TEST_CASE("control.nec codec decodes get-parameter replies and temperatures", "[control][nec]") {
    auto t = decode_parameter_reply(parsed(reply('D', "0002790000FF0032")));
    REQUIRE(t.value);
    CHECK(t.value->supported);
    CHECK(t.value->page == 0x02);
    CHECK(t.value->code == 0x79);
    CHECK(t.value->current == 0x32);
    CHECK(temperature_celsius(t.value->current) == 25.0);
    CHECK(temperature_celsius(0xFFFF) == -0.5);
    CHECK(temperature_celsius(0x0051) == 40.5);
    auto unsupported = decode_parameter_reply(parsed(reply('D', "010279")));
    REQUIRE(unsupported.value);
    CHECK_FALSE(unsupported.value->supported);
    auto set = decode_parameter_reply(parsed(reply('F', "0002780000030002")));
    REQUIRE(set.value);
    CHECK(set.value->current == 2);
    CHECK_FALSE(decode_parameter_reply(parsed(reply('D', "00027900"))).value);   // truncated
    CHECK_FALSE(decode_parameter_reply(parsed(reply('B', "0002790000FF0032"))).value);
}

TEST_CASE("control.nec codec rejects a bad BCC and skips the frame", "[control][nec]") {
    Bytes bad = reply('B', "A100");
    bad[bad.size() - 2] ^= 0x20;
    auto p = parse_frame(bad);
    CHECK_FALSE(p.frame);
    CHECK(p.error.find("NEC bad BCC") != std::string::npos);
    Bytes good = reply('B', "0200D60000040001");
    auto s = scan(cat(bad, good));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == bad.size());
    CHECK(s.bad_frames >= 1);
}

TEST_CASE("control.nec codec skips garbage and waits for partial frames", "[control][nec]") {
    Bytes garbage{'x', 0x0d, 0x01, 'Z', 0x03};  // includes an SOH followed by a non-'0'
    Bytes good = reply('D', "0002790000FF0032");
    auto s = scan(cat(garbage, good));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == garbage.size());
    for (std::size_t cut = 1; cut < good.size(); ++cut) {
        Bytes part(good.begin(), good.begin() + cut);
        auto r = scan(cat({'#', '#'}, part));
        INFO("cut " << cut);
        CHECK(r.outcome == ScanOutcome::need_more);
        CHECK(r.offset == 2);
    }
    auto none = scan(Bytes{'a', 'b'});
    CHECK(none.outcome == ScanOutcome::need_more);
    CHECK(none.offset == 2);
}

TEST_CASE("control.nec codec rejects damaged frames with clear errors", "[control][nec]") {
    Bytes good = reply('B', "A100");
    Bytes badlen = good;
    badlen[6] = 'G';
    CHECK(parse_frame(badlen).error == "NEC length field is not hex");
    Bytes noetx = good;
    noetx[noetx.size() - 3] = 'X';
    CHECK(parse_frame(noetx).error == "NEC frame delimiters (STX/ETX/CR) missing");
    CHECK(parse_frame(Bytes{0x01, '0'}).error.find("too short") != std::string::npos);
    CHECK(parse_frame(Bytes{}).error == "NEC frame does not start with SOH");
    // a header announcing more than arrives, followed by a complete frame: not stuck
    Bytes noise{0x01, '0', '0', 'A', 'B', 'F', 'F', 0x02};
    auto s = scan(cat(noise, good));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == noise.size());
}
