// SerialLink against a real pty pair made by socat: the test plays the device on side B.
#include <catch2/catch.hpp>

#include "daemon/core/message_ids.hpp"
#include "probes/link/serial_link.hpp"
#include "tests/control/link_test_support.hpp"

using namespace avmon;
using namespace avmon::link;
using namespace std::chrono_literals;
using avmon::testing::run_coro;
using avmon::testing::run_until;

namespace {

LinkOptions fast_options() {
    LinkOptions o;
    o.device_id = "test-display";
    o.initial_backoff = 20ms;
    o.max_backoff = 100ms;
    return o;
}

config::SerialLink settings_for(const std::string& path) {
    config::SerialLink s;
    s.path = path;
    s.baud = 9600;
    return s;
}

// The fake device on side B: for each CR-terminated request, writes what `answer` returns.
awaitable<void> device(asio::serial_port& port, std::function<std::string(const std::string&)> answer) {
    std::string buf;
    char chunk[256];
    for (;;) {
        boost::system::error_code ec;
        std::size_t n = co_await port.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        buf.append(chunk, n);
        for (auto pos = buf.find('\r'); pos != std::string::npos; pos = buf.find('\r')) {
            std::string request = buf.substr(0, pos + 1);
            buf.erase(0, pos + 1);
            std::string reply = answer(request);
            if (!reply.empty())
                co_await asio::async_write(port, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
        }
    }
}

struct Bench {
    std::string dir = avmon::testing::make_temp_dir("link");
    avmon::testing::PtyPair pty{dir};
    asio::io_context io;
    asio::serial_port device_port{io};
    std::shared_ptr<SerialLink> link;

    explicit Bench(std::function<std::string(const std::string&)> answer) {
        device_port.open(pty.b);
        asio::co_spawn(io, device(device_port, std::move(answer)), asio::detached);
        link = SerialLink::create(io.get_executor(), settings_for(pty.a), fast_options());
        REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    }
    ~Bench() {
        link->stop();
        boost::system::error_code ec;
        device_port.close(ec);
        io.restart();
        io.poll();
        std::filesystem::remove_all(dir);
    }
    LinkReply ask(std::string request, FrameComplete complete, std::chrono::milliseconds budget) {
        return run_coro(io, link->transact(std::move(request), std::move(complete),
                                           std::chrono::steady_clock::now() + budget));
    }
};

}  // namespace

TEST_CASE("control link serial: request and reply over a pty, port locked exclusively", "[control][link]") {
    Bench bench([](const std::string& req) { return req == "PWR?\r" ? std::string("PWR=1\r") : std::string("ERR\r"); });
    CHECK(bench.link->is_exclusive());
    auto reply = bench.ask("PWR?\r", frame_until('\r'), 1s);
    REQUIRE(reply.ok());
    CHECK(reply.frame == "PWR=1\r");
    reply = bench.ask("LAMP?\r", frame_until('\r'), 1s);
    REQUIRE(reply.ok());
    CHECK(reply.frame == "ERR\r");
}

TEST_CASE("control link serial: a silent device gives a timeout at the deadline", "[control][link]") {
    Bench bench([](const std::string&) { return std::string(); });
    auto start = std::chrono::steady_clock::now();
    auto reply = bench.ask("PWR?\r", frame_until('\r'), 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(reply.status == LinkStatus::timeout);
    CHECK(reply.partial.empty());
    CHECK(reply.error.find("no reply before the deadline") != std::string::npos);
    CHECK(took >= 300ms);
    CHECK(took < 1500ms);
    CHECK(bench.link->state() == LinkState::ready);  // silence is not an unplug
}

TEST_CASE("control link serial: a partial frame then silence times out and reports the partial bytes",
          "[control][link]") {
    Bench bench([](const std::string&) { return std::string("PWR="); });
    auto reply = bench.ask("PWR?\r", frame_until('\r'), 300ms);
    CHECK(reply.status == LinkStatus::timeout);
    CHECK(reply.partial == "PWR=");
    CHECK(reply.error.find("4 bytes") != std::string::npos);
}

TEST_CASE("control link serial: garbage before the frame is skipped by the predicate", "[control][link]") {
    Bench bench([](const std::string&) { return std::string("\x00\xff noise PWR=1\r", 16); });
    // A frame starts with 'P' and ends with CR: anything before a 'P' is garbage.
    FrameComplete predicate = [](std::string_view b) {
        auto p = b.find('P');
        if (p != 0) return FrameStatus::garbage(p == std::string_view::npos ? b.size() : p);
        auto cr = b.find('\r');
        return cr == std::string_view::npos ? FrameStatus::incomplete() : FrameStatus::complete(cr + 1);
    };
    auto reply = bench.ask("PWR?\r", predicate, 1s);
    REQUIRE(reply.ok());
    CHECK(reply.frame == "PWR=1\r");
    CHECK(reply.skipped == 9);
}

TEST_CASE("control link serial: unplug marks Lost and is logged once, replug recovers by itself",
          "[control][link]") {
    avmon::testing::LogCapture logs;
    std::string dir = avmon::testing::make_temp_dir("link-unplug");
    avmon::testing::PtyPair pty(dir);
    asio::io_context io;
    auto link = SerialLink::create(io.get_executor(), settings_for(pty.a), fast_options());
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));

