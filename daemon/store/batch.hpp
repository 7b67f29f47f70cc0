#pragma once
// What one flush writes: samples plus every other record queued meanwhile. The writer thread
// takes a Batch off its queues and hands it to BatchWriter, which commits it in one
// transaction (or not at all).
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "daemon/core/alarm_event.hpp"
#include "daemon/core/observation.hpp"
#include "daemon/store/records.hpp"

namespace avmon::store {

// Everything in a PollResult except the samples (those travel in the sample queue).
struct PollOutcome {
    std::string device;
    SysTime time{};
    bool reachable = false;
    std::string error;
    std::vector<MetricState> unavailable;
    std::vector<Fact> facts;
    std::vector<std::string> sampled_metrics;  // metrics that did return a value this poll
};

using CommitHook = std::function<void(std::int64_t event_id)>;

struct AlarmEventItem {
    AlarmEvent event;
    CommitHook on_committed;  // called on the writer thread after COMMIT
};

using Record = std::variant<PollOutcome, TrapEvent, AlarmEventItem, AuditRecord, DeviceRecord,
                            OutboxUpdate, MaintenanceRecord, ReportArchiveEntry>;

// Records a person is waiting for: they make the writer flush at once.
inline bool is_urgent(const Record& r) {
    return std::holds_alternative<AlarmEventItem>(r) || std::holds_alternative<OutboxUpdate>(r) ||
           std::holds_alternative<AuditRecord>(r) || std::holds_alternative<MaintenanceRecord>(r);
}

// Records that must survive a power cut, not only a crash of the process: the alarm engine,
// the mail sender and operators act as soon as they are committed (a mail goes out, an ack is
// confirmed). A batch holding one is committed with synchronous=FULL, so its COMMIT returns
// (and its CommitHooks run) only after the WAL is on disk. Samples, states, facts, traps and
// reachability are observations that the next poll repeats: they keep the cheap NORMAL commit.
inline bool must_be_durable(const Record& r) {
    return std::holds_alternative<AlarmEventItem>(r) || std::holds_alternative<OutboxUpdate>(r) ||
           std::holds_alternative<AuditRecord>(r) || std::holds_alternative<MaintenanceRecord>(r);
}

struct Batch {
    std::vector<Sample> samples;
    std::vector<Record> records;
    bool empty() const { return samples.empty() && records.empty(); }
    bool durable() const {
        for (const auto& r : records)
            if (must_be_durable(r)) return true;
        return false;
    }
};

}  // namespace avmon::store
