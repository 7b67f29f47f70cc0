#include "daemon/alarms/flap_detector.hpp"

namespace avmon::alarms {

bool FlapDetector::record(bool bad, const config::FlapSettings& s) {
    const std::size_t window = s.window < 3 ? 3 : static_cast<std::size_t>(s.window);
    states_.push_back(bad);
    if (states_.size() > window) states_.erase(states_.begin(), states_.end() - static_cast<std::ptrdiff_t>(window));
    // Changes are counted over the full window's slots so a short history cannot look flappy.
    const std::size_t slots = window - 1;
    double weighted = 0, total = 0;
    for (std::size_t i = 0; i < slots; ++i) {
        const double w = 0.8 + 0.4 * static_cast<double>(i) / static_cast<double>(slots - 1);
        total += w;
        // slot i (oldest first) aligned to the newest end of the history
        const std::size_t offset = slots - i;  // changes counted from the newest backwards
        if (states_.size() > offset) {
            const std::size_t b = states_.size() - offset;
            if (states_[b] != states_[b - 1]) weighted += w;
        }
    }
    share_ = total > 0 ? weighted / total : 0;
    const bool was = flapping_;
    if (!flapping_ && share_ >= s.start_threshold) flapping_ = true;
    else if (flapping_ && share_ < s.stop_threshold) flapping_ = false;
    return was != flapping_;
}

}  // namespace avmon::alarms
