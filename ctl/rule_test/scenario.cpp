#include "ctl/rule_test/scenario.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "config/loader.hpp"
#include "daemon/alarms/alarm_engine.hpp"

namespace avmon::ctl::rule_test {

bool AlarmSelector::matches(const Alarm& a) const {
    if (!device.empty() && a.device != device) return false;
    if (rule.empty()) return true;
    if (rule.find('@') != std::string::npos) return a.rule_id == rule;
    return alarms::alarm_rule(a) == rule;
}

std::string AlarmSelector::describe() const {
    std::string s = device.empty() ? "*" : device;
    s += "/";
    s += rule.empty() ? "*" : rule;
    return s;
}

std::vector<Point> parse_series(const std::string& text, bool reachability) {
    std::vector<Point> out;
    std::istringstream in(text);
    std::string tok;
    while (in >> tok) {
        std::size_t repeat = 1;
        // "95x3" = 95 three times; "_x10" ten gaps; "downx5".
        if (auto x = tok.rfind('x'); x != std::string::npos && x > 0 && x + 1 < tok.size() &&
                                     tok.find_first_not_of("0123456789", x + 1) == std::string::npos) {
            repeat = std::stoul(tok.substr(x + 1));
            tok = tok.substr(0, x);
            if (repeat > 10'000'000) throw std::invalid_argument("repeat count too large in \"" + tok + "\"");
        }
        Point p;
        if (tok == "_") p.kind = Point::Kind::gap;
        else if (reachability && tok == "up") p.kind = Point::Kind::up;
        else if (reachability && tok == "down") p.kind = Point::Kind::down;
        else if (reachability) throw std::invalid_argument("\"" + tok + "\" is not up, down or _");
        else if (tok == "!") p.kind = Point::Kind::unavailable;
        else {
            std::size_t used = 0;
            try {
                p.value = std::stod(tok, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != tok.size() || !std::isfinite(p.value))
                throw std::invalid_argument("\"" + tok + "\" is not a number, _ (no poll) or ! (unreadable)");
            p.kind = Point::Kind::value;
        }
        out.insert(out.end(), repeat, p);
    }
    return out;
}

namespace {

// Reads one TOML table strictly: every key must be consumed, errors name file:line.
class Reader {
public:
    Reader(const std::string& file, const toml::table& t, std::string what) : file_(file), t_(t), what_(std::move(what)) {}

    int line() const { return static_cast<int>(t_.source().begin.line); }
    [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
        int l = line();
        if (const auto* n = t_.get(key)) l = static_cast<int>(n->source().begin.line);
        throw ScenarioError(file_ + ":" + std::to_string(l) + ": " + what_ + (key.empty() ? "" : "." + key) + ": " + msg);
    }
    bool has(const std::string& key) const { return t_.contains(key); }
    const toml::node* node(const std::string& key) {
        used_.insert(key);
        return t_.get(key);
    }
    std::optional<std::string> str(const std::string& key) {
        const auto* n = node(key);
        if (!n) return std::nullopt;
        if (auto s = n->value<std::string>()) return *s;
        fail(key, "must be a string");
    }
    std::string required(const std::string& key) {
        auto s = str(key);
        if (!s) fail(key, "missing required key");
        return *s;
    }
    std::optional<std::int64_t> integer(const std::string& key) {
        const auto* n = node(key);
        if (!n) return std::nullopt;
        if (auto v = n->value_exact<std::int64_t>()) return *v;
        fail(key, "must be an integer");
    }
    std::optional<double> number(const std::string& key) {
        const auto* n = node(key);
        if (!n) return std::nullopt;
        if (auto v = n->value<double>()) return *v;
        fail(key, "must be a number");
    }
    std::optional<bool> boolean(const std::string& key) {
        const auto* n = node(key);
        if (!n) return std::nullopt;
        if (auto v = n->value_exact<bool>()) return *v;
        fail(key, "must be true or false");
    }
    std::optional<Offset> duration(const std::string& key) {
        auto s = str(key);
        if (!s) return std::nullopt;
        if (auto d = config::parse_duration(*s)) return *d;
        fail(key, "\"" + *s + "\" is not a duration like \"30s\", \"5m\", \"1h30m\", \"2d\"");
    }
    std::vector<Offset> durations(const std::string& key) {
        const auto* n = node(key);
        if (!n) return {};
        if (n->is_string()) return {*duration(key)};
        std::vector<Offset> out;
        if (const auto* arr = n->as_array()) {
            for (const auto& e : *arr) {
                auto s = e.value<std::string>();
                auto d = s ? config::parse_duration(*s) : std::nullopt;
                if (!d) fail(key, "every entry must be a duration like \"10m\"");
                out.push_back(*d);
            }
            return out;
        }
        fail(key, "must be a duration or a list of durations");
    }
    AlarmSelector selector() {
        AlarmSelector s;
        if (auto d = str("device")) s.device = *d;
        if (auto r = str("rule")) s.rule = *r;
        return s;
    }
    // Unknown keys are typos: say so rather than silently testing nothing.
    void done() const {
        for (const auto& [k, v] : t_)
            if (!used_.count(std::string(k.str())))
                throw ScenarioError(file_ + ":" + std::to_string(v.source().begin.line) + ": " + what_ + ": unknown key \"" +
                                    std::string(k.str()) + "\"");
    }

private:
    const std::string& file_;
    const toml::table& t_;
    std::string what_;
    std::set<std::string> used_;
};

std::vector<const toml::table*> tables(Reader& r, const std::string& key) {
    std::vector<const toml::table*> out;
    const auto* n = r.node(key);
    if (!n) return out;
    if (const auto* arr = n->as_array()) {
        for (const auto& e : *arr) {
            if (!e.is_table()) r.fail(key, "must be an array of tables ([[" + key + "]])");
            out.push_back(e.as_table());
        }
        return out;
    }
    if (const auto* t = n->as_table()) {
        out.push_back(t);
        return out;
    }
    r.fail(key, "must be a table or an array of tables");
}

config::Config load_config(Reader& top, const std::string& file) {
    const auto* n = top.node("config");
    if (!n) top.fail("config", "missing: give config = \"path/to/avmon.toml\" or an inline [config] table");
    const std::filesystem::path dir = std::filesystem::path(file).parent_path();
    config::LoadOptions opts;
    opts.resolve_secrets = false;  // a simulation never talks to a device
    config::LoadResult res;
    std::string source;
    if (auto path = n->value<std::string>()) {
        std::filesystem::path p(*path);
        if (p.is_relative()) p = dir / p;
        source = p.string();
        res = config::load_config_file(source, opts);
    } else if (const auto* t = n->as_table()) {
        std::ostringstream text;
        text << *t;
        source = file + " [config]";
        opts.use_configured_profile_dirs = false;
        // Profiles for inline configs: inline [[config.profile]] tables, or a profiles/ folder
        // next to the scenario.
        const auto profiles = (dir.empty() ? std::filesystem::path(".") : dir) / "profiles";
        if (std::filesystem::is_directory(profiles)) opts.extra_profile_dirs = {profiles.string()};
        res = config::parse_config(text.str(), source, opts);
    } else {
        top.fail("config", "must be a path string or a table");
    }
    if (!res.ok()) {
        std::string msg = file + ":" + std::to_string(n->source().begin.line) + ": config " + source + " is invalid:";
        for (const auto& e : res.errors) msg += "\n  " + e.to_string();
        throw ScenarioError(msg);
    }
    return *res.config;
}

SysTime parse_start(Reader& r, const std::string& file) {
    const auto* n = r.node("start");
    if (!n) r.fail("start", "missing required key (e.g. start = \"2026-11-02T08:00:00Z\")");
    SysTime t{};
    if (auto s = n->value<std::string>()) {
        if (parse_utc(*s, t)) return t;
    } else if (auto dt = n->value<toml::date_time>()) {
        if (dt->offset && dt->offset->minutes == 0) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", dt->date.year, dt->date.month,
                          dt->date.day, dt->time.hour, dt->time.minute, dt->time.second);
            if (parse_utc(buf, t)) return t;
        }
    }
    (void)file;
    r.fail("start", "must be a UTC time like \"2026-11-02T08:00:00Z\"");
}

}  // namespace

