#pragma once
// The daemon's side of the systemd notify protocol (Type=notify, WatchdogSec=).
// Outside systemd (no NOTIFY_SOCKET) every call is a harmless no-op returning false.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace avmon::service {

class ServiceNotifier {
public:
    // "READY=1" (+ "STATUS=..."): start-up finished, or a reload finished.
    bool ready(std::string_view status = {});
    // "RELOADING=1" + "MONOTONIC_USEC=...": a SIGHUP reload began. systemd 253+ wants the
    // timestamp to tell this reload from an older one; 252 ignores it. Follow with ready().
    bool reloading();
    // "STOPPING=1": shutdown began.
    bool stopping();
    // "STATUS=...": the one-line text `systemctl status avmond` shows.
    bool status(std::string_view text);
    // "WATCHDOG=1": the loop is alive.
    bool watchdog_ping();
    // "EXTEND_TIMEOUT_USEC=...": start-up (or stop) legitimately needs longer than the unit's
    // TimeoutStartSec=, e.g. a long store migration; call it again before `more` runs out.
    bool extend_timeout(std::chrono::microseconds more);

    // The watchdog interval systemd expects pings within (WATCHDOG_USEC, only when
    // WATCHDOG_PID is unset or names this process); nullopt when no watchdog is armed.
    std::optional<std::chrono::microseconds> watchdog_interval() const;

    // The exact payload sent for a state (exposed for the tests and for logging).
    static std::string ready_payload(std::string_view status);
    static std::string status_payload(std::string_view text);

private:
    bool send(const std::string& payload);
};

}  // namespace avmon::service
