// Every kind of mistake an administrator makes must be reported at its file:line with the
// dotted key and a message that says what to do — and never crash the loader.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string_view>

#include "helpers.hpp"

using namespace avmon::config;
using namespace avmon::config::test;

namespace {

struct BadCase {
    const char* name;
    const char* toml;  // starts with a newline so line 1 is the line after R"(
    int line;
    const char* fragment;  // must appear in "file:line:col: key: message"
};

// A device that is otherwise valid, for cases about something else.
#define OK_DEVICE "[[device]]\nid = \"d1\"\nclass = \"display\"\naddress = \"127.0.0.1\"\n"

const BadCase kCases[] = {
    {"unknown key names the allowed ones", R"(
[daemon]
default_intervall = "30s"
)", 2, "daemon.default_intervall: unknown key 'default_intervall'; allowed here: runtime_dir, control_socket"},
    {"unknown top-level table", R"(
[daemons]
x = 1
)", 1, "unknown key 'daemons'"},
    {"wrong type", R"(
[daemon]
jitter = "lots"
)", 2, "daemon.jitter: expected a number, found a string"},
    {"jitter out of range", R"(
[daemon]
jitter = 0.7
)", 2, "daemon.jitter: 0.7 is out of range 0..0.5"},
    {"duration without unit", R"(
[daemon]
default_interval = "60"
)", 2, "daemon.default_interval: malformed duration \"60\""},
    {"duration given as a number", R"(
[daemon]
max_backoff = 600
)", 2, "expected a duration string"},
    {"interval above one day", R"(
[[device]]
id = "d1"
class = "display"
address = "127.0.0.1"
interval = "2d"
)", 5, "device[0].interval: 2d is out of range 1s..1d"},
    {"snmp port out of range", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
community = "public"
port = 70000
)", 7, "device[0].snmp.port: 70000 is out of range 1..65535"},
    {"snmp timeout malformed, dotted path with index", R"(
[[device]]
id = "a"
class = "display"
address = "127.0.0.1"
[[device]]
id = "b"
class = "display"
address = "127.0.0.1"
[[device]]
id = "c"
class = "display"
address = "127.0.0.1"
[[device]]
id = "d"
class = "switch"
address = "127.0.0.1"
[device.snmp]
community = "public"
timeout = "1 s"
)", 19, "device[3].snmp.timeout: malformed duration"},
    {"snmp retries out of range", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
community = "public"
retries = 11
)", 7, "device[0].snmp.retries: 11 is out of range 0..10"},
    {"snmp version written as a number", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = 2
community = "public"
)", 6, "write the version as a string"},
    {"snmp v1 without community", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "1"
)", 5, "device[0].snmp.community: missing required key"},
    {"snmp v3 without credentials", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
)", 5, "device[0].snmp.v3: missing required table"},
    {"snmp v3 authPriv without priv_key", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
[device.snmp.v3]
user = "avmon"
auth_key = "authpass123"
)", 7, "device[0].snmp.v3.priv_key: missing required key (level authPriv needs priv_key)"},
    {"snmp v3 without user", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
[device.snmp.v3]
level = "noAuthNoPriv"
)", 7, "device[0].snmp.v3.user: missing required key"},
    {"snmp v3 key too short", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
[device.snmp.v3]
user = "avmon"
level = "authNoPriv"
auth_key = "short"
)", 10, "auth_key: must be at least 8 characters long"},
    {"malformed engine id", R"(
[[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
[device.snmp.v3]
user = "avmon"
level = "noAuthNoPriv"
engine_id = "0xZZ"
)", 10, "is not an engine id"},
    {"flap stop not below start", R"(
[alarms.flap]
start = 0.4
stop = 0.4
)", 3, "alarms.flap.stop: stop (0.4) must be below start (0.4)"},
    {"non-standard baud rate", R"(
[[device]]
id = "panel"
class = "display"
icmp = false
[device.control]
protocol = "mdc"
serial = { path = "/dev/ttyUSB0", baud = 9601 }
)", 7, "device[0].control.serial.baud: 9601 is not a standard baud rate"},
    {"control with both serial and port", R"(
[[device]]
id = "panel"
class = "display"
address = "127.0.0.1"
[device.control]
protocol = "mdc"
port = 1515
serial = { path = "/dev/ttyUSB0" }
)", 8, "device[0].control.serial: give either port (TCP) or serial, not both"},
    {"pjlink over serial", R"(
[[device]]
id = "proj"
class = "display"
icmp = false
[device.control]
protocol = "pjlink"
serial = { path = "/dev/ttyUSB0" }
)", 7, "PJLink is a network protocol"},
    {"unknown control protocol", R"(
[[device]]
id = "panel"
class = "display"
address = "127.0.0.1"
[device.control]
protocol = "telnet"
)", 6, "device[0].control.protocol: unknown value \"telnet\"; expected one of: pjlink, mdc, nec, shure"},
    {"unknown device class", R"(
[[device]]
id = "cam"
class = "camera"
address = "127.0.0.1"
)", 3, "device[0].class: unknown value \"camera\""},
    {"device with nothing to watch", R"(
[[device]]
id = "d1"
class = "display"
address = "127.0.0.1"
icmp = false
)", 5, "device has nothing to watch"},
    {"device that needs an address", R"(
[[device]]
id = "d1"
class = "display"
)", 1, "device[0].address: missing required key (ping needs an address)"},
    {"invalid id", R"(
[[device]]
id = "proj 1"
class = "display"
address = "127.0.0.1"
)", 2, "device[0].id: invalid id \"proj 1\""},
    {"duplicate device id", R"(
[[device]]
id = "d1"
class = "display"
address = "127.0.0.1"
[[device]]
id = "d1"
class = "codec"
address = "127.0.0.2"
)", 6, "device[1].id: duplicate device id \"d1\" (first defined at line 2)"},
    {"duplicate room id", R"(
[[room]]
id = "r1"
[[room]]
id = "r1"
)", 4, "room[1].id: duplicate room id \"r1\""},
    {"duplicate site id", R"(
[[site]]
id = "hq"
[[site]]
id = "hq"
)", 4, "duplicate site id \"hq\""},
    {"duplicate person id", R"(
[[person]]
id = "lin"
email = "lin@example.com"
[[person]]
id = "lin"
email = "lin2@example.com"
)", 5, "person[1].id: duplicate person id \"lin\""},
    {"duplicate chain id", R"(
[[chain]]
id = "default"
[[chain.level]]
notify = ["a@example.com"]
[[chain]]
id = "default"
[[chain.level]]
notify = ["b@example.com"]
)", 6, "chain[1].id: duplicate chain id \"default\""},
    {"device id reserved for avmond's own alarms", R"(
[[device]]
id = "avmond"
class = "display"
address = "127.0.0.1"
)", 2, "device[0].id: device id \"avmond\" is reserved for the daemon's own alarms; choose another"},
    {"duplicate maintenance id", R"(
[[site]]
id = "hq"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
days = ["Sun"]
at = "02:00"
duration = "1h"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
days = ["Sat"]
at = "02:00"
duration = "1h"
)", 11, "maintenance[1].id: duplicate maintenance id \"m1\""},
    {"duplicate rule id in a device", OK_DEVICE R"(
[[device.rule]]
id = "hot"
kind = "above"
metric = "temp"
threshold = 70
[[device.rule]]
id = "hot"
kind = "above"
metric = "temp"
threshold = 80
)", 12, "device[0].rule[1].id: duplicate rule id \"hot\" in this device"},
    {"dangling room reference", OK_DEVICE R"(room = "nowhere"
)", 5, "device[0].room: unknown room \"nowhere\" (none are defined)"},
    {"dangling site reference", R"(
[[site]]
id = "hq"
[[room]]
id = "r1"
site = "hx"
)", 5, "room[0].site: unknown site \"hx\" (known: hq)"},
    {"dangling parent", OK_DEVICE R"(parent = "sw-9"
)", 5, "device[0].parent: unknown device \"sw-9\""},
    {"parent cycle", R"(
[[device]]
id = "a"
class = "switch"
address = "127.0.0.1"
parent = "b"
[[device]]
id = "b"
class = "switch"
address = "127.0.0.2"
parent = "a"
)", 5, "device[0].parent: parent cycle: a -> b -> a"},
    {"own parent", OK_DEVICE R"(parent = "d1"
)", 5, "a device cannot be its own parent"},
    {"dangling profile", OK_DEVICE R"(profile = "no-such-profile"
)", 5, "device[0].profile: unknown profile \"no-such-profile\""},
    {"chain level names an unknown person", R"(
[[chain]]
id = "default"
[[chain.level]]
name = "boss"
notify = ["nobody"]
)", 5, "chain[0].level[0].notify: unknown person \"nobody\""},
    {"roster shift names an unknown person", R"(
[roster]
[[roster.shift]]
days = ["Mon"]
start = "08:00"
end = "20:00"
person = "ghost"
)", 6, "roster.shift[0].person: unknown person \"ghost\""},
    {"roster fallback unknown", R"(
[roster]
fallback = "ghost"
)", 2, "roster.fallback: unknown person \"ghost\""},
    {"maintenance target unknown", R"(
[[maintenance]]
id = "m1"
scope = "room"
target = "r9"
start = "2026-12-01T22:00Z"
duration = "2h"
)", 4, "maintenance[0].target: unknown room \"r9\""},
    {"severity names an unknown chain", R"(
[severity.I]
chain = "vip"
)", 2, "severity.I.chain: unknown chain \"vip\" (known: default)"},
    {"chains configured but none is the default the severities use", R"(
[[person]]
id = "lin"
email = "lin@example.com"
[[chain]]
id = "ops"
[[chain.level]]
notify = ["lin"]
)", 4, "chain: no chain has id \"default\", which severity I, II, III, IV uses by default"},
    {"severity ack not before resolve", R"(
[severity.II]
ack = "30h"
resolve = "24h"
)", 2, "severity.II.ack: ack (1d6h) must be shorter than resolve (1d)"},
    {"unknown severity level", R"(
[severity.V]
resolve = "1h"
)", 1, "severity.V: unknown key 'V'; allowed here: I, II, III, IV"},
    {"smtp enabled without url", R"(
[smtp]
enabled = true
from = "avmon@example.com"
)", 1, "smtp.url: missing required key (smtp is enabled)"},
    {"smtp url scheme", R"(
[smtp]
url = "http://mail.example.com"
)", 2, "is not smtp://host[:port] or smtps://host[:port]"},
    {"TOML syntax error has toml++'s position", R"(
[daemon]
jitter = 0.1
timezone = "UTC
)", 3, "TOML syntax error"},
    {"malformed time of day", R"(
[[person]]
id = "li"
email = "li@example.com"
[roster]
[[roster.shift]]
days = ["Mon"]
start = "8:00"
end = "20:00"
person = "li"
)", 7, "roster.shift[0].start: malformed time of day \"8:00\""},
    {"unknown weekday", R"(
[[person]]
id = "li"
email = "li@example.com"
[roster]
[[roster.shift]]
days = ["Mon", "Funday"]
start = "08:00"
end = "20:00"
person = "li"
)", 6, "unknown weekday \"Funday\""},
    {"malformed date", R"(
[[person]]
id = "li"
email = "li@example.com"
[roster]
[[roster.override]]
date = "2026-02-30"
person = "li"
)", 6, "roster.override[0].date: malformed date \"2026-02-30\""},
    {"malformed maintenance start", R"(
[[site]]
id = "hq"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
start = "tomorrow 22:00"
duration = "2h"
)", 7, "maintenance[0].start: malformed date-time \"tomorrow 22:00\""},
    {"maintenance start beyond what a timestamp holds (fuzzer finding)", R"(
[[site]]
id = "hq"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
start = 9999-12-01T22:00:00Z
duration = "2h"
)", 7, "maintenance[0].start: year 9999 is out of range; use 1970..2200"},
    {"maintenance start string in year 9999", R"(
[[site]]
id = "hq"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
start = "9999-12-01T22:00Z"
duration = "2h"
)", 7, "maintenance[0].start: malformed date-time \"9999-12-01T22:00Z\""},
    {"maintenance one-off and weekly at once", R"(
[[site]]
id = "hq"
[[maintenance]]
id = "m1"
scope = "site"
target = "hq"
start = "2026-12-01T22:00Z"
days = ["Sun"]
duration = "2h"
)", 8, "give either start (one-off) or days + at (weekly), not both"},
    {"rule without threshold", R"(
[[rule]]
id = "hot"
kind = "above"
metric = "temp"
)", 1, "rule[0].threshold: missing required key (kind \"above\" needs a threshold)"},
    {"rule hysteresis the wrong way", R"(
[[rule]]
id = "hot"
kind = "above"
metric = "temp"
threshold = 70
clear = 75
)", 6, "rule[0].clear: clear (75) must not be above threshold (70)"},
    {"rule text with an unknown placeholder", R"(
[[rule]]
id = "hot"
kind = "above"
metric = "temp"
threshold = 70
text = "{device} is {temperature}"
)", 6, "unknown placeholder {temperature}"},
    {"trap rule without event", R"(
[[rule]]
id = "lamp"
kind = "trap"
)", 1, "rule[0].trap_event: missing required key"},
    {"unknown severity value", R"(
[[rule]]
id = "hot"
kind = "above"
metric = "temp"
threshold = 70
severity = "critical"
)", 6, "unknown severity \"critical\"; expected I, II, III or IV"},
    {"single table where an array of tables belongs", R"(
[site]
id = "hq"
)", 1, "site: expected an array of tables ([[site]]), found a table"},
    {"bad e-mail address", R"(
[[person]]
id = "lin"
email = "lin at example.com"
)", 3, "person[0].email: \"lin at example.com\" is not an e-mail address"},
    {"unknown time zone", R"(
[daemon]
timezone = "Mars/Olympus_Mons"
)", 2, "unknown time zone \"Mars/Olympus_Mons\""},
    {"trap listen address", R"(
[traps]
listen = "0.0.0.0:162"
)", 2, "traps.listen: \"0.0.0.0:162\" is not udp:HOST:PORT"},
    {"trap map OID", R"(
[[traps.map]]
oid = "enterprises.99999"
event = "x"
)", 2, "traps.map[0].oid: \"enterprises.99999\" is not a numeric OID"},
    {"store retention in whole days", R"(
[store]
raw_retention = "36h"
)", 2, "store.raw_retention: retention is counted in whole days"},
    {"inline profile metric with a non-numeric OID", R"(
[[profile]]
name = "x"
class = "switch"
protocol = "snmp"
[[profile.metric]]
name = "uptime"
source = "sysUpTime.0"
)", 7, "profile[0].metric[0].source: \"sysUpTime.0\" is not a numeric OID"},
    {"profile of the wrong class", R"(
[[profile]]
name = "sw"
class = "switch"
protocol = "icmp"
[[device]]
id = "d1"
class = "display"
address = "127.0.0.1"
profile = "sw"
)", 9, "profile \"sw\" is for class switch, but the device is a display"},
    {"profile of the wrong protocol", R"(
[[profile]]
name = "snmp-display"
class = "display"
protocol = "snmp"
[[device]]
id = "d1"
class = "display"
address = "127.0.0.1"
profile = "snmp-display"
)", 9, "profile \"snmp-display\" speaks snmp, which the device is not configured for"},
    {"device rule override without a profile rule to override", OK_DEVICE R"(
[[device.rule]]
id = "hot"
threshold = 70
)", 6, "device[0].rule[0].kind: missing required key"},
    {"integer array element of the wrong type", R"(
[[device]]
id = "mic"
class = "mic"
address = "127.0.0.1"
[device.control]
protocol = "shure"
channels = [1, "two"]
)", 7, "device[0].control.channels[1]: expected an integer, found a string"},
};

}  // namespace

