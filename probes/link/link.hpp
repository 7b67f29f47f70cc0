#pragma once
// The link layer every control protocol talks through: one request at a time, each with a
// deadline, over a serial port or a TCP connection. Protocol code only sees `Link`.
//
//   auto reply = co_await link->transact("%1POWR ?\r", link::frame_until('\r'), deadline);
//   if (!reply.ok()) -> reply.status / reply.error (device unreachable, timeout ...)
//
// Implementations: SerialLink (serial_link.hpp), TcpLink (tcp_link.hpp). Create them with
// their `create()` functions (they are shared_ptr-owned: background reads and reopen timers
// keep them alive) and call stop() when done with them.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/core/asio.hpp"
#include "daemon/core/clock.hpp"
#include "probes/link/frame.hpp"

namespace avmon::link {

using SteadyTime = std::chrono::steady_clock::time_point;

// Closed -> Opening -> Ready -> Lost (-> Ready again after a successful reopen).
enum class LinkState {
    closed,   // not started, stopped, or (per-poll TCP) between polls
    opening,  // first open/connect in progress
    ready,    // open; requests go out
    lost,     // open/connect failed or the device went away; retrying with back-off
};
std::string_view to_string(LinkState s);

enum class LinkStatus {
    ok,        // `frame` holds one complete reply
    timeout,   // deadline passed before a complete frame (nothing, or only part of one, arrived)
    down,      // not connected: open/connect failed, device unplugged, connection lost
    overflow,  // more than LinkOptions::max_buffer bytes without a complete frame
    stopped,   // the link was stopped
};
std::string_view to_string(LinkStatus s);

struct LinkReply {
    LinkStatus status = LinkStatus::down;
    std::string frame;         // status ok: the complete frame, terminator included
    std::size_t skipped = 0;   // garbage bytes dropped while looking for it
    std::string partial;       // status timeout: bytes of an unfinished frame (then discarded)
    std::string error;         // human readable, names the link, never contains secrets
    bool ok() const { return status == LinkStatus::ok; }
};

struct LinkOptions {
    std::string device_id;                                  // for log fields (AVMON_DEVICE)
    std::chrono::milliseconds connect_timeout{3000};        // TCP connect (incl. resolve)
    std::chrono::milliseconds initial_backoff{1000};        // first reopen delay ...
    std::chrono::milliseconds max_backoff{60000};           // ... doubling up to this
    std::size_t max_buffer = 64 * 1024;                     // received bytes kept without a frame
    bool log_state_changes = true;                          // lost (once, backed off) / recovered
    const Clock* clock = nullptr;                           // complaint back-off; null: system clock
};

class Link {
public:
    virtual ~Link() = default;

    // Writes `request` (may be empty: just wait for a frame, e.g. a greeting), then reads until
    // `complete` says a frame is complete or `deadline` passes. One request at a time: a second
    // caller waits for the first (until its own deadline). Never throws for device faults.
    // Bytes after the frame stay buffered for the next request (devices that push data).
    virtual awaitable<LinkReply> transact(std::string request, FrameComplete complete,
                                          SteadyTime deadline) = 0;

    virtual LinkState state() const = 0;
    // "serial:/dev/ttyUSB0" or "tcp:10.0.0.5:4352": used in errors and logs.
    virtual const std::string& name() const = 0;
    // Why the link is (or last was) down; empty when it never failed.
    virtual const std::string& last_error() const = 0;

    // Drop bytes received but not consumed (stale replies of an earlier, timed-out request).
    virtual void discard_input() = 0;
    // Per-poll TCP links: close the connection cleanly now (the next transact reconnects).
    // Persistent links (serial, persistent TCP): does nothing.
    virtual void end_session() = 0;
    // Close for good: timers stop, pending transact returns `stopped`, the port/socket closes.
    virtual void stop() = 0;
};

}  // namespace avmon::link
