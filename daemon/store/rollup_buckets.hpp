#pragma once
// Folding samples into fixed buckets (min, max, sum, count) before they are upserted, so a
// flush writes each touched bucket once, in key order (time-major: the right edge of the tree).
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

class RollupAccumulator {
public:
    explicit RollupAccumulator(std::int64_t width_ms) : width_(width_ms) {}

    void add(std::int64_t series_id, std::int64_t t_ms, double value) {
        const auto b = bucket_start(t_ms, width_);
        auto [it, fresh] = index_.try_emplace(Key{b, series_id}, buckets_.size());
        if (fresh) {
            buckets_.push_back({b, series_id, value, value, value, 1});
            return;
        }
        auto& r = buckets_[it->second];
        r.min = std::min(r.min, value);
        r.max = std::max(r.max, value);
        r.sum += value;
        ++r.count;
    }

    std::vector<RollupBucket>& sorted() {
        std::sort(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
            return a.bucket_ms != b.bucket_ms ? a.bucket_ms < b.bucket_ms : a.series_id < b.series_id;
        });
        return buckets_;
    }

private:
    struct Key {
        std::int64_t bucket, series;
        bool operator==(const Key& o) const { return bucket == o.bucket && series == o.series; }
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return std::hash<std::int64_t>()(k.bucket * 1000003 ^ k.series);
        }
    };
    std::int64_t width_;
    std::vector<RollupBucket> buckets_;
    std::unordered_map<Key, std::size_t, KeyHash> index_;
};

}  // namespace avmon::store
