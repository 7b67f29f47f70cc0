#include "daemon/control/dispatcher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "daemon/control/json_forms.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::control {

namespace {

template <typename F>
const F& need(const F& f, std::string_view what) {
    if (!f) throw ControlError(err::not_available, fmt::format("this avmond does not offer {}", what));
    return f;
}

std::string join(const std::vector<std::string>& lines, std::string_view sep) {
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : std::string(sep)) + l;
    return out;
}

// Short JSON for the audit before/after columns: the parts of an alarm an operator changes.
std::string alarm_audit_state(const std::optional<Alarm>& a) {
    if (!a) return {};
    Json j{{"state", std::string(to_string(a->state))},
           {"severity", std::string(to_string(a->severity))},
           {"acked_by", a->acked_by},
           {"cause", a->cause},
           {"action", a->action}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool is_open(AlarmState s) { return s == AlarmState::raised || s == AlarmState::acknowledged; }

// The longest window an operator may ask for: the config's duration limit (a longer value is
// a typo), and it keeps `start + duration` far from the overflow of SysTime's nanosecond ticks.
constexpr std::int64_t kMaxWindowSeconds = 100LL * 365 * 86400;

// A one-off window must end by the end of the last year a SysTime is trusted to hold.
bool ends_in_range(SysTime start, std::chrono::seconds duration) {
    using namespace std::chrono;
    const auto limit = sys_days{year{kLastYear + 1} / January / 1}.time_since_epoch();
    return duration_cast<seconds>(start.time_since_epoch()) + duration <= limit;
}

}  // namespace

Dispatcher::Dispatcher(ControlHandlers handlers, const Clock& clock) : h_(std::move(handlers)), clock_(clock) {
    add("status", false, [this](const Json& a, const Peer&) { return status(a); });
    add("alarms", false, [this](const Json& a, const Peer&) { return alarms(a); });
    add("show", false, [this](const Json& a, const Peer&) { return show(a); });
    add("devices", false, [this](const Json& a, const Peer&) { return devices(a); });
    add("maintenance.list", false, [this](const Json& a, const Peer&) { return maintenance_list(a); });
    for (const char* cmd : {"ack", "resolve", "close", "note"})
        add(cmd, true, [this, c = std::string(cmd)](const Json& a, const Peer& p) { return alarm_write(c, a, p); });
    add("maintenance.add", true, [this](const Json& a, const Peer& p) { return maintenance_add(a, p); });
    add("maintenance.remove", true, [this](const Json& a, const Peer& p) { return maintenance_remove(a, p); });
    add("reload", true, [this](const Json& a, const Peer& p) { return reload(a, p); });
}

void Dispatcher::add(const std::string& name, bool write, Fn fn) { table_[name] = Entry{std::move(fn), write}; }

bool Dispatcher::is_write(const std::string& cmd) const {
    auto it = table_.find(cmd);
    return it != table_.end() && it->second.write;
}

std::string Dispatcher::handle_line(std::string_view line, const Peer& peer) {
    std::int64_t id = 0;
    std::string cmd;
    try {
        Request req = parse_request(line, id);
        cmd = req.cmd;
        auto it = table_.find(req.cmd);
        if (it == table_.end())
            throw ControlError(err::unknown_command, fmt::format("unknown command \"{}\"", req.cmd));
        return ok_response(id, it->second.fn(req.args, peer));
    } catch (const ControlError& e) {
        return error_response(id, e.code(), e.what());
    } catch (const std::exception& e) {
        // A handler bug must not take the daemon down; the operator sees a clear refusal.
        return error_response(id, err::internal, fmt::format("{} failed inside avmond: {}", cmd, e.what()));
    }
}

void Dispatcher::audit(const Peer& peer, const std::string& action, const std::string& target,
                       const std::string& before, const std::string& after, const std::string& detail) {
    if (!h_.audit) return;
    store::AuditRecord r;
    r.time = clock_.now();
    r.actor = peer.user;
    r.action = action;
    r.target = target;
    r.before = before;
    r.after = after;
    r.detail = detail;
    if (action != "login")
        log::notice(msgid::control_write,
                    fmt::format("control socket: {} {} {}: {}", peer.user, action, target, r.detail),
                    {{"AVMON_ACTOR", peer.user}});
    try {
        h_.audit(std::move(r));
    } catch (const std::exception&) {
        // Auditing is the store's job; its failures are logged there, never the client's problem.
    }
}

void Dispatcher::audit_connection(const Peer& peer, std::string_view what) {
    audit(peer, "login", "control-socket", "", "",
          fmt::format("{} (uid {}, pid {})", what, peer.uid, peer.pid));
}

std::optional<Alarm> Dispatcher::find_alarm(std::int64_t id) const {
    for (const auto& a : need(h_.alarms, "alarms")())
        if (a.id == id) return a;
    return std::nullopt;
}

Json Dispatcher::status(const Json&) {
    const DaemonStatus s = need(h_.status, "status")();
    const SysTime now = clock_.now();
    Json by_sev = Json::object();
    for (auto sev : {Severity::I, Severity::II, Severity::III, Severity::IV}) by_sev[std::string(to_string(sev))] = 0;
    int open = 0, unacked = 0;
    if (h_.alarms)
        for (const auto& a : h_.alarms()) {
            if (!is_open(a.state)) continue;
            ++open;
            if (a.state == AlarmState::raised) ++unacked;
            by_sev[std::string(to_string(a.severity))] = by_sev[std::string(to_string(a.severity))].get<int>() + 1;
        }
    struct RoomCount {
        int up = 0, down = 0, unknown = 0;
        std::optional<SysTime> last_poll;
    };
    std::map<std::string, RoomCount> rooms;
    RoomCount total;
    std::optional<SysTime> oldest_poll;
    if (h_.devices)
        for (const auto& d : h_.devices()) {
            for (RoomCount* c : {&rooms[d.room], &total}) {
                (!d.polled ? c->unknown : d.reachable ? c->up : c->down)++;
                if (d.last_poll && (!c->last_poll || *d.last_poll > *c->last_poll)) c->last_poll = d.last_poll;
            }
            if (d.last_poll && (!oldest_poll || *d.last_poll < *oldest_poll)) oldest_poll = d.last_poll;
        }
    Json room_list = Json::array();
    for (const auto& [room, c] : rooms)
        room_list.push_back({{"room", room}, {"up", c.up}, {"down", c.down}, {"unknown", c.unknown},
                             {"last_poll", time_json(c.last_poll)}});
    return Json{
        {"version", s.version},
        {"started", format_utc(s.started)},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(now - s.started).count()},
        {"now", format_utc(now)},
        {"config_file", s.config_file},
        {"store_path", s.store_path},
        {"on_duty", s.on_duty},
        {"store",
         {{"queued_samples", s.store_queued_samples},
          {"queued_records", s.store_queued_records},
          {"dropped_samples", s.store_dropped_samples},
          {"healthy", s.store_healthy},
          {"error", s.store_error},
          {"last_flush", time_json(s.store_last_flush)}}},
        {"alarms", {{"open", open}, {"unacknowledged", unacked}, {"by_severity", by_sev}}},
        {"devices",
         {{"total", total.up + total.down + total.unknown},
          {"up", total.up},
          {"down", total.down},
          {"unknown", total.unknown},
          {"last_poll", time_json(total.last_poll)},
          {"oldest_last_poll", time_json(oldest_poll)},
          {"rooms", room_list}}},
    };
}