TEST_CASE("config bad configs are reported at file:line with key and message", "[config][bad]") {
    STATIC_REQUIRE(sizeof(kCases) / sizeof(kCases[0]) >= 25);
    for (const auto& c : kCases) {
        // Zone names are checked against the zone database only where one is installed.
        if (std::string_view(c.name) == "unknown time zone" && !std::filesystem::is_directory("/usr/share/zoneinfo"))
            continue;
        SECTION(c.name) {
            std::string text = std::string(c.toml);
            if (!text.empty() && text[0] == '\n') text.erase(0, 1);
            LoadResult r = load_text(text);
            INFO("case: " << c.name << "\n" << dump(r.errors));
            CHECK_FALSE(r.ok());
            CHECK_FALSE(r.config.has_value());
            const ConfigError* e = find_diag(r.errors, c.line, c.fragment);
            CHECK(e != nullptr);
            if (e) CHECK(e->to_string().rfind("test.toml:" + std::to_string(c.line) + ":", 0) == 0);
        }
    }
}

TEST_CASE("config collects all errors, not just the first", "[config][bad]") {
    LoadResult r = load_text(R"([daemon]
jitter = 2.0
icmp_mode = "sometimes"
[[device]]
id = "d1"
class = "toaster"
address = "127.0.0.1"
interval = "forever"
room = "nowhere"
)");
    INFO(dump(r.errors));
    CHECK(find_diag(r.errors, 2, "daemon.jitter"));
    CHECK(find_diag(r.errors, 3, "daemon.icmp_mode: unknown value \"sometimes\""));
    CHECK(find_diag(r.errors, 6, "device[0].class"));
    CHECK(find_diag(r.errors, 8, "device[0].interval: malformed duration"));
    CHECK(find_diag(r.errors, 9, "device[0].room: unknown room"));
    CHECK(r.errors.size() == 5);
}

