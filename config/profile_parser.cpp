// Profiles (how a class of device is polled and judged) and rules, wherever they are
// written: profile files, inline [[profile]], [[device.rule]] and global [[rule]].
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/parse_context.hpp"

namespace avmon::config::detail {
namespace {

constexpr double kMaxThreshold = 1e15;
constexpr std::string_view kTextPlaceholders[] = {"device", "room", "metric", "row", "value", "threshold"};

bool needs_metric(RuleKind k) { return k != RuleKind::unreachable && k != RuleKind::trap; }
bool needs_threshold(RuleKind k) {
    return k == RuleKind::above || k == RuleKind::below || k == RuleKind::equals || k == RuleKind::not_equals ||
           k == RuleKind::rate_above;
}

void check_text_placeholders(TableReader& r, const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') continue;
        auto close = text.find('}', i);
        if (close == std::string::npos) {
            r.error("text", "unclosed '{' in text");
            return;
        }
        std::string name = text.substr(i + 1, close - i - 1);
        if (std::find(std::begin(kTextPlaceholders), std::end(kTextPlaceholders), name) == std::end(kTextPlaceholders)) {
            r.error("text", fmt::format("unknown placeholder {{{}}}; known: {{device}} {{room}} {{metric}} {{row}} "
                                        "{{value}} {{threshold}}",
                                        name));
            return;
        }
        i = close;
    }
}

std::optional<Severity> read_severity(TableReader& r, std::string_view key) {
    auto s = r.string(key);
    if (!s) return std::nullopt;
    auto sev = parse_severity(*s);
    if (!sev) r.error(key, fmt::format("unknown severity \"{}\"; expected I, II, III or IV", *s));
    return sev;
}

std::optional<MetricDef> parse_metric(Diagnostics& diag, const Place& place, const std::string& protocol) {
    TableReader r(diag, place, schema::metric());
    MetricDef m;
    m.where = place.at();
    bool ok = true;
    if (auto name = r.required_string("name")) {
        bool valid = std::all_of(name->begin(), name->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        });
        if (!valid) {
            r.error("name", fmt::format("invalid metric name \"{}\": use letters, digits and '_' "
                                        "(walked rows are appended as \".<row>\")",
                                        *name));
            ok = false;
        }
        m.name = *name;
    } else {
        ok = false;
    }
    if (auto src = r.required_string("source")) {
        if (protocol == "snmp" && !is_numeric_oid(*src)) {
            r.error("source", fmt::format("\"{}\" is not a numeric OID (e.g. \"1.3.6.1.2.1.1.3.0\")", *src));
            ok = false;
        }
        m.source = *src;
    } else {
        ok = false;
    }
    if (auto kind = r.one_of("kind", {"gauge", "counter", "fact", "state"})) {
        m.kind = *kind == "gauge"     ? MetricDef::Kind::gauge
                 : *kind == "counter" ? MetricDef::Kind::counter
                 : *kind == "fact"    ? MetricDef::Kind::fact
                                      : MetricDef::Kind::state;
    } else if (r.has("kind")) {
        ok = false;
    }
    if (auto walk = r.boolean("walk")) {
        m.walk = *walk;
        if (m.walk && protocol != "snmp") {
            r.error("walk", "walk = true is only for SNMP profiles");
            ok = false;
        }
    }
    if (auto idx = r.string("index")) {
        if (!is_numeric_oid(*idx)) {
            r.error("index", fmt::format("\"{}\" is not a numeric OID", *idx));
            ok = false;
        } else if (!m.walk) {
            r.error("index", "index names the rows of a walked column: it needs walk = true");
            ok = false;
        }
        m.index_source = *idx;
    }
    if (auto scale = r.number("scale", -1e12, 1e12)) {
        if (*scale == 0) {
            r.error("scale", "scale must not be 0");
            ok = false;
        }
        m.scale = *scale;
    } else if (r.has("scale")) {
        ok = false;
    }
    if (auto unit = r.string("unit")) m.unit = *unit;
    if (auto values = r.table("values")) {
        for (auto&& [k, v] : *values->table) {
            std::string key = values->key(k.str());
            Location loc = location_of(v.source(), place.fallback.file);
            if (v.is_integer())
                m.value_map[std::string(k.str())] = static_cast<double>(v.as_integer()->get());
            else if (v.is_floating_point())
                m.value_map[std::string(k.str())] = v.as_floating_point()->get();
            else {
                diag.error(loc, key, "expected a number, found " + toml_type_name(v));
                ok = false;
            }
        }
        if (m.kind != MetricDef::Kind::state)
            r.warning("values", "values only map text to numbers for kind = \"state\"; ignored here");
    }
    if (!ok) return std::nullopt;
    return m;
}

