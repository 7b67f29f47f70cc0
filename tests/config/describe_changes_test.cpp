// What a reload reports: one line per change, secrets compared but never printed.
#include <catch2/catch.hpp>

#include <algorithm>

#include "helpers.hpp"

using namespace avmon::config;
using namespace avmon::config::test;

namespace {

Config load_ok(const std::string& text) {
    LoadOptions o = hermetic({fixture("profiles")});
    LoadResult r = load_text(text, o);
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    return *r.config;
}

const char* kBefore = R"([[room]]
id = "r1"
kind = "huddle"
[[device]]
id = "sw-1"
class = "switch"
address = "127.0.0.1"
interval = "60s"
[device.snmp]
community = "Before-Comm-1"
[[device]]
id = "old-codec"
class = "codec"
address = "127.0.0.2"
[[person]]
id = "lin"
email = "lin@example.com"
[roster]
fallback = "lin"
[smtp]
enabled = true
url = "smtps://127.0.0.1"
from = "avmon@example.com"
username = "avmon"
password = "Smtp-Before-9"
)";

const char* kAfter = R"([[room]]
id = "r1"
kind = "boardroom"
[[device]]
id = "sw-1"
class = "switch"
address = "127.0.0.1"
interval = "30s"
[device.snmp]
community = "After-Comm-2"
[[device]]
id = "r1-proj"
class = "display"
address = "127.0.0.3"
room = "r1"
[device.control]
protocol = "pjlink"
[[person]]
id = "lin"
email = "lin.wei@example.com"
[roster]
fallback = "lin"
[[roster.shift]]
days = ["Mon"]
start = "08:00"
end = "20:00"
person = "lin"
[severity.I]
ack = "20m"
[smtp]
enabled = true
url = "smtps://127.0.0.1"
from = "avmon@example.com"
username = "avmon"
password = "Smtp-After-9"
[[maintenance]]
id = "fw"
scope = "room"
target = "r1"
days = ["Sun"]
at = "02:00"
duration = "1h"
)";

}  // namespace

TEST_CASE("config describe_changes lists each change once, in words", "[config][describe]") {
    Config before = load_ok(kBefore);
    Config after = load_ok(kAfter);
    auto lines = describe_changes(before, after);
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO(all);
    auto has = [&](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
    CHECK(has("device old-codec removed"));
    CHECK(has("device r1-proj added"));
    CHECK(has("device sw-1: interval 1m -> 30s"));
    CHECK(has("device sw-1: snmp credentials changed"));
    CHECK(has("room r1: kind huddle -> boardroom"));
    CHECK(has("person lin: email lin@example.com -> lin.wei@example.com"));
    CHECK(has("roster changed"));
    CHECK(has("severity I: ack 30m -> 20m"));
    CHECK(has("smtp changed"));
    CHECK(has("maintenance fw added"));
    CHECK(lines.size() == 10);
    for (const char* secret : {"Before-Comm-1", "After-Comm-2", "Smtp-Before-9", "Smtp-After-9"})
        CHECK(all.find(secret) == std::string::npos);
}

TEST_CASE("config describe_changes of identical configs is empty", "[config][describe]") {
    Config a = load_ok(kAfter);
    Config b = load_ok(kAfter);
    CHECK(describe_changes(a, b).empty());
    // Moving a table to another line is not a change.
    Config c = load_ok(std::string("# a comment that shifts every line\n\n") + kAfter);
    CHECK(describe_changes(a, c).empty());
}

TEST_CASE("config describe_changes sees profile and rule edits", "[config][describe]") {
    const std::string base = "[[device]]\nid = \"proj\"\nclass = \"display\"\naddress = \"127.0.0.1\"\n"
                             "[device.control]\nprotocol = \"pjlink\"\n";
    Config a = load_ok(base);
    Config b = load_ok(base + "[[device.rule]]\nid = \"projector_lamp_hours_high\"\nthreshold = 3500\nclear = 3400\n"
                              "[[rule]]\nid = \"slow\"\nkind = \"above\"\nmetric = \"rtt_ms\"\nthreshold = 100\n");
    auto lines = describe_changes(a, b);
    CHECK(lines == std::vector<std::string>{"device proj: rules changed", "rule slow added"});
}
