#pragma once
// The SNMP trap/inform listener. Net-SNMP decodes and authenticates (communities are checked
// here, SNMPv3 users by Net-SNMP's USM); its socket is watched by Asio on the loop thread like
// a poller session, so no thread and no blocking call. INFORMs are acknowledged. Every accepted
// notification is mapped (TrapMapper) and handed to `on_event`; unmapped ones as "unknown".
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "config/model.hpp"
#include "daemon/core/asio.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/complaint.hpp"
#include "daemon/core/observation.hpp"
#include "probes/traps/trap_mapper.hpp"

namespace avmon::traps {

struct TrapReceiverStats {
    std::uint64_t datagrams = 0;        // read from the socket
    std::uint64_t accepted = 0;         // handed to on_event (mapped or unknown)
    std::uint64_t unknown = 0;          // ... of which nobody mapped
    std::uint64_t rejected = 0;         // wrong community, unknown user, too low security level
    std::uint64_t malformed = 0;        // not decodable as SNMP
    std::uint64_t informs_acknowledged = 0;
};

// The receiver's log-once table for rejected and unknown traps. Keys carry sender addresses,
// which anyone can spoof, so the table holds at most `capacity` keys: a key is forgotten only
// after it has been quiet for `idle` (then it may log "first" again, at most once per `idle`);
// while the table is full of active keys, a new sender's complaint is folded into one
// summary key per message id with the same back-off. So a flood logs at most about
// capacity + a few summary lines per `idle`, however many datagrams or spoofed senders.
class SenderComplaints {
public:
    static constexpr std::size_t default_capacity = 256;

    struct Verdict {
        ComplaintTracker::Say say = ComplaintTracker::Say::nothing;
        bool summarised = false;  // the key did not fit: log it as part of the summary
    };

    explicit SenderComplaints(std::size_t capacity = default_capacity,
                              std::chrono::seconds first_reminder = std::chrono::minutes(1),
                              std::chrono::seconds max_interval = std::chrono::hours(1),
                              std::chrono::seconds idle = std::chrono::hours(1));

    // `kind` names the summary key (the message id); `key` the sender and reason.
    Verdict failure(std::string_view kind, const std::string& key, SysTime now);

    std::size_t size() const { return last_seen_.size(); }
    std::size_t capacity() const { return capacity_; }

private:
    void forget_idle(SysTime now);

    std::size_t capacity_;
    std::chrono::seconds idle_;
    ComplaintTracker tracker_;
    // Least recently seen first, so forgetting idle keys is cheap under a flood.
    std::list<std::pair<std::string, SysTime>> order_;
    std::unordered_map<std::string, std::list<std::pair<std::string, SysTime>>::iterator> last_seen_;
};

class TrapReceiver {
public:
    using Handler = std::function<void(TrapEvent)>;

    // `clock` stamps the events and paces the rate-limited log lines; it must outlive us.
    TrapReceiver(asio::any_io_executor executor, config::TrapConfig config, DeviceLookup lookup, Handler on_event,
                 const Clock& clock);
    ~TrapReceiver();
    TrapReceiver(const TrapReceiver&) = delete;
    TrapReceiver& operator=(const TrapReceiver&) = delete;

    // Does nothing (and logs so) when config.enabled is false.
    // Registers the v3 users and opens config.listen (e.g. "udp:0.0.0.0:162", "udp6:[::]:162").
    // Returns an empty string on success, else what went wrong (also logged) — e.g. the port
    // is taken or privileged (binding 162 needs CAP_NET_BIND_SERVICE).
    std::string start();
    void stop();
    bool running() const;

    const TrapReceiverStats& stats() const;
    // Problems found in the configuration (bad mapping OIDs, unusable v3 users); each also logged.
    const std::vector<std::string>& config_problems() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace avmon::traps
