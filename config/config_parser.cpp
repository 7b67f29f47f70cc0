// Pass 1 of a load: every table of avmon.toml, with types, ranges and formats checked.
// References between tables (device -> room, chain -> person ...) are checked later, in
// cross_checks.cpp, once everything has been read.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "config/parse_context.hpp"

// Where `cmake --install` puts the shipped profiles (systemd/CMakeLists.txt); set by
// config/CMakeLists.txt from CMAKE_INSTALL_FULL_DATADIR, with the Debian default for builds
// that compile this file on their own (the fuzzers).
#ifndef AVMON_PROFILE_DIR
#define AVMON_PROFILE_DIR "/usr/share/avmon/profiles"
#endif

namespace avmon::config::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr seconds kDay{86400};

bool plausible_email(std::string_view s) {
    auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
    return std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::optional<std::string> read_email(TableReader& r, std::string_view key, bool required) {
    auto s = required ? r.required_string(key) : r.string(key);
    if (s && !s->empty() && !plausible_email(*s)) {
        r.error(key, fmt::format("\"{}\" is not an e-mail address", *s));
        return std::nullopt;
    }
    return s;
}

// An IANA zone name. Checked against the zone database when the machine has one.
void check_timezone(TableReader& r, std::string_view key, std::string& out) {
    auto tz = r.string(key);
    if (!tz) return;
    bool syntax = !tz->empty() && tz->front() != '/' && tz->find("..") == std::string::npos &&
                  std::all_of(tz->begin(), tz->end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
                             c == '+';
                  });
    std::error_code ec;
    bool have_db = std::filesystem::is_directory("/usr/share/zoneinfo", ec);
    if (!syntax || (have_db && *tz != "UTC" && !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + *tz, ec))) {
        r.error(key, fmt::format("unknown time zone \"{}\" (use an IANA name such as \"Europe/Berlin\" or \"UTC\")",
                                 *tz));
        return;
    }
    out = *tz;
}

std::optional<int> read_time_of_day(TableReader& r, std::string_view key, bool allow_24) {
    auto s = r.string(key);
    if (!s) return std::nullopt;
    auto m = parse_time_of_day(*s, allow_24);
    if (!m) r.error(key, fmt::format("malformed time of day \"{}\"; use \"HH:MM\"{}", *s, allow_24 ? " (00:00-24:00)" : ""));
    return m;
}

