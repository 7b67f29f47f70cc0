// Pass 3 of a load: what can only be checked once every table has been read — unique
// ids, references between tables, parent cycles, device rules merged over their
// profile's — and the defaults that depend on what the file left out.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "config/parse_context.hpp"

namespace avmon::config::detail {
namespace {

template <typename T, typename GetId>
void check_unique(Diagnostics& diag, const std::vector<T>& items, const std::vector<Place>& places, const char* what,
                  GetId get_id) {
    std::map<std::string, int> first_line;
    for (std::size_t i = 0; i < items.size() && i < places.size(); ++i) {
        const std::string& id = get_id(items[i]);
        if (id.empty()) continue;
        auto [it, fresh] = first_line.emplace(id, places[i].at("id").line);
        if (!fresh)
            diag.error(places[i].at("id"), places[i].key("id"),
                       fmt::format("duplicate {} id \"{}\" (first defined at line {})", what, id, it->second));
    }
}

template <typename T, typename GetId>
std::string known_ids(const std::vector<T>& items, GetId get_id) {
    if (items.empty()) return "none are defined";
    std::string out = "known: ";
    for (std::size_t i = 0; i < items.size() && i < 10; ++i) out += (i ? ", " : "") + get_id(items[i]);
    if (items.size() > 10) out += ", ...";
    return out;
}

const std::string& id_of_site(const SiteConfig& x) { return x.id; }
const std::string& id_of_room(const RoomConfig& x) { return x.id; }
const std::string& id_of_device(const DeviceConfig& x) { return x.id; }
const std::string& id_of_person(const Person& x) { return x.id; }
const std::string& id_of_chain(const EscalationChain& x) { return x.id; }
const std::string& id_of_window(const MaintenanceWindow& x) { return x.id; }
const std::string& id_of_rule(const RuleConfig& x) { return x.id; }
const std::string& name_of_profile(const Profile& x) { return x.name; }

// Device rule fields written in the file replace the profile rule's; the rest is inherited.
RuleConfig merge_rule(const RuleConfig& base, const ParsedRule& over) {
    RuleConfig r = base;
    const RuleConfig& o = over.rule;
    auto given = [&](const char* k) { return over.keys.count(k) > 0; };
    if (given("kind")) r.kind = o.kind;
    if (given("metric")) r.metric = o.metric;
    if (given("threshold")) r.threshold = o.threshold;
    if (given("clear")) r.clear_threshold = o.clear_threshold;
    if (given("severity")) r.severity = o.severity;
    if (given("severity_by_room_kind")) r.severity_by_room_kind = o.severity_by_room_kind;
    if (given("for")) r.for_duration = o.for_duration;
    if (given("for_polls")) r.for_polls = o.for_polls;
    if (given("clear_for")) r.clear_for = o.clear_for;
    if (given("text")) r.text = o.text;
    if (given("marks_down")) r.marks_down = o.marks_down;
    if (given("trap_event")) r.trap_event = o.trap_event;
    if (given("clear_event")) r.clear_event = o.clear_event;
    r.where = o.where;
    return r;
}

bool profile_matches_transport(const Profile& p, const DeviceConfig& d) {
    if (p.protocol == "snmp") return d.snmp.has_value();
    if (p.protocol == "icmp") return d.icmp;
    return d.control && d.control->protocol == p.protocol;
}

void check_devices(Context& ctx, ParsedConfig& pc) {
    Config& c = pc.config;
    Diagnostics& diag = ctx.diag;
    for (std::size_t i = 0; i < c.devices.size(); ++i) {
        DeviceConfig& d = c.devices[i];
        ParsedDevice& pd = pc.devices[i];
        const Place& at = pd.place;
        if (!d.room.empty() && !c.find_room(d.room))
            diag.error(at.at("room"), at.key("room"),
                       fmt::format("unknown room \"{}\" ({})", d.room, known_ids(c.rooms, id_of_room)));
        if (!d.parent.empty()) {
            if (d.parent == d.id)
                diag.error(at.at("parent"), at.key("parent"), "a device cannot be its own parent");
            else if (!c.find_device(d.parent))
                diag.error(at.at("parent"), at.key("parent"),
                           fmt::format("unknown device \"{}\" ({})", d.parent, known_ids(c.devices, id_of_device)));
        }

        const Profile* p = c.profile_for(d);
        if (!d.profile.empty()) {
            if (!p) {
                diag.error(at.at("profile"), at.key("profile"),
                           fmt::format("unknown profile \"{}\" ({})", d.profile, known_ids(c.profiles, name_of_profile)));
            } else {
                if (p->device_class != d.device_class)
                    diag.error(at.at("profile"), at.key("profile"),
                               fmt::format("profile \"{}\" is for class {}, but the device is a {}", p->name,
                                           to_string(p->device_class), to_string(d.device_class)));
                if (!profile_matches_transport(*p, d))
                    diag.error(at.at("profile"), at.key("profile"),
                               fmt::format("profile \"{}\" speaks {}, which the device is not configured for{}", p->name,
                                           p->protocol,
                                           p->protocol == "snmp" ? " (add [device.snmp])"
                                           : p->protocol == "icmp" ? " (icmp = false)"
                                                                   : " (check [device.control] protocol)"));
            }
        } else if (!p && (d.snmp || d.control)) {
            diag.warning(at.at(), at.path,
                         fmt::format("no profile for a {} over {}: only reachability is watched (set profile = ...)",
                                     to_string(d.device_class), d.control ? d.control->protocol : "snmp"));
        }

        // Device rules: overrides of the profile's rule of the same id, or additions.
        std::vector<RuleConfig> merged;
        for (const ParsedRule& pr : pd.rules) {
            const RuleConfig* base = nullptr;
            if (p) {
                auto it = std::find_if(p->rules.begin(), p->rules.end(),
                                       [&](const RuleConfig& r) { return r.id == pr.rule.id; });
                if (it != p->rules.end()) base = &*it;
            }
            if (base) {
                ParsedRule full = pr;
                full.rule = merge_rule(*base, pr);
                full.keys.insert("kind");
                if (base->kind != RuleKind::unreachable && base->kind != RuleKind::trap &&
                    base->kind != RuleKind::metric_unavailable)
                    full.keys.insert("threshold");
                check_rule(diag, full);
                merged.push_back(std::move(full.rule));
            } else {
                check_rule(diag, pr);
                merged.push_back(pr.rule);
            }
        }
        d.rules = std::move(merged);

        for (const auto& id : d.disabled_rules) {
            auto has = [&](const std::vector<RuleConfig>& v) {
                return std::any_of(v.begin(), v.end(), [&](const RuleConfig& r) { return r.id == id; });
            };
            if (!(p && has(p->rules)) && !has(d.rules) && !has(c.rules))
                diag.warning(at.at("disabled_rules"), at.key("disabled_rules"),
                             fmt::format("disabled rule \"{}\" matches no rule of this device", id));
        }
    }

    // Parent cycles: walk up from each device; report each cycle once, at its first member.
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < c.devices.size(); ++i) index.emplace(c.devices[i].id, i);
    std::set<std::size_t> reported;
    for (std::size_t i = 0; i < c.devices.size(); ++i) {
        std::vector<std::size_t> path{i};
        std::size_t cur = i;
        while (true) {
            const std::string& parent = c.devices[cur].parent;
            auto it = index.find(parent);
            if (parent.empty() || parent == c.devices[cur].id || it == index.end()) break;
            cur = it->second;
            auto seen = std::find(path.begin(), path.end(), cur);
            if (seen != path.end()) {
                if (cur == i && !reported.count(i)) {
                    std::string chain;
                    for (auto k = seen; k != path.end(); ++k) {
                        chain += c.devices[*k].id + " -> ";
                        reported.insert(*k);
                    }
                    chain += c.devices[cur].id;
                    const Place& at = pc.devices[i].place;
                    diag.error(at.at("parent"), at.key("parent"), "parent cycle: " + chain);
                }
                break;
            }
            path.push_back(cur);
        }
    }
}

void check_people_and_chains(Context& ctx, ParsedConfig& pc) {
    Config& c = pc.config;
    Diagnostics& diag = ctx.diag;
    auto person_ref = [&](const Place& at, const char* key, const std::string& id) {
        if (!id.empty() && !c.find_person(id))
            diag.error(at.at(key), at.key(key),
                       fmt::format("unknown person \"{}\" ({})", id, known_ids(c.people, id_of_person)));
    };
    if (pc.roster) person_ref(*pc.roster, "fallback", c.roster.fallback);
    for (std::size_t i = 0; i < c.roster.shifts.size(); ++i) person_ref(pc.shifts[i], "person", c.roster.shifts[i].person);
    for (std::size_t i = 0; i < c.roster.overrides.size(); ++i)
        person_ref(pc.overrides[i], "person", c.roster.overrides[i].person);

    if (!pc.chains_given) c.chains.push_back(default_chain());
    bool roster_empty = c.roster.shifts.empty() && c.roster.overrides.empty() && c.roster.fallback.empty();
    bool on_duty_warned = false;
    for (std::size_t ci = 0; ci < c.chains.size(); ++ci) {
        bool implicit = ci >= pc.chains.size();
        for (std::size_t li = 0; li < c.chains[ci].levels.size(); ++li) {
            Place at = implicit ? Place{nullptr, "chain", Location{ctx.source_file, 0, 0}} : pc.chain_levels[ci][li];
            for (const auto& who : c.chains[ci].levels[li].notify) {
                if (who == "on-duty") {
                    if (roster_empty && !on_duty_warned) {
                        on_duty_warned = true;
                        diag.warning(implicit ? at.at() : at.at("notify"), implicit ? "chain" : at.key("notify"),
                                     fmt::format("chain \"{}\" notifies \"on-duty\" but [roster] names nobody: "
                                                 "add shifts or a fallback person",
                                                 c.chains[ci].id));
                    }
                } else if (who.find('@') != std::string::npos) {
                    if (who.front() == '@' || who.back() == '@' || who.find(' ') != std::string::npos)
                        diag.error(at.at("notify"), at.key("notify"), fmt::format("\"{}\" is not an e-mail address", who));
                } else if (!c.find_person(who)) {
                    diag.error(at.at("notify"), at.key("notify"),
                               fmt::format("unknown person \"{}\" (use a person id, \"on-duty\" or an e-mail address; {})",
                                           who, known_ids(c.people, id_of_person)));
                }
            }
        }
    }

    // Each severity names a chain ("default" unless set).
    std::map<std::string, std::vector<std::string>> missing;  // chain -> levels using it
    for (const auto& [level, pol] : c.policies) {
        if (c.find_chain(pol.chain)) continue;
        auto it = pc.severity_levels.find(level);
        if (it != pc.severity_levels.end() && it->second.table && it->second.table->contains("chain"))
            diag.error(it->second.at("chain"), it->second.key("chain"),
                       fmt::format("unknown chain \"{}\" ({})", pol.chain, known_ids(c.chains, id_of_chain)));
        else
            missing[pol.chain].push_back(std::string(to_string(level)));
    }
    for (const auto& [chain, levels] : missing) {
        std::string list;
        for (const auto& l : levels) list += (list.empty() ? "" : ", ") + l;
        Location loc = !pc.chains.empty() ? pc.chains.front().at() : Location{ctx.source_file, 0, 0};
        diag.error(loc, "chain",
                   fmt::format("no chain has id \"{}\", which severity {} uses by default: name one chain \"{}\" "
                               "or set severity.<level>.chain",
                               chain, list, chain));
    }
}

}  // namespace

