#pragma once
// Sets of half-open time intervals [from, to) in UTC instants. Downtime, alarm time and
// maintenance are all interval sets, so overlaps are never counted twice and a DST change
// cannot distort a duration.
#include <chrono>
#include <vector>

#include "daemon/core/clock.hpp"

namespace avmon::report {

struct Interval {
    SysTime from{};
    SysTime to{};
};

class IntervalSet {
public:
    IntervalSet() = default;
    void add(SysTime from, SysTime to);  // ignored when to <= from
    void add(const IntervalSet& other);
    IntervalSet intersect(SysTime from, SysTime to) const;
    IntervalSet intersect(const IntervalSet& other) const;
    IntervalSet subtract(const IntervalSet& other) const;
    std::chrono::milliseconds total() const;
    const std::vector<Interval>& intervals() const;  // sorted, disjoint, merged
    bool empty() const { return intervals().empty(); }

private:
    void normalise() const;
    mutable std::vector<Interval> items_;
    mutable bool dirty_ = false;
};

}  // namespace avmon::report
