#pragma once
// Flap detection like Nagios: remember the last N evaluations of a condition and weigh the
// state changes among them, newer ones more (0.8 ... 1.2). Flapping starts when the weighted
// share of changes reaches the start threshold and stops when it falls below the stop threshold.
#include <vector>

#include "config/model.hpp"

namespace avmon::alarms {

class FlapDetector {
public:
    // Records one evaluation; returns true if the flapping state changed.
    bool record(bool bad, const config::FlapSettings& settings);
    bool flapping() const { return flapping_; }
    double share() const { return share_; }

private:
    // A bit per evaluation (at most 100): a fleet has a detector per condition, and a deque
    // would take a 512-byte block each.
    std::vector<bool> states_;
    bool flapping_ = false;
    double share_ = 0;
};

}  // namespace avmon::alarms
