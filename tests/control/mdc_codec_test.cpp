// Samsung MDC codec: byte vectors from DEVICES.md §1.2 (requests computed from the formula,
// responses captured from real displays in nodel-recipes "Samsung display/script.py").
#include <catch2/catch.hpp>

#include <vector>

#include "probes/control/mdc_codec.hpp"

using namespace avmon::mdc;
using Bytes = std::vector<std::uint8_t>;

namespace {
// Element by element: g++ 12 at -O2 reports a false -Warray-bounds for vector::insert here.
Bytes cat(Bytes a, const Bytes& b) {
    for (auto x : b) a.push_back(x);
    return a;
}
const Bytes captured_power_off{0xaa, 0xff, 0x00, 0x03, 0x41, 0x11, 0x00, 0x54};
const Bytes captured_status{0xaa, 0xff, 0x00, 0x09, 0x41, 0x00, 0x01, 0x00, 0x00, 0x14, 0x10, 0x00, 0x00, 0x6e};
const Bytes captured_error_status{0xaa, 0xff, 0x01, 0x08, 0x41, 0x0d, 0x00, 0x00, 0x02, 0x00, 0x36, 0x00, 0x8e};
const Bytes captured_ir_state{0xaa, 0xff, 0x00, 0x03, 0x41, 0x36, 0x01, 0x7a};
const Bytes captured_subcommand{0xaa, 0xff, 0x02, 0x04, 0x41, 0xc6, 0x81, 0x01, 0x8e};

Bytes frame(std::uint8_t id, Bytes body) {  // AA FF id len body chk
    Bytes f{0xaa, 0xff, id, static_cast<std::uint8_t>(body.size())};
    for (auto x : body) f.push_back(x);
    f.push_back(checksum(std::span(f).subspan(1)));
    return f;
}

double number(const Decoded& d, std::string_view source) {
    for (const auto& n : d.numbers)
        if (n.source == source) return n.value;
    FAIL("no number item " << source);
    return -1;
}
bool is_missing(const Decoded& d, std::string_view source) {
    for (const auto& m : d.missing)
        if (m.source == source) return true;
    return false;
}
}  // namespace

TEST_CASE("control.mdc codec builds the documented read requests", "[control][mdc]") {
    CHECK(build_read(Command::power, 0) == Bytes{0xaa, 0x11, 0x00, 0x00, 0x11});
    CHECK(build_read(Command::power, 1) == Bytes{0xaa, 0x11, 0x01, 0x00, 0x12});
    CHECK(build_read(Command::status, 0) == Bytes{0xaa, 0x00, 0x00, 0x00, 0x00});
    CHECK(build_read(Command::error_status, 0) == Bytes{0xaa, 0x0d, 0x00, 0x00, 0x0d});
    // checksum wraps mod 256
    CHECK(build_read(Command::panel, 0xFE) == Bytes{0xaa, 0xf9, 0xfe, 0x00, 0xf7});
}

TEST_CASE("control.mdc codec accepts every captured frame from real displays", "[control][mdc]") {
    for (const auto& f : {captured_power_off, captured_status, captured_error_status, captured_ir_state,
                          captured_subcommand}) {
        auto s = scan_response(f);
        CHECK(s.outcome == ScanOutcome::complete);
        CHECK(s.offset == 0);
        CHECK(s.length == f.size());
        auto p = parse_response(f);
        INFO(p.error);
        REQUIRE(p.response);
        CHECK(p.response->ack);
    }
}

