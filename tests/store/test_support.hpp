#pragma once
// Shared helpers for the store tests: a scratch directory, a log capture, time helpers.
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/observation.hpp"

namespace avmon::store::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "avmon-store-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Captures log lines (thread-safe: the writer logs from its own thread).
class LogCapture {
public:
    LogCapture() { log::set_sink(std::make_unique<Sink>(this)); }
    ~LogCapture() { log::set_sink(nullptr); }
    std::vector<log::Entry> lines() const {
        std::lock_guard lock(m_);
        return lines_;
    }
    int count(std::string_view message_id) const {
        std::lock_guard lock(m_);
        int n = 0;
        for (auto& l : lines_) n += l.message_id == message_id;
        return n;
    }

private:
    struct Sink : log::Sink {
        explicit Sink(LogCapture* c) : c(c) {}
        void write(const log::Entry& e) override {
            std::lock_guard lock(c->m_);
            c->lines_.push_back(e);
        }
        LogCapture* c;
    };
    mutable std::mutex m_;
    std::vector<log::Entry> lines_;
};

inline SysTime utc(const std::string& text) {
    SysTime t;
    if (!parse_utc(text, t)) throw std::runtime_error("bad time " + text);
    return t;
}

inline config::StoreConfig store_config(const TempDir& dir, std::size_t flush_rows = 5000) {
    config::StoreConfig c;
    c.path = dir.file("avmon.db");
    c.flush_rows = flush_rows;
    c.flush_interval = std::chrono::hours(1);  // tests flush explicitly
    return c;
}

inline Sample sample(std::string device, std::string metric, SysTime t, double v) {
    return Sample{std::move(device), std::move(metric), t, v};
}

}  // namespace avmon::store::test
