// The SNMP profiles shipped in config/profiles load cleanly with the real loader, and every
// metric source is a numeric OID the probe can read.
#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "probes/snmp/profile_mapper.hpp"

using namespace avmon;

TEST_CASE("snmp profiles: every shipped SNMP profile loads and names numeric OIDs") {
    auto name = GENERATE(as<std::string>{}, "generic-host", "poe-switch", "snmp-projector", "poly-codec", "clickshare");
    INFO(name);
    auto r = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/" + name + ".toml");
    for (const auto& e : r.errors) FAIL_CHECK(e.to_string());
    for (const auto& w : r.warnings) FAIL_CHECK("warning: " << w.to_string());
    REQUIRE(r.ok());
    CHECK(r.profile->name == name);
    CHECK(r.profile->protocol == "snmp");
    CHECK_FALSE(r.profile->metrics.empty());
    snmp::ProfileMapper mapper(*r.profile);
    CHECK(mapper.invalid_metrics().empty());
    bool has_unreachable_rule = false;
    for (const auto& rule : r.profile->rules)
        has_unreachable_rule |= rule.kind == config::RuleKind::unreachable && rule.marks_down;
    CHECK(has_unreachable_rule);
}

TEST_CASE("snmp profiles: poe-switch marks the switch down at severity I when unreachable") {
    auto r = config::load_profile_file(std::string(AVMON_SOURCE_DIR) + "/config/profiles/poe-switch.toml");
    REQUIRE(r.ok());
    std::map<std::string, const config::RuleConfig*> rules;
    for (const auto& rule : r.profile->rules) rules[rule.id] = &rule;
    REQUIRE(rules.count("unreachable"));
    CHECK(rules["unreachable"]->severity == Severity::I);
    CHECK(rules["unreachable"]->marks_down);
    for (const char* id : {"port_down", "poe_port_fault", "poe_budget_high", "errors_rising"}) CHECK(rules.count(id));
    CHECK(rules["poe_port_fault"]->threshold == 4);
}
