#include "daemon/alarms/flap_detector.hpp"

#include <algorithm>

namespace avmon::alarms {

bool FlapDetector::record(bool bad, const config::FlapSettings& s) {
    const std::size_t window = static_cast<std::size_t>(std::clamp(s.window, 3, max_window));
    bits_[1] = (bits_[1] << 1) | (bits_[0] >> 63);
    bits_[0] = (bits_[0] << 1) | (bad ? 1U : 0U);
    const std::size_t size = std::min<std::size_t>(size_ + 1U, window);
    size_ = static_cast<std::uint8_t>(size);
    // Changes are counted over the full window's slots so a short history cannot look flappy.
    const std::size_t slots = window - 1;
    double weighted = 0, total = 0;
    for (std::size_t i = 0; i < slots; ++i) {
        const double w = 0.8 + 0.4 * static_cast<double>(i) / static_cast<double>(slots - 1);
        total += w;
        // slot i (oldest first) aligned to the newest end of the history: the change between
        // the evaluations `offset` and `offset - 1` back from the newest
        const std::size_t offset = slots - i;
        if (size > offset && state(offset) != state(offset - 1)) weighted += w;
    }
    const double share = total > 0 ? weighted / total : 0;
    const bool was = flapping_;
    if (!flapping_ && share >= s.start_threshold) flapping_ = true;
    else if (flapping_ && share < s.stop_threshold) flapping_ = false;
    return was != flapping_;
}

}  // namespace avmon::alarms