std::optional<Profile> profile_from_root(Diagnostics& diag, const toml::table& root, const std::string& file) {
    TableReader top(diag, Place{&root, "", Location{file, 1, 1}}, schema::profile_file());
    auto header = top.table("profile");
    if (!header) {
        if (!top.has("profile")) top.error_here("missing [profile] table (name, class, protocol)");
        return std::nullopt;
    }
    return parse_profile_tables(diag, *header, schema::profile_header(), top.tables("metric"), top.tables("rule"));
}

}  // namespace

std::optional<RuleKind> parse_rule_kind(std::string_view s) {
    static constexpr RuleKind kinds[] = {RuleKind::above,      RuleKind::below,       RuleKind::equals,
                                         RuleKind::not_equals, RuleKind::rate_above,  RuleKind::unreachable,
                                         RuleKind::trap,       RuleKind::metric_unavailable};
    for (RuleKind k : kinds)
        if (rule_kind_name(k) == s) return k;
    return std::nullopt;
}

std::string_view rule_kind_name(RuleKind k) {
    switch (k) {
        case RuleKind::above: return "above";
        case RuleKind::below: return "below";
        case RuleKind::equals: return "equals";
        case RuleKind::not_equals: return "not_equals";
        case RuleKind::rate_above: return "rate_above";
        case RuleKind::unreachable: return "unreachable";
        case RuleKind::trap: return "trap";
        case RuleKind::metric_unavailable: return "metric_unavailable";
    }
    return "?";
}

std::optional<DeviceClass> parse_device_class(std::string_view s) {
    if (s == "codec") return DeviceClass::codec;
    if (s == "mic") return DeviceClass::mic;
    if (s == "display") return DeviceClass::display;
    if (s == "switch") return DeviceClass::switch_;
    return std::nullopt;
}

ParsedRule parse_rule(Diagnostics& diag, const Place& place, bool partial) {
    ParsedRule pr;
    pr.place = place;
    TableReader r(diag, place, schema::rule());
    for (auto&& [k, v] : *place.table)
        if (schema::rule().allows(k.str())) pr.keys.insert(std::string(k.str()));
    RuleConfig& rule = pr.rule;
    rule.where = place.at();
    auto drop = [&](const char* key) { pr.keys.erase(key); };  // invalid: treat as not given

    if (auto id = r.identifier("id")) rule.id = *id;
    if (auto kind = r.one_of("kind", {"above", "below", "equals", "not_equals", "rate_above", "unreachable", "trap",
                                      "metric_unavailable"}))
        rule.kind = *parse_rule_kind(*kind);
    else {
        if (!r.has("kind") && !partial) r.missing("kind");
        drop("kind");
    }
    if (auto metric = r.string("metric")) {
        if (metric->empty()) r.error("metric", "must not be empty");
        rule.metric = *metric;
    }
    if (auto t = r.number("threshold", -kMaxThreshold, kMaxThreshold))
        rule.threshold = *t;
    else
        drop("threshold");
    if (auto c = r.number("clear", -kMaxThreshold, kMaxThreshold))
        rule.clear_threshold = *c;
    else
        drop("clear");
    if (auto sev = read_severity(r, "severity"))
        rule.severity = *sev;
    else
        drop("severity");
    if (auto by_kind = r.table("severity_by_room_kind")) {
        for (auto&& [k, v] : *by_kind->table) {
            std::string key = by_kind->key(k.str());
            Location loc = location_of(v.source(), place.fallback.file);
            if (!loc.line) loc = by_kind->at();
            auto sev = v.is_string() ? parse_severity(v.as_string()->get()) : std::nullopt;
            if (!sev)
                diag.error(loc, key, "expected a severity string: \"I\", \"II\", \"III\" or \"IV\"");
            else
                rule.severity_by_room_kind[std::string(k.str())] = *sev;
        }
    }
    const auto week = std::chrono::seconds(7 * 86400);
    if (auto d = r.duration("for", std::chrono::seconds(0), week)) rule.for_duration = *d;
    if (auto n = r.integer("for_polls", 1, 1000)) rule.for_polls = static_cast<int>(*n);
    if (auto d = r.duration("clear_for", std::chrono::seconds(0), week)) rule.clear_for = *d;
    if (auto text = r.string("text")) {
        check_text_placeholders(r, *text);
        rule.text = *text;
    }
    if (auto b = r.boolean("marks_down")) rule.marks_down = *b;
    if (auto ev = r.identifier("trap_event", false)) rule.trap_event = *ev;
    if (auto ev = r.identifier("clear_event", false)) rule.clear_event = *ev;
    if (!partial) check_rule(diag, pr);
    return pr;
}

