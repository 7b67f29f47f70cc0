#pragma once
// Helpers for the link and protocol tests: drive the io_context until something holds,
// capture log lines, run socat pty pairs and the Python simulators as child processes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/core/asio.hpp"
#include "daemon/core/log.hpp"

extern char** environ;

namespace avmon::testing {

// Runs the loop in short slices until `done()` or `limit` passes; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    return done();
}

// Runs a coroutine to completion on `io` and returns its result.
template <typename T>
T run_coro(asio::io_context& io, awaitable<T> coro, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result = std::move(value);
    });
    run_until(io, [&] { return result.has_value() || error != nullptr; }, limit);
    if (error) std::rethrow_exception(error);
    if (!result) throw std::runtime_error("coroutine did not finish in time");
    return std::move(*result);
}

// Captures every log entry (and restores stderr logging when destroyed).
class LogCapture {
public:
    struct Shared {
        std::mutex m;
        std::vector<log::Entry> entries;
    };
    LogCapture() : shared_(std::make_shared<Shared>()) { log::set_sink(std::make_unique<CaptureSink>(shared_)); }
    ~LogCapture() { log::set_sink(nullptr); }
    std::vector<log::Entry> entries() const {
        std::lock_guard l(shared_->m);
        return shared_->entries;
    }
    std::size_t count(std::string_view message_id) const {
        std::size_t n = 0;
        for (const auto& e : entries()) n += e.message_id == message_id;
        return n;
    }
    std::string all_text() const {
        std::string t;
        for (const auto& e : entries()) t += e.text + "\n";
        return t;
    }

private:
    struct CaptureSink final : log::Sink {
        explicit CaptureSink(std::shared_ptr<Shared> s) : s(std::move(s)) {}
        void write(const log::Entry& e) override {
            std::lock_guard l(s->m);
            s->entries.push_back(e);
        }
        std::shared_ptr<Shared> s;
    };
    std::shared_ptr<Shared> shared_;
};

// A child process we started; killed (by pid) and reaped when destroyed.
class Child {
public:
    Child() = default;
    explicit Child(const std::vector<std::string>& argv, const std::string& stdout_file = {}) { start(argv, stdout_file); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { stop(); }

    void start(const std::vector<std::string>& argv, const std::string& stdout_file = {}) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (!stdout_file.empty())
            posix_spawn_file_actions_addopen(&fa, 1, stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    }
    void stop(int sig = SIGTERM) {
        if (pid_ <= 0) return;
        ::kill(pid_, sig);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

// A socat pty pair: side A is what the link opens, side B is "the device".
class PtyPair {
public:
    explicit PtyPair(std::string dir) : a(dir + "/ttyA"), b(dir + "/ttyB") { plug(); }
    void plug() {
        std::filesystem::remove(a);  // stale links after a SIGKILL
        std::filesystem::remove(b);
        socat_.start({"socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b});
        for (int i = 0; i < 200 && !(std::filesystem::exists(a) && std::filesystem::exists(b)); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!std::filesystem::exists(a)) throw std::runtime_error("socat did not create " + a);
    }
    // SIGTERM: socat removes its links. SIGKILL: the links stay, pointing at a dead pts
    // (a stale device node); plug() then makes socat recreate them.
    void unplug(int sig = SIGTERM) { socat_.stop(sig); }
    const std::string a, b;

private:
    Child socat_;
};

inline std::string make_temp_dir(const std::string& tag) {
    std::string tmpl = "/tmp/avmon-" + tag + ".XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

inline std::size_t count_open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// Starts a simulator that prints "PORT n" when ready; returns n.
inline int start_sim(Child& child, std::vector<std::string> argv, const std::string& dir) {
    std::string out = dir + "/sim.out";
    child.start(argv, out);
    for (int i = 0; i < 500; ++i) {
        if (FILE* f = std::fopen(out.c_str(), "r")) {
            int port = 0;
            bool got = std::fscanf(f, "PORT %d", &port) == 1;
            std::fclose(f);
            if (got) return port;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("simulator did not print PORT");
}

}  // namespace avmon::testing
