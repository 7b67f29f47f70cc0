// What a reload changes, in lines an operator reads in the journal and the audit log.
// Secrets are compared but never printed.
#include <fmt/format.h>

#include <tuple>

#include "config/loader.hpp"

namespace avmon::config {
namespace {

using Lines = std::vector<std::string>;

std::string show(const std::string& s) { return s.empty() ? "\"\"" : s; }
std::string show(bool b) { return b ? "true" : "false"; }
std::string show(std::chrono::seconds d) { return format_duration(d); }
std::string show(std::chrono::milliseconds d) { return format_duration(d); }
template <typename T>
    requires std::is_arithmetic_v<T>
std::string show(T v) {
    return fmt::format("{}", v);
}
std::string show(const std::vector<std::string>& v) { return "[" + fmt::format("{}", fmt::join(v, ", ")) + "]"; }
std::string show(DeviceClass c) { return std::string(to_string(c)); }
std::string show(const std::optional<std::chrono::seconds>& d) { return d ? format_duration(*d) : "none"; }

// Adds "<prefix>: <field> a -> b" when the values differ.
template <typename T>
void field(Lines& out, const std::string& prefix, const char* name, const T& a, const T& b) {
    if (!(a == b)) out.push_back(fmt::format("{}: {} {} -> {}", prefix, name, show(a), show(b)));
}

bool same(const RuleConfig& a, const RuleConfig& b) {
    return std::tie(a.id, a.kind, a.metric, a.threshold, a.clear_threshold, a.trap_event, a.clear_event, a.severity,
                    a.severity_by_room_kind, a.for_duration, a.for_polls, a.clear_for, a.text, a.marks_down) ==
           std::tie(b.id, b.kind, b.metric, b.threshold, b.clear_threshold, b.trap_event, b.clear_event, b.severity,
                    b.severity_by_room_kind, b.for_duration, b.for_polls, b.clear_for, b.text, b.marks_down);
}
bool same(const std::vector<RuleConfig>& a, const std::vector<RuleConfig>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}
bool same(const MetricDef& a, const MetricDef& b) {
    return std::tie(a.name, a.source, a.kind, a.walk, a.index_source, a.scale, a.unit, a.value_map) ==
           std::tie(b.name, b.source, b.kind, b.walk, b.index_source, b.scale, b.unit, b.value_map);
}
bool same(const Profile& a, const Profile& b) {
    if (std::tie(a.name, a.device_class, a.protocol) != std::tie(b.name, b.device_class, b.protocol)) return false;
    if (a.metrics.size() != b.metrics.size() || !same(a.rules, b.rules)) return false;
    for (std::size_t i = 0; i < a.metrics.size(); ++i)
        if (!same(a.metrics[i], b.metrics[i])) return false;
    return true;
}
bool same_secrets(const SnmpV3Credentials& a, const SnmpV3Credentials& b) {
    return std::tie(a.auth_key, a.priv_key) == std::tie(b.auth_key, b.priv_key);
}
bool same_public(const SnmpV3Credentials& a, const SnmpV3Credentials& b) {
    return std::tie(a.user, a.level, a.auth_protocol, a.priv_protocol, a.context, a.engine_id) ==
           std::tie(b.user, b.level, b.auth_protocol, b.priv_protocol, b.context, b.engine_id);
}
bool same(const SerialLink& a, const SerialLink& b) {
    return std::tie(a.path, a.baud, a.parity, a.data_bits, a.stop_bits, a.flow_control) ==
           std::tie(b.path, b.baud, b.parity, b.data_bits, b.stop_bits, b.flow_control);
}
bool same(const EscalationChain& a, const EscalationChain& b) {
    if (a.id != b.id || a.levels.size() != b.levels.size()) return false;
    for (std::size_t i = 0; i < a.levels.size(); ++i)
        if (a.levels[i].name != b.levels[i].name || a.levels[i].notify != b.levels[i].notify) return false;
    return true;
}
bool same(const MaintenanceWindow& a, const MaintenanceWindow& b) {
    return std::tie(a.id, a.scope, a.target, a.start, a.duration, a.weekdays, a.start_minute, a.reason) ==
           std::tie(b.id, b.scope, b.target, b.start, b.duration, b.weekdays, b.start_minute, b.reason);
}
bool same(const Roster& a, const Roster& b) {
    if (std::tie(a.timezone, a.fallback) != std::tie(b.timezone, b.fallback)) return false;
    if (a.shifts.size() != b.shifts.size() || a.overrides.size() != b.overrides.size()) return false;
    for (std::size_t i = 0; i < a.shifts.size(); ++i) {
        const auto &x = a.shifts[i], &y = b.shifts[i];
        if (std::tie(x.weekdays, x.start_minute, x.end_minute, x.person) !=
            std::tie(y.weekdays, y.start_minute, y.end_minute, y.person))
            return false;
    }
    for (std::size_t i = 0; i < a.overrides.size(); ++i) {
        const auto &x = a.overrides[i], &y = b.overrides[i];
        if (std::tie(x.date, x.start_minute, x.end_minute, x.person) !=
            std::tie(y.date, y.start_minute, y.end_minute, y.person))
            return false;
    }
    return true;
}
bool same(const SmtpConfig& a, const SmtpConfig& b) {
    return std::tie(a.enabled, a.url, a.from, a.username, a.password, a.starttls, a.ca_file, a.ehlo_name, a.timeout,
                    a.group_window, a.retry_initial, a.retry_max, a.undelivered_alarm_after, a.fallback_url,
                    a.fallback_recipients) ==
           std::tie(b.enabled, b.url, b.from, b.username, b.password, b.starttls, b.ca_file, b.ehlo_name, b.timeout,
                    b.group_window, b.retry_initial, b.retry_max, b.undelivered_alarm_after, b.fallback_url,
                    b.fallback_recipients);
}
bool same(const TrapConfig& a, const TrapConfig& b) {
    if (std::tie(a.enabled, a.listen, a.communities) != std::tie(b.enabled, b.listen, b.communities)) return false;
    if (a.users.size() != b.users.size() || a.mappings.size() != b.mappings.size()) return false;
    for (std::size_t i = 0; i < a.users.size(); ++i)
        if (!same_public(a.users[i], b.users[i]) || !same_secrets(a.users[i], b.users[i])) return false;
    for (std::size_t i = 0; i < a.mappings.size(); ++i) {
        const auto &x = a.mappings[i], &y = b.mappings[i];
        if (std::tie(x.oid, x.event, x.clear_event) != std::tie(y.oid, y.event, y.clear_event)) return false;
    }
    return true;
}

void compare_snmp(Lines& out, const std::string& p, const std::optional<SnmpTarget>& a,
                  const std::optional<SnmpTarget>& b) {
    if (!a && !b) return;
    if (!a) return out.push_back(p + ": snmp added");
    if (!b) return out.push_back(p + ": snmp removed");
    auto version = [](SnmpTarget::Version v) {
        return std::string(v == SnmpTarget::Version::v1 ? "1" : v == SnmpTarget::Version::v2c ? "2c" : "3");
    };
    field(out, p, "snmp version", version(a->version), version(b->version));
    field(out, p, "snmp port", a->port, b->port);
    field(out, p, "snmp timeout", a->timeout, b->timeout);
    field(out, p, "snmp retries", a->retries, b->retries);
    field(out, p, "snmp max_repetitions", a->max_repetitions, b->max_repetitions);
    if (!same_public(a->credentials(), b->credentials())) out.push_back(p + ": snmp v3 settings changed");
    if (a->community != b->community || !same_secrets(a->credentials(), b->credentials()))
        out.push_back(p + ": snmp credentials changed");
}

void compare_control(Lines& out, const std::string& p, const Boxed<ControlTarget>& a,
                     const Boxed<ControlTarget>& b) {
    if (!a && !b) return;
    if (!a) return out.push_back(p + ": control added");
    if (!b) return out.push_back(p + ": control removed");
    field(out, p, "control protocol", a->protocol, b->protocol);
    auto port = [](const std::optional<std::uint16_t>& x) { return x ? std::to_string(*x) : std::string("none"); };
    field(out, p, "control port", port(a->tcp_port), port(b->tcp_port));
    if (a->serial.has_value() != b->serial.has_value() || (a->serial && !same(*a->serial, *b->serial)))
        out.push_back(p + ": serial link changed");
    field(out, p, "control display_id", a->display_id, b->display_id);
    if (a->channels != b->channels) out.push_back(p + ": control channels changed");
    field(out, p, "control timeout", a->timeout, b->timeout);
    if (a->password != b->password) out.push_back(p + ": control password changed");
}

void compare_device(Lines& out, const DeviceConfig& a, const DeviceConfig& b) {
    std::string p = "device " + a.id;
    field(out, p, "name", a.name, b.name);
    field(out, p, "room", a.room, b.room);
    field(out, p, "class", a.device_class, b.device_class);
    field(out, p, "address", a.address, b.address);
    field(out, p, "model", a.model, b.model);
    field(out, p, "parent", a.parent, b.parent);
    field(out, p, "parent_port", a.parent_port, b.parent_port);
    field(out, p, "icmp", a.icmp, b.icmp);
    field(out, p, "profile", a.profile, b.profile);
    field(out, p, "interval", a.interval, b.interval);
    field(out, p, "disabled_rules", a.disabled_rules, b.disabled_rules);
    compare_snmp(out, p, a.snmp, b.snmp);
    compare_control(out, p, a.control, b.control);
    if (!same(a.rules, b.rules)) out.push_back(p + ": rules changed");
}

// Added / removed / changed, by id, keeping the "after" order for stable output.
template <typename T, typename Id, typename Compare>
void compare_list(Lines& out, const char* what, const std::vector<T>& before, const std::vector<T>& after, Id id,
                  Compare compare) {
    for (const auto& a : before) {
        auto it = std::find_if(after.begin(), after.end(), [&](const T& b) { return id(b) == id(a); });
        if (it == after.end()) out.push_back(fmt::format("{} {} removed", what, id(a)));
    }
    for (const auto& b : after) {
        auto it = std::find_if(before.begin(), before.end(), [&](const T& a) { return id(a) == id(b); });
        if (it == before.end())
            out.push_back(fmt::format("{} {} added", what, id(b)));
        else
            compare(out, *it, b);
    }
}

template <typename T>
auto changed_if_different(const char* what) {
    return [what](Lines& out, const T& a, const T& b) {
        if (!same(a, b)) out.push_back(fmt::format("{} {} changed", what, a.id));
    };
}

}  // namespace

std::vector<std::string> describe_changes(const Config& before, const Config& after) {
    Lines out;
    const auto &da = before.daemon, &db = after.daemon;
    field(out, "daemon", "runtime_dir", da.runtime_dir, db.runtime_dir);
    field(out, "daemon", "control_socket", da.control_socket, db.control_socket);
    field(out, "daemon", "socket_group", da.socket_group, db.socket_group);
    field(out, "daemon", "timezone", da.timezone, db.timezone);
    field(out, "daemon", "default_interval", da.default_interval, db.default_interval);
    field(out, "daemon", "max_backoff", da.max_backoff, db.max_backoff);
    field(out, "daemon", "jitter", da.jitter, db.jitter);
    field(out, "daemon", "icmp_mode", da.icmp_mode, db.icmp_mode);
    const auto &sa = before.store, &sb = after.store;
    field(out, "store", "path", sa.path, sb.path);
    field(out, "store", "flush_interval", sa.flush_interval, sb.flush_interval);
    field(out, "store", "flush_rows", sa.flush_rows, sb.flush_rows);
    field(out, "store", "queue_limit", sa.queue_limit, sb.queue_limit);
    field(out, "store", "cache_mib", sa.cache_mib, sb.cache_mib);
    field(out, "store", "raw_retention days", sa.raw_retention_days, sb.raw_retention_days);
    field(out, "store", "rollup_5m_retention days", sa.rollup_5m_retention_days, sb.rollup_5m_retention_days);
    field(out, "store", "rollup_1h_retention days", sa.rollup_1h_retention_days, sb.rollup_1h_retention_days);

    compare_list(out, "site", before.sites, after.sites, [](const SiteConfig& s) { return s.id; },
                 [](Lines& o, const SiteConfig& a, const SiteConfig& b) {
                     field(o, "site " + a.id, "name", a.name, b.name);
                     field(o, "site " + a.id, "timezone", a.timezone, b.timezone);
                 });
    compare_list(out, "room", before.rooms, after.rooms, [](const RoomConfig& r) { return r.id; },
                 [](Lines& o, const RoomConfig& a, const RoomConfig& b) {
                     field(o, "room " + a.id, "name", a.name, b.name);
                     field(o, "room " + a.id, "site", a.site, b.site);
                     field(o, "room " + a.id, "kind", a.kind, b.kind);
                 });
    compare_list(out, "device", before.devices, after.devices, [](const DeviceConfig& d) { return d.id; },
                 compare_device);
    compare_list(out, "profile", before.profiles, after.profiles, [](const Profile& p) { return p.name; },
                 [](Lines& o, const Profile& a, const Profile& b) {
                     if (!same(a, b)) o.push_back("profile " + a.name + " changed");
                 });
    compare_list(out, "rule", before.rules, after.rules, [](const RuleConfig& r) { return r.id; },
                 changed_if_different<RuleConfig>("rule"));
    for (const auto& [level, pa] : before.policies) {
        auto it = after.policies.find(level);
        if (it == after.policies.end()) continue;
        const SeverityPolicy& pb = it->second;
        std::string p = fmt::format("severity {}", to_string(level));
        field(out, p, "ack", pa.ack_deadline, pb.ack_deadline);
        field(out, p, "resolve", pa.resolve_deadline, pb.resolve_deadline);
        field(out, p, "emergency", pa.emergency_after, pb.emergency_after);
        field(out, p, "chain", pa.chain, pb.chain);
        field(out, p, "reminder", pa.reminder_interval, pb.reminder_interval);
    }
    compare_list(out, "chain", before.chains, after.chains, [](const EscalationChain& c) { return c.id; },
                 changed_if_different<EscalationChain>("chain"));
    compare_list(out, "person", before.people, after.people, [](const Person& p) { return p.id; },
                 [](Lines& o, const Person& a, const Person& b) {
                     field(o, "person " + a.id, "name", a.name, b.name);
                     field(o, "person " + a.id, "email", a.email, b.email);
                 });
    if (!same(before.roster, after.roster)) out.push_back("roster changed");
    compare_list(out, "maintenance", before.maintenance, after.maintenance,
                 [](const MaintenanceWindow& w) { return w.id; }, changed_if_different<MaintenanceWindow>("maintenance"));
    const auto &aa = before.alarms, &ab = after.alarms;
    field(out, "alarms", "reopen_window", aa.reopen_window, ab.reopen_window);
    field(out, "alarms", "recurring_count", aa.recurring_count, ab.recurring_count);
    field(out, "alarms", "recurring_window", aa.recurring_window, ab.recurring_window);
    field(out, "alarms", "flap.window", aa.flap.window, ab.flap.window);
    field(out, "alarms", "flap.start", aa.flap.start_threshold, ab.flap.start_threshold);
    field(out, "alarms", "flap.stop", aa.flap.stop_threshold, ab.flap.stop_threshold);
    if (!same(before.smtp, after.smtp)) out.push_back("smtp changed");
    if (before.report.recipients != after.report.recipients) out.push_back("report recipients changed");
    if (!same(before.traps, after.traps)) out.push_back("traps changed");
    return out;
}

}  // namespace avmon::config
