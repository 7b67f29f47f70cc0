#pragma once
// Flap detection like Nagios: remember the last N evaluations of a condition and weigh the
// state changes among them, newer ones more (0.8 ... 1.2). Flapping starts when the weighted
// share of changes reaches the start threshold and stops when it falls below the stop threshold.
#include <bitset>
#include <cstdint>

#include "config/model.hpp"

namespace avmon::alarms {

class FlapDetector {
public:
    // Records one evaluation; returns true if the flapping state changed.
    bool record(bool bad, const config::FlapSettings& settings);
    bool flapping() const { return flapping_; }
    double share() const { return share_; }

private:
    // A bit per evaluation, the newest at bit 0 (the window is at most 100): held in place,
    // since a fleet has a detector per condition, and a steady history (no change in it, the
    // usual case) is recognised with a few word operations instead of a walk over the window.
    std::bitset<128> states_;
    std::uint8_t held_ = 0;  // evaluations in states_ that count (at most the window)
    bool flapping_ = false;
    double share_ = 0;
};

}  // namespace avmon::alarms
