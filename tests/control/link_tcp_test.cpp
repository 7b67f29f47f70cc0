// TcpLink against listeners in this process: per-poll and persistent connections, refused,
// connect timeout (a listener whose accept queue is full and that never accepts), reconnect.
#include <catch2/catch.hpp>

#include "daemon/core/message_ids.hpp"
#include "probes/link/tcp_link.hpp"
#include "tests/control/link_test_support.hpp"

using namespace avmon;
using namespace avmon::link;
using namespace std::chrono_literals;
using asio::ip::tcp;
using avmon::testing::run_coro;
using avmon::testing::run_until;

namespace {

LinkOptions fast_options() {
    LinkOptions o;
    o.device_id = "test-mic";
    o.connect_timeout = 300ms;
    o.initial_backoff = 20ms;
    o.max_backoff = 100ms;
    return o;
}

// Accepts connections; answers every CR-terminated line with "OK <line>\r"; counts sessions.
struct EchoServer {
    explicit EchoServer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            auto sock = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            ++accepted;
            auto s = std::make_shared<tcp::socket>(std::move(sock));
            current = s;
            asio::co_spawn(acceptor.get_executor(), serve(s), asio::detached);
        }
    }
    awaitable<void> serve(std::shared_ptr<tcp::socket> s) {
        std::string buf;
        char chunk[256];
        for (;;) {
            boost::system::error_code ec;
            auto n = co_await s->async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                ++closed_by_client;
                co_return;
            }
            buf.append(chunk, n);
            for (auto p = buf.find('\r'); p != std::string::npos; p = buf.find('\r')) {
                std::string reply = "OK " + buf.substr(0, p + 1);
                buf.erase(0, p + 1);
                co_await asio::async_write(*s, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
            }
        }
    }
    tcp::acceptor acceptor;
    std::shared_ptr<tcp::socket> current;
    int accepted = 0;
    int closed_by_client = 0;
};

}  // namespace

TEST_CASE("control link tcp: per-poll connection opens on demand and closes cleanly", "[control][link]") {
    asio::io_context io;
    EchoServer server(io);
    auto link = TcpLink::create(io.get_executor(), "127.0.0.1", server.port(), TcpLink::Mode::per_poll, fast_options());
    CHECK(link->state() == LinkState::closed);
    auto reply = run_coro(io, link->transact("PING\r", frame_until('\r'), std::chrono::steady_clock::now() + 1s));
    REQUIRE(reply.ok());
    CHECK(reply.frame == "OK PING\r");
    CHECK(link->state() == LinkState::ready);
    link->end_session();
    CHECK(link->state() == LinkState::closed);
    REQUIRE(run_until(io, [&] { return server.closed_by_client == 1; }));
    reply = run_coro(io, link->transact("AGAIN\r", frame_until('\r'), std::chrono::steady_clock::now() + 1s));
    REQUIRE(reply.ok());
    CHECK(reply.frame == "OK AGAIN\r");
    CHECK(server.accepted == 2);
    link->stop();
    io.restart();
    io.poll();
}

TEST_CASE("control link tcp: connection refused is reported as down", "[control][link]") {
    asio::io_context io;
    // A bound but not listening socket: the port is ours, and connecting to it is refused.
    tcp::socket holder(io);
    holder.open(tcp::v4());
    holder.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto port = holder.local_endpoint().port();
    auto link = TcpLink::create(io.get_executor(), "127.0.0.1", port, TcpLink::Mode::per_poll, fast_options());
    auto reply = run_coro(io, link->transact("X\r", frame_until('\r'), std::chrono::steady_clock::now() + 1s));
    CHECK(reply.status == LinkStatus::down);
    CHECK(reply.error.find("refused") != std::string::npos);
    CHECK(reply.error.find("tcp:127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(link->state() == LinkState::lost);
    link->stop();
}

TEST_CASE("control link tcp: connect timeout against a listener that never accepts", "[control][link]") {
    asio::io_context io;
    tcp::acceptor never(io);
    never.open(tcp::v4());
    never.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    never.listen(0);  // accept queue of one, and we never accept
    tcp::socket filler(io);
    filler.connect(never.local_endpoint());  // fills the queue: further SYNs are dropped
    auto link = TcpLink::create(io.get_executor(), "127.0.0.1", never.local_endpoint().port(),
                                TcpLink::Mode::per_poll, fast_options());
    auto start = std::chrono::steady_clock::now();
    auto reply = run_coro(io, link->transact("X\r", frame_until('\r'), std::chrono::steady_clock::now() + 2s));
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(reply.status == LinkStatus::down);
    CHECK(reply.error.find("connect timed out") != std::string::npos);
    CHECK(took >= 300ms);
    CHECK(took < 1500ms);
    link->stop();
    io.restart();
    io.poll();
}

TEST_CASE("control link tcp: persistent link reconnects with back-off after the device hangs up",
          "[control][link]") {
    avmon::testing::LogCapture logs;
    asio::io_context io;
    auto server = std::make_unique<EchoServer>(io);
    auto port = server->port();
    auto link = TcpLink::create(io.get_executor(), "127.0.0.1", port, TcpLink::Mode::persistent, fast_options());
    // A request issued while the first connect is still in flight waits for it.
    auto reply = run_coro(io, link->transact("A\r", frame_until('\r'), std::chrono::steady_clock::now() + 1s));
    REQUIRE(reply.ok());
    CHECK(reply.frame == "OK A\r");

    // Device goes away entirely: the link notices without a request, and says so once.
    server->acceptor.close();
    server->current->close();
    REQUIRE(run_until(io, [&] { return link->state() == LinkState::lost; }));
    run_until(io, [] { return false; }, 300ms);  // several refused reconnects
    CHECK(logs.count(msgid::link_lost) == 1);

    // Device returns on the same port: the link reconnects by itself.
    tcp::acceptor again(io);
    again.open(tcp::v4());
    again.set_option(asio::socket_base::reuse_address(true));
    again.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    again.listen();
    tcp::socket accepted(io);
    bool got = false;
    again.async_accept(accepted, [&](boost::system::error_code ec) { got = !ec; });
    REQUIRE(run_until(io, [&] { return got && link->state() == LinkState::ready; }));
    CHECK(logs.count(msgid::link_recovered) == 1);
    link->stop();
    io.restart();
    io.poll();
}

TEST_CASE("control link tcp: requests are served one at a time", "[control][link]") {
    asio::io_context io;
    EchoServer server(io);
    auto link = TcpLink::create(io.get_executor(), "127.0.0.1", server.port(), TcpLink::Mode::persistent, fast_options());
    std::vector<std::string> frames;
    auto one = [&](std::string req) -> awaitable<void> {
        auto r = co_await link->transact(req, frame_until('\r'), std::chrono::steady_clock::now() + 2s);
        frames.push_back(r.ok() ? r.frame : "ERROR " + r.error);
    };
    asio::co_spawn(io, one("1\r"), asio::detached);
    asio::co_spawn(io, one("2\r"), asio::detached);
    asio::co_spawn(io, one("3\r"), asio::detached);
    REQUIRE(run_until(io, [&] { return frames.size() == 3; }));
    std::sort(frames.begin(), frames.end());
    CHECK(frames == std::vector<std::string>{"OK 1\r", "OK 2\r", "OK 3\r"});
    link->stop();
    io.restart();
    io.poll();
}
