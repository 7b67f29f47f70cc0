#pragma once
// avmond's control socket: a Unix stream socket on the loop thread speaking the JSON-lines
// protocol of protocol.hpp. File permissions do the access control (mode 0660, group
// DaemonSettings.socket_group); SO_PEERCRED names the actor of every write. A malformed,
// huge or slow client gets an error or is disconnected; it never stalls the loop.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "config/model.hpp"
#include "daemon/control/dispatcher.hpp"
#include "daemon/control/handlers.hpp"
#include "daemon/control/user_names.hpp"
#include "daemon/core/asio.hpp"
#include "daemon/core/clock.hpp"

namespace avmon::control {

struct ServerOptions {
    std::string socket_path;                 // settings.control_socket or runtime_dir + "/avmond.sock"
    std::string socket_group;                // chgrp to this group when set (mode 0660 either way)
    std::chrono::milliseconds read_timeout{30000};   // a connection idle this long is closed
    std::chrono::milliseconds write_timeout{10000};  // a client that does not read its reply is closed
    std::size_t max_connections = 32;        // beyond: "busy" and closed
    std::size_t max_line = max_line_bytes;

    static ServerOptions from(const config::DaemonSettings& settings);
};

class ControlServer {
public:
    ControlServer(asio::any_io_executor ex, ServerOptions options, ControlHandlers handlers, const Clock& clock);
    ~ControlServer();  // stop()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Binds and listens. Removes a stale socket file (nobody answering on it); refuses to
    // replace a live one or a non-socket file. Throws std::runtime_error naming the path.
    void start();
    // Closes the listener and every connection and removes the socket file. Idempotent.
    void stop();

    const std::string& path() const { return options_.socket_path; }
    std::size_t connections() const { return sessions_.size(); }

private:
    struct Session;
    awaitable<void> accept_loop();
    awaitable<void> serve(std::shared_ptr<Session> s);

    asio::any_io_executor ex_;
    ServerOptions options_;
    Dispatcher dispatcher_;
    asio::local::stream_protocol::acceptor acceptor_;
    UserNames user_names_;
    std::map<std::uint64_t, std::shared_ptr<Session>> sessions_;
    std::uint64_t next_session_ = 1;
    bool running_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// SO_PEERCRED of a connected Unix socket; user is "uid:N" until UserNames names it.
Peer peer_of(int fd);

}  // namespace avmon::control
