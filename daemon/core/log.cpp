#include "daemon/core/log.hpp"

#include <systemd/sd-journal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace avmon::log {
namespace {

std::mutex g_mutex;  // logging is called from the loop, the store writer and the mail sender
std::unique_ptr<Sink> g_sink;
std::vector<std::string> g_secrets;
std::atomic<int> g_max_priority{static_cast<int>(Priority::info)};

class StderrSink final : public Sink {
public:
    void write(const Entry& e) override {
        std::string line = "<" + std::to_string(static_cast<int>(e.priority)) + ">" + e.text;
        bool first = true;
        for (const auto& f : e.fields) {
            if (f.name == "MESSAGE_ID" || f.name.rfind("CODE_", 0) == 0) continue;
            line += first ? " [" : " ";
            first = false;
            line += f.name + "=" + f.value;
        }
        if (!first) line += "]";
        line += "\n";
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    }
};

class JournalSink final : public Sink {
public:
    void write(const Entry& e) override {
        std::vector<std::string> kv;
        kv.reserve(e.fields.size() + 4);
        kv.push_back("MESSAGE=" + e.text);
        kv.push_back("PRIORITY=" + std::to_string(static_cast<int>(e.priority)));
        kv.push_back("SYSLOG_IDENTIFIER=avmond");
        if (!e.message_id.empty()) kv.push_back("MESSAGE_ID=" + e.message_id);
        for (const auto& f : e.fields) kv.push_back(f.name + "=" + f.value);
        std::vector<iovec> iov(kv.size());
        for (size_t i = 0; i < kv.size(); ++i) {
            iov[i].iov_base = kv[i].data();
            iov[i].iov_len = kv[i].size();
        }
        sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    }
};

}  // namespace

std::unique_ptr<Sink> make_stderr_sink() { return std::make_unique<StderrSink>(); }
std::unique_ptr<Sink> make_journal_sink() { return std::make_unique<JournalSink>(); }

std::unique_ptr<Sink> make_default_sink() {
    // systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream our stderr is connected to.
    if (const char* js = std::getenv("JOURNAL_STREAM")) {
        struct stat st {};
        unsigned long long dev = 0, ino = 0;
        if (std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
            st.st_dev == dev && st.st_ino == ino)
            return make_journal_sink();
    }
    return make_stderr_sink();
}

void set_sink(std::unique_ptr<Sink> sink) {
    std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

void set_max_priority(Priority p) { g_max_priority = static_cast<int>(p); }

void register_secret(std::string secret) {
    if (secret.size() < 3) return;  // masking one- or two-letter strings would shred every line
    std::lock_guard lock(g_mutex);
    for (const auto& s : g_secrets)
        if (s == secret) return;
    g_secrets.push_back(std::move(secret));
}

static std::string redact_locked(std::string text) {
    for (const auto& s : g_secrets) {
        for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3))
            text.replace(pos, s.size(), "***");
    }
    return text;
}

std::string redact(std::string text) {
    std::lock_guard lock(g_mutex);
    return redact_locked(std::move(text));
}

void write(Priority priority, std::string_view message_id, std::string text, std::vector<Field> fields) {
    if (static_cast<int>(priority) > g_max_priority.load()) return;
    std::lock_guard lock(g_mutex);
    Entry e{priority, std::string(message_id), redact_locked(std::move(text)), std::move(fields)};
    for (auto& f : e.fields) f.value = redact_locked(std::move(f.value));
    if (!g_sink) g_sink = make_stderr_sink();
    g_sink->write(e);
}

}  // namespace avmon::log
