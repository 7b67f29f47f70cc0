#pragma once
// When to poll a device next: pure arithmetic, so the policy is unit-tested without timers.
#include <chrono>
#include <random>

namespace avmon::app {

struct PollTimingSettings {
    double jitter = 0.1;                              // +- share of the interval
    std::chrono::seconds max_backoff{600};
    int failures_before_backoff = 3;                  // keep the normal rhythm for debouncing first
};

class PollTiming {
public:
    explicit PollTiming(PollTimingSettings s, std::uint64_t seed = std::random_device{}()) : s_(s), rng_(seed) {}

    // First poll: anywhere in [0, interval) so a fleet does not poll in lock-step after a start.
    std::chrono::milliseconds initial_delay(std::chrono::milliseconds interval) {
        std::uniform_int_distribution<long long> d(0, std::max<long long>(0, interval.count() - 1));
        return std::chrono::milliseconds(d(rng_));
    }

    // Next poll after one that succeeded (failures == 0) or after `failures` consecutive failures:
    // the interval with jitter; after failures_before_backoff failures it doubles per failure up to max_backoff.
    std::chrono::milliseconds next_delay(std::chrono::milliseconds interval, int failures) {
        double base = static_cast<double>(interval.count());
        int extra = failures - s_.failures_before_backoff + 1;
        if (failures >= s_.failures_before_backoff && extra > 0) {
            base *= static_cast<double>(1LL << std::min(extra, 20));
            base = std::min(base, static_cast<double>(std::chrono::milliseconds(s_.max_backoff).count()));
            base = std::max(base, static_cast<double>(interval.count()));
        }
        std::uniform_real_distribution<double> j(1.0 - s_.jitter, 1.0 + s_.jitter);
        return std::chrono::milliseconds(static_cast<long long>(base * j(rng_)));
    }

private:
    PollTimingSettings s_;
    std::mt19937_64 rng_;
};

}  // namespace avmon::app
