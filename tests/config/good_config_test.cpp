// Valid configs: the values arrive in the model exactly, and defaults fill the gaps.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"

using namespace avmon::config;
using namespace avmon::config::test;
using namespace std::chrono_literals;

TEST_CASE("config minimal config gets every default", "[config][good]") {
    LoadResult r = load_text("[[device]]\nid = \"d1\"\nclass = \"codec\"\naddress = \"127.0.0.1\"\n");
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Config& c = *r.config;
    CHECK(c.source_file == "test.toml");
    CHECK(c.daemon.runtime_dir == "/run/avmon");
    CHECK(c.daemon.control_socket == "/run/avmon/avmond.sock");
    CHECK(c.daemon.default_interval == 60s);
    CHECK(c.daemon.max_backoff == 600s);
    CHECK(c.daemon.jitter == Approx(0.1));
    CHECK(c.daemon.icmp_mode == "auto");
    CHECK(c.store.path == "/var/lib/avmon/avmon.db");
    CHECK(c.store.raw_retention_days == 14);

    // The service-level table of REQUIREMENTS.md §3.
    REQUIRE(c.policies.size() == 4);
    CHECK(c.policies.at(avmon::Severity::I).ack_deadline == std::optional<std::chrono::seconds>(30min));
    CHECK(c.policies.at(avmon::Severity::I).resolve_deadline == 12h);
    CHECK(c.policies.at(avmon::Severity::I).emergency_after == std::optional<std::chrono::seconds>(16h));
    CHECK_FALSE(c.policies.at(avmon::Severity::II).ack_deadline);
    CHECK(c.policies.at(avmon::Severity::II).resolve_deadline == 24h);
    CHECK(c.policies.at(avmon::Severity::III).resolve_deadline == 48h);
    CHECK(c.policies.at(avmon::Severity::IV).resolve_deadline == std::chrono::hours(5 * 24));
    for (const auto& [level, p] : c.policies) CHECK(p.chain == "default");

    // No chain configured: one "default" chain that tells whoever is on duty.
    REQUIRE(c.chains.size() == 1);
    CHECK(c.chains[0].id == "default");
    REQUIRE(c.chains[0].levels.size() == 1);
    CHECK(c.chains[0].levels[0].notify == std::vector<std::string>{"on-duty"});

    const DeviceConfig& d = c.devices[0];
    CHECK(d.name == "d1");
    CHECK(d.icmp);
    CHECK(d.interval == 60s);
    CHECK(d.device_class == DeviceClass::codec);
    CHECK_FALSE(d.snmp);
    CHECK(d.where.line == 1);
}

