// Config's lookups on a hand-built model: no TOML involved.
#include <catch2/catch.hpp>

#include "config/model.hpp"

using namespace avmon::config;

namespace {

RuleConfig rule(const char* id, double threshold) {
    RuleConfig r;
    r.id = id;
    r.kind = RuleKind::above;
    r.metric = "m";
    r.threshold = threshold;
    return r;
}

Profile profile(const char* name, DeviceClass cls, const char* protocol, std::vector<RuleConfig> rules = {}) {
    Profile p;
    p.name = name;
    p.device_class = cls;
    p.protocol = protocol;
    p.rules = std::move(rules);
    return p;
}

}  // namespace

TEST_CASE("config DeviceClass names", "[config][model]") {
    CHECK(to_string(DeviceClass::codec) == "codec");
    CHECK(to_string(DeviceClass::mic) == "mic");
    CHECK(to_string(DeviceClass::display) == "display");
    CHECK(to_string(DeviceClass::switch_) == "switch");
}

TEST_CASE("config find_* lookups", "[config][model]") {
    Config c;
    c.sites.push_back({"hq", "HQ", "UTC", {}});
    c.rooms.push_back({"r1", "Room 1", "hq", "boardroom", {}});
    c.people.push_back({"lin", "Lin", "lin@example.com", {}});
    c.chains.push_back({"default", {}, {}});
    DeviceConfig d;
    d.id = "sw";
    c.devices.push_back(d);
    c.profiles.push_back(profile("p", DeviceClass::switch_, "snmp"));
    CHECK(c.find_site("hq")->name == "HQ");
    CHECK(c.find_room("r1")->kind == "boardroom");
    CHECK(c.find_person("lin")->email == "lin@example.com");
    CHECK(c.find_chain("default") != nullptr);
    CHECK(c.find_device("sw") == &c.devices[0]);
    CHECK(c.find_profile("p") == &c.profiles[0]);
    CHECK(c.find_device("nope") == nullptr);
    CHECK(c.find_room("") == nullptr);
}

TEST_CASE("config profile_for: named, else class + transport", "[config][model]") {
    Config c;
    c.profiles.push_back(profile("ping-display", DeviceClass::display, "icmp"));
    c.profiles.push_back(profile("snmp-display", DeviceClass::display, "snmp"));
    c.profiles.push_back(profile("pjlink-display", DeviceClass::display, "pjlink"));
    c.profiles.push_back(profile("pjlink-display-2", DeviceClass::display, "pjlink"));
    c.profiles.push_back(profile("snmp-switch", DeviceClass::switch_, "snmp"));

    DeviceConfig d;
    d.device_class = DeviceClass::display;
    CHECK(c.profile_for(d)->name == "ping-display");  // icmp only
    d.snmp = SnmpTarget{};
    CHECK(c.profile_for(d)->name == "snmp-display");
    d.control = ControlTarget{};
    d.control->protocol = "pjlink";
    CHECK(c.profile_for(d)->name == "pjlink-display");  // control wins, first match
    d.profile = "pjlink-display-2";
    CHECK(c.profile_for(d)->name == "pjlink-display-2");
    d.profile = "missing";
    CHECK(c.profile_for(d) == nullptr);
    DeviceConfig mic;
    mic.device_class = DeviceClass::mic;
    CHECK(c.profile_for(mic) == nullptr);
}

TEST_CASE("config rules_for: profile, device overrides and additions, globals, minus disabled", "[config][model]") {
    Config c;
    c.profiles.push_back(profile("p", DeviceClass::display, "icmp", {rule("a", 1), rule("b", 2), rule("c", 3)}));
    c.rules = {rule("g", 10), rule("a", 99)};
    DeviceConfig d;
    d.device_class = DeviceClass::display;
    d.rules = {rule("b", 20), rule("x", 30)};
    d.disabled_rules = {"c"};
    auto rules = c.rules_for(d);
    REQUIRE(rules.size() == 4);
    CHECK(rules[0].id == "a");
    CHECK(rules[0].threshold == 1);  // the profile's a, not the global a
    CHECK(rules[1].id == "b");
    CHECK(rules[1].threshold == 20);  // the device's version
    CHECK(rules[2].id == "x");
    CHECK(rules[3].id == "g");

    d.disabled_rules = {"g", "a"};
    rules = c.rules_for(d);
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].id == "b");
    CHECK(rules[1].id == "c");
    CHECK(rules[2].id == "x");

    DeviceConfig bare;  // no profile at all: its own rules and the globals
    bare.device_class = DeviceClass::mic;
    rules = c.rules_for(bare);
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].id == "g");
    CHECK(rules[1].id == "a");
}
