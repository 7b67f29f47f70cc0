// FlapDetector keeps its history as bits; this checks it against the plain definition
// (a list of the last N evaluations, changes weighted 0.8 ... 1.2 from oldest to newest
// slot), bit for bit, including windows that change between evaluations (a config reload).
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "daemon/alarms/flap_detector.hpp"

using avmon::alarms::FlapDetector;
using avmon::config::FlapSettings;

namespace {

// The definition, written out the obvious way.
class ReferenceFlaps {
public:
    bool record(bool bad, const FlapSettings& s) {
        const std::size_t window = static_cast<std::size_t>(std::max(3, s.window));
        states_.push_back(bad);
        if (states_.size() > window) states_.erase(states_.begin(), states_.end() - static_cast<std::ptrdiff_t>(window));
        const std::size_t slots = window - 1;
        double weighted = 0, total = 0;
        for (std::size_t i = 0; i < slots; ++i) {
            const double w = 0.8 + 0.4 * static_cast<double>(i) / static_cast<double>(slots - 1);
            total += w;
            const std::size_t offset = slots - i;
            if (states_.size() > offset && states_[states_.size() - offset] != states_[states_.size() - offset - 1])
                weighted += w;
        }
        share_ = weighted / total;
        const bool was = flapping_;
        if (!flapping_ && share_ >= s.start_threshold) flapping_ = true;
        else if (flapping_ && share_ < s.stop_threshold) flapping_ = false;
        return was != flapping_;
    }
    double share() const { return share_; }
    bool flapping() const { return flapping_; }

private:
    std::vector<bool> states_;
    double share_ = 0;
    bool flapping_ = false;
};

}  // namespace

TEST_CASE("flap detector: the share of weighted changes is exactly the definition's, for every window") {
    std::mt19937 random(20261124);
    for (int window : {3, 4, 5, 21, 63, 64, 65, 99, 100}) {
        for (double change_chance : {0.0, 0.05, 0.3, 0.5, 0.9}) {
            FlapSettings s;
            s.window = window;
            FlapDetector fast;
            ReferenceFlaps ref;
            bool state = false;
            std::bernoulli_distribution flip(change_chance);
            for (int n = 0; n < 400; ++n) {
                if (flip(random)) state = !state;
                INFO("window " << window << ", chance " << change_chance << ", evaluation " << n);
                REQUIRE(fast.record(state, s) == ref.record(state, s));
                REQUIRE(fast.share() == ref.share());
                REQUIRE(fast.flapping() == ref.flapping());
            }
        }
    }
}

TEST_CASE("flap detector: a window changed by a reload forgets what fell out of the shorter one") {
    std::mt19937 random(7);
    std::bernoulli_distribution bad(0.4);
    FlapDetector fast;
    ReferenceFlaps ref;
    FlapSettings s;
    for (int n = 0; n < 600; ++n) {
        if (n % 50 == 0) s.window = std::uniform_int_distribution<int>(3, 100)(random);
        const bool b = bad(random);
        INFO("window " << s.window << ", evaluation " << n);
        REQUIRE(fast.record(b, s) == ref.record(b, s));
        REQUIRE(fast.share() == ref.share());
    }
}

TEST_CASE("flap detector: a steady condition never flaps; alternating every evaluation does") {
    FlapSettings s;
    FlapDetector steady, alternating;
    for (int n = 0; n < 50; ++n) {
        steady.record(true, s);
        alternating.record(n % 2 == 0, s);
    }
    CHECK(steady.share() == 0);
    CHECK_FALSE(steady.flapping());
    CHECK(alternating.share() == Approx(1.0));
    CHECK(alternating.flapping());
}
