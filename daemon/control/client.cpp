#include "daemon/control/client.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace avmon::control {

ControlClient::~ControlClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool ControlClient::connect(const std::string& path) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) {
        failure_ = ConnectFailure::other;
        error_ = "socket path too long";
        return false;
    }
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        failure_ = ConnectFailure::other;
        error_ = std::strerror(errno);
        return false;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    error_ = std::strerror(e);
    failure_ = (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) ? ConnectFailure::not_running
               : (e == EACCES || e == EPERM)                      ? ConnectFailure::permission_denied
                                                                  : ConnectFailure::other;
    return false;
}

namespace {
int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}
}  // namespace

void ControlClient::write_all(const std::string& data, std::chrono::steady_clock::time_point deadline) {
    std::size_t off = 0;
    while (off < data.size()) {
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0)
            throw ControlError("io", "timed out sending the request to avmond");
        const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw ControlError("io", fmt::format("lost the connection to avmond: {}", std::strerror(errno)));
        }
        off += static_cast<std::size_t>(n);
    }
}

std::string ControlClient::read_line(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        if (pending_.size() > 16 * max_line_bytes) throw ControlError("io", "avmond's reply is too long");
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r == 0) throw ControlError("io", "avmond did not answer in time");
        if (r < 0) {
            if (errno == EINTR) continue;
            throw ControlError("io", std::strerror(errno));
        }
        char buf[8192];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n == 0) {
            if (pending_.empty()) return {};
            throw ControlError("io", "avmond closed the connection mid-reply");
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw ControlError("io", fmt::format("lost the connection to avmond: {}", std::strerror(errno)));
        }
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

Response ControlClient::call(const std::string& cmd, const Json& args, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Request req;
    req.id = next_id_++;
    req.cmd = cmd;
    req.args = args;
    write_all(encode_request(req), deadline);
    const std::string line = read_line(deadline);
    if (line.empty()) throw ControlError("io", "avmond closed the connection without answering");
    return parse_response(line);
}

std::string ControlClient::raw_exchange(const std::string& bytes, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!bytes.empty()) write_all(bytes, deadline);
    return read_line(deadline);
}

}  // namespace avmon::control
