#include "probes/snmp/profile_mapper.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

namespace avmon::snmp {

namespace {

void add_unique(std::vector<Oid>& list, const Oid& oid) {
    if (std::find(list.begin(), list.end(), oid) == list.end()) list.push_back(oid);
}

MetricStatus status_for(ValueType t) {
    switch (t) {
        case ValueType::no_such_object: return MetricStatus::no_such_object;
        case ValueType::no_such_instance: return MetricStatus::no_such_instance;
        case ValueType::end_of_mib_view: return MetricStatus::end_of_view;
        default: return MetricStatus::unknown_value;
    }
}

std::optional<int> counter_bits(ValueType t) {
    switch (t) {
        case ValueType::counter32: return 32;
        case ValueType::counter64:
        case ValueType::gauge32:   // a profile that calls a Gauge32 a counter: decreases are resets
        case ValueType::integer:
        case ValueType::timeticks: return 64;
        default: return std::nullopt;
    }
}

}  // namespace

std::string row_label(const std::string& rendered, const std::string& numeric_index) {
    if (rendered.empty()) return numeric_index;
    return rendered;
}

namespace {

bool same_mapping(const config::MetricDef& a, const config::MetricDef& b) {
    return a.name == b.name && a.source == b.source && a.kind == b.kind && a.walk == b.walk &&
           a.index_source == b.index_source && a.scale == b.scale && a.unit == b.unit && a.value_map == b.value_map;
}

bool same_mapping(const std::vector<config::MetricDef>& a, const std::vector<config::MetricDef>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_mapping(a[i], b[i])) return false;
    return true;
}

}  // namespace

ProfileMapper::ProfileMapper(const config::Profile& profile) : c_(compile(profile)) {}

std::shared_ptr<const ProfileMapper::Compiled> ProfileMapper::compile(const config::Profile& profile) {
    // Shared by content, not by address: a reloaded profile with other metrics gets its own.
    static std::mutex mutex;
    static std::vector<std::weak_ptr<const Compiled>> known;
    std::lock_guard lock(mutex);
    std::erase_if(known, [](const auto& w) { return w.expired(); });
    for (const auto& w : known)
        if (auto c = w.lock(); c && same_mapping(c->metrics, profile.metrics)) return c;
    auto c = std::make_shared<Compiled>();
    c->metrics = profile.metrics;
    for (auto& m : c->metrics) m.where = {};  // where it was written is not needed to map values
    for (std::size_t i = 0; i < c->metrics.size(); ++i) {
        const auto& m = c->metrics[i];
        auto source = parse_oid(m.source);
        if (!source) {
            c->invalid.push_back(m.name);
            continue;
        }
        Def d{i, *source, std::nullopt, to_string(*source), {}};
        if (!m.index_source.empty()) {
            if (auto index = parse_oid(m.index_source)) {
                d.index = *index;
                d.index_text = to_string(*index);
            }
            else {
                c->invalid.push_back(m.name);
                continue;
            }
        }
        if (m.walk) {
            add_unique(c->columns, d.source);
            if (d.index) add_unique(c->columns, *d.index);
            if (m.source == peth_main_consumption_oid) add_unique(c->columns, *parse_oid(peth_main_power_oid));
            if (m.source == ent_sensor_value_oid) {
                add_unique(c->columns, *parse_oid(ent_sensor_scale_oid));
                add_unique(c->columns, *parse_oid(ent_sensor_precision_oid));
            }
        } else if (m.source != sys_uptime_oid) {
            add_unique(c->scalars, d.source);
        }
        if (m.walk && d.source_text == peth_main_consumption_oid) c->wants_poe_budget = true;
        c->defs.push_back(std::move(d));
    }
    c->poll_scalars.push_back(*parse_oid(sys_uptime_oid));
    c->poll_scalars.insert(c->poll_scalars.end(), c->scalars.begin(), c->scalars.end());
    for (const auto& o : c->poll_scalars) c->poll_scalar_texts.push_back(to_string(o));
    known.push_back(c);
    return c;
}

std::map<std::string, std::string> ProfileMapper::row_names(const ColumnResult* index_column) const {
    std::map<std::string, std::string> names;
    if (!index_column) return names;
    std::set<std::string> used;
    for (const auto& [suffix, value] : index_column->rows) {
        if (is_exception(value.type)) continue;
        std::string label = row_label(to_text(value), suffix);
        if (!used.insert(label).second) label = suffix;  // two rows with the same name: keep them apart
        names[suffix] = label;
    }
    return names;
}

void ProfileMapper::map_value(const Def& d, const std::string& metric, const std::string& rate_key,
                              const RawValue& v, std::optional<double> extra_scale, const std::string& device,
                              SysTime now, PollResult& out) {
    const auto& m = c_->metrics[d.metric];
    if (is_exception(v.type)) {
        out.unavailable.push_back({metric, status_for(v.type), std::string(type_name(v.type))});
        return;
    }
    switch (m.kind) {
        case config::MetricDef::Kind::fact:
            out.facts.push_back({metric, to_text(v)});
            return;
        case config::MetricDef::Kind::gauge: {
            auto number = to_number(v);
            if (!number) {
                out.unavailable.push_back({metric, MetricStatus::unknown_value,
                                           "not a number: " + std::string(type_name(v.type)) + " \"" + to_text(v) + "\""});
                return;
            }
            out.samples.push_back({device, metric, now, *number * m.scale * extra_scale.value_or(1.0)});
            return;
        }
        case config::MetricDef::Kind::counter: {
            auto bits = counter_bits(v.type);
            if (!bits) {
                out.unavailable.push_back({metric, MetricStatus::unknown_value,
                                           "not a counter: " + std::string(type_name(v.type))});
                return;
            }
            std::uint64_t raw = v.type == ValueType::integer ? static_cast<std::uint64_t>(std::max<std::int64_t>(0, v.integer))
                                                             : v.unsigned_value;
            if (auto rate = rates_.update(rate_key, raw, *bits, now))
                out.samples.push_back({device, metric, now, *rate * m.scale});
            return;  // first reading: nothing yet, which is not an error
        }
        case config::MetricDef::Kind::state: {
            std::optional<double> number;
            if (v.type == ValueType::octet_string) {
                std::string text(trim_trailing_nuls(v.bytes));
                auto it = m.value_map.find(text);
                if (it != m.value_map.end()) number = it->second;
                else number = to_number(v);
            } else {
                number = to_number(v);
            }
            if (!number) {
                out.unavailable.push_back({metric, MetricStatus::unknown_value,
                                           "unknown state \"" + to_text(v) + "\""});
                return;
            }
            out.samples.push_back({device, metric, now, *number});
            return;
        }
    }
}