    pty.unplug();
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::lost; }));
    // Let several back-off reopen attempts fail: still only one complaint.
    run_until(io, [] { return false; }, 500ms);
    CHECK(link->state() == LinkState::lost);
    CHECK(logs.count(msgid::link_lost) == 1);
    CHECK(logs.all_text().find("serial:" + pty.a) != std::string::npos);
    auto reply = run_coro(io, link->transact("PWR?\r", frame_until('\r'), std::chrono::steady_clock::now() + 200ms));
    CHECK(reply.status == LinkStatus::down);
    CHECK(reply.error.find(pty.a) != std::string::npos);

    pty.plug();
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    CHECK(logs.count(msgid::link_recovered) == 1);
    CHECK(logs.count(msgid::link_lost) == 1);
    CHECK(link->is_exclusive());
    link->stop();
    io.restart();
    io.poll();
    std::filesystem::remove_all(dir);
}

TEST_CASE("control link serial: 20 unplug/replug cycles leak no file descriptors", "[control][link]") {
    avmon::testing::LogCapture logs;  // keep the test output quiet
    std::string dir = avmon::testing::make_temp_dir("link-leak");
    avmon::testing::PtyPair pty(dir);
    asio::io_context io;
    auto link = SerialLink::create(io.get_executor(), settings_for(pty.a), fast_options());
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    std::size_t before = avmon::testing::count_open_fds();
    for (int i = 0; i < 20; ++i) {
        pty.unplug();
        REQUIRE(run_until(io, [&] { return link->state() == LinkState::lost; }));
        pty.plug();
        REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    }
    CHECK(avmon::testing::count_open_fds() == before);
    link->stop();
    io.restart();
    io.poll();
    std::filesystem::remove_all(dir);
}

TEST_CASE("control link serial: socat SIGKILLed (links left behind) -> Lost, and Ready once the device returns",
          "[control][link]") {
    avmon::testing::LogCapture logs;
    std::string dir = avmon::testing::make_temp_dir("link-stale");
    avmon::testing::PtyPair pty(dir);
    asio::io_context io;
    auto link = SerialLink::create(io.get_executor(), settings_for(pty.a), fast_options());
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    pty.unplug(SIGKILL);
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::lost; }));
    CHECK(logs.count(msgid::link_lost) >= 1);
    // No "stays Lost" check here: the dead /dev/pts/N the stale link names can be reused by
    // another test's socat running in parallel, and then it opens. Real by-id links vanish.
    pty.plug();
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::ready; }));
    link->stop();
    io.restart();
    io.poll();
    std::filesystem::remove_all(dir);
}

TEST_CASE("control link serial: a port that does not exist is Lost with the OS error", "[control][link]") {
    avmon::testing::LogCapture logs;
    asio::io_context io;
    auto link = SerialLink::create(io.get_executor(), settings_for("/dev/avmon-no-such-tty"), fast_options());
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::lost; }));
    CHECK(link->last_error().find("serial:/dev/avmon-no-such-tty: cannot open") != std::string::npos);
    CHECK(link->last_error().find("No such file") != std::string::npos);
    link->stop();
    CHECK(link->state() == LinkState::closed);
    auto reply = run_coro(io, link->transact("X\r", frame_until('\r'), std::chrono::steady_clock::now() + 100ms));
    CHECK(reply.status == LinkStatus::stopped);
}
