// Shure codec against the frames of DEVICES.md §2.1 / §6.2 (micboard, bitfocus modules).
#include <catch2/catch.hpp>

#include "probes/control/shure_codec.hpp"

using namespace avmon;
using namespace avmon::shure;

namespace {
Message parse(std::string_view frame) {
    std::string error;
    auto m = parse_message(frame, error);
    INFO(error);
    REQUIRE(m);
    return *m;
}
}  // namespace

TEST_CASE("control shure: only GET requests can be built", "[control][shure]") {
    CHECK(build_get(1, "BATT_CHARGE") == "< GET 1 BATT_CHARGE >");
    CHECK(build_get(1, "AUDIO_MUTE", 2) == "< GET 01 AUDIO_MUTE >");
    CHECK(build_get(std::nullopt, "DEVICE_AUDIO_MUTE") == "< GET DEVICE_AUDIO_MUTE >");
    CHECK(build_get(1, "X > < SET 1 METER_RATE 100").empty());  // no injection through a name
    CHECK(build_get(1, "").empty());
}

TEST_CASE("control shure: captured replies decode", "[control][shure]") {
    auto m = parse("< REP 1 BATT_BARS 004 >");  // micboard docs/shurecontrol.md
    CHECK(m.verb == "REP");
    CHECK(*m.channel == 1);
    CHECK(m.param == "BATT_BARS");
    CHECK(*decode(m).number == 4);
    CHECK(decode(m).row == "ch1");

    auto charge = decode(parse("< REP 1 BATT_CHARGE 087 >"));
    CHECK(*charge.number == 87);

    auto name = parse("< REP 1 CHAN_NAME {Lead Vox       } >");
    CHECK(name.braced);
    CHECK(decode(name).text == "Lead Vox");

    auto sample = parse("< SAMPLE 1 ALL XB 035 098 >");
    CHECK(sample.verb == "SAMPLE");
    CHECK(sample.param == "ALL");
    CHECK(sample.value == "XB 035 098");

    // Extra spaces.
    auto spaced = parse("<  REP   2   BATT_RUN_TIME   00245  >");
    CHECK(*spaced.channel == 2);
    CHECK(*decode(spaced).number == 245);
}

TEST_CASE("control shure: MXA two-digit channels and device-wide parameters", "[control][shure]") {
    auto ch = parse("< REP 01 AUDIO_MUTE ON >");
    CHECK(*ch.channel == 1);
    CHECK(*decode(ch).number == 1);
    auto dev = parse("< REP DEVICE_AUDIO_MUTE OFF >");
    CHECK_FALSE(dev.channel);
    CHECK(*decode(dev).number == 0);
    CHECK(decode(dev).row.empty());
    CHECK(is_device_wide("DEVICE_AUDIO_MUTE"));
    CHECK_FALSE(is_device_wide("BATT_CHARGE"));
}

TEST_CASE("control shure: sentinels become unknown_value, never numbers", "[control][shure]") {
    for (auto frame : {"< REP 1 BATT_CHARGE 255 >", "< REP 1 BATT_BARS 255 >", "< REP 1 BATT_RUN_TIME 65535 >",
                       "< REP 1 BATT_RUN_TIME 65534 >", "< REP 1 TX_BATT_MINS 65533 >", "< REP 1 TX_TYPE UNKN >",
                       "< REP 1 TX_MODEL UNKNOWN >", "< REP 1 TX_TYPE {UNKNOWN } >"}) {
        INFO(frame);
        auto r = decode(parse(frame));
        CHECK(r.status == MetricStatus::unknown_value);
        CHECK_FALSE(r.number);
        CHECK(r.detail.find("Shure reports") != std::string::npos);
    }
    CHECK(decode(parse("< REP 1 BATT_RUN_TIME 65534 >")).detail.find("calculating") != std::string::npos);
    // 255 is a real value for parameters without that sentinel.
    CHECK(*decode(parse("< REP 1 AUDIO_GAIN 255 >")).number == 255);
}

TEST_CASE("control shure: offsets, interference, ERR", "[control][shure]") {
    CHECK(*decode(parse("< REP 1 BATT_TEMP_C 065 >")).number == 25);
    CHECK(*decode(parse("< REP 1 RX_RF_LVL 100 >")).number == -28);
    CHECK(*decode(parse("< REP 1 RF_INT_DET CRITICAL >")).number == 1);
    CHECK(*decode(parse("< REP 1 RF_INT_DET NONE >")).number == 0);
    auto err = parse("< REP ERR >");
    CHECK(err.param == "ERR");
    CHECK(decode(err).status == MetricStatus::error);
}

TEST_CASE("control shure: concatenated frames split on '>' outside braces; replies matched",
          "[control][shure]") {
    std::string stream = "< REP 1 AUDIO_MUTE ON >< REP 1 CHAN_NAME {a > b} >< REP 1 BATT_CHARGE 087 >";
    auto fs = frame_status(stream);
    REQUIRE(fs.kind == link::FrameStatus::Kind::complete);
    CHECK(fs.bytes == 23);
    auto second = frame_status(std::string_view(stream).substr(23));
    REQUIRE(second.kind == link::FrameStatus::Kind::complete);
    CHECK(decode(parse(std::string_view(stream).substr(23, second.bytes))).text == "a > b");

    auto want = reply_to(1, "BATT_CHARGE");
    auto step = want(stream);
    CHECK(step.kind == link::FrameStatus::Kind::garbage);  // AUDIO_MUTE push: not ours
    CHECK(want("< REP 2 BATT_CHARGE 050 >").kind == link::FrameStatus::Kind::garbage);  // other channel
    CHECK(want("< REP 1 BATT_CHARGE 087 >").kind == link::FrameStatus::Kind::complete);
    CHECK(want("< REP 1 BATT_CHA").kind == link::FrameStatus::Kind::incomplete);
    CHECK(want("noise< REP").kind == link::FrameStatus::Kind::garbage);
    CHECK(want("< REP ERR >").kind == link::FrameStatus::Kind::complete);
}

TEST_CASE("control shure: malformed frames are errors", "[control][shure]") {
    std::string error;
    CHECK_FALSE(parse_message("REP 1 BATT_CHARGE 087", error));
    CHECK_FALSE(parse_message("< REP >", error));
    CHECK_FALSE(parse_message("< REP 1 >", error));
    CHECK_FALSE(parse_message("< REP 1 CHAN_NAME {open >", error));
    CHECK_FALSE(parse_message("< REP 1 CHAN_NAME {a} b >", error));
    CHECK_FALSE(parse_message("< REP 1 bad-name 1 >", error));
    CHECK_FALSE(parse_message("< REP 1 X \x01 >", error));
    CHECK(frame_status("< REP 1 X <REP 1 Y 2 >").kind == link::FrameStatus::Kind::garbage);
}