void check_rule(Diagnostics& diag, const ParsedRule& pr) {
    const RuleConfig& rule = pr.rule;
    const Place& p = pr.place;
    auto given = [&](const char* k) { return pr.keys.count(k) > 0; };
    auto err = [&](const char* key, std::string msg) { diag.error(p.at(key), p.key(key), std::move(msg)); };
    if (!given("kind")) {
        err("kind", "missing required key (a device rule that overrides no profile rule needs kind, metric, "
                    "threshold ...)");
        return;
    }
    const std::string kind(rule_kind_name(rule.kind));
    if (needs_metric(rule.kind) && rule.metric.empty())
        err("metric", fmt::format("missing required key (kind \"{}\" needs a metric)", kind));
    if (needs_threshold(rule.kind) && !given("threshold"))
        err("threshold", fmt::format("missing required key (kind \"{}\" needs a threshold)", kind));
    if (rule.kind == RuleKind::trap && rule.trap_event.empty())
        err("trap_event", "missing required key (kind \"trap\" needs trap_event)");
    if (rule.kind != RuleKind::trap && (!rule.trap_event.empty() || !rule.clear_event.empty()))
        err(rule.trap_event.empty() ? "clear_event" : "trap_event", "only allowed with kind = \"trap\"");
    if (rule.clear_threshold && !needs_threshold(rule.kind))
        err("clear", fmt::format("clear is a threshold; kind \"{}\" has none", kind));
    if (rule.clear_threshold && given("threshold")) {
        double c = *rule.clear_threshold;
        if ((rule.kind == RuleKind::above || rule.kind == RuleKind::rate_above) && c > rule.threshold)
            err("clear", fmt::format("clear ({}) must not be above threshold ({}) for kind \"{}\"", c, rule.threshold,
                                     kind));
        if (rule.kind == RuleKind::below && c < rule.threshold)
            err("clear", fmt::format("clear ({}) must not be below threshold ({}) for kind \"below\"", c,
                                     rule.threshold));
    }
}

std::optional<Profile> parse_profile_tables(Diagnostics& diag, const Place& header, const TableSpec& header_spec,
                                            const std::vector<Place>& metrics, const std::vector<Place>& rules) {
    TableReader r(diag, header, header_spec);
    Profile p;
    p.where = header.at();
    std::size_t errors_before = diag.errors.size();
    if (auto name = r.identifier("name")) p.name = *name;
    if (auto cls = r.one_of("class", {"codec", "mic", "display", "switch"}))
        p.device_class = *parse_device_class(*cls);
    else if (!r.has("class"))
        r.missing("class");
    if (auto proto = r.one_of("protocol", {"snmp", "pjlink", "mdc", "nec", "shure", "icmp"}))
        p.protocol = *proto;
    else if (!r.has("protocol"))
        r.missing("protocol");

    std::set<std::string> metric_names;
    for (const auto& mp : metrics) {
        auto m = parse_metric(diag, mp, p.protocol);
        if (!m) continue;
        if (!metric_names.insert(m->name).second) {
            diag.error(mp.at("name"), mp.key("name"), fmt::format("duplicate metric name \"{}\"", m->name));
            continue;
        }
        p.metrics.push_back(std::move(*m));
    }
    std::set<std::string> rule_ids;
    for (const auto& rp : rules) {
        auto pr = parse_rule(diag, rp, false);
        if (pr.rule.id.empty()) continue;
        if (!rule_ids.insert(pr.rule.id).second) {
            diag.error(rp.at("id"), rp.key("id"), fmt::format("duplicate rule id \"{}\" in this profile", pr.rule.id));
            continue;
        }
        p.rules.push_back(std::move(pr.rule));
    }
    if (diag.errors.size() != errors_before) return std::nullopt;
    return p;
}

