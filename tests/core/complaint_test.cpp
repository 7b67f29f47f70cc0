#include <catch2/catch.hpp>

#include "daemon/core/complaint.hpp"

using namespace avmon;
using namespace std::chrono_literals;
using Say = ComplaintTracker::Say;

TEST_CASE("a broken device is logged once, then with back-off, then once on recovery") {
    ComplaintTracker t(60s, 240s);
    SysTime now{};
    CHECK(t.failure("proj-1", now) == Say::first_failure);
    int lines = 0;
    for (int poll = 1; poll <= 60; ++poll) {  // an hour of polls every minute
        now += 60s;
        if (t.failure("proj-1", now) != Say::nothing) ++lines;
    }
    // reminders at +60s, then doubling intervals capped at 240 s: far fewer than 60 lines
    CHECK(lines >= 10);
    CHECK(lines <= 16);
    CHECK(t.failing_since("proj-1") == SysTime{});
    CHECK(t.success("proj-1") == Say::recovered);
    CHECK(t.success("proj-1") == Say::nothing);
    CHECK_FALSE(t.failing_since("proj-1"));
}
