#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/service/watchdog_pinger.hpp"
#include "tests/service/notify_listener.hpp"

using namespace std::chrono_literals;
using avmon::service::ServiceNotifier;
using avmon::service::WatchdogPinger;
using avmon::test::NotifyListener;
using SteadyClock = std::chrono::steady_clock;

namespace {
struct CaptureSink : avmon::log::Sink {
    std::vector<avmon::log::Entry>* out;
    explicit CaptureSink(std::vector<avmon::log::Entry>* o) : out(o) {}
    void write(const avmon::log::Entry& e) override { out->push_back(e); }
};

std::size_t count_pings(const std::vector<NotifyListener::Message>& msgs) {
    std::size_t n = 0;
    for (const auto& m : msgs) n += m.payload == "WATCHDOG=1";
    return n;
}
}  // namespace

TEST_CASE("service: the pinger feeds the watchdog at half the interval from a running loop") {
    NotifyListener manager;
    boost::asio::io_context loop;
    WatchdogPinger pinger(loop.get_executor(), ServiceNotifier{}, 200ms);
    CHECK(pinger.period() == 100ms);
    pinger.start();
    loop.run_for(450ms);
    auto got = manager.wait_for(5, 500ms);
    // One at start, then at 100, 200, 300, 400 ms.
    CHECK(count_pings(got) >= 4);
    CHECK(count_pings(got) <= 6);
    for (const auto& m : got) CHECK(m.payload == "WATCHDOG=1");
    CHECK(pinger.pings_sent() == got.size());
}

TEST_CASE("service: a blocked loop sends no pings, and pings resume when it unblocks") {
    NotifyListener manager;
    std::vector<avmon::log::Entry> lines;
    avmon::log::set_sink(std::make_unique<CaptureSink>(&lines));
    boost::asio::io_context loop;
    WatchdogPinger pinger(loop.get_executor(), ServiceNotifier{}, 200ms);
    pinger.start();

    SteadyClock::time_point block_start, block_end;
    boost::asio::steady_timer blocker(loop);
    blocker.expires_after(250ms);
    blocker.async_wait([&](const boost::system::error_code&) {
        block_start = SteadyClock::now();
        std::this_thread::sleep_for(600ms);  // the stuck loop: three times the watchdog's patience
        block_end = SteadyClock::now();
    });
    loop.run_for(1100ms);

    auto got = manager.wait_for(1, 100ms);
    std::size_t before = 0, during = 0, after = 0;
    for (const auto& m : got) {
        // A ping sent just before the block may be read a moment later by the listener thread.
        if (m.arrived < block_start + 30ms) ++before;
        else if (m.arrived < block_end) ++during;
        else ++after;
    }
    CHECK(before >= 2);
    CHECK(during == 0);
    CHECK(after >= 2);
    // The first ping after the block is the overdue one: it goes out as soon as the loop is free.
    bool resumed_promptly = false;
    for (const auto& m : got)
        if (m.arrived >= block_end && m.arrived < block_end + 50ms) resumed_promptly = true;
    CHECK(resumed_promptly);
    CHECK(pinger.worst_delay() >= 400ms);
    // The operator learns why the daemon came close to a watchdog restart.
    avmon::log::set_sink(nullptr);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].message_id == avmon::msgid::watchdog);
    CHECK(lines[0].priority == avmon::log::Priority::warning);
    CHECK(lines[0].text.find("event loop was unresponsive for") == 0);
}

TEST_CASE("service: a stopped pinger sends nothing more") {
    NotifyListener manager;
    boost::asio::io_context loop;
    WatchdogPinger pinger(loop.get_executor(), ServiceNotifier{}, 100ms);
    pinger.start();
    loop.run_for(120ms);
    pinger.stop();
    auto sent = pinger.pings_sent();
    CHECK(sent >= 2);
    loop.restart();
    loop.run_for(200ms);
    CHECK(pinger.pings_sent() == sent);
    CHECK(count_pings(manager.wait_for(sent, 200ms)) == sent);
}

TEST_CASE("service: start_watchdog arms only under a systemd watchdog") {
    NotifyListener manager;
    boost::asio::io_context loop;
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    CHECK(avmon::service::start_watchdog(loop.get_executor()) == nullptr);

    setenv("WATCHDOG_USEC", "300000", 1);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    auto pinger = avmon::service::start_watchdog(loop.get_executor());
    REQUIRE(pinger != nullptr);
    CHECK(pinger->period() == 150ms);
    loop.run_for(200ms);
    CHECK(count_pings(manager.wait_for(2, 300ms)) >= 2);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

TEST_CASE("service: destroying the pinger with a ping queued is safe") {
    NotifyListener manager;
    boost::asio::io_context loop;
    auto pinger = std::make_unique<WatchdogPinger>(loop.get_executor(), ServiceNotifier{}, 20ms);
    pinger->start();
    std::this_thread::sleep_for(30ms);  // the timer is due: its completion gets queued by run below
    loop.poll_one();
    auto sent = pinger->pings_sent();
    pinger.reset();
    loop.run_for(50ms);  // a handler still holding the state must not touch freed memory
    CHECK(sent >= 1);
    CHECK(count_pings(manager.wait_for(sent + 1, 100ms)) == sent);
}
