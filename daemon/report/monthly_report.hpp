#pragma once
// What a monthly report contains: plain data, computed by build_monthly_report() and turned
// into HTML, text or CSV by the renderers. Durations are milliseconds of real (UTC) time.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/severity.hpp"
#include "daemon/report/report_period.hpp"

namespace avmon::report {

using Millis = std::chrono::milliseconds;
constexpr std::size_t kSeverities = 4;  // index = static_cast<int>(Severity) - 1
inline std::size_t sev_index(Severity s) { return static_cast<std::size_t>(static_cast<int>(s) - 1); }

// Availability = 1 - downtime / (period - maintenance); downtime is the union of unreachable
// time and level-I alarm time, outside maintenance.
struct Availability {
    Millis period{0};
    Millis maintenance{0};
    Millis unreachable{0};   // outside maintenance
    Millis level1_alarm{0};  // outside maintenance
    Millis downtime{0};      // union of the two, outside maintenance
    Millis counted() const { return period - maintenance; }
    std::optional<double> ratio() const;  // nullopt when the whole period was maintenance
    void add(const Availability& o);
};

struct SeverityStats {
    int alarms = 0;                      // raised in the period
    int acked = 0;
    int resolved = 0;
    Millis ack_time_sum{0};              // over acked alarms
    Millis resolve_time_sum{0};          // over resolved alarms
    std::optional<Millis> mtta() const;
    std::optional<Millis> mttr() const;
};

struct DeviceReport {
    std::string id;
    std::string name;
    std::string room;
    std::string device_class;
    Availability availability;
    std::array<SeverityStats, kSeverities> by_severity{};
    int alarm_count() const;
};

struct RoomReport {
    std::string id;
    std::string name;
    std::string site;
    Availability availability;            // sum over its devices (device-time weighted)
    std::vector<std::optional<double>> daily;  // availability per local day (heat map)
    std::array<int, kSeverities> alarms{};
    int devices = 0;
    double failure_rate() const;          // alarms per device-month
};

struct SlaBreach {
    std::int64_t alarm_id = 0;
    Severity severity = Severity::III;
    std::string device;
    std::string room;
    std::string rule;
    std::string what;                     // "ack", "resolve"
    SysTime deadline{};
    std::optional<SysTime> done;          // when it was acked/resolved (nullopt: not yet)
};

struct SlaStats {
    int ack_due = 0, ack_met = 0, ack_pending = 0;          // alarms with an ack deadline
    int resolve_due = 0, resolve_met = 0, resolve_pending = 0;
    std::optional<double> ack_ratio() const;
    std::optional<double> resolve_ratio() const;
};

struct ParetoEntry {
    std::string rule;                     // rule id without the walked row (battery_low@ch1 -> battery_low)
    std::string device_class;
    int count = 0;
    double cumulative = 0;                // share of all alarms up to and including this cause
};

struct RecurringProblem {
    std::string device;
    std::string room;
    std::string rule;
    int count = 0;                        // raises (incl. re-opens) in the period
    bool flagged_by_engine = false;       // the engine marked an alarm recurring
};

struct TrendPoint {
    std::string month;
    std::optional<double> availability;
    int alarms = 0;
    bool from_archive = false;            // false: the month of this report
};

struct InventoryRow {
    std::string device;
    std::string room;
    std::string device_class;
    std::string model;
    std::string firmware;
    std::optional<double> uptime_s;
    std::optional<double> lamp_hours;
    std::optional<double> filter_hours;
    std::optional<double> battery_pct;    // the lowest channel
    std::optional<double> poe_w;
    std::optional<SysTime> last_seen;
};

struct MonthlyReport {
    ReportPeriod period;
    std::string scope = "all";            // "all", a site id or a room id
    SysTime generated{};
    Availability availability;            // whole scope
    std::array<SeverityStats, kSeverities> by_severity{};
    std::array<SlaStats, kSeverities> sla{};
    std::vector<SlaBreach> breaches;
    std::vector<RoomReport> rooms;
    std::vector<DeviceReport> devices;
    std::vector<ParetoEntry> pareto;
    std::vector<RecurringProblem> recurring;
    std::vector<TrendPoint> trend;        // oldest first, this month last
    std::vector<const DeviceReport*> top_downtime() const;  // up to 10, most downtime first
    std::vector<InventoryRow> inventory;
    int total_alarms() const;
    double failure_rate() const;          // alarms per device-month
};

std::string format_duration_ms(Millis d);  // "2h 05m", "45s", "3d 04h"
std::string format_percent(std::optional<double> ratio, int decimals = 2);  // "99.95 %" or "n/a"

}  // namespace avmon::report
