#include "daemon/control/control_server.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::control {

using stream = asio::local::stream_protocol;

ServerOptions ServerOptions::from(const config::DaemonSettings& settings) {
    ServerOptions o;
    o.socket_path = settings.control_socket.empty() ? settings.runtime_dir + "/avmond.sock" : settings.control_socket;
    o.socket_group = settings.socket_group;
    return o;
}

Peer peer_of(int fd) {
    Peer p;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        p.user = "unknown";
        p.uid = static_cast<std::uint32_t>(-1);
        return p;
    }
    p.uid = cred.uid;
    p.gid = cred.gid;
    p.pid = cred.pid;
    p.user = fmt::format("uid:{}", cred.uid);  // the name comes from UserNames, off the loop
    return p;
}

namespace {

// Is someone accepting connections on this path? (a live avmond must not lose its socket)
bool socket_answers(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

void remove_stale(const std::string& path) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error(fmt::format("control socket {}: the path exists and is not a socket; "
                                             "remove it or set daemon.control_socket", path));
    if (socket_answers(path))
        throw std::runtime_error(fmt::format("control socket {}: another avmond is already listening there", path));
    if (::unlink(path.c_str()) != 0)
        throw std::runtime_error(fmt::format("control socket {}: cannot remove the stale socket: {}", path,
                                             std::strerror(errno)));
}

gid_t group_id(const std::string& name) {
    group gr{};
    group* found = nullptr;
    std::vector<char> buf(16384);
    if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
        throw std::runtime_error(fmt::format("control socket: daemon.socket_group \"{}\" is not a group on this "
                                             "system (groupadd --system {})", name, name));
    return found->gr_gid;
}

}  // namespace

struct ControlServer::Session {
    explicit Session(stream::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    stream::socket socket;
    asio::steady_timer timer;  // read/write deadline: expiry closes the socket
    Peer peer;
    std::uint64_t id = 0;

    void close() {
        boost::system::error_code ignored;
        socket.shutdown(stream::socket::shutdown_both, ignored);
        socket.close(ignored);
        timer.cancel();
    }
    // Arms the deadline for the next operation; the socket is closed when it expires.
    void arm(std::chrono::milliseconds d) {
        timer.expires_after(d);
        timer.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                boost::system::error_code ignored;
                socket.close(ignored);
            }
        });
    }
};

ControlServer::ControlServer(asio::any_io_executor ex, ServerOptions options, ControlHandlers handlers,
                             const Clock& clock)
    : ex_(ex), options_(std::move(options)), dispatcher_(std::move(handlers), clock), acceptor_(ex), user_names_(ex) {}

ControlServer::~ControlServer() {
    stop();
    *alive_ = false;
}

void ControlServer::start() {
    const std::string& path = options_.socket_path;
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
        throw std::runtime_error(fmt::format("control socket path is too long ({} bytes): {}", path.size(), path));
    remove_stale(path);
    std::optional<gid_t> gid;
    if (!options_.socket_group.empty()) gid = group_id(options_.socket_group);
    boost::system::error_code ec;
    acceptor_.open(stream(), ec);
    if (!ec) acceptor_.bind(stream::endpoint(path), ec);
    if (ec)
        throw std::runtime_error(fmt::format("control socket {}: cannot bind: {} (does the directory exist and "
                                             "is it writable?)", path, ec.message()));
    // Permissions are set before listen(): until then a connect is refused, so nobody can slip
    // in through the umask's default mode.
    if (::chmod(path.c_str(), 0660) != 0)
        throw std::runtime_error(fmt::format("control socket {}: chmod: {}", path, std::strerror(errno)));
    if (gid && ::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0)
        throw std::runtime_error(fmt::format("control socket {}: chgrp {}: {}", path, options_.socket_group,
                                             std::strerror(errno)));
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(fmt::format("control socket {}: listen: {}", path, ec.message()));
    running_ = true;
    asio::co_spawn(ex_, accept_loop(), asio::detached);
}

void ControlServer::stop() {
    if (!running_) return;
    running_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& [id, s] : sessions_) s->close();
    sessions_.clear();
    ::unlink(options_.socket_path.c_str());
}

awaitable<void> ControlServer::accept_loop() {
    auto alive = alive_;
    for (;;) {
        boost::system::error_code ec;
        stream::socket sock(ex_);
        co_await acceptor_.async_accept(sock, asio::redirect_error(asio::use_awaitable, ec));
        if (!*alive || !running_) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
            // EMFILE and friends: note it and keep accepting; the next client may succeed.
            log::warning(msgid::control_refused, "control socket accept failed: " + ec.message());
            continue;
        }
        auto s = std::make_shared<Session>(std::move(sock));
        s->peer = peer_of(s->socket.native_handle());
        if (sessions_.size() >= options_.max_connections) {
            log::warning(msgid::control_refused,
                         fmt::format("control socket: refused uid {} (pid {}): {} connections already open",
                                     s->peer.uid, s->peer.pid, sessions_.size()));
            dispatcher_.audit_connection(s->peer, "refused: too many connections");
            auto line = error_response(0, err::busy, "avmond has too many control connections; try again");
            boost::system::error_code wec;
            s->socket.non_blocking(true, wec);
            asio::write(s->socket, asio::buffer(line), wec);  // best effort, never blocks
            s->close();
            continue;
        }
        s->id = next_session_++;
        sessions_[s->id] = s;
        asio::co_spawn(ex_, serve(s), asio::detached);
    }
}

awaitable<void> ControlServer::serve(std::shared_ptr<Session> s) {
    auto alive = alive_;
    // Who it is, before the first request: every action is audited under this name.
    s->arm(options_.read_timeout);
    if (s->peer.uid != static_cast<std::uint32_t>(-1)) s->peer.user = co_await user_names_.name_of(s->peer.uid);
    if (!*alive) co_return;
    if (!s->socket.is_open()) {  // the deadline passed while NSS was asked
        s->close();
        sessions_.erase(s->id);
        co_return;
    }
    log::info(msgid::control_connection,
              fmt::format("control socket: {} connected (uid {}, pid {})", s->peer.user, s->peer.uid, s->peer.pid),
              {{"AVMON_ACTOR", s->peer.user}});
    dispatcher_.audit_connection(s->peer, "connected");
    std::string buffer;
    for (;;) {
        s->arm(options_.read_timeout);
        boost::system::error_code ec;
        const std::size_t n = co_await asio::async_read_until(
            s->socket, asio::dynamic_buffer(buffer, options_.max_line + 1), '\n',
            asio::redirect_error(asio::use_awaitable, ec));
        if (!*alive) co_return;
        std::string reply;
        bool close_after = false;
        if (ec == asio::error::not_found) {
            // The line exceeds the limit: say so and hang up (we cannot find the next line start).
            reply = error_response(0, err::line_too_long,
                                   fmt::format("request line longer than {} bytes", options_.max_line));
            close_after = true;
        } else if (ec) {
            // EOF (possibly mid-line), a reset, or the read deadline closed the socket.
            break;
        } else {
            std::string_view line(buffer.data(), n - 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.find_first_not_of(" \t") == std::string_view::npos) {
                buffer.erase(0, n);
                continue;  // blank lines are keep-alives
            }
            reply = dispatcher_.handle_line(line, s->peer);
            buffer.erase(0, n);
        }
        s->arm(options_.write_timeout);
        co_await asio::async_write(s->socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
        if (!*alive) co_return;
        if (ec || close_after) break;
    }
    s->close();
    sessions_.erase(s->id);
}

}  // namespace avmon::control
