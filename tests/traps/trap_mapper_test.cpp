#include <catch2/catch.hpp>

#include "probes/traps/trap_mapper.hpp"

using namespace avmon;
using namespace avmon::traps;
using T = ReceivedVarbind::Type;

namespace {

config::TrapMapping mapping(std::string oid, std::string event, int line = 1) {
    config::TrapMapping m;
    m.oid = std::move(oid);
    m.event = std::move(event);
    m.where = {"avmon.toml", line, 1};
    return m;
}

ReceivedVarbind text(std::string oid, std::string value) { return {std::move(oid), T::octets, 0, std::move(value), {}}; }
ReceivedVarbind integer(std::string oid, std::int64_t value) { return {std::move(oid), T::integer, value, {}, {}}; }

ReceivedTrap v2(std::string trap_oid, std::vector<ReceivedVarbind> extra = {}, std::string source = "192.0.2.10") {
    ReceivedTrap t;
    t.pdu = ReceivedTrap::Pdu::trap_v2;
    t.source_address = std::move(source);
    t.varbinds.push_back({"1.3.6.1.2.1.1.3.0", T::timeticks, 4200, {}, {}});
    t.varbinds.push_back({"1.3.6.1.6.3.1.1.4.1.0", T::object_id, 0, {}, std::move(trap_oid)});
    t.varbinds.insert(t.varbinds.end(), extra.begin(), extra.end());
    return t;
}

std::string value_of(const TrapEvent& e, std::string_view key) {
    for (const auto& f : e.varbinds)
        if (f.key == key) return f.value;
    return "<absent>";
}

DeviceLookup lookup_table(std::map<std::string, std::string> table) {
    return [table = std::move(table)](std::string_view a) -> std::optional<std::string> {
        auto it = table.find(std::string(a));
        if (it == table.end()) return std::nullopt;
        return it->second;
    };
}

const SysTime t0 = from_unix_ms(1'700'000'000'000);

}  // namespace

TEST_CASE("traps: the MIB-II notifications map to built-in events") {
    TrapMapper m({}, lookup_table({{"192.0.2.10", "sw-3f"}}));
    CHECK(m.map(v2("1.3.6.1.6.3.1.1.5.1"), t0).event == "cold_start");
    CHECK(m.map(v2("1.3.6.1.6.3.1.1.5.2"), t0).event == "warm_start");
    CHECK(m.map(v2("1.3.6.1.6.3.1.1.5.3"), t0).event == "link_down");
    CHECK(m.map(v2(".1.3.6.1.6.3.1.1.5.4"), t0).event == "link_up");
    auto e = m.map(v2("1.3.6.1.6.3.1.1.5.1"), t0);
    CHECK(e.trap_oid == "1.3.6.1.6.3.1.1.5.1");
    CHECK(e.device == std::optional<std::string>("sw-3f"));
    CHECK(e.source_address == "192.0.2.10");
    CHECK(e.time == t0);
    CHECK(value_of(e, "1.3.6.1.2.1.1.3.0") == "4200");
}

TEST_CASE("traps: linkDown names the interface row by ifName, else ifIndex, else the instance") {
    TrapMapper m({}, nullptr);
    auto by_name = m.map(v2("1.3.6.1.6.3.1.1.5.3", {integer("1.3.6.1.2.1.2.2.1.1.12", 12),
                                                    integer("1.3.6.1.2.1.2.2.1.7.12", 1),
                                                    text("1.3.6.1.2.1.31.1.1.1.1.12", "Gi1/0/12")}),
                         t0);
    CHECK(by_name.varbinds.front().key == "row");
    CHECK(value_of(by_name, "row") == "Gi1/0/12");
    auto by_index = m.map(v2("1.3.6.1.6.3.1.1.5.3", {integer("1.3.6.1.2.1.2.2.1.1.7", 7)}), t0);
    CHECK(value_of(by_index, "row") == "7");
    auto by_instance = m.map(v2("1.3.6.1.6.3.1.1.5.4", {integer("1.3.6.1.2.1.2.2.1.8.5", 1)}), t0);
    CHECK(by_instance.event == "link_up");
    CHECK(value_of(by_instance, "row") == "5");
    auto none = m.map(v2("1.3.6.1.6.3.1.1.5.3"), t0);
    CHECK(value_of(none, "row") == "<absent>");
    CHECK(value_of(m.map(v2("1.3.6.1.6.3.1.1.5.1", {integer("1.3.6.1.2.1.2.2.1.1.7", 7)}), t0), "row") == "<absent>");
}

