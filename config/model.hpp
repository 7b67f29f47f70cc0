#pragma once
// The validated configuration: what config/loader.cpp produces from avmon.toml and the
// profiles, and what every other component reads. Plain data; no TOML types leak out.
// Every element remembers where it came from so later errors can still name file:line.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.hpp"
#include "daemon/core/severity.hpp"

namespace avmon::config {

struct Location {
    std::string file;
    int line = 0;
    int column = 0;
};

enum class DeviceClass { codec, mic, display, switch_ };
std::string_view to_string(DeviceClass c);  // "codec", "mic", "display", "switch"

// ---------- profiles: how a class of device is polled and judged ----------

// One value a profile reads. For SNMP `source` is a numeric OID; for control protocols it is
// the protocol's item name (e.g. PJLink "LAMP", Shure "BATT_CHARGE").
struct MetricDef {
    enum class Kind { gauge, counter, fact, state };  // counter -> rate per second; fact -> inventory text
    std::string name;           // metric name, e.g. "if_in_bps", "lamp_hours"
    std::string source;         // OID or protocol item
    Kind kind = Kind::gauge;
    bool walk = false;          // SNMP: a table column walked with GETBULK; rows named by index_source
    std::string index_source;   // SNMP: column whose value names each row (e.g. ifName); empty: numeric index
    double scale = 1.0;         // value = raw * scale (e.g. counter of octets * 8 -> bits)
    std::string unit;           // "bps", "h", "%", "C", "W"
    std::map<std::string, double> value_map;  // state: text/enum -> number (e.g. "up"->1)
    Location where;
};

enum class RuleKind {
    above,               // value > threshold
    below,               // value < threshold
    equals,              // value == threshold
    not_equals,          // value != threshold
    rate_above,          // change per second > threshold
    unreachable,         // the device does not answer
    trap,                // a mapped trap event arrives (trap_event)
    metric_unavailable,  // a metric cannot be read (noSuchObject, ERR3...)
};

struct RuleConfig {
    std::string id;                   // unique within its scope, e.g. "lamp_hours_high"
    RuleKind kind = RuleKind::above;
    std::string metric;               // metric name; "name.*" matches every row of a walked metric
    double threshold = 0;
    std::optional<double> clear_threshold;  // hysteresis: clears only past this value
    std::string trap_event;           // kind == trap: mapped event name; clear_event clears it
    std::string clear_event;
    Severity severity = Severity::III;
    std::map<std::string, Severity> severity_by_room_kind;  // e.g. boardroom -> I, huddle -> II
    std::chrono::seconds for_duration{0};  // the condition must hold this long before raising
    int for_polls = 1;                     // ... and for at least this many consecutive polls
    std::chrono::seconds clear_for{0};     // the clear condition must hold this long
    std::string text;                 // "{device}: lamp hours {value} above {threshold}"
    bool marks_down = false;          // a raised alarm of this rule means "device down" for children
    Location where;
};

struct Profile {
    std::string name;                 // e.g. "poe-switch", "pjlink-projector"
    DeviceClass device_class = DeviceClass::display;
    std::string protocol;             // "snmp", "pjlink", "mdc", "nec", "shure", "icmp"
    std::vector<MetricDef> metrics;
    std::vector<RuleConfig> rules;    // defaults; devices may override by rule id
    Location where;
};

// ---------- how to reach a device ----------

struct SnmpV3Credentials {
    std::string user;
    enum class Level { no_auth_no_priv, auth_no_priv, auth_priv } level = Level::auth_priv;
    std::string auth_protocol = "SHA";  // SHA, SHA-224, SHA-256, SHA-384, SHA-512, MD5
    std::string auth_key;               // secret
    std::string priv_protocol = "AES";  // AES, AES-192, AES-256, DES
    std::string priv_key;               // secret
    std::string context;
    std::string engine_id;              // hex; optional, skips discovery when given
};

// An optional section kept on the heap. It reads like std::optional (test it, *, ->, reset,
// emplace, assign a T or std::nullopt) but an absent one costs 8 bytes: most devices of a
// fleet have no [device.control], and std::optional<ControlTarget> is 208 bytes in every
// DeviceConfig (2 MB at 10,000 devices). Copies are deep.
template <typename T>
class Boxed {
public:
    Boxed() = default;
    Boxed(std::nullopt_t) {}
    Boxed(T value) : p_(std::make_unique<T>(std::move(value))) {}
    Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    Boxed(Boxed&&) noexcept = default;
    Boxed& operator=(const Boxed& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    Boxed& operator=(Boxed&&) noexcept = default;
    Boxed& operator=(std::nullopt_t) {
        p_.reset();
        return *this;
    }
    Boxed& operator=(T value) {
        if (p_) *p_ = std::move(value);
        else p_ = std::make_unique<T>(std::move(value));
        return *this;
    }

    bool has_value() const { return p_ != nullptr; }
    explicit operator bool() const { return p_ != nullptr; }
    T& operator*() { return *p_; }
    const T& operator*() const { return *p_; }
    T* operator->() { return p_.get(); }
    const T* operator->() const { return p_.get(); }
    T& value() {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    const T& value() const {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    void reset() { p_.reset(); }
    template <typename... Args>
    T& emplace(Args&&... args) {
        p_ = std::make_unique<T>(std::forward<Args>(args)...);
        return *p_;
    }

private:
    std::unique_ptr<T> p_;
};

struct SnmpTarget {
    enum class Version { v1, v2c, v3 } version = Version::v2c;
    std::uint16_t port = 161;
    std::string community;              // secret (v1/v2c)
    // [device.snmp.v3], on the heap: absent for v1/v2c devices, and 264 bytes in every device's
    // config and every SNMP session (5 MB at 10,000 devices).
    Boxed<SnmpV3Credentials> v3;
    std::chrono::milliseconds timeout{1000};
    int retries = 1;
    int max_repetitions = 20;

    // The v3 credentials, defaults when there is no [device.snmp.v3]. (Inline: the SNMP
    // probes use the model without linking the config library.)
    const SnmpV3Credentials& credentials() const {
        static const SnmpV3Credentials defaults;
        return v3 ? *v3 : defaults;
    }
};

struct SerialLink {
    std::string path;                   // /dev/serial/by-id/... preferred
    unsigned baud = 9600;
    char parity = 'N';                  // N, E, O
    int data_bits = 8;
    int stop_bits = 1;
    std::string flow_control = "none";  // none, hardware, software
};

struct ControlTarget {
    std::string protocol;               // "pjlink", "mdc", "nec", "shure"
    std::optional<SerialLink> serial;   // exactly one of serial / tcp_port
    std::optional<std::uint16_t> tcp_port;  // defaults per protocol: 4352, 1515, 7142, 2202
    std::string password;               // secret (PJLink)
    int display_id = 0;                 // MDC display id / NEC monitor id
    std::vector<int> channels;          // Shure receiver channels to poll
    std::chrono::milliseconds timeout{2000};
};

struct DeviceConfig {
    std::string id;                     // unique, stable: used in the store and in alarms
    std::string name;                   // human name
    std::string room;                   // room id
    DeviceClass device_class = DeviceClass::display;
    std::string address;                // IP or DNS name; empty for serial-only devices
    std::string model;                  // optional, for the inventory
    std::string parent;                 // device id it hangs from (switch), optional
    std::string parent_port;            // port on the parent (ifName or index), optional
    bool icmp = true;                   // ping it
    std::optional<SnmpTarget> snmp;
    Boxed<ControlTarget> control;       // on the heap: absent for most devices
    std::string profile;                // profile name; default by class and protocol
    std::chrono::seconds interval{60};
    std::vector<RuleConfig> rules;      // overrides (same id) and additions to the profile's rules
    std::vector<std::string> disabled_rules;
    Location where;
};

struct SiteConfig {
    std::string id;
    std::string name;
    std::string timezone = "UTC";       // IANA name, used by roster, maintenance and reports
    Location where;
};

struct RoomConfig {
    std::string id;
    std::string name;                   // "Boardroom 3F"
    std::string site;                   // site id
    std::string kind;                   // "boardroom", "huddle", ... for severity_by_room_kind
    Location where;
};

// ---------- people, roster, escalation ----------

struct Person {
    std::string id;
    std::string name;
    std::string email;
    Location where;
};

struct Shift {
    std::vector<int> weekdays;          // 1 = Monday ... 7 = Sunday (ISO)
    int start_minute = 0;               // minutes after local midnight
    int end_minute = 24 * 60;           // may be < start: the shift runs past midnight
    std::string person;
    Location where;
};

struct RosterOverride {
    std::string date;                   // YYYY-MM-DD local date
    int start_minute = 0;
    int end_minute = 24 * 60;
    std::string person;
    Location where;
};

struct Roster {
    std::string timezone;               // empty: the daemon's timezone
    std::vector<Shift> shifts;
    std::vector<RosterOverride> overrides;
    std::string fallback;               // person on duty when no shift covers the moment
};

// One step of a chain. Entries: a person id, "on-duty" (whoever the roster names now), or an address.
struct EscalationLevel {
    std::string name;                   // "on-duty engineer", "supervisor", "manager"
    std::vector<std::string> notify;
};

struct EscalationChain {
    std::string id;
    std::vector<EscalationLevel> levels;
    Location where;
};

// Deadlines per severity (REQUIREMENTS.md §3); defaults: I 30 min / 12 h / 16 h, II 24 h, III 48 h, IV 5 d.
struct SeverityPolicy {
    std::optional<std::chrono::seconds> ack_deadline;
    std::chrono::seconds resolve_deadline{24 * 3600};
    std::optional<std::chrono::seconds> emergency_after;  // I: the emergency step at 16 h
    std::string chain = "default";
    std::chrono::seconds reminder_interval{0};            // 0: no repeat reminders
};

// ---------- maintenance ----------

struct MaintenanceWindow {
    std::string id;
    enum class Scope { device, room, site } scope = Scope::device;
    std::string target;                 // device, room or site id
    SysTime start{};                    // one-off: absolute start (UTC)
    std::chrono::seconds duration{0};
    // recurring weekly: on these ISO weekdays at start_minute local time, for duration
    std::vector<int> weekdays;
    int start_minute = -1;              // -1: one-off
    std::string reason;
    Location where;
};

// ---------- the rest ----------

struct FlapSettings {
    int window = 21;                    // evaluations remembered
    double start_threshold = 0.5;       // weighted share of changes that starts flapping
    double stop_threshold = 0.3;        // ... and that stops it
};

struct AlarmSettings {
    std::chrono::seconds reopen_window{3600};  // re-raise within this re-opens the alarm
    int recurring_count = 3;                   // same rule+device N times ...
    std::chrono::seconds recurring_window{30 * 86400};  // ... within M days = recurring problem
    FlapSettings flap;
};

struct SmtpConfig {
    bool enabled = false;
    std::string url;                    // smtp://host:587 or smtps://host:465
    std::string from;
    std::string username;
    std::string password;               // secret
    bool starttls = true;               // required unless the url is smtps://
    std::string ca_file;
    std::string ehlo_name = "avmond";
    std::chrono::seconds timeout{30};
    std::chrono::seconds group_window{30};
    std::chrono::seconds retry_initial{30};
    std::chrono::seconds retry_max{1800};
    std::chrono::seconds undelivered_alarm_after{1800};
    std::string fallback_url;
    std::vector<std::string> fallback_recipients;
};

// The monthly report (`avmonctl report --mail`, run by avmon-report.timer).
struct ReportSettings {
    std::vector<std::string> recipients;  // who gets it; empty: smtp.fallback_recipients
    Location where;
};

struct TrapMapping {
    std::string oid;                    // numeric snmpTrapOID (prefix match allowed with ".*")
    std::string event;                  // event name rules can use: "link_down", "lamp_failure"
    std::string clear_event;            // optional name of the event that clears it
    Location where;
};

struct TrapConfig {
    bool enabled = false;
    std::string listen = "udp:0.0.0.0:162";
    std::vector<std::string> communities;          // secrets
    std::vector<SnmpV3Credentials> users;          // v3 trap/inform users (engine_id for traps)
    std::vector<TrapMapping> mappings;             // in addition to the built-in MIB-II ones
};

struct StoreConfig {
    std::string path = "/var/lib/avmon/avmon.db";
    std::chrono::milliseconds flush_interval{1000};
    std::size_t flush_rows = 5000;
    std::size_t queue_limit = 200000;   // samples; beyond it the oldest unflushed samples are dropped and counted
    int cache_mib = 2;                  // the writer connection's SQLite page cache
    int raw_retention_days = 14;
    int rollup_5m_retention_days = 90;
    int rollup_1h_retention_days = 730;
};

struct DaemonSettings {
    std::string runtime_dir = "/run/avmon";
    std::string control_socket;         // default runtime_dir + "/avmond.sock"
    std::string socket_group;           // group allowed to use avmonctl
    std::string timezone = "UTC";
    std::chrono::seconds default_interval{60};
    std::chrono::seconds max_backoff{600};  // unreachable devices are polled at most this rarely
    double jitter = 0.1;                // +-10 % per device, so polls spread over the interval
    std::string icmp_mode = "auto";     // auto, dgram, raw, off
};

struct Config {
    std::string source_file;
    DaemonSettings daemon;
    StoreConfig store;
    std::vector<SiteConfig> sites;
    std::vector<RoomConfig> rooms;
    std::vector<DeviceConfig> devices;
    std::vector<Profile> profiles;
    std::vector<RuleConfig> rules;      // global rules, applied to every device with the metric
    std::map<Severity, SeverityPolicy> policies;
    std::vector<EscalationChain> chains;
    std::vector<Person> people;
    Roster roster;
    std::vector<MaintenanceWindow> maintenance;
    AlarmSettings alarms;
    SmtpConfig smtp;
    ReportSettings report;
    TrapConfig traps;

    const DeviceConfig* find_device(std::string_view id) const;
    const RoomConfig* find_room(std::string_view id) const;
    const SiteConfig* find_site(std::string_view id) const;
    const Profile* find_profile(std::string_view name) const;
    const Person* find_person(std::string_view id) const;
    const EscalationChain* find_chain(std::string_view id) const;
    // The profile a device uses (its own, or the default for its class and protocol); may be null.
    const Profile* profile_for(const DeviceConfig& d) const;
    // The device's effective rules: profile defaults, overridden/extended by its own, minus disabled.
    std::vector<RuleConfig> rules_for(const DeviceConfig& d) const;
};

// The device id under which avmond raises alarms about itself (its store cannot be written...);
// reserved: a configured device may not use it.
inline constexpr std::string_view kSelfDeviceId = "avmond";

}  // namespace avmon::config
