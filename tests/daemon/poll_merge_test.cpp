#include <catch2/catch.hpp>

#include "daemon/app/poll_merge.hpp"

using namespace avmon;
using namespace avmon::app;

namespace {
PollResult answered(double v) {
    PollResult r;
    r.reachable = true;
    r.time = SysTime{std::chrono::seconds(100)};
    r.samples.push_back({"", "lamp_hours", r.time, v});
    return r;
}
PollResult silent(const char* why) {
    PollResult r;
    r.error = why;
    r.time = SysTime{std::chrono::seconds(101)};
    return r;
}
}  // namespace

TEST_CASE("a device that pings but whose agent is silent is reachable, with the agent reported down") {
    auto m = merge_poll_results("proj", {{"icmp", answered(0.4)}, {"snmp", silent("timeout after 2 tries")}});
    CHECK(m.reachable);
    CHECK(m.error.empty());
    CHECK(m.time == SysTime{std::chrono::seconds(101)});
    REQUIRE(m.unavailable.size() == 1);
    CHECK(m.unavailable[0].metric == "probe_up.snmp");
    CHECK(m.unavailable[0].detail == "timeout after 2 tries");
    int ups = 0;
    for (auto& s : m.samples) {
        CHECK(s.device == "proj");
        if (s.metric == "probe_up.icmp") {
            CHECK(s.value == 1.0);
            ++ups;
        }
        if (s.metric == "probe_up.snmp") {
            CHECK(s.value == 0.0);
            ++ups;
        }
    }
    CHECK(ups == 2);
}

TEST_CASE("a device none of whose probes answer is unreachable, with every reason") {
    auto m = merge_poll_results("cam", {{"icmp", silent("timeout")}, {"snmp", silent("")}});
    CHECK_FALSE(m.reachable);
    CHECK(m.error == "icmp: timeout; snmp: no answer");
    CHECK(m.unavailable.empty());  // unreachable says it all; no per-probe noise
}

TEST_CASE("a device none of whose probes could be built is unreachable with a reason, not an empty one") {
    auto m = merge_poll_results("proj", {});
    CHECK_FALSE(m.reachable);
    CHECK(m.samples.empty());
    CHECK(m.error.find("no probe could be built") != std::string::npos);
}
