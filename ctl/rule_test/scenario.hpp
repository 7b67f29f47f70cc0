#pragma once
// A rule-test scenario (docs/rule-tests.md): a config, scripted inputs and operator actions
// over simulated time, and the outcomes expected from the real alarm engine.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/alarm_event.hpp"
#include "daemon/core/clock.hpp"

namespace avmon::ctl::rule_test {

using Offset = std::chrono::seconds;  // time since the scenario's start

// A problem in a scenario file, already formatted as "file:line: message".
struct ScenarioError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Point {
    enum class Kind { gap, value, unavailable, up, down } kind = Kind::gap;
    double value = 0;
};

struct InputSeries {
    enum class Kind { metric, reachability, trap } kind = Kind::metric;
    std::string device;
    std::string metric;        // metric series
    Offset start{0};
    Offset step{60};
    std::vector<Point> points; // metric / reachability
    std::string event;         // trap: mapped event name
    std::vector<Offset> at;    // trap: when
    int line = 0;
};

struct AlarmSelector {
    std::string device;
    std::string rule;  // "port_down" (any row) or "port_down@Gi1/0/2"
    bool matches(const Alarm& a) const;
    std::string describe() const;
};

struct Action {
    enum class Kind { ack, resolve, close, note, maintenance, end_maintenance, restart } kind = Kind::ack;
    Offset at{0};
    std::string user = "operator";
    AlarmSelector alarm;
    std::string note, cause, action;
    config::MaintenanceWindow window;  // maintenance; end_maintenance uses window.id
    Offset down_for{0};                // restart
    int line = 0;
};

struct ExpectAlarm {
    AlarmSelector alarm;
    std::optional<Severity> severity;
    std::optional<AlarmState> state;
    std::optional<int> escalation_level, occurrences;
    std::optional<bool> suppressed, flapping, recurring;
    std::optional<std::string> text;            // substring
    std::optional<std::string> suppression_reason;  // substring
    std::optional<std::string> root_device;     // the root alarm's device
    int line = 0;
};

struct ExpectEvent {
    AlarmEventKind kind = AlarmEventKind::raised;
    AlarmSelector alarm;
    std::optional<Offset> at;
    Offset tolerance{0};
    std::optional<int> count;                  // exact number of matching events (default: at least one)
    std::optional<int> escalation_level;
    std::optional<std::string> actor, note;    // note: substring
    int line = 0;
};

struct ExpectNotification {
    std::string to;                            // e-mail address or person id
    std::optional<AlarmEventKind> kind;
    AlarmSelector alarm;
    std::optional<Offset> at;
    Offset tolerance{0};
    std::optional<int> count;
    std::optional<int> escalation_level;
    int line = 0;
};

struct ExpectTotals {
    std::optional<int> alarms;                 // distinct alarms raised
    std::optional<int> suppressed;             // alarms that were suppressed at some point
    std::optional<int> notifications;
    std::optional<int> open;                   // open at the end
    bool exact_events = false;                 // every event must be matched by an [[expect.event]]
    int line = 0;
};

struct Scenario {
    std::string file;
    std::string name;
    SysTime start{};
    Offset duration{0};
    config::Config config;
    std::vector<InputSeries> inputs;
    std::vector<Action> actions;
    std::vector<ExpectAlarm> expect_alarms;
    std::vector<ExpectEvent> expect_events;
    std::vector<ExpectNotification> expect_notifications;
    ExpectTotals totals;
};

// Throws ScenarioError naming file:line for anything malformed, including config errors.
Scenario load_scenario(const std::string& path);

// "10 10 95x3 _ !" -> points; "up upx5 down" for reachability. Throws std::invalid_argument.
std::vector<Point> parse_series(const std::string& text, bool reachability);

}  // namespace avmon::ctl::rule_test
