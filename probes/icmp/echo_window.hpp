#pragma once
// The last N echo outcomes of one device: loss and mean round-trip time are judged over a
// sliding window, so one lost packet does not read as 33 % loss forever.
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

namespace avmon::icmp {

class EchoWindow {
public:
    explicit EchoWindow(std::size_t capacity) : slots_(capacity == 0 ? 1 : capacity) {}

    // `rtt` empty: no reply within the deadline.
    void record(std::optional<std::chrono::nanoseconds> rtt) {
        slots_[next_] = Slot{true, rtt};
        next_ = (next_ + 1) % slots_.size();
        if (count_ < slots_.size()) ++count_;
    }

    std::size_t size() const { return count_; }
    std::size_t capacity() const { return slots_.size(); }

    // Percentage of the recorded requests that got no reply (0 with nothing recorded).
    double loss_pct() const {
        if (count_ == 0) return 0;
        std::size_t lost = 0;
        for (const auto& s : slots_)
            if (s.used && !s.rtt) ++lost;
        return 100.0 * static_cast<double>(lost) / static_cast<double>(count_);
    }

    // Mean round-trip time over the replies in the window, in milliseconds.
    std::optional<double> mean_rtt_ms() const {
        double sum = 0;
        std::size_t n = 0;
        for (const auto& s : slots_) {
            if (!s.used || !s.rtt) continue;
            sum += std::chrono::duration<double, std::milli>(*s.rtt).count();
            ++n;
        }
        if (n == 0) return std::nullopt;
        return sum / static_cast<double>(n);
    }

private:
    struct Slot {
        bool used = false;
        std::optional<std::chrono::nanoseconds> rtt;
    };
    std::vector<Slot> slots_;
    std::size_t next_ = 0;
    std::size_t count_ = 0;
};

}  // namespace avmon::icmp
