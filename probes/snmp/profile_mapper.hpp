#pragma once
// Profile-driven mapping of raw SNMP results to what a probe reports: Samples (gauges, counter
// rates, states), Facts (inventory text) and MetricStates (what could not be read and why).
// Free of Net-SNMP and Asio so it can be fuzzed and tested with plain data.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/model.hpp"
#include "daemon/core/observation.hpp"
#include "probes/snmp/counter_rate.hpp"
#include "probes/snmp/oid.hpp"
#include "probes/snmp/value.hpp"

namespace avmon::snmp {

inline constexpr const char* sys_uptime_oid = "1.3.6.1.2.1.1.3.0";
// ENTITY-SENSOR-MIB: a value column whose rows are scaled by the sibling scale/precision columns.
inline constexpr const char* ent_sensor_value_oid = "1.3.6.1.2.1.99.1.1.1.4";
inline constexpr const char* ent_sensor_scale_oid = "1.3.6.1.2.1.99.1.1.1.2";
inline constexpr const char* ent_sensor_precision_oid = "1.3.6.1.2.1.99.1.1.1.3";
// POWER-ETHERNET-MIB main PSE table: when a profile walks both the budget and the consumption
// column, the mapper also reports poe_budget_used_pct.<group> = 100 x consumption / budget.
inline constexpr const char* peth_main_power_oid = "1.3.6.1.2.1.105.1.3.1.1.2";
inline constexpr const char* peth_main_consumption_oid = "1.3.6.1.2.1.105.1.3.1.1.4";
inline constexpr const char* poe_budget_metric = "poe_budget_used_pct";

// One walked column: rows in walk order as (index suffix, value), or why it could not be read.
struct ColumnResult {
    std::vector<std::pair<std::string, RawValue>> rows;
    std::string error;  // empty: walked to its end (possibly zero rows)
};

// Everything one poll read from one device, keyed by the numeric OID text (no leading dot).
struct RawPoll {
    std::optional<std::uint32_t> uptime_ticks;
    std::map<std::string, RawValue> scalars;
    std::map<std::string, std::string> scalar_errors;  // OID -> why it was not read
    std::map<std::string, ColumnResult> columns;
};

class ProfileMapper {
public:
    explicit ProfileMapper(const config::Profile& profile);

    // What the probe must read: scalar OIDs to GET and table columns to walk (metric columns,
    // their index columns, and ENTITY-SENSOR scale/precision columns when needed).
    const std::vector<Oid>& scalars() const { return c_->scalars; }
    const std::vector<Oid>& columns() const { return c_->columns; }
    // Profile metrics whose source is not a numeric OID: reported every poll as errors.
    const std::vector<std::string>& invalid_metrics() const { return c_->invalid; }
    // What one poll GETs: sysUpTime, then scalars(); and the same OIDs as text (RawPoll's keys).
    const std::vector<Oid>& poll_scalars() const { return c_->poll_scalars; }
    const std::vector<std::string>& poll_scalar_texts() const { return c_->poll_scalar_texts; }

    // Appends samples, facts and unavailable states for `raw` to `out`. Keeps counter
    // baselines between calls (rates need two polls).
    void map(const RawPoll& raw, const std::string& device, SysTime now, PollResult& out);

    // Forget counter baselines (after a long outage, or a config reload).
    void reset_counters() { rates_.reset(); }
    bool last_poll_saw_restart() const { return restarted_; }

private:
    struct Def {
        std::size_t metric;  // index into Compiled::metrics
        Oid source;
        std::optional<Oid> index;
        std::string source_text;  // to_string(source) and to_string(*index), once, not every poll
        std::string index_text;
    };
    void map_value(const Def& d, const std::string& metric, const std::string& rate_key, const RawValue& v,
                   std::optional<double> extra_scale, const std::string& device, SysTime now, PollResult& out);
    std::map<std::string, std::string> row_names(const ColumnResult* index_column) const;

    // What the profile's metrics say, compiled once and shared (read-only) by every mapper
    // built from the same metrics: 10,000 devices of one model hold one copy, not 10,000.
    struct Compiled {
        std::vector<config::MetricDef> metrics;  // a copy: probes outlive config reloads
        std::vector<Def> defs;
        std::vector<Oid> scalars;
        std::vector<Oid> columns;
        std::vector<std::string> invalid;
        std::vector<Oid> poll_scalars;
        std::vector<std::string> poll_scalar_texts;
        bool wants_poe_budget = false;  // the profile walks the PoE consumption column
    };
    static std::shared_ptr<const Compiled> compile(const config::Profile& profile);

    std::shared_ptr<const Compiled> c_;
    CounterRates rates_;
    bool restarted_ = false;
};

// Metric name safe for a row label: the rendered index text, or the numeric index when empty.
std::string row_label(const std::string& rendered, const std::string& numeric_index);

}  // namespace avmon::snmp
