#pragma once
// avmonctl's side of the control socket: blocking, one request at a time, with a deadline.
// Connection failures are classified so avmonctl can say what to do and exit accordingly.
#include <chrono>
#include <string>
#include <utility>

#include "daemon/control/protocol.hpp"

namespace avmon::control {

enum class ConnectFailure {
    none,
    not_running,        // no socket file, or nobody listening (ECONNREFUSED)
    permission_denied,  // EACCES / EPERM on the socket or its directory
    other,
};

class ControlClient {
public:
    ControlClient() = default;
    ~ControlClient();
    ControlClient(const ControlClient&) = delete;
    ControlClient& operator=(const ControlClient&) = delete;
    ControlClient(ControlClient&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)), next_id_(o.next_id_), pending_(std::move(o.pending_)),
          failure_(o.failure_), error_(std::move(o.error_)) {}

    // False on failure; failure() and error() say why.
    bool connect(const std::string& path);
    // Sends one request and waits for its response. Throws ControlError(code "io") when the
    // connection breaks or the deadline passes, or the reply is malformed.
    Response call(const std::string& cmd, const Json& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Sends raw bytes (tests of malformed input) and reads one reply line ("" on EOF).
    std::string raw_exchange(const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    ConnectFailure failure() const { return failure_; }
    const std::string& error() const { return error_; }
    int fd() const { return fd_; }

private:
    std::string read_line(std::chrono::steady_clock::time_point deadline);
    void write_all(const std::string& data, std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::int64_t next_id_ = 1;
    std::string pending_;  // bytes read past the last line
    ConnectFailure failure_ = ConnectFailure::none;
    std::string error_;
};

}  // namespace avmon::control
