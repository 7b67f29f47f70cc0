#pragma once
// What probes produce and nothing else: samples, metric states, inventory facts, traps.
// Probes know nothing of SQLite, e-mail or alarms; the daemon routes these onward.
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.hpp"

namespace avmon {

// One numeric health value. Counters arrive already converted to rates by the probe.
struct Sample {
    std::string device;  // device id from the config
    std::string metric;  // e.g. "lamp_hours", "if_in_bps.Gi1/0/12", "battery_pct.ch1"
    SysTime time;
    double value = 0;
};

// A metric that could not be read this poll: it is a state, not a crash and not a zero.
enum class MetricStatus { ok, no_such_object, no_such_instance, end_of_view, error, unknown_value };

struct MetricState {
    std::string metric;
    MetricStatus status = MetricStatus::ok;
    std::string detail;  // e.g. "noSuchObject", "ERR3 (unavailable)", "Shure reports 255 (unknown)"
};

// Text facts for the inventory snapshot (model, firmware, serial, input name...).
struct Fact {
    std::string key;
    std::string value;
};

// The outcome of one poll of one device by one probe.
struct PollResult {
    bool reachable = false;
    std::string error;  // why not reachable / what went wrong, human readable, no secrets
    SysTime time;
    std::vector<Sample> samples;
    std::vector<MetricState> unavailable;
    std::vector<Fact> facts;
};

// An SNMP trap/inform (or another unsolicited event) after mapping by the config.
struct TrapEvent {
    SysTime time;
    std::string source_address;      // sender IP
    std::optional<std::string> device;  // device id when the sender is known
    std::string trap_oid;            // numeric snmpTrapOID
    std::string event;               // mapped event name ("link_down", "cold_start", ...) or "unknown"
    std::string detail;              // varbinds rendered as text, for the record
    std::vector<Fact> varbinds;      // numeric OID -> rendered value
};

}  // namespace avmon
