#include "daemon/service/watchdog_pinger.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::service {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// Owned jointly by the pinger and the pending timer handler, so a handler that is already
// queued when the pinger goes away still finds valid memory.
struct WatchdogPinger::State : std::enable_shared_from_this<State> {
    State(asio::any_io_executor ex, ServiceNotifier n, microseconds interval)
        : timer(ex), notifier(n), period(std::max(interval / 2, microseconds(1000))) {}

    asio::steady_timer timer;
    ServiceNotifier notifier;
    microseconds period;
    bool running = false;
    std::uint64_t pings = 0;
    microseconds worst{0};

    void ping_and_rearm() {
        notifier.watchdog_ping();
        ++pings;
        timer.expires_after(period);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || !self->running) return;
            self->on_due();
        });
    }

    void on_due() {
        // expiry() is when the ping was due; anything beyond is time the loop was busy.
        auto late = duration_cast<microseconds>(SteadyClock::now() - timer.expiry());
        if (late > worst) worst = late;
        if (late > period / 2) {
            log::warning(msgid::watchdog,
                         fmt::format("event loop was unresponsive for {} ms (watchdog period {} ms)",
                                     duration_cast<milliseconds>(late).count(),
                                     duration_cast<milliseconds>(period).count()),
                         {{"AVMON_LOOP_DELAY_MS", std::to_string(duration_cast<milliseconds>(late).count())}});
        }
        ping_and_rearm();
    }
};

WatchdogPinger::WatchdogPinger(asio::any_io_executor loop, ServiceNotifier notifier, microseconds interval)
    : state_(std::make_shared<State>(std::move(loop), notifier, interval)) {}

WatchdogPinger::~WatchdogPinger() { stop(); }

void WatchdogPinger::start() {
    if (state_->running) return;
    state_->running = true;
    state_->ping_and_rearm();
}

void WatchdogPinger::stop() {
    state_->running = false;
    state_->timer.cancel();
}

microseconds WatchdogPinger::period() const { return state_->period; }
std::uint64_t WatchdogPinger::pings_sent() const { return state_->pings; }
microseconds WatchdogPinger::worst_delay() const { return state_->worst; }

std::unique_ptr<WatchdogPinger> start_watchdog(asio::any_io_executor loop, ServiceNotifier notifier) {
    auto interval = notifier.watchdog_interval();
    if (!interval) return nullptr;
    auto pinger = std::make_unique<WatchdogPinger>(std::move(loop), notifier, *interval);
    log::info(msgid::watchdog,
              fmt::format("watchdog armed: {} ms, pinging every {} ms",
                          duration_cast<milliseconds>(*interval).count(),
                          duration_cast<milliseconds>(pinger->period()).count()));
    pinger->start();
    return pinger;
}

}  // namespace avmon::service
