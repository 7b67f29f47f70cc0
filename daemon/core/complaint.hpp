#pragma once
// Complaint back-off (after collectd): a device that stays broken is logged once, then
// with doubling intervals up to a cap, then once on recovery — never a line per poll.
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/core/clock.hpp"

namespace avmon {

class ComplaintTracker {
public:
    enum class Say { nothing, first_failure, reminder, recovered };

    explicit ComplaintTracker(std::chrono::seconds first_reminder = std::chrono::minutes(5),
                              std::chrono::seconds max_interval = std::chrono::hours(6))
        : first_reminder_(first_reminder), max_interval_(max_interval) {}

    // Call on every failing poll of `key`; tells whether to log and how.
    Say failure(const std::string& key, SysTime now) {
        auto [it, inserted] = state_.try_emplace(key);
        auto& s = it->second;
        if (inserted) {
            s.since = now;
            s.next = now + first_reminder_;
            s.interval = first_reminder_;
            return Say::first_failure;
        }
        if (now < s.next) return Say::nothing;
        s.interval = std::min(s.interval * 2, max_interval_);
        s.next = now + s.interval;
        ++s.reminders;
        return Say::reminder;
    }

    // Call on every successful poll; says "recovered" once after a failure.
    Say success(const std::string& key) { return state_.erase(key) ? Say::recovered : Say::nothing; }

    std::optional<SysTime> failing_since(const std::string& key) const {
        auto it = state_.find(key);
        if (it == state_.end()) return std::nullopt;
        return it->second.since;
    }

private:
    struct State {
        SysTime since;
        SysTime next;
        std::chrono::seconds interval{};
        int reminders = 0;
    };
    std::chrono::seconds first_reminder_;
    std::chrono::seconds max_interval_;
    std::unordered_map<std::string, State> state_;
};

}  // namespace avmon
