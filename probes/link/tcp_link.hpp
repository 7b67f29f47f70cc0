#pragma once
// A TCP control connection as a Link. Two modes:
//  - persistent (Shure, devices that push reports): connected in the background, reconnected
//    with back-off when lost; requests wait for the first connect up to their deadline.
//  - per-poll (PJLink, devices that drop idle clients): each transact() connects on demand
//    within its deadline; the probe calls end_session() at the end of its poll.
#include <cstdint>
#include <memory>
#include <string>

#include "probes/link/stream_link.hpp"

namespace avmon::link {

class TcpLink final : public StreamLink {
public:
    enum class Mode { persistent, per_poll };

    // `host` is an IP address or a DNS name (resolved on every connect, within connect_timeout).
    static std::shared_ptr<TcpLink> create(asio::any_io_executor ex, std::string host, std::uint16_t port,
                                           Mode mode, LinkOptions options = {});

    TcpLink(asio::any_io_executor ex, std::string host, std::uint16_t port, Mode mode,
            LinkOptions options);  // use create()

private:
    awaitable<std::string> open_stream(SteadyTime deadline) override;
    void close_stream(bool clean) override;
    awaitable<std::size_t> read_some(asio::mutable_buffer buf, boost::system::error_code& ec) override;
    awaitable<void> write_all(asio::const_buffer buf, boost::system::error_code& ec) override;

    std::string host_;
    std::uint16_t port_;
    Mode mode_;
    asio::ip::tcp::socket socket_;
};

}  // namespace avmon::link
