// The peer's user name is looked up off the loop thread (NSS may stall on LDAP/sssd) and
// cached; the loop keeps running while a slow lookup is in progress.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <thread>

#include "daemon/control/user_names.hpp"

using namespace avmon;
using namespace avmon::control;
using namespace std::chrono_literals;

TEST_CASE("control_socket: user names come from NSS off the loop, cached, while the loop runs on",
          "[control_socket]") {
    asio::io_context io;
    std::atomic<std::thread::id> lookup_thread{};
    UserNames names(io.get_executor(), 10min, [&](std::uint32_t uid) {
        lookup_thread = std::this_thread::get_id();
        std::this_thread::sleep_for(300ms);  // a slow directory server
        return lookup_user_name(uid);
    });
    const auto uid = static_cast<std::uint32_t>(::getuid());
    std::vector<std::string> got;
    int timer_ticks_during_lookup = 0;
    asio::steady_timer ticker(io);
    std::function<void()> tick = [&] {
        ticker.expires_after(10ms);
        ticker.async_wait([&](boost::system::error_code ec) {
            if (ec || got.size() == 2) return;
            ++timer_ticks_during_lookup;
            tick();
        });
    };
    tick();
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            got.push_back(co_await names.name_of(uid));
            got.push_back(co_await names.name_of(uid));  // from the cache
        },
        asio::detached);
    const auto loop_thread = std::this_thread::get_id();
    io.run();

    REQUIRE(got.size() == 2);
    CHECK(got[0] == lookup_user_name(uid));
    CHECK(got[1] == got[0]);
    CHECK(names.lookups() == 1);
    CHECK(lookup_thread.load() != loop_thread);
    CHECK(timer_ticks_during_lookup >= 10);  // ~30 ticks of 10 ms fit in the 300 ms lookup
}

TEST_CASE("control_socket: a uid without an account is named uid:N", "[control_socket]") {
    CHECK(lookup_user_name(4'000'000'123u) == "uid:4000000123");
}