Scenario load_scenario(const std::string& path) {
    Scenario sc;
    sc.file = path;
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw ScenarioError(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    Reader top(path, root, "scenario");
    sc.name = top.str("name").value_or(std::filesystem::path(path).stem().string());
    sc.start = parse_start(top, path);
    auto dur = top.duration("duration");
    if (!dur) top.fail("duration", "missing required key (how long to simulate, e.g. \"2h\")");
    sc.duration = *dur;
    const Offset default_step = top.duration("step").value_or(Offset{60});
    sc.config = load_config(top, path);

    for (const auto* t : tables(top, "input")) {
        Reader r(path, *t, "input");
        InputSeries in;
        in.line = r.line();
        in.device = r.required("device");
        if (!sc.config.find_device(in.device)) r.fail("device", "no device \"" + in.device + "\" in the config");
        in.start = r.duration("start").value_or(Offset{0});
        in.step = r.duration("step").value_or(default_step);
        if (in.step.count() <= 0) r.fail("step", "must be longer than 0s");
        const bool has_values = r.has("values"), has_reach = r.has("reachability"), has_trap = r.has("trap");
        if (has_values + has_reach + has_trap != 1)
            r.fail("", "give exactly one of values (with metric), reachability or trap");
        try {
            if (has_values) {
                in.kind = InputSeries::Kind::metric;
                in.metric = r.required("metric");
                in.points = parse_series(*r.str("values"), false);
            } else if (has_reach) {
                in.kind = InputSeries::Kind::reachability;
                in.points = parse_series(*r.str("reachability"), true);
            } else {
                in.kind = InputSeries::Kind::trap;
                in.event = r.required("trap");
                in.at = r.durations("at");
                if (in.at.empty()) r.fail("at", "a trap needs at = \"10m\" or a list of offsets");
            }
        } catch (const std::invalid_argument& e) {
            r.fail(has_values ? "values" : "reachability", e.what());
        }
        r.done();
        sc.inputs.push_back(std::move(in));
    }

    for (const auto* t : tables(top, "action")) {
        Reader r(path, *t, "action");
        Action a;
        a.line = r.line();
        const std::string kind = r.required("kind");
        static const std::pair<const char*, Action::Kind> kinds[] = {
            {"ack", Action::Kind::ack},           {"resolve", Action::Kind::resolve},
            {"close", Action::Kind::close},       {"note", Action::Kind::note},
            {"maintenance", Action::Kind::maintenance}, {"end_maintenance", Action::Kind::end_maintenance},
            {"restart", Action::Kind::restart}};
        bool known = false;
        for (const auto& [n, k] : kinds)
            if (kind == n) {
                a.kind = k;
                known = true;
            }
        if (!known) r.fail("kind", "\"" + kind + "\" is not ack, resolve, close, note, maintenance, end_maintenance or restart");
        auto at = r.duration("at");
        if (!at) r.fail("at", "missing required key (offset from start, e.g. \"35m\")");
        a.at = *at;
        if (auto u = r.str("user")) a.user = *u;
        a.alarm = r.selector();
        a.note = r.str("note").value_or("");
        a.cause = r.str("cause").value_or("");
        a.action = r.str("action").value_or("");
        if (a.kind == Action::Kind::maintenance || a.kind == Action::Kind::end_maintenance) {
            a.window.id = r.required("id");
            if (a.kind == Action::Kind::maintenance) {
                const std::string scope = r.str("scope").value_or("device");
                if (scope == "device") a.window.scope = config::MaintenanceWindow::Scope::device;
                else if (scope == "room") a.window.scope = config::MaintenanceWindow::Scope::room;
                else if (scope == "site") a.window.scope = config::MaintenanceWindow::Scope::site;
                else r.fail("scope", "must be device, room or site");
                a.window.target = r.required("target");
                auto d = r.duration("duration");
                if (!d) r.fail("duration", "missing required key");
                a.window.duration = *d;
                a.window.reason = r.str("reason").value_or("");
                a.window.start = sc.start + a.at;
            }
        }
        if (a.kind == Action::Kind::restart) {
            auto d = r.duration("down_for");
            if (!d) r.fail("down_for", "missing required key (how long the daemon is stopped)");
            a.down_for = *d;
        }
        if ((a.kind == Action::Kind::ack || a.kind == Action::Kind::resolve || a.kind == Action::Kind::close ||
             a.kind == Action::Kind::note) &&
            a.alarm.device.empty() && a.alarm.rule.empty())
            r.fail("", "say which alarm: device = \"...\" and/or rule = \"...\"");
        if (a.kind == Action::Kind::close && (a.cause.empty() || a.action.empty()))
            r.fail("", "close needs cause and action");
        r.done();
        sc.actions.push_back(std::move(a));
    }

    if (const auto* e = root.get("expect")) {
        if (!e->is_table()) top.fail("expect", "must be a table ([expect], [[expect.alarm]], [[expect.event]] ...)");
        top.node("expect");
        Reader ex(path, *e->as_table(), "expect");
        sc.totals.line = ex.line();
        if (auto v = ex.integer("alarms")) sc.totals.alarms = static_cast<int>(*v);
        if (auto v = ex.integer("suppressed")) sc.totals.suppressed = static_cast<int>(*v);
        if (auto v = ex.integer("notifications")) sc.totals.notifications = static_cast<int>(*v);
        if (auto v = ex.integer("open")) sc.totals.open = static_cast<int>(*v);
        sc.totals.exact_events = ex.boolean("exact_events").value_or(false);

        for (const auto* t : tables(ex, "alarm")) {
            Reader r(path, *t, "expect.alarm");
            ExpectAlarm x;
            x.line = r.line();
            x.alarm = r.selector();
            if (auto s = r.str("severity")) {
                x.severity = parse_severity(*s);
                if (!x.severity) r.fail("severity", "must be I, II, III or IV");
            }
            if (auto s = r.str("state")) {
                x.state = parse_alarm_state(*s);
                if (!x.state) r.fail("state", "must be raised, acknowledged, resolved or closed");
            }
            if (auto v = r.integer("escalation_level")) x.escalation_level = static_cast<int>(*v);
            if (auto v = r.integer("occurrences")) x.occurrences = static_cast<int>(*v);
            x.suppressed = r.boolean("suppressed");
            x.flapping = r.boolean("flapping");
            x.recurring = r.boolean("recurring");
            x.text = r.str("text");
            x.suppression_reason = r.str("suppression_reason");
            x.root_device = r.str("root_device");
            r.done();
            sc.expect_alarms.push_back(std::move(x));
        }
        for (const auto* t : tables(ex, "event")) {
            Reader r(path, *t, "expect.event");
            ExpectEvent x;
            x.line = r.line();
            const std::string kind = r.required("kind");
            auto k = parse_alarm_event_kind(kind);
            if (!k) r.fail("kind", "\"" + kind + "\" is not an event kind (raised, reopened, acknowledged, escalated, "
                                              "reminder, resolved, closed, suppressed, unsuppressed, flapping, recurring, note)");
            x.kind = *k;
            x.alarm = r.selector();
            x.at = r.duration("at");
            x.tolerance = r.duration("tolerance").value_or(Offset{0});
            if (auto v = r.integer("count")) x.count = static_cast<int>(*v);
            if (auto v = r.integer("escalation_level")) x.escalation_level = static_cast<int>(*v);
            x.actor = r.str("actor");
            x.note = r.str("note");
            r.done();
            sc.expect_events.push_back(std::move(x));
        }
        for (const auto* t : tables(ex, "notification")) {
            Reader r(path, *t, "expect.notification");
            ExpectNotification x;
            x.line = r.line();
            x.to = r.required("to");
            if (auto kind = r.str("kind")) {
                x.kind = parse_alarm_event_kind(*kind);
                if (!x.kind) r.fail("kind", "\"" + *kind + "\" is not an event kind");
            }
            x.alarm = r.selector();
            x.at = r.duration("at");
            x.tolerance = r.duration("tolerance").value_or(Offset{0});
            if (auto v = r.integer("count")) x.count = static_cast<int>(*v);
            if (auto v = r.integer("escalation_level")) x.escalation_level = static_cast<int>(*v);
            r.done();
            sc.expect_notifications.push_back(std::move(x));
        }
        ex.done();
    }
    top.done();
    return sc;
}

}  // namespace avmon::ctl::rule_test
