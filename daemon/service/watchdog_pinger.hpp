#pragma once
// Feeds the systemd watchdog from the event loop itself: the ping is a steady_timer on the
// loop thread, so when the loop is stuck (a blocking call, a busy coroutine) the pings stop
// and systemd restarts the daemon after WatchdogSec=. A separate thread pinging would keep a
// dead daemon "alive".
#include <chrono>
#include <cstdint>
#include <memory>

#include "daemon/core/asio.hpp"
#include "daemon/service/notifier.hpp"

namespace avmon::service {

class WatchdogPinger {
public:
    // Pings every interval / 2 once started. All methods run on the loop thread.
    WatchdogPinger(asio::any_io_executor loop, ServiceNotifier notifier, std::chrono::microseconds interval);
    ~WatchdogPinger();
    WatchdogPinger(const WatchdogPinger&) = delete;
    WatchdogPinger& operator=(const WatchdogPinger&) = delete;

    // Pings at once, then every period(). Calling it twice does nothing.
    void start();
    void stop();

    std::chrono::microseconds period() const;
    std::uint64_t pings_sent() const;
    // The longest a ping came after it was due: how long the loop was unresponsive.
    std::chrono::microseconds worst_delay() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

// A started pinger when systemd armed a watchdog for this process, nullptr otherwise.
std::unique_ptr<WatchdogPinger> start_watchdog(asio::any_io_executor loop, ServiceNotifier notifier = {});

}  // namespace avmon::service
