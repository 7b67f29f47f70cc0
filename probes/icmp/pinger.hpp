#pragma once
// One ICMP engine for the whole daemon: a single socket per address family carries the echo
// requests of every device. Replies are matched to requests by sequence number and source
// address (Linux rewrites the echo id on ping sockets; on raw sockets the id is checked too).
// Everything runs on the loop's executor; nothing blocks; every request has its own deadline.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "daemon/core/asio.hpp"
#include "probes/icmp/ping_completion.hpp"

namespace avmon::icmp {

enum class IcmpMode {
    off,    // no ICMP probing (configured off, or neither socket kind is allowed)
    dgram,  // unprivileged ping sockets (net.ipv4.ping_group_range)
    raw,    // raw sockets (CAP_NET_RAW)
};
std::string_view to_string(IcmpMode m);

struct PingOutcome {
    bool replied = false;
    std::chrono::nanoseconds rtt{0};  // send to reply, steady clock
    std::string error;                // when not replied: "timeout", "Network is unreachable", ...
};

// Runs once with the outcome of one echo request.
using PingDone = Completion<PingOutcome>;

class Pinger {
public:
    // `max_in_flight`: requests on the wire at once; more wait in a queue (their deadline
    // runs while they wait) so a burst of replies cannot overflow the socket's receive buffer.
    explicit Pinger(asio::any_io_executor executor, std::size_t max_in_flight = 256);
    ~Pinger();
    Pinger(const Pinger&) = delete;
    Pinger& operator=(const Pinger&) = delete;

    // Opens the sockets as DaemonSettings.icmp_mode says ("auto" tries dgram, then raw; "dgram",
    // "raw", "off") and logs the outcome (msgid::probe_mode), including what to change when
    // neither kind of socket is allowed. Returns the mode in use. Call once, before pinging.
    IcmpMode start(std::string_view setting);
    // Closes the sockets; requests still open complete with an error.
    void stop();

    IcmpMode mode() const;
    // Why ICMP is off or an address family is missing (empty when all is well).
    const std::string& problem() const;
    // Whether a socket for this address's family is open.
    bool can_ping(const asio::ip::address& target) const;
    std::size_t open_sockets() const;
    std::size_t in_flight() const;  // sent or queued, not yet completed

    // Sends one echo request; `done` runs on the executor (never inside this call) with the
    // reply or the reason there was none, at the latest `timeout` after this call (give or
    // take the loop's own delay: one timer serves all open requests).
    void ping(const asio::ip::address& target, std::chrono::milliseconds timeout, PingDone done);
    template <class F>
        requires(!std::is_same_v<std::decay_t<F>, PingDone>)
    void ping(const asio::ip::address& target, std::chrono::milliseconds timeout, F&& done) {
        ping(target, timeout, PingDone(std::forward<F>(done)));
    }
    // The same for a coroutine: it resumes with the outcome.
    awaitable<PingOutcome> async_ping(asio::ip::address target, std::chrono::milliseconds timeout);

    asio::any_io_executor get_executor() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;  // shared with in-flight handlers so closing never races them
};

}  // namespace avmon::icmp
