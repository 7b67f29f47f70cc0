#pragma once
// The one logging facade. Under systemd every line goes to the journal with structured
// fields (AVMON_ROOM, AVMON_DEVICE, AVMON_SEVERITY, AVMON_ALARM_ID, MESSAGE_ID ...);
// elsewhere the same line goes to stderr with a "<N>" priority prefix that systemd and
// daemontools understand. Registered secrets are masked in every line, whatever the caller.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace avmon::log {

enum class Priority : int { emerg = 0, alert, crit, err, warning, notice, info, debug };

struct Field {
    std::string name;  // journal field name, upper case, e.g. "AVMON_DEVICE"
    std::string value;
};

struct Entry {
    Priority priority = Priority::info;
    std::string message_id;  // 32 hex digits from message_ids.hpp, or empty
    std::string text;
    std::vector<Field> fields;
};

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(const Entry& entry) = 0;
};

std::unique_ptr<Sink> make_stderr_sink();
std::unique_ptr<Sink> make_journal_sink();
// Journal when started by systemd (JOURNAL_STREAM names our stderr), stderr otherwise.
std::unique_ptr<Sink> make_default_sink();

// Replaces the process-wide sink (thread-safe); nullptr restores stderr.
void set_sink(std::unique_ptr<Sink> sink);
// Lines below this priority are dropped (default: info).
void set_max_priority(Priority p);

// Any later line containing this text shows "***" instead. Call it for every secret the
// config loads (SNMP communities and keys, SMTP password).
void register_secret(std::string secret);
std::string redact(std::string text);

void write(Priority priority, std::string_view message_id, std::string text,
           std::vector<Field> fields = {});

inline void info(std::string_view id, std::string text, std::vector<Field> f = {}) {
    write(Priority::info, id, std::move(text), std::move(f));
}
inline void notice(std::string_view id, std::string text, std::vector<Field> f = {}) {
    write(Priority::notice, id, std::move(text), std::move(f));
}
inline void warning(std::string_view id, std::string text, std::vector<Field> f = {}) {
    write(Priority::warning, id, std::move(text), std::move(f));
}
inline void error(std::string_view id, std::string text, std::vector<Field> f = {}) {
    write(Priority::err, id, std::move(text), std::move(f));
}
inline void debug(std::string_view id, std::string text, std::vector<Field> f = {}) {
    write(Priority::debug, id, std::move(text), std::move(f));
}

}  // namespace avmon::log
