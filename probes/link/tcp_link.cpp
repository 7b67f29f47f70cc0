#include "probes/link/tcp_link.hpp"

namespace avmon::link {

using boost::system::error_code;
using asio::ip::tcp;

std::shared_ptr<TcpLink> TcpLink::create(asio::any_io_executor ex, std::string host, std::uint16_t port, Mode mode,
                                         LinkOptions options) {
    auto link = std::make_shared<TcpLink>(ex, std::move(host), port, mode, std::move(options));
    link->start();
    return link;
}

TcpLink::TcpLink(asio::any_io_executor ex, std::string host, std::uint16_t port, Mode mode, LinkOptions options)
    : StreamLink(ex, "tcp:" + host + ":" + std::to_string(port), std::move(options), mode == Mode::persistent),
      host_(std::move(host)),
      port_(port),
      mode_(mode),
      socket_(ex) {}

awaitable<std::string> TcpLink::open_stream(SteadyTime deadline) {
    auto self = shared_from_this();
    error_code ec;
    if (socket_.is_open()) socket_.close(ec);

    // One watchdog for resolve + connect: at the deadline it cancels whatever is pending.
    // `done` guards against a timer that expired just as the operation finished: its handler
    // may run after this coroutine has moved on, and must then leave everything alone.
    auto fired = std::make_shared<bool>(false);
    auto done = std::make_shared<bool>(false);
    auto resolver = std::make_shared<tcp::resolver>(executor_);
    asio::steady_timer watchdog(executor_, deadline);
    watchdog.async_wait([self, fired, done, resolver, this](const error_code& wec) {
        if (wec || *done) return;
        *fired = true;
        resolver->cancel();
        error_code ignored;
        socket_.close(ignored);
    });
    struct Done {
        std::shared_ptr<bool> flag;
        ~Done() { *flag = true; }
    } mark_done{done};
    auto timeout_text = [&] {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.connect_timeout).count();
        return "connect timed out (limit " + std::to_string(ms) + " ms)";
    };

    std::vector<tcp::endpoint> endpoints;
    if (auto addr = asio::ip::make_address(host_, ec); !ec) {
        endpoints.emplace_back(addr, port_);
    } else {
        auto results = co_await resolver->async_resolve(host_, std::to_string(port_),
                                                       asio::redirect_error(asio::use_awaitable, ec));
        if (*fired) co_return "cannot resolve " + host_ + ": timed out";
        if (ec) {
            co_return "cannot resolve " + host_ + ": " + ec.message();
        }
        for (const auto& r : results) endpoints.push_back(r.endpoint());
    }

    co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
    *done = true;
    watchdog.cancel();
    if (*fired) {
        socket_.close(ec);
        co_return timeout_text();
    }
    if (ec) {
        error_code ignored;
        socket_.close(ignored);
        co_return "connect failed: " + ec.message();
    }
    socket_.set_option(tcp::no_delay(true), ec);
    if (mode_ == Mode::persistent) socket_.set_option(asio::socket_base::keep_alive(true), ec);
    co_return std::string{};
}

void TcpLink::close_stream(bool clean) {
    error_code ignored;
    if (!socket_.is_open()) return;
    if (clean) socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

awaitable<std::size_t> TcpLink::read_some(asio::mutable_buffer buf, error_code& ec) {
    co_return co_await socket_.async_read_some(buf, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> TcpLink::write_all(asio::const_buffer buf, error_code& ec) {
    co_await asio::async_write(socket_, buf, asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace avmon::link