TEST_CASE("config every value is parsed into the model", "[config][good]") {
    LoadResult r = load_text(R"([daemon]
default_interval = "45s"
jitter = 0
timezone = "UTC"
icmp_mode = "dgram"
runtime_dir = "/tmp/avmon-rt"

[store]
flush_interval = "250ms"
flush_rows = 100
raw_retention = "7d"

[[site]]
id = "hq"
timezone = "Europe/Berlin"

[[room]]
id = "board"
site = "hq"
kind = "boardroom"

[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
room = "board"
[device.snmp]
version = "3"
port = 1161
timeout = "1500ms"
retries = 0
max_repetitions = 50
[device.snmp.v3]
user = "avmon"
level = "authNoPriv"
auth_protocol = "SHA-256"
auth_key = "authpass-123"
engine_id = "0x8000000001020304"

[[device]]
id = "panel"
class = "display"
icmp = false
room = "board"
parent = "sw"
parent_port = "Gi1/0/3"
interval = "1h30m"
[device.control]
protocol = "nec"
display_id = 7
timeout = "750ms"
serial = { path = "/dev/ttyUSB0", baud = 19200, parity = "E", data_bits = 7, stop_bits = 2, flow_control = "hardware" }

[[device]]
id = "mic"
class = "mic"
address = "127.0.0.1"
[device.control]
protocol = "shure"
channels = [1, 3]

[severity.I]
ack = "20m"
reminder = "10m"

[[person]]
id = "lin"
email = "lin@example.com"

[[chain]]
id = "default"
[[chain.level]]
notify = ["on-duty", "lin", "hotline@example.com"]

[roster]
timezone = "Asia/Shanghai"
fallback = "lin"
[[roster.shift]]
days = ["Sun", "Mon"]
start = "20:00"
end = "08:00"
person = "lin"
[[roster.override]]
date = "2026-10-01"
person = "lin"

[[maintenance]]
id = "once"
scope = "device"
target = "sw"
start = "2026-12-01T22:00Z"
end = "2026-12-02T00:30Z"
[[maintenance]]
id = "weekly"
scope = "room"
target = "board"
days = ["Sun"]
at = "02:00"
duration = "1h"
[[maintenance]]
id = "native"
scope = "site"
target = "hq"
start = 2026-12-01T23:00:00+01:00
duration = "2h"

[alarms]
reopen_window = "30m"
recurring_count = 5
[alarms.flap]
window = 11
start = 0.6
stop = 0.2

[traps]
enabled = true
listen = "udp:127.0.0.1:10162"
communities = ["trapcomm"]
[[traps.map]]
oid = "1.3.6.1.4.1.99999.0.*"
event = "vendor_event"
)");
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Config& c = *r.config;
    CHECK(c.daemon.default_interval == 45s);
    CHECK(c.daemon.jitter == 0);
    CHECK(c.daemon.icmp_mode == "dgram");
    CHECK(c.daemon.control_socket == "/tmp/avmon-rt/avmond.sock");
    CHECK(c.store.flush_interval == 250ms);
    CHECK(c.store.flush_rows == 100u);
    CHECK(c.store.raw_retention_days == 7);
    CHECK(c.sites[0].timezone == "Europe/Berlin");

    const DeviceConfig& sw = *c.find_device("sw");
    REQUIRE(sw.snmp);
    CHECK(sw.interval == 45s);  // daemon default_interval
    CHECK(sw.snmp->port == 1161);
    CHECK(sw.snmp->timeout == 1500ms);
    CHECK(sw.snmp->retries == 0);
    CHECK(sw.snmp->max_repetitions == 50);
    CHECK(sw.snmp->v3->level == SnmpV3Credentials::Level::auth_no_priv);
    CHECK(sw.snmp->v3->auth_protocol == "SHA-256");
    CHECK(sw.snmp->v3->auth_key == "authpass-123");
    CHECK(sw.snmp->v3->engine_id == "0x8000000001020304");

    const DeviceConfig& panel = *c.find_device("panel");
    CHECK(panel.interval == 90min);
    CHECK(panel.parent == "sw");
    CHECK(panel.parent_port == "Gi1/0/3");
    REQUIRE(panel.control);
    CHECK(panel.control->display_id == 7);
    CHECK(panel.control->timeout == 750ms);
    CHECK_FALSE(panel.control->tcp_port);
    REQUIRE(panel.control->serial);
    CHECK(panel.control->serial->baud == 19200u);
    CHECK(panel.control->serial->parity == 'E');
    CHECK(panel.control->serial->data_bits == 7);
    CHECK(panel.control->serial->stop_bits == 2);
    CHECK(panel.control->serial->flow_control == "hardware");

    const DeviceConfig& mic = *c.find_device("mic");
    CHECK(mic.control->tcp_port == 2202);  // the Shure default
    CHECK(mic.control->channels == std::vector<int>{1, 3});

    // Only the keys given override the level's defaults.
    const SeverityPolicy& one = c.policies.at(avmon::Severity::I);
    CHECK(one.ack_deadline == std::optional<std::chrono::seconds>(20min));
    CHECK(one.resolve_deadline == 12h);
    CHECK(one.reminder_interval == 10min);

    REQUIRE(c.roster.shifts.size() == 1);
    CHECK(c.roster.shifts[0].weekdays == std::vector<int>{1, 7});
    CHECK(c.roster.shifts[0].start_minute == 20 * 60);
    CHECK(c.roster.shifts[0].end_minute == 8 * 60);
    CHECK(c.roster.overrides[0].date == "2026-10-01");
    CHECK(c.roster.overrides[0].start_minute == 0);
    CHECK(c.roster.overrides[0].end_minute == 24 * 60);
    CHECK(c.roster.timezone == "Asia/Shanghai");

    REQUIRE(c.maintenance.size() == 3);
    CHECK(avmon::format_utc(c.maintenance[0].start) == "2026-12-01T22:00:00Z");
    CHECK(c.maintenance[0].duration == 150min);
    CHECK(c.maintenance[0].start_minute == -1);
    CHECK(c.maintenance[1].weekdays == std::vector<int>{7});
    CHECK(c.maintenance[1].start_minute == 120);
    CHECK(c.maintenance[1].duration == 1h);
    CHECK(c.maintenance[1].scope == MaintenanceWindow::Scope::room);
    CHECK(avmon::format_utc(c.maintenance[2].start) == "2026-12-01T22:00:00Z");  // +01:00 -> UTC

    CHECK(c.alarms.reopen_window == 30min);
    CHECK(c.alarms.recurring_count == 5);
    CHECK(c.alarms.flap.window == 11);
    CHECK(c.alarms.flap.start_threshold == Approx(0.6));
    CHECK(c.alarms.flap.stop_threshold == Approx(0.2));
    CHECK(c.traps.enabled);
    CHECK(c.traps.listen == "udp:127.0.0.1:10162");
    CHECK(c.traps.communities == std::vector<std::string>{"trapcomm"});
    CHECK(c.traps.mappings[0].oid == "1.3.6.1.4.1.99999.0.*");
    // The only warnings: these devices have no profile in this hermetic load.
    for (const auto& w : r.warnings) CHECK(w.message.find("no profile for") != std::string::npos);
}

TEST_CASE("config device rules merge over their profile's rule of the same id", "[config][good]") {
    LoadResult r = load_text(R"([[device]]
id = "proj"
class = "display"
address = "127.0.0.1"
disabled_rules = ["unreachable"]
[device.control]
protocol = "pjlink"
[[device.rule]]
id = "projector_lamp_hours_high"
threshold = 2500
clear = 2400
severity = "II"
[[device.rule]]
id = "lamp_dead"
kind = "trap"
trap_event = "lamp_failure"
severity = "I"

[[rule]]
id = "slow_ping"
kind = "above"
metric = "rtt_ms"
threshold = 200
)",
                             hermetic({fixture("profiles")}));
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Config& c = *r.config;
    const DeviceConfig& d = c.devices[0];
    REQUIRE(c.profile_for(d));
    CHECK(c.profile_for(d)->name == "pjlink-projector");
    auto rules = c.rules_for(d);
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].id == "projector_lamp_hours_high");
    CHECK(rules[0].threshold == 2500);          // overridden
    CHECK(rules[0].severity == avmon::Severity::II);
    CHECK(rules[0].metric == "lamp_hours");     // inherited from the profile
    CHECK(rules[0].clear_threshold == 2400);
    CHECK(rules[0].text == "{device}: lamp hours {value} above {threshold}");  // inherited
    CHECK(rules[0].kind == RuleKind::above);    // inherited
    CHECK(rules[0].where.line == 8);            // where the override is
    CHECK(rules[1].id == "lamp_dead");
    CHECK(rules[1].kind == RuleKind::trap);
    CHECK(rules[2].id == "slow_ping");
}

