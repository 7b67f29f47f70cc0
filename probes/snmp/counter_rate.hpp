#pragma once
// Turns successive readings of Counter32/Counter64 objects into rates per second, the way an
// operator expects: a 32-bit wrap gives the right rate, a device reboot (sysUpTime went
// backwards) or a counter reset never gives a bogus spike, and the first reading gives nothing.
// Plain data, no I/O: the probe feeds it one poll at a time with the poll's wall-clock time.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "daemon/core/clock.hpp"

namespace avmon::snmp {

class CounterRates {
public:
    // Call once per poll, before the counters, with the agent's sysUpTime (hundredths of a
    // second). If the agent restarted since the last poll every baseline is dropped, because
    // its counters restarted from zero. A sysUpTime that wrapped at 2^32 (after 497 days) is
    // recognised by the elapsed wall time and is not a restart.
    // Returns true when a restart was detected.
    bool observe_uptime(std::uint32_t ticks, SysTime now);

    // One reading of the counter `key` (metric + row). `bits` is 32 or 64. `max_rate` (units
    // per second) is the fastest the counter can plausibly move, e.g. ifSpeed/8 for octets;
    // a 32-bit decrease is taken as one wrap only if a single wrap fits in the elapsed time
    // at that rate and two wraps would not have been needed; otherwise the reading starts
    // a new baseline. Returns the rate, or nullopt for a first reading / after a reset.
    std::optional<double> update(const std::string& key, std::uint64_t value, int bits, SysTime now,
                                 std::optional<double> max_rate = std::nullopt);

    // Forget every baseline (e.g. after the device was unreachable for long).
    void reset() { last_.clear(); }
    std::size_t tracked() const { return last_.size(); }

private:
    struct Reading {
        std::uint64_t value = 0;
        SysTime time;
    };
    std::map<std::string, Reading> last_;
    std::optional<std::uint32_t> last_uptime_;
    SysTime last_uptime_time_{};
};

}  // namespace avmon::snmp
