#include "daemon/report/report_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "daemon/report/maintenance_intervals.hpp"
#include "daemon/report/report_archive.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::report {
namespace {

using store::Statement;

struct DeviceInfo {
    std::string id, name, room, site, device_class, model;
    std::optional<SysTime> last_seen;
};

// One alarm as the report needs it (a subset of the alarms row).
struct AlarmRow {
    std::int64_t id = 0;
    std::string rule, device, room;
    Severity severity = Severity::III;
    SysTime raised{};
    std::optional<SysTime> acked, resolved, ack_deadline, resolve_deadline;
    bool recurring = false;
    bool suppressed = false;  // still suppressed at its end: maintenance or a root cause elsewhere
};

std::optional<SysTime> opt_ms(const Statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return from_unix_ms(st.get_int(col));
}

std::string base_rule(const std::string& rule) {
    const auto at = rule.find('@');
    return at == std::string::npos ? rule : rule.substr(0, at);
}

std::vector<DeviceInfo> load_devices(store::StoreReader& reader, const ReportOptions& o) {
    std::map<std::string, DeviceInfo> by_id;
    for (const auto& d : reader.devices()) {
        DeviceInfo& i = by_id[d.id];
        i.id = d.id;
        i.name = d.name;
        i.room = d.room;
        i.device_class = d.device_class;
        i.model = d.model;
        i.last_seen = d.last_seen;
    }
    if (o.config) {
        // The config is the inventory of record: names and rooms from there, devices the
        // store has never seen still appear (100 % unknown is better than missing).
        for (const auto& d : o.config->devices) {
            DeviceInfo& i = by_id[d.id];
            i.id = d.id;
            if (!d.name.empty()) i.name = d.name;
            i.room = d.room;
            i.device_class = std::string(config::to_string(d.device_class));
            if (!d.model.empty()) i.model = d.model;
        }
        for (auto& [id, i] : by_id)
            if (const auto* r = o.config->find_room(i.room)) i.site = r->site;
    }
    std::vector<DeviceInfo> out;
    for (auto& [id, i] : by_id) {
        if (o.room && i.room != *o.room) continue;
        if (o.site && i.site != *o.site) continue;
        out.push_back(std::move(i));
    }
    return out;
}

std::vector<AlarmRow> load_alarms(store::StoreReader& reader, const ReportPeriod& p) {
    // Alarms raised before the end of the month that were still open at its start.
    Statement st(reader.database(),
                 "SELECT id, rule_id, device, room, severity, raised_ms, acked_ms, resolved_ms, "
                 "ack_deadline_ms, resolve_deadline_ms, recurring, suppressed FROM alarms "
                 "WHERE raised_ms < ?1 AND (resolved_ms IS NULL OR resolved_ms >= ?2 OR raised_ms >= ?2) "
                 "ORDER BY id");
    st.bind(1, to_unix_ms(p.to)).bind(2, to_unix_ms(p.from));
    std::vector<AlarmRow> out;
    while (st.step()) {
        AlarmRow a;
        a.id = st.get_int(0);
        a.rule = st.get_text(1);
        a.device = st.get_text(2);
        a.room = st.get_text(3);
        a.severity = parse_severity(st.get_text(4)).value_or(Severity::III);
        a.raised = from_unix_ms(st.get_int(5));
        a.acked = opt_ms(st, 6);
        a.resolved = opt_ms(st, 7);
        a.ack_deadline = opt_ms(st, 8);
        a.resolve_deadline = opt_ms(st, 9);
        a.recurring = st.get_int(10) != 0;
        a.suppressed = st.get_int(11) != 0;
        out.push_back(std::move(a));
    }
    return out;
}

// When a level-I alarm was open: from each raise/re-open to the next resolve (the events say
// so exactly, also for an alarm that was resolved and re-opened).
IntervalSet open_intervals(Statement& events, const AlarmRow& a, SysTime end) {
    IntervalSet out;
    events.reset();
    events.bind(1, a.id);
    std::optional<SysTime> open_since;
    bool any = false;
    while (events.step()) {
        const std::string kind = events.get_text(0);
        const SysTime t = from_unix_ms(events.get_int(1));
        // An alarm raised inside a maintenance window starts "suppressed"; the window itself
        // is taken out later, so the time counts only outside it.
        if (kind == "raised" || kind == "reopened" || kind == "suppressed") {
            any = true;
            if (!open_since) open_since = t;
        } else if ((kind == "resolved" || kind == "closed") && open_since) {
            out.add(*open_since, t);
            open_since.reset();
        }
    }
    if (!any) {  // no timeline (imported row): the alarm row's own times
        out.add(a.raised, a.resolved.value_or(end));
        return out;
    }
    if (open_since) out.add(*open_since, end);
    return out;
}

IntervalSet unreachable_intervals(Statement& before, Statement& during, const std::string& device,
                                  const ReportPeriod& p, SysTime end) {
    IntervalSet out;
    std::optional<SysTime> down_since;
    before.reset();
    before.bind(1, device).bind(2, to_unix_ms(p.from));
    if (before.step() && before.get_int(0) == 0) down_since = p.from;
    during.reset();
    during.bind(1, device).bind(2, to_unix_ms(p.from)).bind(3, to_unix_ms(p.to));
    while (during.step()) {
        const SysTime t = from_unix_ms(during.get_int(0));
        const bool up = during.get_int(1) != 0;
        if (!up && !down_since) down_since = t;
        if (up && down_since) {
            out.add(*down_since, t);
            down_since.reset();
        }
    }
    if (down_since) out.add(*down_since, end);
    return out;
}

Availability availability_of(const IntervalSet& maint, const IntervalSet& unreach, const IntervalSet& level1,
                             SysTime from, SysTime to) {
    Availability a;
    a.period = std::chrono::duration_cast<Millis>(to - from);
    const IntervalSet m = maint.intersect(from, to);
    a.maintenance = m.total();
    const IntervalSet u = unreach.intersect(from, to).subtract(m);
    const IntervalSet l = level1.intersect(from, to).subtract(m);
    IntervalSet down = u;
    down.add(l);
    a.unreachable = u.total();
    a.level1_alarm = l.total();
    a.downtime = down.total();
    return a;
}

std::optional<double> to_optional_double(const std::string& s) {
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == 0) return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

InventoryRow inventory_of(store::StoreReader& reader, const DeviceInfo& d) {
    InventoryRow row;
    row.device = d.id;
    row.room = d.room;
    row.device_class = d.device_class;
    row.model = d.model;
    row.last_seen = d.last_seen;
    for (const auto& f : reader.facts(d.id)) {
        if ((f.key == "model" || f.key == "model_name" || f.key == "product") && !f.value.empty())
            row.model = f.value;
        if ((f.key == "firmware" || f.key == "software_version" || f.key == "software") && row.firmware.empty())
            row.firmware = f.value;
        if (f.key == "firmware") row.firmware = f.value;
    }
    auto keep_min = [](std::optional<double>& slot, double v) { slot = slot ? std::min(*slot, v) : v; };
    auto keep_max = [](std::optional<double>& slot, double v) { slot = slot ? std::max(*slot, v) : v; };
    for (const auto& s : reader.latest_samples(d.id)) {
        const auto& m = s.metric;
        if (starts_with(m, "uptime") || starts_with(m, "sys_uptime")) keep_max(row.uptime_s, s.value);
        else if (starts_with(m, "lamp_hours")) keep_max(row.lamp_hours, s.value);
        else if (starts_with(m, "filter_hours")) keep_max(row.filter_hours, s.value);
        else if (starts_with(m, "battery_charge") || starts_with(m, "battery_pct")) keep_min(row.battery_pct, s.value);
        else if (starts_with(m, "poe_main_consumption_w") || starts_with(m, "poe_power_w"))
            row.poe_w = row.poe_w.value_or(0) + s.value;
    }
    (void)to_optional_double;
    return row;
}

}  // namespace

