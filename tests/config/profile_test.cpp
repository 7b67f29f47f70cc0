// Profile files on their own and as a search path.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace avmon::config;
using namespace avmon::config::test;

TEST_CASE("config profile file parses metrics and rules", "[config][profile]") {
    ProfileResult r = load_profile_file(fixture("profiles/poe-switch.toml"));
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Profile& p = *r.profile;
    CHECK(p.name == "poe-switch");
    CHECK(p.device_class == DeviceClass::switch_);
    CHECK(p.protocol == "snmp");
    REQUIRE(p.metrics.size() == 3);
    CHECK(p.metrics[0].scale == Approx(0.01));
    CHECK(p.metrics[1].kind == MetricDef::Kind::state);
    CHECK(p.metrics[1].walk);
    CHECK(p.metrics[1].index_source == "1.3.6.1.2.1.31.1.1.1.1");
    CHECK(p.metrics[1].value_map == std::map<std::string, double>{{"up", 1}, {"down", 2}});
    CHECK(p.metrics[2].kind == MetricDef::Kind::counter);
    CHECK(p.metrics[2].unit == "bps");
    REQUIRE(p.rules.size() == 3);
    CHECK(p.rules[0].kind == RuleKind::unreachable);
    CHECK(p.rules[0].marks_down);
    CHECK(p.rules[0].for_polls == 2);
    CHECK(p.rules[1].metric == "if_oper_status.*");
    CHECK(p.rules[1].clear_threshold == 1);
    CHECK(p.rules[1].for_duration == std::chrono::minutes(2));
    CHECK(p.rules[1].severity_by_room_kind.at("boardroom") == avmon::Severity::II);
    CHECK(p.rules[2].trap_event == "link_down");
    CHECK(p.rules[2].clear_event == "link_up");
    CHECK(p.where.file == fixture("profiles/poe-switch.toml"));
    CHECK(p.where.line == 2);
}

TEST_CASE("config bad profiles are reported at their line", "[config][profile]") {
    struct Case {
        const char* text;
        int line;
        const char* fragment;
    } cases[] = {
        {"name = \"x\"\n", 1, "unknown key 'name'; allowed here: profile, metric, rule"},
        {"[[metric]]\nname = \"a\"\nsource = \"1.3\"\n", 1, "missing [profile] table"},
        {"[profile]\nname = \"x\"\nclass = \"display\"\nprotocol = \"pjlink\"\n[[metric]]\nname = \"a\"\nsource = \"LAMP\"\n"
         "walk = true\n",
         8, "metric[0].walk: walk = true is only for SNMP profiles"},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[metric]]\nname = \"a\"\nsource = \"1.3.6\"\n"
         "index = \"1.3.6.1\"\n",
         8, "metric[0].index: index names the rows of a walked column: it needs walk = true"},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[metric]]\nname = \"a\"\nsource = \"1.3.6\"\n"
         "[[metric]]\nname = \"a\"\nsource = \"1.3.7\"\n",
         9, "metric[1].name: duplicate metric name \"a\""},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[rule]]\nid = \"r\"\nkind = \"unreachable\"\n"
         "[[rule]]\nid = \"r\"\nkind = \"unreachable\"\n",
         9, "rule[1].id: duplicate rule id \"r\" in this profile"},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"telnet\"\n", 4,
         "profile.protocol: unknown value \"telnet\"; expected one of: snmp, pjlink, mdc, nec, shure, icmp"},
        {"[profile]\nname = \"x\"\nprotocol = \"snmp\"\n", 1, "profile.class: missing required key"},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[metric]]\nname = \"if.status\"\nsource = \"1.3.6\"\n",
         6, "invalid metric name \"if.status\""},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[metric]]\nname = \"a\"\nsource = \"1.3.6\"\n"
         "kind = \"state\"\nvalues = { up = \"one\" }\n",
         9, "metric[0].values.up: expected a number, found a string"},
        {"[profile]\nname = \"x\"\nclass = \"switch\"\nprotocol = \"snmp\"\n[[metric]]\nname = \"a\"\nsource = \"1.3.6\"\n"
         "scale = 0\n",
         8, "metric[0].scale: scale must not be 0"},
    };
    for (const auto& c : cases) {
        ProfileResult r = parse_profile(c.text, "p.toml");
        INFO(c.text << "\n" << dump(r.errors));
        CHECK_FALSE(r.ok());
        CHECK(find_diag(r.errors, c.line, c.fragment));
    }
}

TEST_CASE("config profile named unlike its file gets a warning", "[config][profile]") {
    ProfileResult r = parse_profile("[profile]\nname = \"x\"\nclass = \"codec\"\nprotocol = \"icmp\"\n", "/tmp/y.toml");
    REQUIRE(r.ok());
    CHECK(find_diag(r.warnings, 1, "profile \"x\" is in a file named y.toml; name the file x.toml"));
}

TEST_CASE("config profile dirs: earlier dirs win, duplicates inside one dir are errors", "[config][profile]") {
    const char* device = "[[device]]\nid = \"sw\"\nclass = \"switch\"\naddress = \"127.0.0.1\"\n"
                         "[device.snmp]\ncommunity = \"public\"\n";
    LoadResult r = load_text(device, hermetic({fixture("profiles-override"), fixture("profiles")}));
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Profile* p = r.config->profile_for(r.config->devices[0]);
    REQUIRE(p);
    CHECK(p->where.file == fixture("profiles-override/poe-switch.toml"));
    CHECK(p->rules.empty());

    LoadResult dup = load_text(device, hermetic({fixture("dup-profiles")}));
    CHECK(find_diag(dup.errors, 1, "duplicate profile \"twin\" (also in " + fixture("dup-profiles/a.toml") + ")"));

    LoadResult missing = load_text(device, hermetic({fixture("no-such-dir")}));
    CHECK(missing.ok());
    CHECK(std::any_of(missing.warnings.begin(), missing.warnings.end(), [](const ConfigError& w) {
        return w.message.find("no-such-dir does not exist") != std::string::npos;
    }));
}
