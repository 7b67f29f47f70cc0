#include "daemon/alarms/flap_detector.hpp"

#include <algorithm>

namespace avmon::alarms {

bool FlapDetector::record(bool bad, const config::FlapSettings& s) {
    const std::size_t window = s.window < 3 ? 3 : std::min<std::size_t>(static_cast<std::size_t>(s.window), 100);
    states_ <<= 1;
    states_[0] = bad;
    held_ = static_cast<std::uint8_t>(std::min<std::size_t>(held_ + 1u, window));
    // Bit a of `changed`: the evaluation of age a differs from the one before it (age a + 1).
    std::bitset<128> changed = states_ ^ (states_ >> 1);
    changed <<= 128 - (held_ - 1u);  // only pairs inside the history held: drop the rest
    changed >>= 128 - (held_ - 1u);
    if (held_ < 2 || changed.none()) {
        share_ = 0;  // a steady history: no change to weigh
    } else {
        // Changes are counted over the full window's slots so a short history cannot look
        // flappy. Slot i (oldest first) holds the change at age slots - 1 - i.
        const std::size_t slots = window - 1;
        double weighted = 0, total = 0;
        for (std::size_t i = 0; i < slots; ++i) {
            const double w = 0.8 + 0.4 * static_cast<double>(i) / static_cast<double>(slots - 1);
            total += w;
            if (changed[slots - 1 - i]) weighted += w;
        }
        share_ = weighted / total;
    }
    const bool was = flapping_;
    if (!flapping_ && share_ >= s.start_threshold) flapping_ = true;
    else if (flapping_ && share_ < s.stop_threshold) flapping_ = false;
    return was != flapping_;
}

}  // namespace avmon::alarms
