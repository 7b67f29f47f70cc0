#pragma once
// Which due outbox rows go into one e-mail, and when that e-mail may leave. Pure: tested
// with made-up rows and times.
#include <chrono>
#include <string>
#include <vector>

#include "daemon/core/clock.hpp"
#include "daemon/store/records.hpp"

namespace avmon::notify {

struct OutboxGroup {
    std::string room;
    std::string recipient;
    std::string message_id;                  // set when the group was tried before: keep it
    std::vector<store::OutboxItem> items;    // oldest first
    bool ready = true;                       // false: wait for more items of the same storm
    SysTime ready_at{};
};

// Rows that already carry a Message-ID (tried before, or marked "sending" before a crash)
// stay together under that id, so a resend repeats the same id. New rows are grouped per
// (room, recipient): a group spans at most `window` from its first row's creation, and it
// waits until no new row joined for `settle` (a storm of 1 root + 6 children arrives over a
// few commits) but never longer than `window` after its first row.
std::vector<OutboxGroup> group_outbox(const std::vector<store::OutboxItem>& due, SysTime now,
                                      std::chrono::seconds window, std::chrono::milliseconds settle);

// Exponential back-off: initial * 2^(attempts-1), capped at max. attempts >= 1.
std::chrono::seconds retry_delay(int attempts, std::chrono::seconds initial, std::chrono::seconds max);

}  // namespace avmon::notify