TEST_CASE("config smtp:// without STARTTLS is a warning, not an error", "[config][bad]") {
    LoadResult r = load_text(R"([smtp]
enabled = true
url = "smtp://127.0.0.1:2525"
from = "avmon@example.com"
starttls = false
)");
    INFO(dump(r.errors) << dump(r.warnings));
    REQUIRE(r.ok());
    CHECK(find_diag(r.warnings, 5, "smtp.starttls: starttls = false on smtp://"));
    // smtps:// is encrypted from the first byte: no warning.
    LoadResult tls = load_text("[smtp]\nenabled = true\nurl = \"smtps://127.0.0.1\"\nfrom = \"a@b.c\"\nstarttls = false\n");
    REQUIRE(tls.ok());
    for (const auto& w : tls.warnings) CHECK(w.key != "smtp.starttls");
}

TEST_CASE("config errors in a profile file name that file and line", "[config][bad]") {
    LoadResult r = load_text(OK_DEVICE, hermetic({fixture("bad-profiles")}));
    INFO(dump(r.errors));
    CHECK_FALSE(r.ok());
    const std::string file = fixture("bad-profiles") + "/broken-display.toml";
    bool found = false;
    for (const auto& e : r.errors)
        if (e.where.file == file && e.where.line == 14 && e.key == "rule[0].for" &&
            e.message.find("malformed duration") != std::string::npos)
            found = true;
    CHECK(found);
    bool syntax = false;
    for (const auto& e : r.errors)
        if (e.where.file == fixture("bad-profiles") + "/syntax.toml" && e.where.line == 4 &&
            e.message.find("TOML syntax error") != std::string::npos)
            syntax = true;
    CHECK(syntax);
}

