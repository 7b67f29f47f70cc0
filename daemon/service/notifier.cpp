#include "daemon/service/notifier.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <ctime>

#include "daemon/core/log.hpp"

namespace avmon::service {
namespace {

// A status is one line: a newline would start a new KEY=VALUE assignment, so a device name
// or error text could otherwise forge "READY=1" or "STOPPING=1". Secrets are masked too.
std::string one_line(std::string_view text) {
    std::string out = log::redact(std::string(text));
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

unsigned long long monotonic_usec() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
           static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
}

}  // namespace

std::string ServiceNotifier::ready_payload(std::string_view status) {
    std::string p = "READY=1";
    if (!status.empty()) p += "\nSTATUS=" + one_line(status);
    return p;
}

std::string ServiceNotifier::status_payload(std::string_view text) { return "STATUS=" + one_line(text); }

bool ServiceNotifier::send(const std::string& payload) {
    // 0 keeps NOTIFY_SOCKET in the environment: we notify many times over the daemon's life.
    return sd_notify(0, payload.c_str()) > 0;
}

bool ServiceNotifier::ready(std::string_view status) { return send(ready_payload(status)); }

bool ServiceNotifier::reloading() {
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

bool ServiceNotifier::stopping() { return send("STOPPING=1"); }

bool ServiceNotifier::status(std::string_view text) { return send(status_payload(text)); }

bool ServiceNotifier::watchdog_ping() { return send("WATCHDOG=1"); }

bool ServiceNotifier::extend_timeout(std::chrono::microseconds more) {
    return send("EXTEND_TIMEOUT_USEC=" + std::to_string(std::max<long long>(more.count(), 0)));
}

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_interval() const {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec);
}

}  // namespace avmon::service
