#include "probes/snmp/counter_rate.hpp"

#include <chrono>
#include <cmath>

namespace avmon::snmp {

namespace {
constexpr double two_to_32 = 4294967296.0;

double seconds_between(SysTime a, SysTime b) {
    return std::chrono::duration<double>(b - a).count();
}
}  // namespace

bool CounterRates::observe_uptime(std::uint32_t ticks, SysTime now) {
    bool restarted = false;
    if (last_uptime_ && ticks < *last_uptime_) {
        // Backwards: either a restart or the 32-bit TimeTicks wrap after 497 days. A wrap
        // means the old value plus the elapsed time passes 2^32 and lands near the new value.
        double elapsed_ticks = seconds_between(last_uptime_time_, now) * 100.0;
        double expected = static_cast<double>(*last_uptime_) + elapsed_ticks - two_to_32;
        double tolerance = std::max(1000.0, elapsed_ticks * 0.1);  // 10 s or 10 %: agents drift
        bool wrapped = static_cast<double>(*last_uptime_) + elapsed_ticks >= two_to_32 - tolerance &&
                       std::fabs(expected - static_cast<double>(ticks)) <= tolerance;
        if (!wrapped) {
            restarted = true;
            last_.clear();
        }
    }
    last_uptime_ = ticks;
    last_uptime_time_ = now;
    return restarted;
}

std::optional<double> CounterRates::update(const std::string& key, std::uint64_t value, int bits, SysTime now,
                                           std::optional<double> max_rate) {
    if (bits == 32) value &= 0xffffffffULL;
    auto it = last_.find(key);
    if (it == last_.end()) {
        last_.emplace(key, Reading{value, now});
        return std::nullopt;
    }
    Reading previous = it->second;
    double elapsed = seconds_between(previous.time, now);
    if (elapsed <= 0) return std::nullopt;  // same poll time twice: no rate, keep the older baseline
    it->second = Reading{value, now};

    double delta = 0;
    if (value >= previous.value) {
        delta = static_cast<double>(value - previous.value);
    } else if (bits == 32) {
        delta = static_cast<double>(value) + two_to_32 - static_cast<double>(previous.value);
        if (max_rate && *max_rate > 0) {
            bool one_wrap_fits = delta / elapsed <= *max_rate;
            bool two_wraps_possible = (delta + two_to_32) / elapsed <= *max_rate;
            if (!one_wrap_fits || two_wraps_possible) return std::nullopt;  // ambiguous: new baseline
        }
    } else {
        return std::nullopt;  // a 64-bit counter never wraps in practice: it was reset
    }
    if (max_rate && *max_rate > 0 && delta / elapsed > *max_rate * 1.5) return std::nullopt;  // impossible jump
    return delta / elapsed;
}

}  // namespace avmon::snmp