void cross_check(Context& ctx, ParsedConfig& pc) {
    Config& c = pc.config;
    Diagnostics& diag = ctx.diag;
    check_unique(diag, c.sites, pc.sites, "site", id_of_site);
    check_unique(diag, c.rooms, pc.rooms, "room", id_of_room);
    std::vector<Place> device_places;
    for (const auto& d : pc.devices) device_places.push_back(d.place);
    check_unique(diag, c.devices, device_places, "device", id_of_device);
    for (std::size_t i = 0; i < c.devices.size() && i < device_places.size(); ++i)
        if (c.devices[i].id == kSelfDeviceId)
            diag.error(device_places[i].at("id"), device_places[i].key("id"),
                       fmt::format("device id \"{}\" is reserved for the daemon's own alarms; choose another", kSelfDeviceId));
    check_unique(diag, c.people, pc.people, "person", id_of_person);
    check_unique(diag, c.chains, pc.chains, "chain", id_of_chain);
    check_unique(diag, c.maintenance, pc.maintenance, "maintenance", id_of_window);
    check_unique(diag, c.rules, pc.global_rules, "rule", id_of_rule);

    for (std::size_t i = 0; i < c.rooms.size(); ++i) {
        const RoomConfig& r = c.rooms[i];
        if (!r.site.empty() && !c.find_site(r.site))
            diag.error(pc.rooms[i].at("site"), pc.rooms[i].key("site"),
                       fmt::format("unknown site \"{}\" ({})", r.site, known_ids(c.sites, id_of_site)));
    }
    check_devices(ctx, pc);
    check_people_and_chains(ctx, pc);

    for (std::size_t i = 0; i < c.maintenance.size(); ++i) {
        const MaintenanceWindow& w = c.maintenance[i];
        if (w.target.empty()) continue;
        bool found = w.scope == MaintenanceWindow::Scope::device ? c.find_device(w.target) != nullptr
                     : w.scope == MaintenanceWindow::Scope::room ? c.find_room(w.target) != nullptr
                                                                 : c.find_site(w.target) != nullptr;
        if (!found) {
            const char* what = w.scope == MaintenanceWindow::Scope::device ? "device"
                               : w.scope == MaintenanceWindow::Scope::room ? "room"
                                                                           : "site";
            diag.error(pc.maintenance[i].at("target"), pc.maintenance[i].key("target"),
                       fmt::format("unknown {} \"{}\"", what, w.target));
        }
    }
}

}  // namespace avmon::config::detail
