#include "daemon/report/intervals.hpp"

#include <algorithm>

namespace avmon::report {

void IntervalSet::add(SysTime from, SysTime to) {
    if (to <= from) return;
    items_.push_back({from, to});
    dirty_ = true;
}

void IntervalSet::add(const IntervalSet& other) {
    for (const auto& i : other.intervals()) add(i.from, i.to);
}

void IntervalSet::normalise() const {
    if (!dirty_) return;
    std::sort(items_.begin(), items_.end(), [](const Interval& a, const Interval& b) { return a.from < b.from; });
    std::vector<Interval> merged;
    for (const auto& i : items_) {
        if (!merged.empty() && i.from <= merged.back().to)
            merged.back().to = std::max(merged.back().to, i.to);
        else
            merged.push_back(i);
    }
    items_ = std::move(merged);
    dirty_ = false;
}

const std::vector<Interval>& IntervalSet::intervals() const {
    normalise();
    return items_;
}

IntervalSet IntervalSet::intersect(SysTime from, SysTime to) const {
    IntervalSet out;
    for (const auto& i : intervals()) out.add(std::max(i.from, from), std::min(i.to, to));
    return out;
}

IntervalSet IntervalSet::intersect(const IntervalSet& other) const {
    IntervalSet out;
    const auto& a = intervals();
    const auto& b = other.intervals();
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        out.add(std::max(a[i].from, b[j].from), std::min(a[i].to, b[j].to));
        if (a[i].to < b[j].to) ++i; else ++j;
    }
    return out;
}

IntervalSet IntervalSet::subtract(const IntervalSet& other) const {
    IntervalSet out;
    const auto& b = other.intervals();
    for (const auto& i : intervals()) {
        SysTime cur = i.from;
        for (const auto& c : b) {
            if (c.to <= cur) continue;
            if (c.from >= i.to) break;
            out.add(cur, c.from);
            cur = std::max(cur, c.to);
        }
        out.add(cur, i.to);
    }
    return out;
}

std::chrono::milliseconds IntervalSet::total() const {
    std::chrono::milliseconds sum{0};
    for (const auto& i : intervals()) sum += std::chrono::duration_cast<std::chrono::milliseconds>(i.to - i.from);
    return sum;
}

}  // namespace avmon::report