TEST_CASE("control.mdc codec decodes the captured power, status and error-status replies", "[control][mdc]") {
    auto power = parse_response(captured_power_off).response.value();
    CHECK(power.command == 0x11);
    CHECK(power.display_id == 0);
    auto dp = decode(Command::power, power.data);
    CHECK(number(dp, "power") == 0);

    auto status = parse_response(captured_status).response.value();
    auto ds = decode(Command::status, status.data);
    CHECK(number(ds, "status_power") == 1);
    CHECK(number(ds, "volume") == 0);
    CHECK(number(ds, "mute") == 0);
    CHECK(number(ds, "status_input") == 0x14);
    CHECK(number(ds, "aspect") == 0x10);

    auto err = parse_response(captured_error_status).response.value();
    CHECK(err.display_id == 1);
    CHECK(err.command == 0x0d);
    auto de = decode(Command::error_status, err.data);
    CHECK(number(de, "lamp_error") == 0);
    CHECK(number(de, "temperature_error") == 0);
    CHECK(number(de, "brightness_sensor") == 2);
    CHECK(number(de, "no_sync") == 0);
    CHECK(number(de, "temperature") == 54);
    CHECK(number(de, "fan_error") == 0);
    CHECK(de.missing.empty());
}

TEST_CASE("control.mdc codec reports unsupported fields as missing, not as values", "[control][mdc]") {
    // fan 2 = not supported, brightness sensor 0 = none fitted
    auto d = decode(Command::error_status, Bytes{0x01, 0x01, 0x00, 0x01, 0x50, 0x02});
    CHECK(number(d, "lamp_error") == 1);
    CHECK(number(d, "temperature_error") == 1);
    CHECK(number(d, "temperature") == 80);
    CHECK(is_missing(d, "fan_error"));
    CHECK(is_missing(d, "brightness_sensor"));
    // a short reply (older model) leaves the absent fields missing
    auto shortd = decode(Command::error_status, Bytes{0x00, 0x00, 0x02});
    CHECK(is_missing(shortd, "temperature"));
    CHECK(is_missing(shortd, "fan_error"));
    CHECK(number(shortd, "lamp_error") == 0);
    // volume/mute 0xFF on models without audio
    auto noaudio = decode(Command::status, Bytes{0x01, 0xff, 0xff, 0x21, 0x10});
    CHECK(is_missing(noaudio, "volume"));
    CHECK(is_missing(noaudio, "mute"));
    CHECK(number(noaudio, "status_input") == 0x21);
}

TEST_CASE("control.mdc codec decodes panel-on time of 2 and 3 bytes", "[control][mdc]") {
    // vgavro/samsung-mdc tests: [128,0], [0,128,0], [1,0,1]
    CHECK(number(decode(Command::panel_on_time, Bytes{128, 0}), "panel_on_time") == Approx(32768.0 / 6));
    CHECK(number(decode(Command::panel_on_time, Bytes{0, 128, 0}), "panel_on_time") == Approx(32768.0 / 6));
    CHECK(number(decode(Command::panel_on_time, Bytes{1, 0, 1}), "panel_on_time") == Approx(65537.0 / 6));
    CHECK(is_missing(decode(Command::panel_on_time, Bytes{}), "panel_on_time"));
}

TEST_CASE("control.mdc codec decodes text facts", "[control][mdc]") {
    auto d = decode(Command::serial_number, Bytes{'0', 'A', '1', 'B', ' ', ' ', 0, 0});
    REQUIRE(d.texts.size() == 1);
    CHECK(d.texts[0].source == "serial_number");
    CHECK(d.texts[0].text == "0A1B");
    auto v = decode(Command::software_version, Bytes{'S', '-', 'H', 'K', 0x01, 'X'});
    CHECK(v.texts[0].text == "S-HK?X");
}

TEST_CASE("control.mdc codec parses a NAK with its error code", "[control][mdc]") {
    auto nak = frame(0, {0x4e, 0x11, 0x01});
    auto p = parse_response(nak);
    REQUIRE(p.response);
    CHECK_FALSE(p.response->ack);
    CHECK(p.response->command == 0x11);
    CHECK(p.response->nak_error == 0x01);
    CHECK(nak_text(0x01) == "NAK error 0x01");
    CHECK_FALSE(parse_response(frame(0, {0x4e, 0x11})).response);  // NAK without a code
    CHECK_FALSE(parse_response(frame(0, {0x42, 0x11, 0x00})).response);  // neither A nor N
}

