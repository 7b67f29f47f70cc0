// Counter rates: wraps, resets and reboots must never produce a spike.
#include <catch2/catch.hpp>

#include "probes/snmp/counter_rate.hpp"

using namespace avmon;
using namespace avmon::snmp;
using namespace std::chrono_literals;

namespace {
const SysTime t0 = from_unix_ms(1'700'000'000'000);
}

TEST_CASE("snmp counter: first reading gives no rate, the second the rate per second") {
    CounterRates c;
    CHECK_FALSE(c.update("if_in#1", 1000, 64, t0));
    auto r = c.update("if_in#1", 31000, 64, t0 + 30s);
    REQUIRE(r);
    CHECK(*r == Approx(1000.0));
    CHECK(c.tracked() == 1);
}

TEST_CASE("snmp counter: a Counter32 wrap gives the true rate") {
    CounterRates c;
    c.update("x", 4294967000u, 32, t0);
    auto r = c.update("x", 704, 32, t0 + 10s);  // 296 to the wrap + 704 after it = 1000
    REQUIRE(r);
    CHECK(*r == Approx(100.0));
}

TEST_CASE("snmp counter: a wrap is only believed when one wrap fits the elapsed time") {
    CounterRates c;
    // max 1000/s: in 10 s at most 10,000 -> a decrease cannot be a wrap, it is a reset.
    c.update("x", 4000000000u, 32, t0, 1000.0);
    CHECK_FALSE(c.update("x", 5, 32, t0 + 10s, 1000.0));
    // The reset reading is the new baseline.
    auto next = c.update("x", 5005, 32, t0 + 20s, 1000.0);
    REQUIRE(next);
    CHECK(*next == Approx(500.0));

    // A 1 Gb/s port (125 MB/s) polled every 60 s could have wrapped once or twice: ambiguous.
    CounterRates fast;
    fast.update("y", 4000000000u, 32, t0, 125e6);
    CHECK_FALSE(fast.update("y", 100, 32, t0 + 60s, 125e6));
    // ... polled every 30 s only one wrap is possible.
    CounterRates ok;
    ok.update("z", 4000000000u, 32, t0, 125e6);
    auto r = ok.update("z", 100, 32, t0 + 30s, 125e6);
    REQUIRE(r);
    CHECK(*r == Approx((4294967296.0 - 4000000000.0 + 100) / 30));
}

TEST_CASE("snmp counter: a Counter64 that goes down was reset, not wrapped") {
    CounterRates c;
    c.update("x", 5'000'000'000ULL, 64, t0);
    CHECK_FALSE(c.update("x", 10, 64, t0 + 10s));
    auto r = c.update("x", 1010, 64, t0 + 20s);
    REQUIRE(r);
    CHECK(*r == Approx(100.0));
}

TEST_CASE("snmp counter: a reboot (sysUpTime backwards) drops every baseline") {
    CounterRates c;
    CHECK_FALSE(c.observe_uptime(500000, t0));
    c.update("a", 4000000000u, 32, t0);
    c.update("b", 1000, 64, t0);
    // The device rebooted 20 s ago: its counters restarted, small values look like a wrap.
    CHECK(c.observe_uptime(2000, t0 + 60s));
    CHECK(c.tracked() == 0);
    CHECK_FALSE(c.update("a", 50, 32, t0 + 60s));  // no bogus 4-billion spike
    CHECK_FALSE(c.update("b", 20, 64, t0 + 60s));
    CHECK_FALSE(c.observe_uptime(8000, t0 + 120s));
    auto r = c.update("a", 650, 32, t0 + 120s);
    REQUIRE(r);
    CHECK(*r == Approx(10.0));
}

TEST_CASE("snmp counter: sysUpTime wrapping after 497 days is not a reboot") {
    CounterRates c;
    c.observe_uptime(4294967000u, t0);  // 296 ticks (2.96 s) before the wrap
    c.update("a", 100, 64, t0);
    CHECK_FALSE(c.observe_uptime(704, t0 + 10s));  // 10 s later: 1000 ticks on, wrapped
    CHECK(c.tracked() == 1);
    auto r = c.update("a", 200, 64, t0 + 10s);
    REQUIRE(r);
    CHECK(*r == Approx(10.0));
}

TEST_CASE("snmp counter: the same poll time twice gives nothing and keeps the baseline") {
    CounterRates c;
    c.update("x", 100, 64, t0);
    CHECK_FALSE(c.update("x", 200, 64, t0));
    auto r = c.update("x", 300, 64, t0 + 2s);
    REQUIRE(r);
    CHECK(*r == Approx(100.0));
}