std::optional<std::vector<int>> read_weekdays(TableReader& r, std::string_view key) {
    auto days = r.strings(key);
    if (!days) return std::nullopt;
    if (days->empty()) {
        r.error(key, "must name at least one day");
        return std::nullopt;
    }
    std::vector<int> out;
    for (const auto& d : *days) {
        auto wd = parse_weekday(d);
        if (!wd) {
            r.error(key, fmt::format("unknown weekday \"{}\"; use Mon, Tue, Wed, Thu, Fri, Sat, Sun", d));
            return std::nullopt;
        }
        if (std::find(out.begin(), out.end(), *wd) != out.end()) {
            r.error(key, fmt::format("{} is listed twice", weekday_name(*wd)));
            return std::nullopt;
        }
        out.push_back(*wd);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// "2026-12-01T22:00Z" (UTC) or a TOML offset date-time.
std::optional<SysTime> read_instant(TableReader& r, std::string_view key) {
    const toml::node* n = r.node(key);
    if (!n) return std::nullopt;
    if (n->is_date_time()) {
        const toml::date_time& dt = n->as_date_time()->get();
        if (!dt.offset) {
            r.error(key, "a date-time needs a time zone offset (e.g. 2026-12-01T22:00:00Z)");
            return std::nullopt;
        }
        if (!year_in_range(dt.date.year)) {
            r.error(key, fmt::format("year {} is out of range; use {}..{}", dt.date.year, kFirstYear, kLastYear));
            return std::nullopt;
        }
        using namespace std::chrono;
        sys_days day = year_month_day{year{dt.date.year}, month{dt.date.month}, std::chrono::day{dt.date.day}};
        SysTime t = day + hours{dt.time.hour} + minutes{dt.time.minute} + std::chrono::seconds{dt.time.second} -
                    minutes{dt.offset->minutes};
        return t;
    }
    auto s = r.string(key);
    if (!s) return std::nullopt;
    // parse_utc accepts signs inside %d fields; insist on the plain digit layout first.
    static constexpr std::string_view layout = "dddd-dd-ddTdd:dd";
    bool shape = s->size() >= layout.size();
    for (std::size_t i = 0; shape && i < layout.size(); ++i)
        shape = layout[i] == 'd' ? std::isdigit(static_cast<unsigned char>((*s)[i])) != 0 : (*s)[i] == layout[i];
    SysTime t{};
    if (!shape || !parse_utc(*s, t) || !is_valid_date(s->substr(0, 10))) {
        r.error(key, fmt::format("malformed date-time \"{}\"; use UTC like \"2026-12-01T22:00Z\" (years {}..{})", *s,
                                 kFirstYear, kLastYear));
        return std::nullopt;
    }
    return t;
}

std::optional<std::string> read_engine_id(TableReader& r, std::string_view key) {
    auto s = r.string(key);
    if (!s || s->empty()) return s;
    std::string_view hex = *s;
    if (hex.rfind("0x", 0) == 0 || hex.rfind("0X", 0) == 0) hex.remove_prefix(2);
    bool ok = hex.size() % 2 == 0 && hex.size() >= 10 && hex.size() <= 64 &&
              std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!ok) {
        r.error(key, fmt::format("\"{}\" is not an engine id: 5 to 32 bytes in hex, e.g. \"0x80001f8880...\"", *s));
        return std::nullopt;
    }
    return s;
}

void check_key_length(Context& ctx, TableReader& r, std::string_view key, const std::string& value) {
    // Net-SNMP refuses v3 passphrases shorter than 8 characters (RFC 3414 minimum).
    bool unresolved = !ctx.options.resolve_secrets && (value.rfind("env:", 0) == 0 || value.rfind("file:", 0) == 0);
    if (!unresolved && value.size() < 8) r.error(key, "must be at least 8 characters long");
}

SnmpV3Credentials parse_v3(Context& ctx, const Place& place, const TableSpec& spec, bool for_traps) {
    TableReader r(ctx.diag, place, spec);
    SnmpV3Credentials v3;
    if (auto u = r.required_string("user")) {
        if (u->size() > 32) r.error("user", "at most 32 characters");
        v3.user = *u;
    }
    if (auto level = r.one_of("level", {"noAuthNoPriv", "authNoPriv", "authPriv"}))
        v3.level = *level == "noAuthNoPriv" ? SnmpV3Credentials::Level::no_auth_no_priv
                   : *level == "authNoPriv" ? SnmpV3Credentials::Level::auth_no_priv
                                            : SnmpV3Credentials::Level::auth_priv;
    if (auto p = r.one_of("auth_protocol", {"SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "MD5"}))
        v3.auth_protocol = *p;
    if (auto p = r.one_of("priv_protocol", {"AES", "AES-192", "AES-256", "DES"})) v3.priv_protocol = *p;
    bool wants_auth = v3.level != SnmpV3Credentials::Level::no_auth_no_priv;
    bool wants_priv = v3.level == SnmpV3Credentials::Level::auth_priv;
    if (r.has("auth_key")) {
        if (auto k = read_secret(ctx, r, "auth_key")) {
            if (wants_auth) check_key_length(ctx, r, "auth_key", *k);
            v3.auth_key = *k;
        }
    } else if (wants_auth) {
        r.error("auth_key", fmt::format("missing required key (level {} needs auth_key)",
                                        wants_priv ? "authPriv" : "authNoPriv"));
    }
    if (r.has("priv_key")) {
        if (auto k = read_secret(ctx, r, "priv_key")) {
            if (wants_priv) check_key_length(ctx, r, "priv_key", *k);
            v3.priv_key = *k;
        }
    } else if (wants_priv) {
        r.error("priv_key", "missing required key (level authPriv needs priv_key)");
    }
    if (!for_traps) {
        if (auto c = r.string("context")) v3.context = *c;
    }
    if (auto e = read_engine_id(r, "engine_id")) v3.engine_id = *e;
    return v3;
}

SnmpTarget parse_snmp(Context& ctx, const Place& place) {
    TableReader r(ctx.diag, place, schema::snmp());
    SnmpTarget s;
    if (const toml::node* n = r.node("version"); n && n->is_integer()) {
        r.error("version", "write the version as a string: \"1\", \"2c\" or \"3\"");
    } else if (auto v = r.one_of("version", {"1", "2c", "3"})) {
        s.version = *v == "1" ? SnmpTarget::Version::v1 : *v == "2c" ? SnmpTarget::Version::v2c : SnmpTarget::Version::v3;
    }
    if (auto p = r.integer("port", 1, 65535)) s.port = static_cast<std::uint16_t>(*p);
    bool v3 = s.version == SnmpTarget::Version::v3;
    if (r.has("community")) {
        if (auto c = read_secret(ctx, r, "community")) s.community = *c;
        if (v3) r.warning("community", "ignored: SNMPv3 uses [device.snmp.v3] credentials");
    } else if (!v3) {
        r.error("community", "missing required key (SNMP v1/v2c needs a community)");
    }
    if (auto t = r.duration_ms("timeout", milliseconds(10), milliseconds(60'000))) s.timeout = *t;
    if (auto n = r.integer("retries", 0, 10)) s.retries = static_cast<int>(*n);
    if (auto n = r.integer("max_repetitions", 1, 1000)) s.max_repetitions = static_cast<int>(*n);
    if (auto v3place = r.table("v3")) {
        s.v3 = parse_v3(ctx, *v3place, schema::snmp_v3(), false);
        if (!v3) r.warning("v3", "ignored: version is not \"3\"");
    } else if (v3 && !r.has("v3")) {
        r.error("v3", "missing required table (version \"3\" needs [device.snmp.v3] with user and keys)");
    }
    return s;
}

SerialLink parse_serial(Context& ctx, const Place& place) {
    TableReader r(ctx.diag, place, schema::serial());
    SerialLink s;
    if (auto p = r.required_string("path")) s.path = *p;
    if (auto b = r.integer("baud", 1, 4'000'000)) {
        static constexpr unsigned standard[] = {300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400};
        if (std::find(std::begin(standard), std::end(standard), static_cast<unsigned>(*b)) == std::end(standard))
            r.error("baud", fmt::format("{} is not a standard baud rate (300, 600, 1200, 2400, 4800, 9600, 19200, "
                                        "38400, 57600, 115200, 230400)",
                                        *b));
        else
            s.baud = static_cast<unsigned>(*b);
    }
    if (auto p = r.one_of("parity", {"N", "E", "O"})) s.parity = (*p)[0];
    if (auto n = r.integer("data_bits", 5, 8)) s.data_bits = static_cast<int>(*n);
    if (auto n = r.integer("stop_bits", 1, 2)) s.stop_bits = static_cast<int>(*n);
    if (auto f = r.one_of("flow_control", {"none", "hardware", "software"})) s.flow_control = *f;
    return s;
}

ControlTarget parse_control(Context& ctx, const Place& place) {
    TableReader r(ctx.diag, place, schema::control());
    ControlTarget c;
    if (auto p = r.one_of("protocol", {"pjlink", "mdc", "nec", "shure"}))
        c.protocol = *p;
    else if (!r.has("protocol"))
        r.missing("protocol");
    if (auto p = r.integer("port", 1, 65535)) c.tcp_port = static_cast<std::uint16_t>(*p);
    if (auto s = r.table("serial")) c.serial = parse_serial(ctx, *s);
    if (r.has("port") && r.has("serial"))
        r.error("serial", "give either port (TCP) or serial, not both");
    if (c.serial && c.protocol == "pjlink")
        r.error("serial", "PJLink is a network protocol: it needs an address and port, not serial");
    if (!c.serial && !c.tcp_port) {
        if (auto port = default_control_port(c.protocol)) c.tcp_port = port;
    }
    if (r.has("password")) {
        if (auto pw = read_secret(ctx, r, "password")) c.password = *pw;
        if (!c.protocol.empty() && c.protocol != "pjlink") r.warning("password", "ignored: only PJLink uses a password");
    }
    if (auto id = r.integer("display_id", 0, 255)) c.display_id = static_cast<int>(*id);
    if (auto ch = r.integers("channels", 1, 8)) {
        c.channels.assign(ch->begin(), ch->end());
        if (!c.protocol.empty() && c.protocol != "shure") r.warning("channels", "ignored: only Shure receivers have channels");
    }
    if (auto t = r.duration_ms("timeout", milliseconds(10), milliseconds(60'000))) c.timeout = *t;
    return c;
}

void parse_device(Context& ctx, const Place& place, ParsedConfig& pc) {
    TableReader r(ctx.diag, place, schema::device());
    ParsedDevice pd{place, {}};
    DeviceConfig d;
    d.where = place.at();
    d.interval = pc.config.daemon.default_interval;
    if (auto id = r.identifier("id")) d.id = *id;
    if (auto n = r.string("name")) d.name = *n;
    if (d.name.empty()) d.name = d.id;
    if (auto room = r.identifier("room", false)) d.room = *room;
    if (auto cls = r.one_of("class", {"codec", "mic", "display", "switch"}))
        d.device_class = *parse_device_class(*cls);
    else if (!r.has("class"))
        r.missing("class");
    if (auto a = r.string("address")) {
        if (a->empty() || std::any_of(a->begin(), a->end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; }))
            r.error("address", "must be an IP address or host name without spaces");
        d.address = *a;
    }
    if (auto m = r.string("model")) d.model = *m;
    if (auto p = r.identifier("parent", false)) d.parent = *p;
    if (auto p = r.string("parent_port")) {
        d.parent_port = *p;
        if (!r.has("parent")) r.error("parent_port", "parent_port needs parent (the device it is plugged into)");
    }
    if (auto b = r.boolean("icmp")) d.icmp = *b;
    if (auto p = r.identifier("profile", false)) d.profile = *p;
    if (auto i = r.duration("interval", seconds(1), kDay)) d.interval = *i;
    if (auto dr = r.strings("disabled_rules")) d.disabled_rules = *dr;
    if (auto s = r.table("snmp")) d.snmp = parse_snmp(ctx, *s);
    if (auto c = r.table("control")) d.control = parse_control(ctx, *c);

    std::set<std::string> rule_ids;
    for (const auto& rp : r.tables("rule")) {
        ParsedRule pr = parse_rule(ctx.diag, rp, true);
        if (pr.rule.id.empty()) continue;
        if (!rule_ids.insert(pr.rule.id).second) {
            ctx.diag.error(rp.at("id"), rp.key("id"), fmt::format("duplicate rule id \"{}\" in this device", pr.rule.id));
            continue;
        }
        pd.rules.push_back(std::move(pr));
    }

    if (!d.icmp && !r.has("snmp") && !r.has("control"))
        r.error("icmp", "device has nothing to watch: set icmp = true or add [device.snmp] or [device.control]");
    bool needs_address = d.icmp || d.snmp || (d.control && !d.control->serial);
    if (needs_address && d.address.empty() && !r.has("address")) {
        std::string why = d.snmp ? "SNMP" : (d.control && !d.control->serial) ? d.control->protocol + " over TCP" : "ping";
        r.error("address", fmt::format("missing required key ({} needs an address)", why));
    }
    pc.config.devices.push_back(std::move(d));
    pc.devices.push_back(std::move(pd));
}

void parse_daemon(Context& ctx, const std::optional<Place>& place, ParsedConfig& pc) {
    DaemonSettings& d = pc.config.daemon;
    pc.profile_dirs = {AVMON_PROFILE_DIR};
    if (!place) {
        d.control_socket = d.runtime_dir + "/avmond.sock";
        return;
    }
    TableReader r(ctx.diag, *place, schema::daemon());
    if (auto p = r.path("runtime_dir", ctx.base_dir)) d.runtime_dir = *p;
    if (auto p = r.path("control_socket", ctx.base_dir)) d.control_socket = *p;
    if (d.control_socket.empty()) d.control_socket = d.runtime_dir + "/avmond.sock";
    if (auto g = r.string("socket_group")) d.socket_group = *g;
    check_timezone(r, "timezone", d.timezone);
    if (auto i = r.duration("default_interval", seconds(1), kDay)) d.default_interval = *i;
    if (auto b = r.duration("max_backoff", seconds(1), kDay)) {
        d.max_backoff = *b;
        if (d.max_backoff < d.default_interval)
            r.warning("max_backoff", "shorter than default_interval: unreachable devices are not backed off");
    }
    if (auto j = r.number("jitter", 0.0, 0.5)) d.jitter = *j;
    if (auto m = r.one_of("icmp_mode", {"auto", "dgram", "raw", "off"})) d.icmp_mode = *m;
    if (auto dirs = r.strings("profile_dirs")) {
        pc.profile_dirs.clear();
        for (const auto& s : *dirs) {
            std::filesystem::path p(s);
            pc.profile_dirs.push_back((p.is_relative() ? ctx.base_dir / p : p).lexically_normal());
        }
        pc.profile_dirs_place = place;
    }
}

void parse_store(Context& ctx, const Place& place, StoreConfig& s) {
    TableReader r(ctx.diag, place, schema::store());
    if (auto p = r.path("path", ctx.base_dir)) {
        if (p->empty()) r.error("path", "must not be empty");
        s.path = *p;
    }
    if (auto f = r.duration_ms("flush_interval", milliseconds(10), milliseconds(3'600'000))) s.flush_interval = *f;
    if (auto n = r.integer("flush_rows", 1, 1'000'000)) s.flush_rows = static_cast<std::size_t>(*n);
    if (auto n = r.integer("queue_limit", 1000, 100'000'000)) s.queue_limit = static_cast<std::size_t>(*n);
    if (auto n = r.integer("cache_mib", 1, 4096)) s.cache_mib = static_cast<int>(*n);
    auto days = [&](std::string_view key, int& out) {
        auto d = r.duration(key, kDay, 3650 * kDay);
        if (!d) return;
        if (d->count() % kDay.count() != 0) {
            r.error(key, "retention is counted in whole days (e.g. \"14d\")");
            return;
        }
        out = static_cast<int>(d->count() / kDay.count());
    };
    days("raw_retention", s.raw_retention_days);
    days("rollup_5m_retention", s.rollup_5m_retention_days);
    days("rollup_1h_retention", s.rollup_1h_retention_days);
    if (s.rollup_5m_retention_days < s.raw_retention_days)
        r.warning("rollup_5m_retention", "shorter than raw_retention: rollups would vanish before their samples");
}

void parse_severity_table(Context& ctx, const Place& place, ParsedConfig& pc) {
    TableReader r(ctx.diag, place, schema::severity());
    for (Severity level : {Severity::I, Severity::II, Severity::III, Severity::IV}) {
        auto lp = r.table(to_string(level));
        if (!lp) continue;
        pc.severity_levels[level] = *lp;
        TableReader l(ctx.diag, *lp, schema::severity_level());
        SeverityPolicy& pol = pc.config.policies[level];
        if (auto d = l.duration("ack", seconds(60), 30 * kDay)) pol.ack_deadline = *d;
        if (auto d = l.duration("resolve", seconds(60), 365 * kDay)) pol.resolve_deadline = *d;
        if (auto d = l.duration("emergency", seconds(60), 365 * kDay)) pol.emergency_after = *d;
        if (auto c = l.identifier("chain", false)) pol.chain = *c;
        if (auto d = l.duration("reminder", seconds(0), 7 * kDay)) {
            if (d->count() > 0 && *d < seconds(60))
                l.error("reminder", "reminders more often than every minute would flood mailboxes (0s turns them off)");
            else
                pol.reminder_interval = *d;
        }
        if (pol.ack_deadline && *pol.ack_deadline >= pol.resolve_deadline)
            l.error(l.has("ack") ? "ack" : "resolve",
                    fmt::format("ack ({}) must be shorter than resolve ({})", format_duration(*pol.ack_deadline),
                                format_duration(pol.resolve_deadline)));
        if (pol.emergency_after && *pol.emergency_after <= pol.resolve_deadline)
            l.error(l.has("emergency") ? "emergency" : "resolve",
                    fmt::format("emergency ({}) must be later than resolve ({})", format_duration(*pol.emergency_after),
                                format_duration(pol.resolve_deadline)));
    }
}

void parse_chain(Context& ctx, const Place& place, ParsedConfig& pc) {
    TableReader r(ctx.diag, place, schema::chain());
    EscalationChain ch;
    ch.where = place.at();
    if (auto id = r.identifier("id")) ch.id = *id;
    auto levels = r.tables("level");
    if (levels.empty() && !r.has("level")) r.error("level", "a chain needs at least one [[chain.level]]");
    for (std::size_t i = 0; i < levels.size(); ++i) {
        TableReader l(ctx.diag, levels[i], schema::chain_level());
        EscalationLevel lvl;
        if (auto n = l.string("name")) lvl.name = *n;
        if (lvl.name.empty()) lvl.name = fmt::format("level {}", i + 1);
        if (auto notify = l.strings("notify")) {
            if (notify->empty()) l.error("notify", "must name at least one person, \"on-duty\" or address");
            lvl.notify = *notify;
        } else if (!l.has("notify")) {
            l.missing("notify");
        }
        ch.levels.push_back(std::move(lvl));
    }
    pc.config.chains.push_back(std::move(ch));
    pc.chains.push_back(place);
    pc.chain_levels.push_back(std::move(levels));
}

void parse_roster(Context& ctx, const Place& place, ParsedConfig& pc) {
    TableReader r(ctx.diag, place, schema::roster());
    Roster& ro = pc.config.roster;
    pc.roster = place;
    check_timezone(r, "timezone", ro.timezone);
    if (auto f = r.identifier("fallback", false)) ro.fallback = *f;
    for (const auto& sp : r.tables("shift")) {
        TableReader s(ctx.diag, sp, schema::shift());
        Shift sh;
        sh.where = sp.at();
        if (auto days = read_weekdays(s, "days"))
            sh.weekdays = *days;
        else if (!s.has("days"))
            s.missing("days");
        if (!s.has("start")) s.missing("start");
        if (!s.has("end")) s.missing("end");
        int start = read_time_of_day(s, "start", false).value_or(-1);
        int end = read_time_of_day(s, "end", true).value_or(-1);
        if (start >= 0) sh.start_minute = start;
        if (end >= 0) sh.end_minute = end;
        if (start >= 0 && end >= 0 && start == end % (24 * 60) && !(start == 0 && end == 24 * 60))
            s.error("end", "start and end are the same: use \"00:00\" to \"24:00\" for a whole day");
        if (auto p = s.identifier("person")) sh.person = *p;
        ro.shifts.push_back(std::move(sh));
        pc.shifts.push_back(sp);
    }
    for (const auto& op : r.tables("override")) {
        TableReader o(ctx.diag, op, schema::roster_override());
        RosterOverride ov;
        ov.where = op.at();
        if (const toml::node* n = o.node("date"); n && n->is_date()) {
            const toml::date& dt = n->as_date()->get();
            ov.date = fmt::format("{:04}-{:02}-{:02}", dt.year, dt.month, dt.day);
        } else if (auto d = o.string("date")) {
            if (!is_valid_date(*d))
                o.error("date", fmt::format("malformed date \"{}\"; use \"YYYY-MM-DD\"", *d));
            ov.date = *d;
        } else if (!o.has("date")) {
            o.missing("date");
        }
        if (auto s = read_time_of_day(o, "start", false)) ov.start_minute = *s;
        if (auto e = read_time_of_day(o, "end", true)) ov.end_minute = *e;
        if (ov.end_minute <= ov.start_minute)
            o.error(o.has("end") ? "end" : "start", "end must be after start (an override covers part of one day)");
        if (auto p = o.identifier("person")) ov.person = *p;
        ro.overrides.push_back(std::move(ov));
        pc.overrides.push_back(op);
    }
}

void parse_maintenance(Context& ctx, const Place& place, ParsedConfig& pc) {
    TableReader r(ctx.diag, place, schema::maintenance());
    MaintenanceWindow w;
    w.where = place.at();
    if (auto id = r.identifier("id")) w.id = *id;
    if (auto s = r.one_of("scope", {"device", "room", "site"}))
        w.scope = *s == "device" ? MaintenanceWindow::Scope::device
                  : *s == "room" ? MaintenanceWindow::Scope::room
                                 : MaintenanceWindow::Scope::site;
    else if (!r.has("scope"))
        r.missing("scope");
    if (auto t = r.identifier("target")) w.target = *t;
    if (auto reason = r.string("reason")) w.reason = *reason;

    bool one_off = r.has("start");
    bool weekly = r.has("days") || r.has("at");
    auto dur = r.duration("duration", seconds(60), 31 * kDay);
    if (one_off && weekly) {
        r.error(r.has("days") ? "days" : "at", "give either start (one-off) or days + at (weekly), not both");
    } else if (!one_off && !weekly) {
        r.error_here("a maintenance window needs start (one-off) or days + at (weekly)");
    } else if (one_off) {
        auto start = read_instant(r, "start");
        if (start) w.start = *start;
        if (r.has("end") && r.has("duration")) {
            r.error("end", "give either end or duration, not both");
        } else if (r.has("end")) {
            auto end = read_instant(r, "end");
            if (start && end) {
                if (*end <= *start)
                    r.error("end", "end must be after start");
                else
                    w.duration = std::chrono::duration_cast<seconds>(*end - *start);
            }
        } else if (dur) {
            w.duration = *dur;
        } else if (!r.has("duration")) {
            r.error("duration", "missing required key (a one-off window needs duration or end)");
        }
    } else {
        if (r.has("end")) r.error("end", "a weekly window has a duration, not an end");
        if (auto days = read_weekdays(r, "days"))
            w.weekdays = *days;
        else if (!r.has("days"))
            r.missing("days");
        if (auto at = read_time_of_day(r, "at", false))
            w.start_minute = *at;
        else if (!r.has("at"))
            r.missing("at");
        if (dur) {
            if (*dur > 7 * kDay)
                r.error("duration", "a weekly window lasts at most 7d");
            else
                w.duration = *dur;
        } else if (!r.has("duration")) {
            r.missing("duration");
        }
    }
    pc.config.maintenance.push_back(std::move(w));
    pc.maintenance.push_back(place);
}

void parse_alarms(Context& ctx, const Place& place, AlarmSettings& a) {
    TableReader r(ctx.diag, place, schema::alarms());
    if (auto d = r.duration("reopen_window", seconds(0), 7 * kDay)) a.reopen_window = *d;
    if (auto n = r.integer("recurring_count", 2, 1000)) a.recurring_count = static_cast<int>(*n);
    if (auto d = r.duration("recurring_window", seconds(3600), 365 * kDay)) a.recurring_window = *d;
    if (auto fp = r.table("flap")) {
        TableReader f(ctx.diag, *fp, schema::flap());
        if (auto n = f.integer("window", 3, 100)) a.flap.window = static_cast<int>(*n);
        if (auto s = f.number("start", 0.0, 1.0)) a.flap.start_threshold = *s;
        if (auto s = f.number("stop", 0.0, 1.0)) a.flap.stop_threshold = *s;
        if (a.flap.stop_threshold >= a.flap.start_threshold)
            f.error(f.has("stop") ? "stop" : "start",
                    fmt::format("stop ({}) must be below start ({}), or flapping would never end", a.flap.stop_threshold,
                                a.flap.start_threshold));
    }
}

bool valid_smtp_url(std::string_view url) {
    std::string_view rest;
    if (url.rfind("smtp://", 0) == 0)
        rest = url.substr(7);
    else if (url.rfind("smtps://", 0) == 0)
        rest = url.substr(8);
    else
        return false;
    return !rest.empty() && rest[0] != ':' && rest[0] != '/' &&
           std::none_of(rest.begin(), rest.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

void parse_smtp(Context& ctx, const Place& place, SmtpConfig& s) {
    TableReader r(ctx.diag, place, schema::smtp());
    if (auto b = r.boolean("enabled")) s.enabled = *b;
    for (const char* key : {"url", "fallback_url"}) {
        if (auto u = r.string(key)) {
            if (!u->empty() && !valid_smtp_url(*u))
                r.error(key, fmt::format("\"{}\" is not smtp://host[:port] or smtps://host[:port]", *u));
            (std::string_view(key) == "url" ? s.url : s.fallback_url) = *u;
        }
    }
    if (auto f = read_email(r, "from", false)) s.from = *f;
    if (auto u = r.string("username")) s.username = *u;
    if (r.has("password")) {
        if (auto pw = read_secret(ctx, r, "password")) s.password = *pw;
        if (s.username.empty()) r.warning("password", "ignored: no username is set");
    }
    if (auto b = r.boolean("starttls")) s.starttls = *b;
    if (auto p = r.path("ca_file", ctx.base_dir)) {
        s.ca_file = *p;
        std::error_code ec;
        if (!p->empty() && !std::filesystem::exists(*p, ec))
            r.error("ca_file", fmt::format("{} does not exist", *p));
    }
    if (auto e = r.string("ehlo_name")) s.ehlo_name = *e;
    if (auto d = r.duration("timeout", seconds(1), seconds(600))) s.timeout = *d;
    if (auto d = r.duration("group_window", seconds(0), seconds(3600))) s.group_window = *d;
    if (auto d = r.duration("retry_initial", seconds(1), kDay)) s.retry_initial = *d;
    if (auto d = r.duration("retry_max", seconds(1), kDay)) s.retry_max = *d;
    if (s.retry_max < s.retry_initial) r.error("retry_max", "must not be shorter than retry_initial");
    if (auto d = r.duration("undelivered_alarm_after", seconds(60), 7 * kDay)) s.undelivered_alarm_after = *d;
    if (auto list = r.strings("fallback_recipients")) {
        for (const auto& a : *list)
            if (!plausible_email(a)) r.error("fallback_recipients", fmt::format("\"{}\" is not an e-mail address", a));
        s.fallback_recipients = *list;
    }
    if (s.enabled) {
        if (s.url.empty() && !r.has("url")) r.error("url", "missing required key (smtp is enabled)");
        if (s.from.empty() && !r.has("from")) r.error("from", "missing required key (smtp is enabled)");
    }
    if (!s.starttls && s.url.rfind("smtp://", 0) == 0)
        r.warning("starttls", "starttls = false on smtp://: the password and every alarm travel unencrypted");
}

void parse_report(Context& ctx, const Place& place, ReportSettings& rs) {
    TableReader r(ctx.diag, place, schema::report());
    rs.where = place.at();
    if (auto list = r.strings("recipients")) {
        for (const auto& a : *list)
            if (!plausible_email(a)) r.error("recipients", fmt::format("\"{}\" is not an e-mail address", a));
        rs.recipients = *list;
    }
}

void parse_traps(Context& ctx, const Place& place, TrapConfig& t) {
    TableReader r(ctx.diag, place, schema::traps());
    if (auto b = r.boolean("enabled")) t.enabled = *b;
    if (auto l = r.string("listen")) {
        // "udp:HOST:PORT" or "udp6:[ADDR]:PORT"
        auto colon = l->rfind(':');
        bool ok = (l->rfind("udp:", 0) == 0 || l->rfind("udp6:", 0) == 0) && colon != std::string::npos &&
                  colon > l->find(':');
        long port = 0;
        if (ok) {
            std::string p = l->substr(colon + 1);
            ok = !p.empty() && p.size() <= 5 && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (ok) port = std::stol(p);
            ok = ok && port >= 1 && port <= 65535;
        }
        if (!ok)
            r.error("listen", fmt::format("\"{}\" is not udp:HOST:PORT or udp6:[ADDR]:PORT (port 1-65535)", *l));
        else
            t.listen = *l;
    }
    if (const toml::node* n = r.node("communities")) {
        if (const toml::array* a = n->as_array()) {
            for (std::size_t i = 0; i < a->size(); ++i) {
                const toml::node& e = *a->get(i);
                std::string key = fmt::format("traps.communities[{}]", i);
                Location loc = location_of(e.source(), ctx.source_file);
                if (!loc.line) loc = place.at("communities");
                if (!e.is_string()) {
                    ctx.diag.error(loc, key, "expected a string, found " + toml_type_name(e));
                    continue;
                }
                if (auto c = resolve_secret(ctx, e.as_string()->get(), loc, key)) t.communities.push_back(*c);
            }
        } else {
            r.error("communities", "expected an array of strings, found " + toml_type_name(*n));
        }
    }
    for (const auto& up : r.tables("user")) t.users.push_back(parse_v3(ctx, up, schema::trap_user(), true));
    for (const auto& mp : r.tables("map")) {
        TableReader m(ctx.diag, mp, schema::trap_map());
        TrapMapping map;
        map.where = mp.at();
        if (auto oid = m.required_string("oid")) {
            std::string_view o = *oid;
            if (o.size() > 2 && o.substr(o.size() - 2) == ".*") o.remove_suffix(2);
            if (!is_numeric_oid(o))
                m.error("oid", fmt::format("\"{}\" is not a numeric OID (a trailing \".*\" matches a subtree)", *oid));
            map.oid = *oid;
        }
        if (auto e = m.identifier("event")) map.event = *e;
        if (auto e = m.identifier("clear_event", false)) map.clear_event = *e;
        t.mappings.push_back(std::move(map));
    }
    if (t.enabled && t.communities.empty() && t.users.empty())
        r.warning("enabled", "no communities and no v3 users: every trap will be rejected");
}

}  // namespace

void parse_root(Context& ctx, const toml::table& root, ParsedConfig& pc) {
    Config& c = pc.config;
    c.source_file = ctx.source_file;
    c.policies = default_severity_policies();
    TableReader top(ctx.diag, Place{&root, "", Location{ctx.source_file, 1, 1}}, schema::config_root());

    // [daemon] first: its default_interval is every device's default.
    parse_daemon(ctx, top.table("daemon"), pc);
    if (auto p = top.table("store")) parse_store(ctx, *p, c.store);

    for (const auto& sp : top.tables("site")) {
        TableReader r(ctx.diag, sp, schema::site());
        SiteConfig s;
        s.where = sp.at();
        s.timezone = c.daemon.timezone;
        if (auto id = r.identifier("id")) s.id = *id;
        if (auto n = r.string("name")) s.name = *n;
        if (s.name.empty()) s.name = s.id;
        check_timezone(r, "timezone", s.timezone);
        c.sites.push_back(std::move(s));
        pc.sites.push_back(sp);
    }
    for (const auto& rp : top.tables("room")) {
        TableReader r(ctx.diag, rp, schema::room());
        RoomConfig room;
        room.where = rp.at();
        if (auto id = r.identifier("id")) room.id = *id;
        if (auto n = r.string("name")) room.name = *n;
        if (room.name.empty()) room.name = room.id;
        if (auto s = r.identifier("site", false)) room.site = *s;
        if (auto k = r.string("kind")) room.kind = *k;
        c.rooms.push_back(std::move(room));
        pc.rooms.push_back(rp);
    }
    // Sized once: a fleet has thousands of devices, and a vector that grows by doubling holds
    // the old and the new copy at once (14 MB for 10,000 devices) while the TOML tree is alive.
    const auto device_tables = top.tables("device");
    c.devices.reserve(device_tables.size());
    pc.devices.reserve(device_tables.size());
    for (const auto& dp : device_tables) parse_device(ctx, dp, pc);

    for (const auto& pp : top.tables("profile")) {
        TableReader inner(ctx.diag, pp, schema::inline_profile(), false);  // keys checked below
        if (auto p = parse_profile_tables(ctx.diag, pp, schema::inline_profile(), inner.tables("metric"),
                                          inner.tables("rule"))) {
            c.profiles.push_back(std::move(*p));
            pc.inline_profiles.push_back(pp);
        }
    }
    for (const auto& rp : top.tables("rule")) {
        ParsedRule pr = parse_rule(ctx.diag, rp, false);
        c.rules.push_back(std::move(pr.rule));
        pc.global_rules.push_back(rp);
    }

    if (auto p = top.table("severity")) {
        pc.severity = p;
        parse_severity_table(ctx, *p, pc);
    }
    for (const auto& cp : top.tables("chain")) parse_chain(ctx, cp, pc);
    pc.chains_given = top.has("chain");
    for (const auto& pp : top.tables("person")) {
        TableReader r(ctx.diag, pp, schema::person());
        Person person;
        person.where = pp.at();
        if (auto id = r.identifier("id")) person.id = *id;
        if (auto n = r.string("name")) person.name = *n;
        if (person.name.empty()) person.name = person.id;
        if (auto e = read_email(r, "email", true)) person.email = *e;
        c.people.push_back(std::move(person));
        pc.people.push_back(pp);
    }
    if (auto p = top.table("roster")) parse_roster(ctx, *p, pc);
    for (const auto& mp : top.tables("maintenance")) parse_maintenance(ctx, mp, pc);
    if (auto p = top.table("alarms")) parse_alarms(ctx, *p, c.alarms);
    if (auto p = top.table("smtp")) parse_smtp(ctx, *p, c.smtp);
    if (auto p = top.table("report")) parse_report(ctx, *p, c.report);
    if (auto p = top.table("traps")) parse_traps(ctx, *p, c.traps);
}

}  // namespace avmon::config::detail
