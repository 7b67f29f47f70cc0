#include "config/schema.hpp"

#include <algorithm>

namespace avmon::config {

bool TableSpec::allows(std::string_view key) const { return find(key) != nullptr; }

const KeySpec* TableSpec::find(std::string_view key) const {
    auto it = std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == key; });
    return it == keys.end() ? nullptr : &*it;
}

std::string TableSpec::allowed_list() const {
    std::string out;
    for (const auto& k : keys) {
        if (!out.empty()) out += ", ";
        out += k.name;
    }
    return out;
}

namespace schema {

// Function-local statics: safe to use from any static initialiser, built once.
const TableSpec& daemon() {
    static const TableSpec s{{{"runtime_dir"}, {"control_socket"}, {"socket_group"}, {"timezone"},
                              {"default_interval"}, {"max_backoff"}, {"jitter"}, {"icmp_mode"},
                              {"profile_dirs"}}};
    return s;
}
const TableSpec& store() {
    static const TableSpec s{{{"path"}, {"flush_interval"}, {"flush_rows"}, {"queue_limit"}, {"cache_mib"},
                              {"raw_retention"}, {"rollup_5m_retention"}, {"rollup_1h_retention"}}};
    return s;
}
const TableSpec& site() {
    static const TableSpec s{{{"id"}, {"name"}, {"timezone"}}};
    return s;
}
const TableSpec& room() {
    static const TableSpec s{{{"id"}, {"name"}, {"site"}, {"kind"}}};
    return s;
}
const TableSpec& snmp_v3() {
    static const TableSpec s{{{"user"}, {"level"}, {"auth_protocol"}, {"auth_key"}, {"priv_protocol"},
                              {"priv_key"}, {"context"}, {"engine_id"}}};
    return s;
}
const TableSpec& snmp() {
    static const TableSpec s{{{"version"}, {"port"}, {"community"}, {"timeout"}, {"retries"},
                              {"max_repetitions"}, {"v3", &snmp_v3()}}};
    return s;
}
const TableSpec& serial() {
    static const TableSpec s{{{"path"}, {"baud"}, {"parity"}, {"data_bits"}, {"stop_bits"}, {"flow_control"}}};
    return s;
}
const TableSpec& control() {
    static const TableSpec s{{{"protocol"}, {"port"}, {"serial", &serial()}, {"password"}, {"display_id"},
                              {"channels"}, {"timeout"}}};
    return s;
}
const TableSpec& rule() {
    static const TableSpec s{{{"id"}, {"kind"}, {"metric"}, {"threshold"}, {"clear"}, {"severity"},
                              {"severity_by_room_kind"}, {"for"}, {"for_polls"}, {"clear_for"}, {"text"},
                              {"marks_down"}, {"trap_event"}, {"clear_event"}}};
    return s;
}
const TableSpec& device() {
    static const TableSpec s{{{"id"}, {"name"}, {"room"}, {"class"}, {"address"}, {"model"}, {"parent"},
                              {"parent_port"}, {"icmp"}, {"profile"}, {"interval"}, {"disabled_rules"},
                              {"snmp", &snmp()}, {"control", &control()}, {"rule", &rule()}}};
    return s;
}
const TableSpec& metric() {
    static const TableSpec s{{{"name"}, {"source"}, {"kind"}, {"walk"}, {"index"}, {"scale"}, {"unit"},
                              {"values"}}};
    return s;
}
const TableSpec& inline_profile() {
    static const TableSpec s{{{"name"}, {"class"}, {"protocol"}, {"metric", &metric()}, {"rule", &rule()}}};
    return s;
}
const TableSpec& profile_header() {
    static const TableSpec s{{{"name"}, {"class"}, {"protocol"}}};
    return s;
}
const TableSpec& profile_file() {
    static const TableSpec s{{{"profile", &profile_header()}, {"metric", &metric()}, {"rule", &rule()}}};
    return s;
}
const TableSpec& severity_level() {
    static const TableSpec s{{{"ack"}, {"resolve"}, {"emergency"}, {"chain"}, {"reminder"}}};
    return s;
}
const TableSpec& severity() {
    static const TableSpec s{{{"I", &severity_level(), "<level>"},
                              {"II", &severity_level(), "<level>"},
                              {"III", &severity_level(), "<level>"},
                              {"IV", &severity_level(), "<level>"}}};
    return s;
}
const TableSpec& chain_level() {
    static const TableSpec s{{{"name"}, {"notify"}}};
    return s;
}
const TableSpec& chain() {
    static const TableSpec s{{{"id"}, {"level", &chain_level()}}};
    return s;
}
const TableSpec& person() {
    static const TableSpec s{{{"id"}, {"name"}, {"email"}}};
    return s;
}
const TableSpec& shift() {
    static const TableSpec s{{{"days"}, {"start"}, {"end"}, {"person"}}};
    return s;
}
const TableSpec& roster_override() {
    static const TableSpec s{{{"date"}, {"start"}, {"end"}, {"person"}}};
    return s;
}
const TableSpec& roster() {
    static const TableSpec s{{{"timezone"}, {"fallback"}, {"shift", &shift()}, {"override", &roster_override()}}};
    return s;
}
const TableSpec& maintenance() {
    static const TableSpec s{{{"id"}, {"scope"}, {"target"}, {"start"}, {"end"}, {"duration"}, {"days"},
                              {"at"}, {"reason"}}};
    return s;
}
const TableSpec& flap() {
    static const TableSpec s{{{"window"}, {"start"}, {"stop"}}};
    return s;
}
const TableSpec& alarms() {
    static const TableSpec s{{{"reopen_window"}, {"recurring_count"}, {"recurring_window"}, {"flap", &flap()}}};
    return s;
}
const TableSpec& smtp() {
    static const TableSpec s{{{"enabled"}, {"url"}, {"from"}, {"username"}, {"password"}, {"starttls"},
                              {"ca_file"}, {"ehlo_name"}, {"timeout"}, {"group_window"}, {"retry_initial"},
                              {"retry_max"}, {"undelivered_alarm_after"}, {"fallback_url"},
                              {"fallback_recipients"}}};
    return s;
}
const TableSpec& report() {
    static const TableSpec s{{{"recipients"}}};
    return s;
}
const TableSpec& trap_user() {
    static const TableSpec s{{{"user"}, {"level"}, {"auth_protocol"}, {"auth_key"}, {"priv_protocol"},
                              {"priv_key"}, {"engine_id"}}};
    return s;
}
const TableSpec& trap_map() {
    static const TableSpec s{{{"oid"}, {"event"}, {"clear_event"}}};
    return s;
}
const TableSpec& traps() {
    static const TableSpec s{{{"enabled"}, {"listen"}, {"communities"}, {"user", &trap_user()},
                              {"map", &trap_map()}}};
    return s;
}
const TableSpec& config_root() {
    static const TableSpec s{{{"daemon", &daemon()},
                              {"store", &store()},
                              {"site", &site()},
                              {"room", &room()},
                              {"device", &device()},
                              {"profile", &inline_profile()},
                              {"rule", &rule()},
                              {"severity", &severity()},
                              {"chain", &chain()},
                              {"person", &person()},
                              {"roster", &roster()},
                              {"maintenance", &maintenance()},
                              {"alarms", &alarms()},
                              {"smtp", &smtp()},
                              {"report", &report()},
                              {"traps", &traps()}}};
    return s;
}

}  // namespace schema
}  // namespace avmon::config
