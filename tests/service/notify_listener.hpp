#pragma once
// Plays the service manager's end of NOTIFY_SOCKET: a datagram socket at a temp path that a
// background thread reads, stamping every message with its arrival time.
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace avmon::test {

class NotifyListener {
public:
    struct Message {
        std::string payload;
        std::chrono::steady_clock::time_point arrived;
    };

    NotifyListener() {
        char tmpl[] = "/tmp/avmon-notify-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        path_ = dir_ + "/notify.sock";
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::runtime_error("cannot bind " + path_);
        setenv("NOTIFY_SOCKET", path_.c_str(), 1);
        reader_ = std::thread([this] { read_loop(); });
    }

    ~NotifyListener() {
        stop_ = true;
        reader_.join();
        close(fd_);
        unsetenv("NOTIFY_SOCKET");
        std::filesystem::remove_all(dir_);
    }

    // Waits until at least n messages arrived (or the timeout passed) and returns them all.
    std::vector<Message> wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
        return messages_;
    }

    std::vector<Message> all() {
        std::lock_guard lock(mutex_);
        return messages_;
    }

private:
    void read_loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            char buf[4096];
            ssize_t n = recv(fd_, buf, sizeof(buf), 0);
            if (n < 0) continue;
            std::lock_guard lock(mutex_);
            messages_.push_back({std::string(buf, static_cast<size_t>(n)), std::chrono::steady_clock::now()});
            cv_.notify_all();
        }
    }

    std::string dir_, path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread reader_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Message> messages_;
};

}  // namespace avmon::test