Json Dispatcher::alarms(const Json& args) {
    const auto room = arg_optional_string(args, "room");
    std::optional<Severity> sev;
    if (auto s = arg_optional_string(args, "severity")) {
        sev = parse_severity(*s);
        if (!sev) throw ControlError(err::bad_args, fmt::format("severity \"{}\" is not one of I, II, III, IV", *s));
    }
    // "open" is raised or acknowledged; otherwise one exact state.
    const auto state = arg_optional_string(args, "state");
    std::optional<AlarmState> exact;
    if (state && *state != "open" && *state != "all") {
        exact = parse_alarm_state(*state);
        if (!exact)
            throw ControlError(err::bad_args, fmt::format("state \"{}\" is not one of open, raised, acknowledged, "
                                                          "resolved, closed, all", *state));
    }
    Json list = Json::array();
    auto all = need(h_.alarms, "alarms")();
    std::sort(all.begin(), all.end(), [](const Alarm& a, const Alarm& b) { return a.id < b.id; });
    for (const auto& a : all) {
        if (room && a.room != *room) continue;
        if (sev && a.severity != *sev) continue;
        if (state && *state == "open" && !is_open(a.state)) continue;
        if (exact && a.state != *exact) continue;
        list.push_back(alarm_json(a));
    }
    return Json{{"alarms", list}};
}

Json Dispatcher::show(const Json& args) {
    const std::int64_t id = arg_int(args, "alarm");
    auto a = find_alarm(id);
    if (!a)
        throw ControlError(err::unknown_alarm, fmt::format("no alarm {} in avmond's memory (older alarms are in the "
                                                           "store: avmonctl show reads them there)", id));
    std::string store_path;
    if (h_.status) store_path = h_.status().store_path;
    return Json{{"alarm", alarm_json(*a)}, {"store_path", store_path}};
}

Json Dispatcher::devices(const Json& args) {
    const auto room = arg_optional_string(args, "room");
    Json list = Json::array();
    for (const auto& d : need(h_.devices, "devices")())
        if (!room || d.room == *room) list.push_back(device_json(d));
    return Json{{"devices", list}};
}

