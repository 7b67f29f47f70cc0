#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "probes/icmp/ping_completion.hpp"

using avmon::icmp::Completion;

TEST_CASE("completion: a small callable runs once with the outcome and then is empty") {
    int calls = 0;
    std::string got;
    Completion<std::string> c([&](std::string s) {
        ++calls;
        got = std::move(s);
    });
    REQUIRE(c);
    c("reply");
    CHECK(calls == 1);
    CHECK(got == "reply");
    CHECK_FALSE(c);
    c("again");  // empty: nothing runs
    CHECK(calls == 1);
}

TEST_CASE("completion: move-only and large callables keep their state through moves") {
    auto owned = std::make_unique<int>(41);
    std::array<char, 200> big{};  // beyond the inline buffer: held on the heap
    big[199] = 7;
    int seen = 0, seen_big = 0;
    Completion<int> small([p = std::move(owned), &seen](int add) { seen = *p + add; });
    Completion<int> large([big, &seen_big](int add) { seen_big = big[199] + add; });
    Completion<int> moved_small(std::move(small));
    Completion<int> moved_large;
    moved_large = std::move(large);
    CHECK_FALSE(small);
    CHECK_FALSE(large);
    moved_small(1);
    moved_large(1);
    CHECK(seen == 42);
    CHECK(seen_big == 8);
}

TEST_CASE("completion: a callable never called is destroyed with its captures") {
    auto token = std::make_shared<int>(0);
    {
        Completion<int> c([token](int) {});
        CHECK(token.use_count() == 2);
        Completion<int> d(std::move(c));
        CHECK(token.use_count() == 2);
    }
    CHECK(token.use_count() == 1);
    std::array<char, 100> big{};
    {
        Completion<int> c([token, big](int) { (void)big; });
        CHECK(token.use_count() == 2);
        c.reset();
        CHECK(token.use_count() == 1);
    }
}

TEST_CASE("completion: the callable may replace the completion it was called through") {
    // As in the pinger: a completion starts a new request, which reuses the slot it came from.
    Completion<int> slot;
    int first = 0, second = 0;
    slot = Completion<int>([&](int v) {
        first = v;
        slot = Completion<int>([&](int w) { second = w; });
    });
    slot(1);
    REQUIRE(slot);
    slot(2);
    CHECK(first == 1);
    CHECK(second == 2);
}
