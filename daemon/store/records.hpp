#pragma once
// Plain records that go into the store (besides the core Sample/PollResult/TrapEvent/
// AlarmEvent) and the rows that come back out of StoreReader. No SQLite types leak out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/alarm_event.hpp"
#include "daemon/core/clock.hpp"
#include "daemon/core/observation.hpp"
#include "daemon/core/severity.hpp"

namespace avmon::store {

// Inventory from the config: what a device id is called and where it hangs.
struct DeviceRecord {
    std::string id;
    std::string name;
    std::string room;
    std::string device_class;  // "codec", "mic", "display", "switch"
    std::string model;
};

// One line of the audit log: config reloads, acks, maintenance, control-socket logins.
struct AuditRecord {
    std::int64_t id = 0;  // assigned by the store; ignored on enqueue
    SysTime time{};
    std::string actor;    // Unix user or "avmond"
    std::string action;   // "ack", "reload", "maintenance.add", "login" ...
    std::string target;   // alarm id, device, window id ...
    std::string before;   // state before (text/JSON), may be empty
    std::string after;
    std::string detail;
};

enum class OutboxStatus { pending, sending, sent, failed };
std::string_view to_string(OutboxStatus s);
std::optional<OutboxStatus> parse_outbox_status(std::string_view s);

// One e-mail that must reach one person: a row of the durable outbox.
struct OutboxItem {
    std::int64_t id = 0;
    std::int64_t alarm_id = 0;
    std::int64_t event_id = 0;
    std::string recipient;
    std::string person;
    int escalation_level = 0;
    std::string room;
    SysTime created{};
    OutboxStatus status = OutboxStatus::pending;
    int attempts = 0;
    SysTime next_attempt{};
    std::string message_id;
    std::string last_error;
    std::optional<SysTime> sent;
};

// The mailer's verdict on items it tried; applied through the writer (one writer).
struct OutboxUpdate {
    std::vector<std::int64_t> ids;
    OutboxStatus status = OutboxStatus::sent;
    int attempts = 0;
    SysTime next_attempt{};
    std::string message_id;        // SMTP Message-ID, for dedup and threading
    std::string error;             // last error, no secrets
    std::optional<SysTime> sent;   // when the server accepted it
};

// A maintenance window added by an operator (config windows live in the config).
struct MaintenanceRecord {
    std::string id;
    std::string scope = "device";  // device, room, site
    std::string target;
    SysTime start{};
    std::optional<SysTime> end;    // one-off end; nullopt for recurring
    std::vector<int> weekdays;     // ISO 1..7 for recurring windows
    int start_minute = -1;         // -1: one-off
    std::chrono::seconds duration{0};
    std::string reason;
    std::string created_by;
    SysTime created{};
    std::optional<SysTime> cancelled;  // ended early by an operator; the row stays as history
};

struct ReportArchiveEntry {
    std::string month;   // "2026-11"
    std::string scope;   // "all", a site or room id
    std::string format;  // "html", "txt", "csv"
    SysTime generated{};
    std::string body;
};

// ---------- rows read back ----------

struct AlarmEventRecord {
    std::int64_t id = 0;
    std::int64_t alarm_id = 0;
    SysTime time{};
    AlarmEventKind kind = AlarmEventKind::raised;
    std::string actor;
    std::string note;
    Severity severity = Severity::III;
    AlarmState state = AlarmState::raised;
    int escalation_level = 0;
};

struct AlarmFilter {
    std::optional<std::string> room;
    std::optional<std::string> device;
    std::optional<Severity> severity;
    std::optional<AlarmState> state;
    std::optional<SysTime> since;   // raised at or after
    std::optional<SysTime> until;   // raised before
    int limit = 1000;
};

struct DeviceSeen {
    std::string id;
    std::string name;
    std::string room;
    std::string device_class;
    std::string model;
    SysTime first_seen{};
    std::optional<SysTime> last_seen;
    std::optional<bool> reachable;  // latest reachability event, if any
};

struct SeriesInfo {
    std::int64_t id = 0;
    std::string device;
    std::string metric;
};

struct LatestSample {
    std::string metric;
    SysTime time{};
    double value = 0;
};

struct SeriesPoint {
    SysTime time{};
    double value = 0;
};

struct RollupPoint {
    SysTime bucket{};
    double min = 0;
    double max = 0;
    double sum = 0;
    std::int64_t count = 0;
    double avg() const { return count ? sum / static_cast<double>(count) : 0; }
};

enum class Resolution { five_minutes, one_hour };

struct MetricStateRecord {
    std::string device;
    std::string metric;
    MetricStatus status = MetricStatus::ok;
    std::string detail;
    SysTime since{};
    SysTime updated{};
};

struct FactRecord {
    std::string key;
    std::string value;
    SysTime updated{};
};

struct ReachabilityRecord {
    std::string device;
    SysTime time{};
    bool up = false;
    std::string reason;
};

struct TrapRecord {
    std::int64_t id = 0;
    SysTime time{};
    std::string source_address;
    std::optional<std::string> device;
    std::string trap_oid;
    std::string event;
    std::string detail;
    std::string varbinds;  // "oid=value" lines
};

std::string_view to_string(MetricStatus s);
std::optional<MetricStatus> parse_metric_status(std::string_view s);

}  // namespace avmon::store