std::string scope_label(const ReportOptions& o) {
    if (o.room) return "room:" + *o.room;
    if (o.site) return "site:" + *o.site;
    return "all";
}

std::shared_ptr<const alarms::TimeZone> report_zone(const config::Config* config,
                                                   const std::optional<std::string>& site) {
    if (!config) return alarms::TimeZone::utc();
    if (site)
        if (const auto* s = config->find_site(*site)) return alarms::TimeZone::load(s->timezone);
    return alarms::TimeZone::load(config->daemon.timezone);
}

MonthlyReport build_monthly_report(store::StoreReader& reader, const ReportPeriod& p, const ReportOptions& o) {
    MonthlyReport r;
    r.period = p;
    r.scope = scope_label(o);
    r.generated = o.now;
    const SysTime end = std::min(p.to, std::max(o.now, p.from));

    const auto devices = load_devices(reader, o);
    std::set<std::string> in_scope;
    for (const auto& d : devices) in_scope.insert(d.id);

    // ---- maintenance windows: config ones and operator ones from the store ----
    std::vector<WindowSpec> windows;
    auto zone_of_site = [&](const std::string& site) -> std::shared_ptr<const alarms::TimeZone> {
        if (o.config)
            if (const auto* s = o.config->find_site(site)) return alarms::TimeZone::load(s->timezone);
        return p.zone;
    };
    auto site_of_target = [&](const WindowSpec& w) -> std::string {
        if (!o.config) return {};
        const std::string& t = w.window.target;
        switch (w.window.scope) {
            case config::MaintenanceWindow::Scope::site: return t;
            case config::MaintenanceWindow::Scope::room:
                if (const auto* rm = o.config->find_room(t)) return rm->site;
                return {};
            case config::MaintenanceWindow::Scope::device:
                if (const auto* dv = o.config->find_device(t))
                    if (const auto* rm = o.config->find_room(dv->room)) return rm->site;
                return {};
        }
        return {};
    };
    if (o.config)
        for (const auto& w : o.config->maintenance) windows.push_back({w, p.zone, std::nullopt});
    for (const auto& rec : reader.maintenance_windows(true)) windows.push_back(window_from_record(rec, p.zone));
    for (auto& w : windows) {
        const auto site = site_of_target(w);
        if (!site.empty()) w.zone = zone_of_site(site);
    }

    // ---- alarms ----
    const auto alarm_rows = load_alarms(reader, p);
    Statement events(reader.database(), "SELECT kind, t_ms FROM alarm_events WHERE alarm_id = ?1 ORDER BY id");
    std::map<std::string, IntervalSet> level1_by_device;
    for (const auto& a : alarm_rows) {
        if (a.severity != Severity::I || !in_scope.count(a.device)) continue;
        level1_by_device[a.device].add(open_intervals(events, a, end));
    }

    // ---- per device ----
    Statement before(reader.database(),
                     "SELECT up FROM reachability WHERE device = ?1 AND t_ms < ?2 ORDER BY t_ms DESC, id DESC LIMIT 1");
    Statement during(reader.database(),
                     "SELECT t_ms, up FROM reachability WHERE device = ?1 AND t_ms >= ?2 AND t_ms < ?3 ORDER BY t_ms, id");
    struct DeviceSets {
        IntervalSet maint, unreach, level1;
    };
    std::map<std::string, DeviceSets> sets;
    std::map<std::string, std::size_t> device_index;
    std::map<std::string, const DeviceInfo*> info;
    for (const auto& d : devices) {
        DeviceSets s;
        for (const auto& w : windows)
            if (window_applies(w, d.id, d.room, d.site)) s.maint.add(occurrences(w, p.from, p.to));
        s.unreach = unreachable_intervals(before, during, d.id, p, end);
        s.level1 = level1_by_device[d.id];
        DeviceReport dr;
        dr.id = d.id;
        dr.name = d.name;
        dr.room = d.room;
        dr.device_class = d.device_class;
        dr.availability = availability_of(s.maint, s.unreach, s.level1, p.from, p.to);
        device_index[d.id] = r.devices.size();
        info[d.id] = &d;
        r.devices.push_back(std::move(dr));
        sets[d.id] = std::move(s);
    }

    // ---- counts, MTTA/MTTR, SLA, Pareto, recurring (alarms raised in the month) ----
    std::map<std::pair<std::string, std::string>, int> pareto_counts;
    std::map<std::pair<std::string, std::string>, RecurringProblem> recurring;
    const int recurring_threshold = o.config ? o.config->alarms.recurring_count : 3;
    for (const auto& a : alarm_rows) {
        // Suppressed alarms told nobody (planned work, or the root alarm of a parent counts).
        if (a.raised < p.from || a.raised >= p.to || !in_scope.count(a.device) || a.suppressed) continue;
        const std::size_t si = sev_index(a.severity);
        DeviceReport& dr = r.devices[device_index[a.device]];
        for (SeverityStats* s : {&r.by_severity[si], &dr.by_severity[si]}) {
            ++s->alarms;
            if (a.acked) {
                ++s->acked;
                s->ack_time_sum += std::chrono::duration_cast<Millis>(*a.acked - a.raised);
            }
            if (a.resolved) {
                ++s->resolved;
                s->resolve_time_sum += std::chrono::duration_cast<Millis>(*a.resolved - a.raised);
            }
        }
        SlaStats& sla = r.sla[si];
        auto judge = [&](const std::optional<SysTime>& deadline, const std::optional<SysTime>& done, int& due,
                         int& met, int& pending, const char* what) {
            if (!deadline) return;
            ++due;
            if (done && *done <= *deadline) {
                ++met;
            } else if (!done && o.now < *deadline) {
                ++pending;
            } else {
                r.breaches.push_back({a.id, a.severity, a.device, a.room, a.rule, what, *deadline, done});
            }
        };
        // An alarm that cleared before anyone acknowledged it needed no response: its
        // resolution counts as the response.
        std::optional<SysTime> response = a.acked;
        if (a.resolved && (!response || *a.resolved < *response)) response = a.resolved;
        judge(a.ack_deadline, response, sla.ack_due, sla.ack_met, sla.ack_pending, "ack");
        judge(a.resolve_deadline, a.resolved, sla.resolve_due, sla.resolve_met, sla.resolve_pending, "resolve");

        ++pareto_counts[{base_rule(a.rule), info[a.device]->device_class}];
        auto& rp = recurring[{a.device, a.rule}];
        rp.device = a.device;
        rp.room = a.room;
        rp.rule = a.rule;
        ++rp.count;
        rp.flagged_by_engine = rp.flagged_by_engine || a.recurring;
    }
    const int total = r.total_alarms();
    for (const auto& [key, count] : pareto_counts) r.pareto.push_back({key.first, key.second, count, 0});
    std::sort(r.pareto.begin(), r.pareto.end(), [](const ParetoEntry& a, const ParetoEntry& b) {
        return a.count != b.count ? a.count > b.count
                                  : std::tie(a.rule, a.device_class) < std::tie(b.rule, b.device_class);
    });
    int running = 0;
    for (auto& e : r.pareto) {
        running += e.count;
        e.cumulative = total ? static_cast<double>(running) / total : 0;
    }
    for (auto& [key, rp] : recurring)
        if (rp.flagged_by_engine || rp.count >= recurring_threshold) r.recurring.push_back(rp);
    std::sort(r.recurring.begin(), r.recurring.end(),
              [](const RecurringProblem& a, const RecurringProblem& b) { return a.count > b.count; });

    // ---- rooms: device-time weighted availability, daily heat map ----
    std::map<std::string, RoomReport> rooms;
    std::map<std::string, std::vector<const DeviceReport*>> devices_of_room;
    for (const auto& dr : r.devices) {
        devices_of_room[dr.room].push_back(&dr);
        RoomReport& room = rooms[dr.room];
        room.id = dr.room;
        ++room.devices;
        room.availability.add(dr.availability);
        for (std::size_t i = 0; i < kSeverities; ++i) room.alarms[i] += dr.by_severity[i].alarms;
        r.availability.add(dr.availability);
    }
    for (auto& [id, room] : rooms) {
        if (o.config)
            if (const auto* rc = o.config->find_room(id)) {
                room.name = rc->name;
                room.site = rc->site;
            }
        for (const auto& day : p.days) {
            Availability a;
            for (const DeviceReport* dr : devices_of_room[id]) {
                const auto& s = sets[dr->id];
                a.add(availability_of(s.maint, s.unreach, s.level1, day.from, day.to));
            }
            room.daily.push_back(a.ratio());
        }
        r.rooms.push_back(std::move(room));
    }

    // ---- trend: the archived summaries of the 11 months before, then this month ----
    for (int back = 11; back >= 1; --back) {
        const ReportPeriod earlier = months_before(p, back);
        if (auto s = read_archived_summary(reader, earlier.label(), r.scope))
            r.trend.push_back({earlier.label(), s->availability, s->alarms, true});
    }
    r.trend.push_back({p.label(), r.availability.ratio(), total, false});

    // ---- inventory snapshot ----
    for (const auto& d : devices) r.inventory.push_back(inventory_of(reader, d));
    return r;
}

}  // namespace avmon::report