TEST_CASE("config fixture files with mistakes load with positions", "[config][bad]") {
    LoadResult r = load_config_file(fixture("bad/several-mistakes.toml"), hermetic());
    INFO(dump(r.errors));
    CHECK_FALSE(r.ok());
    CHECK(r.errors.size() == 4);
    const std::string f = fixture("bad/several-mistakes.toml");
    auto at = [&](int line, const char* frag) {
        return std::any_of(r.errors.begin(), r.errors.end(), [&](const ConfigError& e) {
            return e.where.file == f && e.where.line == line && e.to_string().find(frag) != std::string::npos;
        });
    };
    CHECK(at(7, "room[0].site: unknown site \"hq2\""));
    CHECK(at(14, "device[0].snmp.max_repetitions: 0 is out of range"));
    CHECK(at(21, "device[1].parent: unknown device \"sw-2\""));
    CHECK(at(26, "chain[0].level: a chain needs at least one [[chain.level]]"));

    LoadResult missing = load_config_file(fixture("bad/does-not-exist.toml"), hermetic());
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].to_string().find("does-not-exist.toml: cannot read config file") != std::string::npos);
}

TEST_CASE("config arbitrary garbage never crashes the loader", "[config][bad]") {
    for (const char* text : {"", "\x00\x01\x02", "[[[", "a = [1, 2", "[device]\nsnmp = 5", "device = 7",
                             "[[device]]\nsnmp = [1]\ncontrol = \"x\"\nrule = 3", "[severity]\nI = 3",
                             "[[chain]]\nlevel = 1", "[roster]\nshift = {}", "profile = [1]"}) {
        LoadResult r = load_text(text);
        if (!r.errors.empty()) CHECK_FALSE(r.errors[0].to_string().empty());
    }
    LoadResult r = load_text("[[device]]\nsnmp = 5\n");
    CHECK(find_diag(r.errors, 2, "device[0].snmp: expected a table, found an integer"));
}
