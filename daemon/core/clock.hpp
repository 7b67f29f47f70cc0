#pragma once
// Wall-clock time for everything that is stored or compared with deadlines. Timing logic
// (debounce, escalation, maintenance, month boundaries) takes a Clock so tests run in
// simulated time; intervals and I/O timeouts on the loop use steady_clock directly.
#include <chrono>
#include <cstdint>
#include <string>

namespace avmon {

using SysTime = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;
using Millis = std::chrono::milliseconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
public:
    SysTime now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to: the alarm engine's tests and `avmonctl test-rules`.
class ManualClock final : public Clock {
public:
    explicit ManualClock(SysTime start) : now_(start) {}
    SysTime now() const override { return now_; }
    void set(SysTime t) { now_ = t; }
    void advance(std::chrono::system_clock::duration d) { now_ += d; }

private:
    SysTime now_;
};

// The process's real clock, for components whose Clock is optional (tests inject their own).
inline const Clock& wall_clock() {
    static const SystemClock clock;
    return clock;
}

// Milliseconds since the Unix epoch: the representation used in SQLite and on the wire.
inline std::int64_t to_unix_ms(SysTime t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
inline SysTime from_unix_ms(std::int64_t ms) { return SysTime{Millis{ms}}; }

// "2026-11-24T06:53:00Z" (UTC, second precision): for logs, mails and errors.
std::string format_utc(SysTime t);
// Years a SysTime can hold without overflow (nanosecond ticks end in 2262), rounded to
// what any operator could mean; parsers refuse the rest instead of wrapping.
inline constexpr int kFirstYear = 1970;
inline constexpr int kLastYear = 2200;
inline constexpr bool year_in_range(int y) { return y >= kFirstYear && y <= kLastYear; }

// Parses "YYYY-MM-DDTHH:MM[:SS][Z]" as UTC; returns false on malformed input or a year
// outside kFirstYear..kLastYear.
bool parse_utc(const std::string& text, SysTime& out);

}  // namespace avmon
