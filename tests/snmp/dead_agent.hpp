#pragma once
// A "device" that never answers: a UDP socket on an ephemeral loopback port that reads and
// discards every datagram (so nothing queues up), counting them.
#include <array>
#include <cstddef>

#include "daemon/core/asio.hpp"

namespace avmon::snmp::test {

class DeadAgent {
public:
    explicit DeadAgent(asio::io_context& io)
        : socket_(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        receive();
    }
    ~DeadAgent() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }
    std::uint16_t port() const { return socket_.local_endpoint().port(); }
    std::size_t datagrams() const { return count_; }

private:
    void receive() {
        socket_.async_receive_from(asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t) {
            if (ec) return;
            ++count_;
            receive();
        });
    }
    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint from_;
    std::array<char, 2048> buffer_{};
    std::size_t count_ = 0;
};

}  // namespace avmon::snmp::test
