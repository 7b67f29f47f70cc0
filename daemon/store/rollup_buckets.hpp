#pragma once
// Rollup deltas kept in memory: (bucket, series) -> min, max, sum, count of samples that are
// not yet in the rollup tables. Upserting a delta merges it into the stored bucket, so a
// bucket may be written in several parts as long as each sample is in exactly one delta.
#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace avmon::store {

inline constexpr std::int64_t kFiveMinutesMs = 5 * 60 * 1000;
inline constexpr std::int64_t kOneHourMs = 60 * 60 * 1000;

// Start of the bucket containing t_ms (times before 1970 never reach the store).
constexpr std::int64_t bucket_start(std::int64_t t_ms, std::int64_t width_ms) {
    return t_ms - t_ms % width_ms;
}

struct RollupBucket {
    std::int64_t bucket_ms = 0;
    std::int64_t series_id = 0;
    double min = 0;
    double max = 0;
    double sum = 0;
    std::int64_t count = 0;
};

// Indexed by series id (dense, small integers from SQLite): a lookup is an array access and
// a scan of the one or two open buckets of that series, not a hash of (bucket, series).
class BucketDeltas {
public:
    explicit BucketDeltas(std::int64_t width_ms) : width_(width_ms) {}

    std::int64_t width() const { return width_; }
    bool empty() const { return count_ == 0; }
    std::size_t size() const { return count_; }
    void clear() {
        for (auto id : used_) slots_[static_cast<std::size_t>(id)].clear();
        used_.clear();
        count_ = 0;
    }

    void add(std::int64_t series_id, std::int64_t t_ms, double value) {
        merge({bucket_start(t_ms, width_), series_id, value, value, value, 1});
    }

    void merge(const RollupBucket& b) {
        const auto idx = static_cast<std::size_t>(b.series_id);
        if (idx >= slots_.size()) slots_.resize(std::max(idx + 1, slots_.size() * 2));
        auto& slot = slots_[idx];
        if (slot.empty()) used_.push_back(b.series_id);
        for (auto it = slot.rbegin(); it != slot.rend(); ++it) {
            if (it->bucket_ms != b.bucket_ms) continue;
            it->min = std::min(it->min, b.min);
            it->max = std::max(it->max, b.max);
            it->sum += b.sum;
            it->count += b.count;
            return;
        }
        slot.push_back(b);
        ++count_;
    }

    // Calls f(bucket) for every delta (unordered).
    template <class F>
    void for_each(F&& f) const {
        for (auto id : used_)
            for (const auto& b : slots_[static_cast<std::size_t>(id)]) f(b);
    }

    void erase_before(std::int64_t bucket_ms) {
        std::size_t keep = 0;
        for (auto id : used_) {
            auto& slot = slots_[static_cast<std::size_t>(id)];
            const auto before = slot.size();
            slot.erase(std::remove_if(slot.begin(), slot.end(),
                                      [&](const RollupBucket& b) { return b.bucket_ms < bucket_ms; }),
                       slot.end());
            count_ -= before - slot.size();
            if (!slot.empty()) used_[keep++] = id;
        }
        used_.resize(keep);
    }

    // Deltas in key order (time-major), the order that touches the fewest pages.
    std::vector<RollupBucket> sorted() const {
        std::vector<RollupBucket> v;
        v.reserve(count_);
        for_each([&](const RollupBucket& b) { v.push_back(b); });
        std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
            return a.bucket_ms != b.bucket_ms ? a.bucket_ms < b.bucket_ms : a.series_id < b.series_id;
        });
        return v;
    }

private:
    std::int64_t width_;
    std::vector<std::vector<RollupBucket>> slots_;  // by series id
    std::vector<std::int64_t> used_;                // series ids with a non-empty slot
    std::size_t count_ = 0;
};

// The newest value per series not yet written to series.last_*, indexed like BucketDeltas.
class LatestValues {
public:
    void note(std::int64_t series_id, std::int64_t t_ms, double value) {
        const auto idx = static_cast<std::size_t>(series_id);
        if (idx >= slots_.size()) slots_.resize(std::max(idx + 1, slots_.size() * 2));
        auto& s = slots_[idx];
        if (!s.dirty) {
            s = {true, t_ms, value};
            dirty_.push_back(series_id);
        } else if (s.t_ms <= t_ms) {
            s.t_ms = t_ms;
            s.value = value;
        }
    }
    bool empty() const { return dirty_.empty(); }
    template <class F>
    void for_each(F&& f) const {
        for (auto id : dirty_) {
            const auto& s = slots_[static_cast<std::size_t>(id)];
            f(id, s.t_ms, s.value);
        }
    }
    void clear() {
        for (auto id : dirty_) slots_[static_cast<std::size_t>(id)].dirty = false;
        dirty_.clear();
    }

private:
    struct Slot {
        bool dirty = false;
        std::int64_t t_ms = 0;
        double value = 0;
    };
    std::vector<Slot> slots_;
    std::vector<std::int64_t> dirty_;
};

}  // namespace avmon::store