void ProfileMapper::map(const RawPoll& raw, const std::string& device, SysTime now, PollResult& out) {
    restarted_ = false;
    if (raw.uptime_ticks) {
        restarted_ = rates_.observe_uptime(*raw.uptime_ticks, now);
        out.samples.push_back({device, "sys_uptime_s", now, static_cast<double>(*raw.uptime_ticks) / 100.0});
    }
    for (const auto& name : c_->invalid)
        out.unavailable.push_back({name, MetricStatus::error, "profile source is not a numeric OID"});

    for (const auto& d : c_->defs) {
        const auto& m = c_->metrics[d.metric];
        const std::string& source_text = d.source_text;
        if (!m.walk) {
            if (source_text == sys_uptime_oid) {
                if (raw.uptime_ticks)
                    map_value(d, m.name, m.name, RawValue::make_unsigned(ValueType::timeticks, *raw.uptime_ticks),
                              std::nullopt, device, now, out);
                continue;
            }
            auto it = raw.scalars.find(source_text);
            if (it != raw.scalars.end()) {
                map_value(d, m.name, m.name, it->second, std::nullopt, device, now, out);
                continue;
            }
            auto err = raw.scalar_errors.find(source_text);
            out.unavailable.push_back({m.name, MetricStatus::error,
                                       err != raw.scalar_errors.end() ? err->second : "not read this poll"});
            continue;
        }

        auto column = raw.columns.find(source_text);
        if (column == raw.columns.end()) {
            out.unavailable.push_back({m.name, MetricStatus::error, "not walked this poll"});
            continue;
        }
        if (!column->second.error.empty()) {
            out.unavailable.push_back({m.name, MetricStatus::error, column->second.error});
            if (column->second.rows.empty()) continue;
        }
        if (column->second.rows.empty()) {
            out.unavailable.push_back({m.name, MetricStatus::no_such_object, "table column is empty or absent"});
            continue;
        }
        const ColumnResult* index_column = nullptr;
        if (d.index) {
            auto ic = raw.columns.find(d.index_text);
            if (ic != raw.columns.end()) index_column = &ic->second;
        }
        auto names = row_names(index_column);

        // ENTITY-SENSOR-MIB: value x 10^(3*(scale-9)) / 10^precision, per row.
        const ColumnResult* scale_column = nullptr;
        const ColumnResult* precision_column = nullptr;
        if (source_text == ent_sensor_value_oid) {
            auto s = raw.columns.find(ent_sensor_scale_oid);
            auto p = raw.columns.find(ent_sensor_precision_oid);
            if (s != raw.columns.end()) scale_column = &s->second;
            if (p != raw.columns.end()) precision_column = &p->second;
        }
        auto row_number = [](const ColumnResult* c, const std::string& suffix) -> std::optional<double> {
            if (!c) return std::nullopt;
            for (const auto& [sfx, value] : c->rows)
                if (sfx == suffix) return to_number(value);
            return std::nullopt;
        };

        for (const auto& [suffix, value] : column->second.rows) {
            auto name_it = names.find(suffix);
            std::string row = name_it != names.end() ? name_it->second : suffix;
            std::optional<double> extra;
            if (scale_column || precision_column) {
                double scale = row_number(scale_column, suffix).value_or(9);
                double precision = row_number(precision_column, suffix).value_or(0);
                if (scale >= 1 && scale <= 17 && precision >= -8 && precision <= 9)
                    extra = std::pow(10.0, 3.0 * (scale - 9) - precision);
            }
            // The rate baseline follows the numeric index, which survives renamed ports.
            map_value(d, m.name + "." + row, m.name + "#" + suffix, value, extra, device, now, out);
        }
    }

    // Derived: PoE budget use per PSE group (the schema has no ratio of two metrics).
    // Looked up only for profiles that want it: each find() builds a std::string key.
    if (!c_->wants_poe_budget) return;
    auto power = raw.columns.find(peth_main_power_oid);
    auto consumption = raw.columns.find(peth_main_consumption_oid);
    if (power != raw.columns.end() && consumption != raw.columns.end()) {
        for (const auto& [suffix, used] : consumption->second.rows) {
            for (const auto& [psuffix, budget] : power->second.rows) {
                if (psuffix != suffix) continue;
                auto u = to_number(used);
                auto b = to_number(budget);
                if (u && b && *b > 0)
                    out.samples.push_back({device, std::string(poe_budget_metric) + "." + suffix, now, 100.0 * *u / *b});
            }
        }
    }
}

}  // namespace avmon::snmp