Json Dispatcher::maintenance_list(const Json&) {
    std::set<std::string> active;
    if (h_.active_maintenance)
        for (const auto& w : h_.active_maintenance()) active.insert(w.id);
    Json list = Json::array();
    for (const auto& w : need(h_.maintenance, "maintenance windows")())
        list.push_back(window_json(w, active.count(w.id) != 0));
    return Json{{"windows", list}};
}

Json Dispatcher::alarm_write(const std::string& cmd, const Json& args, const Peer& peer) {
    std::int64_t id = 0;
    std::string note, cause, action;
    std::optional<Alarm> before;
    try {
        id = arg_int(args, "alarm");
        note = arg_string(args, "note", cmd == "note");
        cause = arg_string(args, "cause", false);
        action = arg_string(args, "action", false);
        if (cmd == "resolve" && (cause.empty() || action.empty()))
            throw ControlError(err::bad_args, "resolve needs a cause and an action (--cause TEXT --action TEXT)");
        if (cmd == "note" && note.empty()) throw ControlError(err::bad_args, "the note is empty");
        before = find_alarm(id);
        if (!before) throw ControlError(err::unknown_alarm, fmt::format("alarm {} is not open in avmond", id));
        bool done = false;
        if (cmd == "ack") done = need(h_.acknowledge, "ack")(id, peer.user, note);
        else if (cmd == "resolve") done = need(h_.resolve, "resolve")(id, peer.user, cause, action);
        else if (cmd == "close") done = need(h_.close, "close")(id, peer.user, cause, action);
        else done = need(h_.add_note, "notes")(id, peer.user, note);
        if (!done)
            throw ControlError(err::invalid_state, fmt::format("alarm {} is {}: it cannot be {}", id,
                                                                to_string(before->state),
                                                                cmd == "ack" ? "acknowledged"
                                                                : cmd == "note" ? "annotated"
                                                                                : cmd + "d"));
    } catch (const ControlError& e) {
        audit(peer, cmd, std::to_string(id), alarm_audit_state(before), "",
              fmt::format("refused ({}): {}", e.code(), e.what()));
        throw;
    }
    auto after = find_alarm(id);
    std::string detail = note;
    if (!cause.empty() || !action.empty()) detail = fmt::format("cause: {}; action: {}", cause, action);
    audit(peer, cmd, std::to_string(id), alarm_audit_state(before), alarm_audit_state(after), detail);
    return Json{{"alarm", after ? alarm_json(*after) : Json(nullptr)}};
}