void load_profiles(Context& ctx, ParsedConfig& pc) {
    // Inline profiles come first: they override shipped ones of the same name.
    std::map<std::string, Location> seen;
    {
        std::vector<Profile> inline_profiles;
        for (std::size_t i = 0; i < pc.config.profiles.size(); ++i) {
            Profile& p = pc.config.profiles[i];
            const Place& place = pc.inline_profiles[i];
            if (auto it = seen.find(p.name); it != seen.end()) {
                ctx.diag.error(place.at("name"), place.key("name"),
                               fmt::format("duplicate profile \"{}\" (first defined at line {})", p.name,
                                           it->second.line));
                continue;
            }
            seen.emplace(p.name, p.where);
            inline_profiles.push_back(std::move(p));
        }
        pc.config.profiles = std::move(inline_profiles);
    }

    std::vector<std::filesystem::path> dirs;
    if (ctx.options.use_configured_profile_dirs) dirs = pc.profile_dirs;
    for (const auto& d : ctx.options.extra_profile_dirs) dirs.emplace_back(d);

    Location dirs_loc = pc.profile_dirs_place ? pc.profile_dirs_place->at("profile_dirs")
                                              : Location{ctx.source_file, 0, 0};
    std::string dirs_key = "daemon.profile_dirs";
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!std::filesystem::exists(dir, ec)) {
            ctx.diag.warning(dirs_loc, dirs_key, fmt::format("profile directory {} does not exist", dir.string()));
            continue;
        }
        if (!std::filesystem::is_directory(dir, ec)) {
            ctx.diag.error(dirs_loc, dirs_key, fmt::format("{} is not a directory", dir.string()));
            continue;
        }
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.path().extension() == ".toml" && e.is_regular_file(ec)) files.push_back(e.path());
        if (ec) {
            ctx.diag.error(dirs_loc, dirs_key, fmt::format("cannot list {}: {}", dir.string(), ec.message()));
            continue;
        }
        std::sort(files.begin(), files.end());
        std::map<std::string, std::string> in_this_dir;  // name -> file
        for (const auto& f : files) {
            ProfileResult r = load_profile_file(f.string());
            for (auto& e : r.errors) ctx.diag.errors.push_back(std::move(e));
            for (auto& w : r.warnings) ctx.diag.warnings.push_back(std::move(w));
            if (!r.profile) continue;
            Profile& p = *r.profile;
            if (auto it = in_this_dir.find(p.name); it != in_this_dir.end()) {
                ctx.diag.error(p.where, "profile.name",
                               fmt::format("duplicate profile \"{}\" (also in {})", p.name, it->second));
                continue;
            }
            in_this_dir.emplace(p.name, f.string());
            if (seen.count(p.name)) continue;  // an earlier directory (or inline) wins, like PATH
            seen.emplace(p.name, p.where);
            pc.config.profiles.push_back(std::move(p));
        }
    }
}

}  // namespace avmon::config::detail

namespace avmon::config {

ProfileResult parse_profile(std::string_view toml_text, const std::string& source_name) {
    detail::Diagnostics diag;
    ProfileResult out;
    try {
        toml::table root = toml::parse(toml_text, source_name);
        auto p = detail::profile_from_root(diag, root, source_name);
        if (p && diag.errors.empty()) {
            std::filesystem::path file(source_name);
            if (file.extension() == ".toml" && file.stem().string() != p->name)
                diag.warning(p->where, "profile.name",
                             fmt::format("profile \"{}\" is in a file named {}; name the file {}.toml", p->name,
                                         file.filename().string(), p->name));
            out.profile = std::move(p);
        }
    } catch (const toml::parse_error& e) {
        diag.error(detail::location_of(e.source(), source_name), "",
                   fmt::format("TOML syntax error: {}", e.description()));
    }
    out.errors = std::move(diag.errors);
    out.warnings = std::move(diag.warnings);
    if (!out.errors.empty()) out.profile.reset();
    return out;
}

ProfileResult load_profile_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ProfileResult out;
        out.errors.push_back({Location{path, 0, 0}, "", "cannot read profile file"});
        return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_profile(ss.str(), path);
}

}  // namespace avmon::config