TEST_CASE("traps: configured mappings match exact OIDs and prefixes, longest prefix first, and override built-ins") {
    TrapMapper m({mapping("1.3.6.1.4.1.7312.2468.0.1", "cpu_temperature"),
                  mapping("1.3.6.1.4.1.7312.*", "clickshare_alarm"),
                  mapping("1.3.6.1.4.1.13885.101.0.*", "poly_event"),
                  mapping("1.3.6.1.4.1.13885.*", "poly_other"),
                  mapping("1.3.6.1.6.3.1.1.5.1", "rebooted")},
                 nullptr);
    CHECK(m.errors().empty());
    CHECK(m.map(v2("1.3.6.1.4.1.7312.2468.0.1"), t0).event == "cpu_temperature");
    CHECK(m.map(v2("1.3.6.1.4.1.7312.2468.0.3"), t0).event == "clickshare_alarm");
    CHECK(m.map(v2("1.3.6.1.4.1.13885.101.0.4"), t0).event == "poly_event");
    CHECK(m.map(v2("1.3.6.1.4.1.13885.7"), t0).event == "poly_other");
    CHECK(m.map(v2("1.3.6.1.6.3.1.1.5.1"), t0).event == "rebooted");
    // A prefix covers what is below it, not the node itself nor its numeric siblings.
    CHECK(m.map(v2("1.3.6.1.4.1.7312"), t0).event == "unknown");
    CHECK(m.map(v2("1.3.6.1.4.1.73120.1"), t0).event == "unknown");
}

TEST_CASE("traps: unmapped and malformed notifications are kept as unknown, not dropped") {
    TrapMapper m({}, nullptr);
    auto vendor = m.map(v2("1.3.6.1.4.1.99999.0.42", {text("1.3.6.1.4.1.99999.1.1.0", "fan 2 stalled")}), t0);
    CHECK(vendor.event == "unknown");
    CHECK(vendor.trap_oid == "1.3.6.1.4.1.99999.0.42");
    CHECK(value_of(vendor, "1.3.6.1.4.1.99999.1.1.0") == "fan 2 stalled");
    CHECK_THAT(vendor.detail, Catch::Contains("1.3.6.1.4.1.99999.1.1.0 = fan 2 stalled"));
    CHECK_FALSE(vendor.device);

    ReceivedTrap no_oid;
    no_oid.source_address = "192.0.2.1";
    no_oid.varbinds.push_back(integer("1.3.6.1.2.1.1.3.0", 5));
    auto e = m.map(no_oid, t0);
    CHECK(e.event == "unknown");
    CHECK(e.trap_oid.empty());
    CHECK_THAT(e.detail, Catch::StartsWith("no snmpTrapOID.0 varbind"));
}