Json Dispatcher::maintenance_add(const Json& args, const Peer& peer) {
    config::MaintenanceWindow w;
    try {
        const std::string scope = arg_string(args, "scope");
        auto sc = parse_scope(scope);
        if (!sc) throw ControlError(err::bad_args, fmt::format("scope \"{}\" is not device, room or site", scope));
        w.scope = *sc;
        w.target = arg_string(args, "target");
        if (w.target.empty()) throw ControlError(err::bad_args, "the target id is empty");
        w.reason = arg_string(args, "reason");
        if (w.reason.empty()) throw ControlError(err::bad_args, "a reason is required (--reason TEXT)");
        if (h_.target_exists && !h_.target_exists(w.scope, w.target))
            throw ControlError(err::unknown_target, fmt::format("no {} \"{}\" in the configuration", scope, w.target));

        const SysTime now = clock_.now();
        auto parse_time = [&](const char* key) -> std::optional<SysTime> {
            auto text = arg_optional_string(args, key);
            if (!text) return std::nullopt;
            if (*text == "now") return now;
            SysTime t;
            if (!parse_utc(*text, t))
                throw ControlError(err::bad_args, fmt::format("{} \"{}\" is not YYYY-MM-DDTHH:MM[:SS]Z (UTC) or now",
                                                              key, *text));
            return t;
        };
        const auto start = parse_time("start");
        const auto end = parse_time("end");
        std::optional<std::chrono::seconds> duration;
        if (args.contains("duration_s")) {
            const auto d = arg_int(args, "duration_s");
            if (d <= 0) throw ControlError(err::bad_args, "the duration must be positive");
            if (d > kMaxWindowSeconds) throw ControlError(err::bad_args, "the duration is longer than 100 years");
            duration = std::chrono::seconds(d);
        }
        if (duration && end) throw ControlError(err::bad_args, "give either a duration or an end, not both");

        auto weekdays = args.find("weekdays");
        const bool weekly = weekdays != args.end() && !weekdays->is_null();
        if (weekly) {
            if (!weekdays->is_array() || weekdays->empty())
                throw ControlError(err::bad_args, "weekdays must be a non-empty list of ISO weekdays 1..7");
            for (const auto& d : *weekdays) {
                if (!d.is_number_integer() || d.get<int>() < 1 || d.get<int>() > 7)
                    throw ControlError(err::bad_args, "weekdays must be ISO weekdays 1 (Monday) .. 7 (Sunday)");
                w.weekdays.push_back(d.get<int>());
            }
            const std::string at = arg_string(args, "at");
            int hh = 0, mm = 0;
            char extra = 0;
            if (std::sscanf(at.c_str(), "%2d:%2d%c", &hh, &mm, &extra) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59)
                throw ControlError(err::bad_args, fmt::format("at \"{}\" is not HH:MM", at));
            w.start_minute = hh * 60 + mm;
            if (!duration) throw ControlError(err::bad_args, "a weekly window needs a duration (--duration 2h)");
            if (*duration > std::chrono::hours(24 * 7))
                throw ControlError(err::bad_args, "a weekly window cannot last longer than a week");
            w.duration = *duration;
            w.start = start.value_or(now);
        } else {
            if (!start) throw ControlError(err::bad_args, "a one-off window needs a start (--start TIME or now)");
            if (!duration && !end) throw ControlError(err::bad_args, "give a duration (--duration 2h) or an end (--end TIME)");
            w.start = *start;
            w.duration = duration ? *duration : std::chrono::duration_cast<std::chrono::seconds>(*end - *start);
            if (w.duration.count() <= 0) throw ControlError(err::bad_args, "the end must be after the start");
            if (!ends_in_range(w.start, w.duration))
                throw ControlError(err::bad_args, fmt::format("the window would end after {}", kLastYear));
            if (w.start + w.duration <= now) throw ControlError(err::bad_args, "the window would already be over");
        }
        // A fresh id that no window (config or runtime) uses yet.
        std::set<std::string> used;
        if (h_.maintenance)
            for (const auto& x : h_.maintenance()) used.insert(x.id);
        const auto base = fmt::format("op-{}", std::chrono::duration_cast<std::chrono::seconds>(
                                                    now.time_since_epoch()).count());
        w.id = base;
        for (int n = 2; used.count(w.id); ++n) w.id = fmt::format("{}-{}", base, n);
        if (!need(h_.add_maintenance, "maintenance windows")(w, peer.user))
            throw ControlError(err::bad_args, fmt::format("window id {} is taken by the configuration", w.id));
    } catch (const ControlError& e) {
        audit(peer, "maintenance.add", w.target, "", "", fmt::format("refused ({}): {}", e.code(), e.what()));
        throw;
    }
    Json after = window_json(w, false);
    audit(peer, "maintenance.add", w.id, "", after.dump(-1, ' ', false, Json::error_handler_t::replace), w.reason);
    return Json{{"window", after}};
}

Json Dispatcher::maintenance_remove(const Json& args, const Peer& peer) {
    std::string id;
    std::string before;
    try {
        id = arg_string(args, "id");
        std::optional<config::MaintenanceWindow> found;
        for (const auto& w : need(h_.maintenance, "maintenance windows")())
            if (w.id == id) found = w;
        if (!found) throw ControlError(err::unknown_window, fmt::format("no maintenance window \"{}\"", id));
        before = window_json(*found, false).dump(-1, ' ', false, Json::error_handler_t::replace);
        if (found->where.line > 0)
            throw ControlError(err::invalid_state,
                               fmt::format("window \"{}\" comes from the configuration ({}:{}): remove it there and "
                                           "reload", id, found->where.file, found->where.line));
        if (!need(h_.remove_maintenance, "maintenance windows")(id, peer.user))
            throw ControlError(err::unknown_window, fmt::format("no operator maintenance window \"{}\"", id));
    } catch (const ControlError& e) {
        audit(peer, "maintenance.remove", id, before, "", fmt::format("refused ({}): {}", e.code(), e.what()));
        throw;
    }
    audit(peer, "maintenance.remove", id, before, "", "removed");
    return Json{{"removed", id}};
}

Json Dispatcher::reload(const Json&, const Peer& peer) {
    ReloadOutcome out;
    try {
        out = need(h_.reload, "reload")(peer.user);
    } catch (const ControlError& e) {
        audit(peer, "reload", "config", "", "", fmt::format("refused ({}): {}", e.code(), e.what()));
        throw;
    }
    if (!out.applied) {
        if (!out.audited) audit(peer, "reload", "config", "", "", "refused: " + join(out.errors, "; "));
        throw ControlError(err::reload_failed, "the configuration was not reloaded, avmond keeps the previous one:\n" +
                                                   join(out.errors, "\n"));
    }
    if (!out.audited)
        audit(peer, "reload", "config", "", "", out.changes.empty() ? "no changes" : join(out.changes, "; "));
    return Json{{"changes", out.changes}, {"warnings", out.warnings}};
}

}  // namespace avmon::control