TEST_CASE("config inline profiles win over directory profiles of the same name", "[config][good]") {
    LoadResult r = load_text(R"([[profile]]
name = "pjlink-projector"
class = "display"
protocol = "pjlink"
[[profile.metric]]
name = "lamp_hours"
source = "LAMP"
[[profile.rule]]
id = "projector_lamp_hours_high"
kind = "above"
metric = "lamp_hours"
threshold = 100

[[device]]
id = "proj"
class = "display"
address = "127.0.0.1"
profile = "pjlink-projector"
[device.control]
protocol = "pjlink"
)",
                             hermetic({fixture("profiles")}));
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const Profile* p = r.config->find_profile("pjlink-projector");
    REQUIRE(p);
    CHECK(p->where.file == "test.toml");
    REQUIRE(p->rules.size() == 1);
    CHECK(p->rules[0].threshold == 100);
    CHECK(r.config->find_profile("poe-switch"));  // the others still load
    int copies = 0;
    for (const auto& q : r.config->profiles) copies += q.name == "pjlink-projector";
    CHECK(copies == 1);
}

TEST_CASE("config profile_dirs resolve against the config file's directory", "[config][good]") {
    auto dir = std::filesystem::temp_directory_path() / ("avmon-config-dirs-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "profiles");
    std::filesystem::copy_file(fixture("profiles/poe-switch.toml"), dir / "profiles/poe-switch.toml");
    {
        std::ofstream out(dir / "avmon.toml");
        out << "[daemon]\nprofile_dirs = [\"profiles\"]\n"
               "[store]\npath = \"data/avmon.db\"\n"
               "[[device]]\nid = \"sw\"\nclass = \"switch\"\naddress = \"127.0.0.1\"\n"
               "[device.snmp]\ncommunity = \"file:community.txt\"\n";
    }
    {
        std::ofstream out(dir / "community.txt");
        out << "s3cret-community\n";
    }
    std::filesystem::permissions(dir / "community.txt", std::filesystem::perms::owner_read);
    LoadOptions o;
    o.getenv = [](const char*) -> const char* { return nullptr; };
    LoadResult r = load_config_file((dir / "avmon.toml").string(), o);
    INFO(dump(r.errors) << dump(r.warnings));
    REQUIRE(r.ok());
    CHECK(r.config->store.path == (dir / "data/avmon.db").string());
    REQUIRE(r.config->profile_for(r.config->devices[0]));
    CHECK(r.config->profile_for(r.config->devices[0])->name == "poe-switch");
    CHECK(r.config->devices[0].snmp->community == "s3cret-community");
    std::filesystem::remove_all(dir);
}

TEST_CASE("config a device override that breaks the inherited rule is reported at the override", "[config][good]") {
    LoadResult r = load_text(R"([[device]]
id = "proj"
class = "display"
address = "127.0.0.1"
[device.control]
protocol = "pjlink"
[[device.rule]]
id = "projector_lamp_hours_high"
threshold = 2500
)",
                             hermetic({fixture("profiles")}));
    // The profile's clear = 2900 is now above the new threshold.
    CHECK(find_diag(r.errors, 7, "device[0].rule[0].clear: clear (2900) must not be above threshold (2500)"));
}
