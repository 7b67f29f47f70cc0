#include "daemon/notify/outbox_grouping.hpp"

#include <algorithm>
#include <map>

namespace avmon::notify {

std::vector<OutboxGroup> group_outbox(const std::vector<store::OutboxItem>& due, SysTime now,
                                      std::chrono::seconds window, std::chrono::milliseconds settle) {
    std::vector<store::OutboxItem> rows(due);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.created != b.created ? a.created < b.created : a.id < b.id;
    });
    std::vector<OutboxGroup> out;
    std::map<std::string, std::size_t> by_message_id;
    std::map<std::pair<std::string, std::string>, std::size_t> open_new;  // (room, rcpt) -> group
    for (const auto& row : rows) {
        if (!row.message_id.empty()) {
            auto [it, fresh] = by_message_id.try_emplace(row.message_id, out.size());
            if (fresh) out.push_back(OutboxGroup{row.room, row.recipient, row.message_id, {}, true, now});
            out[it->second].items.push_back(row);
            continue;
        }
        const auto key = std::make_pair(row.room, row.recipient);
        auto it = open_new.find(key);
        if (it != open_new.end() && row.created - out[it->second].items.front().created <= window) {
            out[it->second].items.push_back(row);
            continue;
        }
        open_new[key] = out.size();
        out.push_back(OutboxGroup{row.room, row.recipient, "", {row}, true, now});
    }
    for (auto& g : out) {
        if (!g.message_id.empty()) continue;
        bool retried = false;
        for (const auto& r : g.items) retried |= r.attempts > 0;
        if (retried) continue;
        const SysTime settled = g.items.back().created + settle;
        const SysTime limit = g.items.front().created + window;
        g.ready_at = std::min(settled, limit);
        g.ready = now >= g.ready_at;
    }
    return out;
}

std::chrono::seconds retry_delay(int attempts, std::chrono::seconds initial, std::chrono::seconds max) {
    if (initial <= std::chrono::seconds::zero()) initial = std::chrono::seconds(1);
    std::chrono::seconds d = initial;
    for (int i = 1; i < attempts && d < max; ++i) d *= 2;
    return std::min(d, max);
}

}  // namespace avmon::notify
