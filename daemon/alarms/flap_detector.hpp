#pragma once
// Flap detection like Nagios: remember the last N evaluations of a condition and weigh the
// state changes among them, newer ones more (0.8 ... 1.2). Flapping starts when the weighted
// share of changes reaches the start threshold and stops when it falls below the stop threshold.
#include <cstdint>

#include "config/model.hpp"

namespace avmon::alarms {

class FlapDetector {
public:
    // Evaluations remembered at most (the config allows a window of 3 to 100).
    static constexpr int max_window = 128;

    // Records one evaluation; returns true if the flapping state changed.
    bool record(bool bad, const config::FlapSettings& settings);
    bool flapping() const { return flapping_; }

private:
    bool state(std::size_t age) const { return (bits_[age / 64] >> (age % 64)) & 1U; }

    // A bit per evaluation, newest in bit 0 of bits_[0], in the detector itself: a fleet has a
    // detector per condition (a std::vector<bool> cost 40 bytes and a heap block each).
    std::uint64_t bits_[2] = {0, 0};
    std::uint8_t size_ = 0;  // evaluations remembered
    bool flapping_ = false;
};

}  // namespace avmon::alarms