TEST_CASE("traps: v1 traps take their SNMPv2 form (RFC 3584)") {
    CHECK(v1_trap_oid("1.3.6.1.4.1.99999", 0, 0) == "1.3.6.1.6.3.1.1.5.1");
    CHECK(v1_trap_oid("1.3.6.1.4.1.99999", 2, 0) == "1.3.6.1.6.3.1.1.5.3");
    CHECK(v1_trap_oid(".1.3.6.1.4.1.99999", 6, 17) == "1.3.6.1.4.1.99999.0.17");

    TrapMapper m({mapping("1.3.6.1.4.1.99999.0.17", "lamp_failure")}, lookup_table({{"10.1.2.3", "proj-7"}}));
    ReceivedTrap t;
    t.pdu = ReceivedTrap::Pdu::trap_v1;
    t.version = 1;
    t.source_address = "192.0.2.99";  // a relay; the v1 header names the real agent
    t.enterprise = "1.3.6.1.4.1.99999";
    t.generic_trap = 6;
    t.specific_trap = 17;
    t.agent_address = "10.1.2.3";
    t.v1_timestamp = 777;
    t.varbinds.push_back(text("1.3.6.1.4.1.99999.1.1.0", "lamp"));
    auto e = m.map(t, t0);
    CHECK(e.event == "lamp_failure");
    CHECK(e.trap_oid == "1.3.6.1.4.1.99999.0.17");
    CHECK(e.device == std::optional<std::string>("proj-7"));
    CHECK(value_of(e, "1.3.6.1.2.1.1.3.0") == "777");
    CHECK(value_of(e, "1.3.6.1.6.3.1.1.4.1.0") == "1.3.6.1.4.1.99999.0.17");
    CHECK(value_of(e, "1.3.6.1.6.3.18.1.3.0") == "10.1.2.3");
    CHECK(value_of(e, "1.3.6.1.6.3.1.1.4.3.0") == "1.3.6.1.4.1.99999");

    t.generic_trap = 2;
    t.varbinds = {integer("1.3.6.1.2.1.2.2.1.1.3", 3)};
    auto down = m.map(t, t0);
    CHECK(down.event == "link_down");
    CHECK(value_of(down, "row") == "3");
}

TEST_CASE("traps: mapping OIDs are checked and bad ones named with file:line") {
    CHECK_FALSE(check_trap_oid_pattern("1.3.6.1.4.1.99999.0.1"));
    CHECK_FALSE(check_trap_oid_pattern(".1.3.6.1.4.1.99999.*"));
    CHECK(check_trap_oid_pattern(""));
    CHECK(check_trap_oid_pattern("*"));
    CHECK(check_trap_oid_pattern("1"));
    CHECK(check_trap_oid_pattern("1.3..6"));
    CHECK(check_trap_oid_pattern("1.3.6."));
    CHECK(check_trap_oid_pattern("1.3.6.1.99999999999"));
    CHECK_THAT(*check_trap_oid_pattern("SNMPv2-MIB::coldStart"), Catch::Contains("numeric"));

    TrapMapper m({mapping("IF-MIB::linkDown", "x", 12), mapping("1.3.6.1.4.1.1.0.1", "", 14),
                  mapping("1.3.6.1.4.1.1.0.2", "ok", 16)},
                 nullptr);
    REQUIRE(m.errors().size() == 2);
    CHECK_THAT(m.errors()[0], Catch::StartsWith("avmon.toml:12: trap mapping \"IF-MIB::linkDown\""));
    CHECK_THAT(m.errors()[1], Catch::StartsWith("avmon.toml:14:"));
    CHECK(m.map(v2("1.3.6.1.4.1.1.0.2"), t0).event == "ok");
}

TEST_CASE("traps: values are rendered for the record without letting binary or control bytes through") {
    CHECK(render_value(integer("1", -5)) == "-5");
    CHECK(render_value({"1", T::counter32, 4294967295LL, {}, {}}) == "4294967295");
    CHECK(render_value({"1", T::counter64, -1, {}, {}}) == "18446744073709551615");
    CHECK(render_value(text("1", std::string("55.652\0", 7))) == "55.652");  // ClickShare's C strings
    CHECK(render_value(text("1", "Room 3F\r\nline")) == "Room 3F\\r\\nline");
    CHECK(render_value(text("1", "Besprechungsraum K\xc3\xb6ln")) == "Besprechungsraum K\xc3\xb6ln");
    CHECK(render_value(text("1", std::string("\x00\x1b\xff", 3))) == "0x001bff");
    CHECK(render_value(text("1", "bad \xc3 utf8")) == "0x62616420c32075746638");
    CHECK(render_value({"1", T::ip_address, 0, std::string("\x0a\x01\x02\x03", 4), {}}) == "10.1.2.3");
    CHECK(render_value({"1", T::object_id, 0, {}, "1.3.6.1"}) == "1.3.6.1");
    CHECK(render_value({"1", T::no_such_instance, 0, {}, {}}) == "noSuchInstance");
    auto big = render_value(text("1", std::string(5000, 'a')));
    CHECK(big.size() < 600);
    CHECK_THAT(big, Catch::EndsWith("(5000 bytes)"));
}
