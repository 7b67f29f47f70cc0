#include <catch2/catch.hpp>

#include "daemon/app/poll_timing.hpp"

using namespace avmon::app;
using namespace std::chrono;

TEST_CASE("first polls spread over the whole interval") {
    PollTiming t({}, 42);
    milliseconds lo = seconds(60), hi{0};
    for (int i = 0; i < 1000; ++i) {
        auto d = t.initial_delay(seconds(60));
        lo = std::min(lo, d);
        hi = std::max(hi, d);
        REQUIRE(d < seconds(60));
    }
    CHECK(lo < seconds(3));
    CHECK(hi > seconds(57));
}

TEST_CASE("healthy devices keep their interval within the jitter") {
    PollTiming t({0.1, seconds(600), 3}, 7);
    for (int i = 0; i < 1000; ++i) {
        auto d = t.next_delay(seconds(30), 0);
        REQUIRE(d >= milliseconds(27000));
        REQUIRE(d <= milliseconds(33000));
    }
}

TEST_CASE("unreachable devices back off after a few failures, up to the cap") {
    PollTiming t({0.0, seconds(600), 3}, 1);
    CHECK(t.next_delay(seconds(30), 1) == seconds(30));  // debounce needs the normal rhythm
    CHECK(t.next_delay(seconds(30), 2) == seconds(30));
    CHECK(t.next_delay(seconds(30), 3) == seconds(60));
    CHECK(t.next_delay(seconds(30), 4) == seconds(120));
    CHECK(t.next_delay(seconds(30), 5) == seconds(240));
    CHECK(t.next_delay(seconds(30), 6) == seconds(480));
    CHECK(t.next_delay(seconds(30), 7) == seconds(600));
    CHECK(t.next_delay(seconds(30), 60) == seconds(600));
    // a cap below the interval never polls faster than the interval
    PollTiming small({0.0, seconds(10), 3}, 1);
    CHECK(small.next_delay(seconds(30), 9) == seconds(30));
}
