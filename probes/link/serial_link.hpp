#pragma once
// A serial port (RS-232 via USB adapter, /dev/serial/by-id/...) as a Link. Kept open all the
// time with an exclusive lock (TIOCEXCL) so nothing else talks to the display behind our back;
// input is flushed on open; an unplug (EOF/EIO) marks it Lost and it reopens by itself with
// back-off (LinkOptions::initial_backoff doubling to max_backoff) when the adapter returns.
#include <memory>

#include "config/model.hpp"
#include "probes/link/stream_link.hpp"

namespace avmon::link {

class SerialLink final : public StreamLink {
public:
    // Starts opening at once (state Opening); open errors are reported through state()/last_error().
    static std::shared_ptr<SerialLink> create(asio::any_io_executor ex, const config::SerialLink& settings,
                                              LinkOptions options = {});

    // True when the open port holds the exclusive lock (TIOCGEXCL); false when not open.
    bool is_exclusive() const;

    SerialLink(asio::any_io_executor ex, config::SerialLink settings, LinkOptions options);  // use create()

private:
    awaitable<std::string> open_stream(SteadyTime deadline) override;
    void close_stream(bool clean) override;
    awaitable<std::size_t> read_some(asio::mutable_buffer buf, boost::system::error_code& ec) override;
    awaitable<void> write_all(asio::const_buffer buf, boost::system::error_code& ec) override;
    void flush_os_input() override;

    config::SerialLink settings_;
    asio::serial_port port_;
};

}  // namespace avmon::link