TEST_CASE("control.mdc codec rejects bad checksums with a clear error", "[control][mdc]") {
    Bytes bad = captured_power_off;
    bad.back() ^= 0x01;
    auto p = parse_response(bad);
    CHECK_FALSE(p.response);
    CHECK(p.error == "MDC bad checksum 0x55 (expected 0x54)");
    // the scanner skips it, and finds the good frame after it
    auto s = scan_response(cat(bad, captured_status));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == bad.size());
    CHECK(s.bad_checksums == 1);
    // alone, the bad frame is dropped as garbage
    auto only = scan_response(bad);
    CHECK(only.outcome == ScanOutcome::need_more);
    CHECK(only.offset == bad.size());
}

TEST_CASE("control.mdc codec skips garbage before a frame", "[control][mdc]") {
    Bytes garbage{0x00, 0x13, 0xaa, 0x11, 0x41, 0xaa};  // includes AA not followed by FF
    auto s = scan_response(cat(garbage, captured_error_status));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == garbage.size());
    CHECK(s.length == captured_error_status.size());
    auto only = scan_response(Bytes{0x01, 0x02, 0x03});
    CHECK(only.outcome == ScanOutcome::need_more);
    CHECK(only.offset == 3);
}

TEST_CASE("control.mdc codec waits for a partial frame", "[control][mdc]") {
    for (std::size_t cut = 1; cut < captured_error_status.size(); ++cut) {
        Bytes part(captured_error_status.begin(), captured_error_status.begin() + cut);
        auto s = scan_response(cat({0x17, 0x17}, part));
        INFO("cut " << cut);
        CHECK(s.outcome == ScanOutcome::need_more);
        CHECK(s.offset == 2);  // garbage dropped, partial frame kept
    }
}

TEST_CASE("control.mdc codec is not stuck behind a false header in garbage", "[control][mdc]") {
    // AA FF announcing 0xFE bytes would wait forever; the later complete frame wins.
    Bytes noise{0xaa, 0xff, 0x00, 0xfe, 0x12};
    auto s = scan_response(cat(noise, captured_power_off));
    CHECK(s.outcome == ScanOutcome::complete);
    CHECK(s.offset == noise.size());
}

TEST_CASE("control.mdc codec skips checksum-valid frames that are no ACK/NAK", "[control][mdc]") {
    // Found by fuzzing: AA FF 01 00 00 has a valid checksum but no ACK/NAK and no command.
    for (const auto& junk : {frame(1, {}), frame(0, {0x41}), frame(0, {0x4e, 0x11}), frame(0, {0x42, 0x11, 0x00})}) {
        auto s = scan_response(cat(junk, captured_power_off));
        CHECK(s.outcome == ScanOutcome::complete);
        CHECK(s.offset == junk.size());
        CHECK(s.bad_checksums == 1);
    }
}

TEST_CASE("control.mdc codec finds frames one after another", "[control][mdc]") {
    Bytes two = cat(captured_power_off, captured_status);
    auto first = scan_response(two);
    REQUIRE(first.outcome == ScanOutcome::complete);
    CHECK(first.length == captured_power_off.size());
    auto second = scan_response(std::span(two).subspan(first.offset + first.length));
    REQUIRE(second.outcome == ScanOutcome::complete);
    CHECK(second.length == captured_status.size());
}

TEST_CASE("control.mdc codec recognises the secured-protocol greeting", "[control][mdc]") {
    std::string g = "MDCSTART<<TLS>>";
    CHECK(is_secured_protocol_greeting(Bytes(g.begin(), g.end())));
    CHECK_FALSE(is_secured_protocol_greeting(captured_power_off));
}

TEST_CASE("control.mdc codec maps item names to commands", "[control][mdc]") {
    CHECK(item_command("power") == Command::power);
    CHECK(item_command("temperature") == Command::error_status);
    CHECK(item_command("fan_error") == Command::error_status);
    CHECK(item_command("serial_number") == Command::serial_number);
    CHECK_FALSE(item_command("bogus"));
    CHECK_FALSE(item_command(""));
    auto items = command_items(Command::error_status);
    CHECK(items.size() == 6);
    CHECK(to_hex(Bytes{0xaa, 0x01}) == "aa 01");
}
