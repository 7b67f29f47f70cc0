#pragma once
// What the MDC and NEC probes share on top of probes/link/: opening the right link for a
// device (serial port, or TCP per poll), request pacing, and error text for failed requests.
#include <chrono>
#include <memory>
#include <string>

#include "config/model.hpp"
#include "daemon/core/asio.hpp"
#include "probes/link/link.hpp"
#include "probes/probe.hpp"

namespace avmon::probes::display_control {

// Options the daemon normally leaves at their defaults; tests shorten them.
struct SessionOptions {
    // Minimum time between two requests to the same display (NEC asks for > 600 ms).
    std::chrono::milliseconds request_gap{0};
    // Reopen back-off of the serial port / TCP reconnects.
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
};

// A serial link when the device's control target names a serial port, else a per-poll TCP
// link to device.address on the configured port (or `default_port`). Throws
// std::invalid_argument naming the device and its config location when neither is usable.
std::shared_ptr<link::Link> open_link(asio::any_io_executor ex, const config::DeviceConfig& device,
                                      std::uint16_t default_port, const SessionOptions& options);

// One request/reply exchange with pacing and a per-request timeout capped by the poll deadline.
class Session {
public:
    Session(asio::any_io_executor ex, std::shared_ptr<link::Link> link, std::chrono::milliseconds timeout,
            std::chrono::milliseconds gap);
    ~Session();

    // Waits for the pacing gap (returns a `timeout` reply without sending when the gap would
    // end after `poll_deadline`), then transacts.
    awaitable<link::LinkReply> exchange(std::string request, link::FrameComplete complete,
                                        SteadyTime poll_deadline);
    // End of a poll: per-poll TCP closes cleanly.
    void end_poll() { link_->end_session(); }
    link::Link& link() { return *link_; }

private:
    asio::any_io_executor ex_;
    std::shared_ptr<link::Link> link_;
    std::chrono::milliseconds timeout_;
    std::chrono::milliseconds gap_;
    SteadyTime last_request_{};
};

// "no reply to POWER within 2000 ms on serial:/dev/ttyUSB0 (7 bytes of an incomplete frame)".
std::string describe_failure(const link::LinkReply& reply, std::string_view what, const link::Link& link);

}  // namespace avmon::probes::display_control
