// Value conversion: every SNMP type to number and text, and the octet-string traps found in
// real recordings (NUL-terminated numbers, newlines, MAC addresses, invalid UTF-8).
#include <catch2/catch.hpp>

#include "probes/snmp/oid.hpp"
#include "probes/snmp/value.hpp"

using namespace avmon::snmp;

TEST_CASE("snmp oid: parse and format") {
    CHECK(to_string(*parse_oid("1.3.6.1.2.1.1.3.0")) == "1.3.6.1.2.1.1.3.0");
    CHECK(to_string(*parse_oid(".1.3.6.1")) == "1.3.6.1");
    CHECK(to_string(*parse_oid("1.3.4294967295")) == "1.3.4294967295");
    CHECK_FALSE(parse_oid(""));
    CHECK_FALSE(parse_oid("."));
    CHECK_FALSE(parse_oid("1..3"));
    CHECK_FALSE(parse_oid("1.3."));
    CHECK_FALSE(parse_oid("1.3.x"));
    CHECK_FALSE(parse_oid("1.3.4294967296"));
    CHECK_FALSE(parse_oid("ifName"));
    auto column = *parse_oid("1.3.6.1.2.1.105.1.1.1.6");
    auto row = *parse_oid("1.3.6.1.2.1.105.1.1.1.6.1.49");
    CHECK(is_below(row, column));
    CHECK_FALSE(is_below(column, column));
    CHECK(suffix_after(row, column) == "1.49");
    CHECK(suffix_after(*parse_oid("1.3.6.1.2.1.105.1.1.1.7.1"), column).empty());
}

TEST_CASE("snmp value: numbers from every numeric type") {
    CHECK(to_number(RawValue::make_integer(-5)) == -5.0);
    CHECK(to_number(RawValue::make_unsigned(ValueType::gauge32, 4294967295u)) == 4294967295.0);
    CHECK(to_number(RawValue::make_unsigned(ValueType::counter32, 7)) == 7.0);
    CHECK(to_number(RawValue::make_unsigned(ValueType::timeticks, 3397390769u)) == 3397390769.0);
    CHECK(to_number(RawValue::make_unsigned(ValueType::counter64, 1ULL << 40)) == static_cast<double>(1ULL << 40));
    CHECK(to_text(RawValue::make_unsigned(ValueType::counter64, 18446744073709551615ULL)) == "18446744073709551615");
    CHECK_FALSE(to_number(RawValue{}));  // NULL
    CHECK_FALSE(to_number(RawValue::make_exception(ValueType::no_such_instance)));
}

TEST_CASE("snmp value: numeric strings as Barco ClickShare sends them") {
    // 1.3.6.1.4.1.7312.2468.1.2.3.0|4x|35352E36353200 in clickshare_main.snmprec
    CHECK(to_number(RawValue::make_octets(std::string("55.652\0", 7))) == Approx(55.652));
    CHECK(to_number(RawValue::make_octets(std::string("95\0", 3))) == 95.0);
    CHECK(to_number(RawValue::make_octets(" -3.5 ")) == -3.5);
    CHECK(to_number(RawValue::make_octets("+7")) == 7.0);
    CHECK_FALSE(to_number(RawValue::make_octets(std::string("\0", 1))));  // sensorCaseFanSpeed: empty
    CHECK_FALSE(to_number(RawValue::make_octets("12 V")));
    CHECK_FALSE(to_number(RawValue::make_octets("1e5")));
    CHECK_FALSE(to_number(RawValue::make_octets("nan")));
    CHECK_FALSE(to_number(RawValue::make_octets(".")));
    CHECK_FALSE(to_number(RawValue::make_octets("1.2.3")));
}

TEST_CASE("snmp value: octet strings render safely") {
    CHECK(render_octets("room-101-projector") == "room-101-projector");
    CHECK(render_octets(std::string("R9861520EU\0", 11)) == "R9861520EU");
    // ClickShare diRoomName: a newline and hex-dump text in the name.
    CHECK(render_octets("Zentraler Semina\n72 72") == "Zentraler Semina\\n72 72");
    CHECK(render_octets("a\tb\r\x01z\x7f") == "a\\tb\\r\\x01z\\x7f");
    CHECK(render_octets("back\\slash") == "back\\\\slash");
    CHECK(render_octets("K\xc3\xb6ln") == "K\xc3\xb6ln");  // valid UTF-8 stays
    // Epson ifPhysAddress B0E892FD30EC: binary -> hex
    CHECK(render_octets("\xb0\xe8\x92\xfd\x30\xec") == "b0:e8:92:fd:30:ec");
    CHECK(render_octets(std::string("\x00\xe0\xdb\x60\x77\x24", 6)) == "00:e0:db:60:77:24");  // NUL inside
    CHECK(render_octets("\xc0\xaf") == "c0:af");      // overlong encoding is not UTF-8
    CHECK(render_octets("\xed\xa0\x80") == "ed:a0:80");  // surrogate
    CHECK(render_octets("\xf4\x90\x80\x80") == "f4:90:80:80");  // above U+10FFFF
    CHECK(render_octets(std::string(5, '\0')).empty());
    CHECK(render_octets(std::string(2000, 'a'), 10) == "aaaaaaaaaa...");
    CHECK(render_octets("\xc3\xb6\xc3\xb6", 3) == "\xc3\xb6...");  // never cuts a character in half
    CHECK(render_octets(std::string(20, '\xff'), 4) == "ff:ff:ff:ff...");
}

TEST_CASE("snmp value: text of every type") {
    RawValue oid;
    oid.type = ValueType::object_id;
    oid.oid = *parse_oid("1.3.6.1.4.1.2684");
    CHECK(to_text(oid) == "1.3.6.1.4.1.2684");
    RawValue ip;
    ip.type = ValueType::ip_address;
    ip.bytes = std::string("\x7f\x00\x00\x01", 4);
    CHECK(to_text(ip) == "127.0.0.1");
    CHECK(to_text(RawValue{}).empty());
    CHECK(to_text(RawValue::make_integer(-2)) == "-2");
    CHECK(to_text(RawValue::make_exception(ValueType::end_of_mib_view)) == "endOfMibView");
    RawValue opaque;
    opaque.type = ValueType::opaque;
    opaque.bytes = "\x9f\x78";
    CHECK(to_text(opaque) == "9f:78");
    CHECK(is_exception(ValueType::no_such_object));
    CHECK_FALSE(is_exception(ValueType::null));
}
