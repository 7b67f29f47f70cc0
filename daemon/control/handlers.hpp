#pragma once
// What the control server asks of the daemon. The server knows nothing of the alarm engine,
// scheduler or store: avmond fills these callbacks (they run on the loop thread, one request
// at a time, and must not block on long I/O). An unset callback answers "not_available".
// A callback may throw ControlError(code, message) to refuse with a specific error.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/alarm_event.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/store/records.hpp"

namespace avmon::control {

// Daemon-wide facts for `avmonctl status`; the server adds alarm and device counts itself.
struct DaemonStatus {
    std::string version;
    SysTime started{};
    std::string config_file;
    std::string store_path;                 // avmonctl reads timelines / history / audit here
    std::size_t store_queued_samples = 0;
    std::size_t store_queued_records = 0;
    std::uint64_t store_dropped_samples = 0;
    bool store_healthy = true;
    std::string store_error;
    std::optional<SysTime> store_last_flush;
    std::string on_duty;                    // person id on duty now
};

// One configured device and what its poll loop last saw.
struct DeviceStatus {
    std::string id;
    std::string name;
    std::string room;
    std::string device_class;               // "codec", "mic", "display", "switch"
    std::string address;
    bool polled = false;                    // at least one poll finished
    bool reachable = false;
    int consecutive_failures = 0;
    std::optional<SysTime> last_poll;
    std::chrono::milliseconds last_duration{0};
};

struct ReloadOutcome {
    bool applied = false;
    std::vector<std::string> changes;       // config::describe_changes lines
    std::vector<std::string> errors;        // "file:line:col: key: message" when refused
    std::vector<std::string> warnings;
    // True when the handler wrote the reload's audit record itself (avmond audits every
    // reload, SIGHUP or socket); the server then does not add a second one.
    bool audited = false;
};

struct ControlHandlers {
    // ---- reads ----
    std::function<DaemonStatus()> status;
    std::function<std::vector<DeviceStatus>()> devices;
    // Alarms the engine holds (open, resolved-not-closed, recently closed): engine.alarms().
    std::function<std::vector<Alarm>()> alarms;
    // Runtime + config maintenance windows, and the ids of those in force now.
    std::function<std::vector<config::MaintenanceWindow>()> maintenance;
    std::function<std::vector<config::MaintenanceWindow>()> active_maintenance;
    // Is this a configured device / room / site id? (maintenance add checks its target)
    std::function<bool(config::MaintenanceWindow::Scope, const std::string& id)> target_exists;

    // ---- writes: actor is the peer's Unix user; return the engine's verdict ----
    std::function<bool(std::int64_t id, const std::string& actor, const std::string& note)> acknowledge;
    std::function<bool(std::int64_t id, const std::string& actor, const std::string& cause,
                       const std::string& action)> resolve;
    std::function<bool(std::int64_t id, const std::string& actor, const std::string& cause,
                       const std::string& action)> close;
    std::function<bool(std::int64_t id, const std::string& actor, const std::string& note)> add_note;
    // The window arrives validated, with a fresh id; persist it (StoreWriter::enqueue_maintenance)
    // as well as handing it to the engine.
    std::function<bool(const config::MaintenanceWindow& w, const std::string& actor)> add_maintenance;
    std::function<bool(const std::string& id, const std::string& actor)> remove_maintenance;
    // Validates the config file again and applies it only when valid.
    std::function<ReloadOutcome(const std::string& actor)> reload;

    // ---- audit: every connection and every write attempt (StoreWriter::enqueue_audit) ----
    std::function<void(store::AuditRecord)> audit;
};

}  // namespace avmon::control
