#include "daemon/alarms/alarm_engine.hpp"

#include <algorithm>
#include <utility>

#include "daemon/alarms/alarm_journal.hpp"
#include "daemon/alarms/alarm_text.hpp"
#include "daemon/alarms/flap_detector.hpp"
#include "daemon/alarms/self_rules.hpp"
#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::alarms {

using config::RuleKind;

// ---------------------------------------------------------------- internal state

// A fleet has 10,000 devices and a track per rule and device: both are kept small. Text
// comes from the engine's config (cfg_, alive as long as these point into it), and a
// device owns its tracks (no engine-wide map with a string key per condition).
struct AlarmEngine::DeviceInfo {
    const config::DeviceConfig* cfg = nullptr;  // null: avmond itself (config::kSelfDeviceId)
    const config::RoomConfig* room_cfg = nullptr;
    // Devices that take their profile's rules unchanged share one list.
    std::shared_ptr<const std::vector<config::RuleConfig>> rules;
    std::optional<bool> reachable;    // as of the last poll: some probe got an answer
    std::uint64_t probe_up = 0;       // bit i: probe_names_[i]'s latest poll got an answer
    // This device's conditions (dependency checks stay cheap), in creation order; a reload
    // sorts them by rule id and row.
    std::vector<std::unique_ptr<Track>> tracks;
    // Devices with many tracks (switch ports): tracks sorted by rule id and row, for lookups.
    std::vector<Track*> index;

    std::string_view id() const { return cfg ? std::string_view(cfg->id) : config::kSelfDeviceId; }
    std::string_view room() const { return cfg ? std::string_view(cfg->room) : std::string_view(); }
    std::string_view parent() const { return cfg ? std::string_view(cfg->parent) : std::string_view(); }
    std::string_view name() const { return cfg && !cfg->name.empty() ? std::string_view(cfg->name) : id(); }
    std::string_view room_name() const {
        return room_cfg && !room_cfg->name.empty() ? std::string_view(room_cfg->name) : room();
    }
    std::string_view room_kind() const { return room_cfg ? std::string_view(room_cfg->kind) : std::string_view(); }
    std::string_view site() const { return room_cfg ? std::string_view(room_cfg->site) : std::string_view(); }
};

namespace {

// std::optional<SysTime> in 8 bytes: SysTime::min() stands for "none" (no reading is that old).
class OptTime {
public:
    OptTime& operator=(SysTime t) {
        t_ = t;
        return *this;
    }
    explicit operator bool() const { return t_ != SysTime::min(); }
    SysTime operator*() const { return t_; }
    void reset() { t_ = SysTime::min(); }

private:
    SysTime t_ = SysTime::min();
};

// The metric instance of a track: the rule's metric, or for a row of a walked metric
// ("if_oper_status.*") the pattern with the row ("if_oper_status.Gi1/0/12").
std::string track_metric(const config::RuleConfig& rule, const std::string& row) {
    const std::string& m = rule.metric;
    return row.empty() || m.size() < 2 ? m : m.substr(0, m.size() - 1) + row;
}

}  // namespace

// One condition: a rule on a device, for one row of a walked metric.
struct AlarmEngine::Track {
    DeviceInfo* dev = nullptr;                 // its device (re-pointed when a reload rebuilds it)
    const config::RuleConfig* rule = nullptr;  // an element of dev->rules
    // The metric instance is track_metric(*rule, row), but for a track whose rule a reload
    // replaced with one of another metric: it keeps its old name, here.
    std::unique_ptr<std::string> own_metric;
    std::string row;
    OptTime bad_since, good_since;
    std::optional<double> prev_value;  // rate_above
    OptTime prev_time;
    std::optional<std::int64_t> alarm_id;  // the open alarm of this condition
    double value = 0;
    std::uint64_t eval_seq = 0;  // when it was last evaluated (engine-wide counter)
    FlapDetector flap;
    int bad_polls = 0;
    bool evaluated = false;
    bool bad = false;     // the last evaluation (hysteresis applied)
    bool firing = false;  // debounced: the condition is confirmed

    std::string metric() const { return own_metric ? *own_metric : track_metric(*rule, row); }
};

namespace {

bool is_open(const Alarm& a) { return a.state == AlarmState::raised || a.state == AlarmState::acknowledged; }

// The order of a device's tracks after a reload (it was that of the keys
// "device\x1frule\x1frow" of an engine-wide map).
std::string track_order_key(const std::string& rule, const std::string& row) {
    return rule + '\x1f' + row;
}

// For the lookup index of a device's tracks.
template <typename T>
bool rule_row_less(const T& t, const std::string& rule, const std::string& row) {
    const int c = t->rule->id.compare(rule);
    return c < 0 || (c == 0 && t->row < row);
}

std::string alarm_rule_id(const std::string& rule, const std::string& row) {
    return row.empty() ? rule : rule + "@" + row;
}

// Which metric instance a rule's metric pattern matches: "lamp_hours" exactly, or
// "if_oper_status.*" for every row "if_oper_status.<row>".
bool match_metric(const std::string& pattern, const std::string& metric, std::string& row) {
    if (pattern == metric) {
        row.clear();
        return true;
    }
    if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
        const std::size_t plen = pattern.size() - 1;  // includes the dot
        if (metric.size() > plen && metric.compare(0, plen, pattern, 0, plen) == 0) {
            row = metric.substr(plen);
            return true;
        }
    }
    return false;
}

bool crosses(RuleKind kind, double v, double threshold) {
    switch (kind) {
        case RuleKind::above:
        case RuleKind::rate_above: return v > threshold;
        case RuleKind::below: return v < threshold;
        case RuleKind::equals: return v == threshold;
        case RuleKind::not_equals: return v != threshold;
        default: return false;
    }
}

// With a clear threshold the condition, once bad, stays bad until the value passes it.
bool still_bad(RuleKind kind, double v, double clear) {
    switch (kind) {
        case RuleKind::above:
        case RuleKind::rate_above: return v > clear;
        case RuleKind::below: return v < clear;
        case RuleKind::equals:
        case RuleKind::not_equals: return v != clear;
        default: return false;
    }
}

bool marks_down(const config::RuleConfig& r) { return r.marks_down || r.kind == RuleKind::unreachable; }

config::SeverityPolicy default_policy(Severity s) {
    config::SeverityPolicy p;
    switch (s) {
        case Severity::I:
            p.ack_deadline = std::chrono::minutes(30);
            p.resolve_deadline = std::chrono::hours(12);
            p.emergency_after = std::chrono::hours(16);
            break;
        case Severity::II: p.resolve_deadline = std::chrono::hours(24); break;
        case Severity::III: p.resolve_deadline = std::chrono::hours(48); break;
        case Severity::IV: p.resolve_deadline = std::chrono::hours(24 * 5); break;
    }
    return p;
}

std::string deadline_text(SysTime t) { return format_utc(t); }

}  // namespace

std::string alarm_rule(const Alarm& a) {
    const auto at = a.rule_id.find('@');
    return at == std::string::npos ? a.rule_id : a.rule_id.substr(0, at);
}

std::string alarm_row(const Alarm& a) {
    const auto at = a.rule_id.find('@');
    return at == std::string::npos ? std::string() : a.rule_id.substr(at + 1);
}

// ---------------------------------------------------------------- construction

AlarmEngine::AlarmEngine(const config::Config& cfg, const Clock& clock, std::int64_t next_alarm_id,
                         EventSink sink)
    : AlarmEngine(std::make_shared<const config::Config>(cfg), clock, next_alarm_id, std::move(sink)) {}

AlarmEngine::AlarmEngine(std::shared_ptr<const config::Config> cfg, const Clock& clock, std::int64_t next_alarm_id,
                         EventSink sink)
    : clock_(clock), sink_(std::move(sink)), next_id_(next_alarm_id < 1 ? 1 : next_alarm_id) {
    build(std::move(cfg));
    for (const auto& w : config_windows_)
        if (window_active(w, clock_.now())) active_windows_.insert(w.window.id);
}

AlarmEngine::~AlarmEngine() = default;

std::vector<std::int64_t> AlarmEngine::build(std::shared_ptr<const config::Config> cfg) {
    // The devices being replaced point into the old config: it lives until they are gone.
    const auto previous = std::exchange(cfg_, std::move(cfg));
    std::unordered_map<std::string_view, DeviceInfo> devices;
    devices.reserve(cfg_->devices.size() + 1);
    std::map<const config::Profile*, std::shared_ptr<const std::vector<config::RuleConfig>>> profile_rules;
    std::vector<std::pair<std::string, std::int64_t>> orphaned;  // order key, alarm id
    auto drop = [&](std::unique_ptr<Track>& t) {
        armed_.erase(t.get());
        if (t->alarm_id)
            orphaned.emplace_back(std::string(t->dev->id()) + '\x1f' + track_order_key(t->rule->id, t->row),
                                  *t->alarm_id);
        t.reset();
    };
    // A device that existed before keeps its tracks whose rule (by id) it still has.
    auto adopt_tracks = [&](DeviceInfo& info, DeviceInfo& old) {
        info.tracks = std::move(old.tracks);
        for (auto& t : info.tracks) {
            const config::RuleConfig* rule = nullptr;
            for (const auto& r : *info.rules)
                if (r.id == t->rule->id) rule = &r;
            if (!rule) {
                drop(t);
                continue;
            }
            if (!t->own_metric && track_metric(*rule, t->row) != track_metric(*t->rule, t->row))
                t->own_metric = std::make_unique<std::string>(t->metric());
            t->rule = rule;
            t->dev = &info;
        }
        std::erase(info.tracks, nullptr);
        std::vector<std::pair<std::string, std::unique_ptr<Track>>> sorted;
        sorted.reserve(info.tracks.size());
        for (auto& t : info.tracks) sorted.emplace_back(track_order_key(t->rule->id, t->row), std::move(t));
        std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        for (std::size_t i = 0; i < sorted.size(); ++i) info.tracks[i] = std::move(sorted[i].second);
    };
    for (const auto& d : cfg_->devices) {
        auto [slot, fresh] = devices.try_emplace(d.id);
        if (!fresh) continue;  // ids are unique (the config checks it): the first one counts
        DeviceInfo& info = slot->second;
        info.cfg = &d;
        info.room_cfg = cfg_->find_room(d.room);
        if (d.rules.empty() && d.disabled_rules.empty()) {
            auto& shared = profile_rules[cfg_->profile_for(d)];
            if (!shared) shared = std::make_shared<const std::vector<config::RuleConfig>>(cfg_->rules_for(d));
            info.rules = shared;
        } else {
            info.rules = std::make_shared<const std::vector<config::RuleConfig>>(cfg_->rules_for(d));
        }
        if (auto old = devices_.find(d.id); old != devices_.end()) {
            info.reachable = old->second.reachable;
            info.probe_up = old->second.probe_up;
            adopt_tracks(info, old->second);
        }
    }
    {
        // avmond itself: no room, no probes; fed by observe_self(). Its reachability starts afresh.
        if (auto [slot, fresh] = devices.try_emplace(config::kSelfDeviceId); fresh) {
            DeviceInfo& self = slot->second;
            self.rules = std::make_shared<const std::vector<config::RuleConfig>>(self_rules());
            if (auto old = devices_.find(config::kSelfDeviceId); old != devices_.end()) adopt_tracks(self, old->second);
        }
    }
    for (auto& [id, old] : devices_)  // devices gone from the config
        for (auto& t : old.tracks)
            if (t) drop(t);
    devices_ = std::move(devices);

    auto zone_of_site = [&](const std::string& site) {
        const auto* s = cfg_->find_site(site);
        return TimeZone::load(s && !s->timezone.empty() ? s->timezone : cfg_->daemon.timezone);
    };
    auto schedule = [&](const config::MaintenanceWindow& w) {
        ScheduledWindow sw{w, TimeZone::utc()};
        std::string site;
        if (w.scope == config::MaintenanceWindow::Scope::site) site = w.target;
        else if (w.scope == config::MaintenanceWindow::Scope::room) {
            if (const auto* r = cfg_->find_room(w.target)) site = r->site;
        } else if (auto it = devices_.find(w.target); it != devices_.end()) {
            site = it->second.site();
        }
        sw.zone = zone_of_site(site);
        return sw;
    };
    config_windows_.clear();
    for (const auto& w : cfg_->maintenance) config_windows_.push_back(schedule(w));
    for (auto& w : runtime_windows_) w = schedule(w.window);
    roster_ = std::make_unique<RosterClock>(cfg_->roster, cfg_->daemon.timezone);

    std::sort(orphaned.begin(), orphaned.end());  // in the order of "device\x1frule\x1frow"
    std::vector<std::int64_t> ids;
    for (const auto& [key, id] : orphaned) ids.push_back(id);
    return ids;
}

AlarmEngine::Track& AlarmEngine::track_for(DeviceInfo& dev, const config::RuleConfig& rule,
                                           const std::string& metric, const std::string& row) {
    // A device has a handful of tracks: a look through them is the quickest. Devices with
    // many rows (switch ports) search an index sorted by rule id and row.
    std::vector<Track*>::iterator at;
    if (dev.tracks.size() <= 16) {
        for (const auto& t : dev.tracks)
            if (t->row == row && t->rule->id == rule.id) return *t;
    } else {
        if (dev.index.size() != dev.tracks.size()) {
            dev.index.clear();
            for (const auto& t : dev.tracks) dev.index.push_back(t.get());
            std::sort(dev.index.begin(), dev.index.end(),
                      [](const Track* x, const Track* y) { return rule_row_less(x, y->rule->id, y->row); });
        }
        at = std::lower_bound(dev.index.begin(), dev.index.end(), 0,
                              [&](const Track* t, int) { return rule_row_less(t, rule.id, row); });
        if (at != dev.index.end() && (*at)->rule->id == rule.id && (*at)->row == row) return **at;
    }
    auto t = std::make_unique<Track>();
    t->dev = &dev;
    t->rule = &rule;
    t->row = row;
    if (metric != track_metric(rule, row)) t->own_metric = std::make_unique<std::string>(metric);
    Track& added = *t;
    const bool indexed = !dev.index.empty() && dev.index.size() == dev.tracks.size();
    dev.tracks.push_back(std::move(t));
    if (indexed) dev.index.insert(at, &added);
    return added;
}

std::uint64_t AlarmEngine::probe_bit(std::string_view probe) {
    auto it = std::find(probe_names_.begin(), probe_names_.end(), probe);
    if (it == probe_names_.end()) {
        // Probe kinds ("icmp", "snmp", "pjlink"...) are a handful; a bit each per device.
        if (probe_names_.size() == 64) throw std::length_error("alarm engine: more than 64 probe names");
        it = probe_names_.insert(probe_names_.end(), std::string(probe));
    }
    return std::uint64_t{1} << (it - probe_names_.begin());
}

// ---------------------------------------------------------------- observations

void AlarmEngine::observe(const std::string& device, const PollResult& result, std::string_view probe) {
    auto dit = devices_.find(device);
    if (dit == devices_.end()) return;  // removed by a reload while the poll was in flight
    DeviceInfo& dev = dit->second;
    const bool was_down = is_down(dev);
    // ICMP answering while the SNMP agent hangs is a sick agent, not an unreachable device:
    // reachable while the latest result of any probe is.
    const std::uint64_t bit = probe_bit(probe);
    if (result.reachable) dev.probe_up |= bit;
    else dev.probe_up &= ~bit;
    const bool any_up = dev.probe_up != 0;
    dev.reachable = any_up;
    for (const auto& rule : *dev.rules) {
        switch (rule.kind) {
            case RuleKind::trap: break;
            case RuleKind::unreachable: {
                Track& t = track_for(dev, rule, rule.metric, "");
                evaluate(t, !any_up, any_up ? 1 : 0);
                break;
            }
            case RuleKind::metric_unavailable: {
                if (!result.reachable) break;
                std::string row;
                for (const auto& u : result.unavailable)
                    if (match_metric(rule.metric, u.metric, row)) evaluate(track_for(dev, rule, u.metric, row), true, 0);
                for (const auto& s : result.samples)
                    if (match_metric(rule.metric, s.metric, row))
                        evaluate(track_for(dev, rule, s.metric, row), false, s.value);
                break;
            }
            default: {
                if (!result.reachable) break;  // no samples: the condition stays as it was
                std::string row;
                for (const auto& s : result.samples) {
                    if (!match_metric(rule.metric, s.metric, row)) continue;
                    Track& t = track_for(dev, rule, s.metric, row);
                    double v = s.value;
                    if (rule.kind == RuleKind::rate_above) {
                        const SysTime when = s.time == SysTime{} ? clock_.now() : s.time;
                        const auto prev_v = t.prev_value;
                        const auto prev_t = t.prev_time;
                        t.prev_value = s.value;
                        t.prev_time = when;
                        if (!prev_v || !prev_t || when <= *prev_t) continue;
                        v = (s.value - *prev_v) / std::chrono::duration<double>(when - *prev_t).count();
                    }
                    // Once bad - and while an alarm is up and waiting out clear_for - only the
                    // clear threshold counts as good (hysteresis).
                    const bool sticky = (t.bad || t.firing) && rule.clear_threshold;
                    const bool bad = sticky ? still_bad(rule.kind, v, *rule.clear_threshold)
                                            : crosses(rule.kind, v, rule.threshold);
                    evaluate(t, bad, v);
                }
            }
        }
    }
    after_observation(device, dev, was_down);
}

void AlarmEngine::observe_self(std::string_view metric, double value) {
    PollResult r;
    r.reachable = true;
    r.time = clock_.now();
    r.samples.push_back(Sample{std::string(config::kSelfDeviceId), std::string(metric), r.time, value});
    observe(std::string(config::kSelfDeviceId), r, "self");
}

// Only a change in this device's "down" verdict can change its children's suppression; its
// own alarms may need a fresh look (a child still failing after its parent recovered).
void AlarmEngine::after_observation(const std::string& device, const DeviceInfo& dev, bool was_down) {
    if (is_down(dev) != was_down) refresh_suppression();
    else refresh_suppression(&device);
}

bool AlarmEngine::is_down(const DeviceInfo& dev) const {
    const Alarm* a = nullptr;
    const Track* t = nullptr;
    return device_down(dev, &a, &t) || device_pending_down(dev);
}

void AlarmEngine::observe_trap(const TrapEvent& trap) {
    if (!trap.device) return;
    auto dit = devices_.find(*trap.device);
    if (dit == devices_.end()) return;
    const bool was_down = is_down(dit->second);
    for (const auto& rule : *dit->second.rules) {
        if (rule.kind != RuleKind::trap) continue;
        if (!rule.trap_event.empty() && trap.event == rule.trap_event)
            evaluate(track_for(dit->second, rule, rule.metric, ""), true, 1);
        else if (!rule.clear_event.empty() && trap.event == rule.clear_event)
            evaluate(track_for(dit->second, rule, rule.metric, ""), false, 0);
    }
    after_observation(*trap.device, dit->second, was_down);
}

void AlarmEngine::evaluate(Track& t, bool bad, double value) {
    const SysTime now = clock_.now();
    t.evaluated = true;
    t.eval_seq = ++eval_seq_;
    t.bad = bad;
    if (bad) {
        t.value = value;
        t.good_since.reset();
        if (!t.bad_since) {
            t.bad_since = now;
            t.bad_polls = 0;
        }
        ++t.bad_polls;
    } else {
        t.bad_since.reset();
        t.bad_polls = 0;
        if (!t.good_since) t.good_since = now;
    }
    if (t.flap.record(bad, cfg_->alarms.flap)) on_flap_change(t);
    settle(t);
}

void AlarmEngine::update_armed(Track& t) {
    const bool waiting = (t.bad && !t.firing && t.bad_since) || (t.firing && !t.bad);
    if (waiting) armed_.insert(&t);
    else armed_.erase(&t);
}

// Acts on the debounced state: raise after `for` and `for_polls`, clear after `clear_for`.
void AlarmEngine::settle(Track& t) {
    const SysTime now = clock_.now();
    if (!t.firing && t.bad && t.bad_since && t.bad_polls >= std::max(1, t.rule->for_polls) &&
        now - *t.bad_since >= t.rule->for_duration) {
        // Wait while a parent's down-condition is still being debounced: it may turn out to
        // be the root cause, and then this alarm is a suppressed child, not a page.
        if (!suppression_for(t.dev->id()).pending) fire(t);
    } else if (t.firing && !t.bad && !t.flap.flapping() && t.good_since && now - *t.good_since >= t.rule->clear_for) {
        clear(t);
    }
    update_armed(t);
}

void AlarmEngine::on_flap_change(Track& t) {
    if (t.flap.flapping()) {
        if (Alarm* a = open_alarm_of(t)) {
            if (!a->flapping) {
                a->flapping = true;
                emit(AlarmEventKind::flapping, *a, "avmond", "the condition is flapping", false);
            }
        } else {
            fire(t);  // one alarm stands for the whole storm, even if no single run was long enough
        }
    } else if (Alarm* a = open_alarm_of(t)) {
        a->flapping = false;
        emit(AlarmEventKind::note, *a, "avmond", "flapping stopped", false);
    }
}

// ---------------------------------------------------------------- raise and clear

void AlarmEngine::fire(Track& t) {
    t.firing = true;
    if (open_alarm_of(t)) return;
    const SysTime now = clock_.now();
    const DeviceInfo& dev = *t.dev;
    const std::string device(dev.id());
    const std::string rule_id = alarm_rule_id(t.rule->id, t.row);

    Severity sev = t.rule->severity;
    if (auto it = t.rule->severity_by_room_kind.find(std::string(dev.room_kind()));
        it != t.rule->severity_by_room_kind.end())
        sev = it->second;
    const std::string text =
        alarm_text(*t.rule, {std::string(dev.name()), std::string(dev.room_name()), t.metric(), t.row, t.value});
    const Suppression sup = suppression_for(device);

    // A re-raise soon after the same condition was resolved re-opens that alarm.
    Alarm* previous = nullptr;
    for (auto& a : alarms_)
        if (a.device == device && a.rule_id == rule_id && !is_open(a) && a.resolved_at &&
            now - *a.resolved_at <= cfg_->alarms.reopen_window && (!previous || a.id > previous->id))
            previous = &a;

    Alarm* a = previous;
    AlarmEventKind kind = AlarmEventKind::raised;
    if (previous) {
        kind = AlarmEventKind::reopened;
        previous->state = AlarmState::raised;
        previous->acked_at.reset();
        previous->resolved_at.reset();
        previous->closed_at.reset();
        previous->acked_by.clear();
        previous->occurrences += 1;
        previous->escalation_level = 0;
    } else {
        Alarm n;
        n.id = next_id_++;
        n.rule_id = rule_id;
        n.device = device;
        n.room = dev.room();
        n.raised_at = now;
        a = &insert_by_id(n);  // the highest id: appended
    }
    a->severity = sev;
    a->text = text;
    a->value = t.value;
    a->flapping = t.flap.flapping();
    a->suppressed = sup.suppressed;
    a->suppression_reason = sup.reason;
    a->root_alarm_id = sup.root;
    t.alarm_id = a->id;
    const std::int64_t id = a->id;
    if (sup.suppressed) {
        a->ack_deadline.reset();
        a->resolve_deadline.reset();
        a->emergency_deadline.reset();
        next_reminder_.erase(id);
        emit(AlarmEventKind::suppressed, *a, "avmond", sup.reason, false);
    } else {
        set_deadlines(*a, now);
        emit(kind, *a, "avmond", "", true, 0);
    }
    if (Alarm* again = alarm_ptr(id)) remember_raise(*again);
    if (Alarm* again = alarm_ptr(id); again && again->flapping)
        emit(AlarmEventKind::flapping, *again, "avmond", "the condition is flapping", false);
}

void AlarmEngine::clear(Track& t) {
    t.firing = false;
    Alarm* a = open_alarm_of(t);
    t.alarm_id.reset();
    if (!a) return;
    a->state = AlarmState::resolved;
    a->resolved_at = clock_.now();
    next_reminder_.erase(a->id);
    emit(AlarmEventKind::resolved, *a, "avmond", "condition cleared", !a->suppressed, 0);
}

void AlarmEngine::remember_raise(Alarm& a) {
    const SysTime now = clock_.now();
    auto& hist = raise_history_[a.device + '\x1f' + a.rule_id];
    hist.push_back(now);
    std::erase_if(hist, [&](SysTime t) { return now - t > cfg_->alarms.recurring_window; });
    if (!a.recurring && cfg_->alarms.recurring_count > 0 &&
        static_cast<int>(hist.size()) >= cfg_->alarms.recurring_count) {
        a.recurring = true;
        emit(AlarmEventKind::recurring, a, "avmond",
             std::to_string(hist.size()) + " times within " +
                 std::to_string(cfg_->alarms.recurring_window.count() / 86400) + " days",
             false);
    }
}

// ---------------------------------------------------------------- suppression

bool AlarmEngine::device_down(const DeviceInfo& dev, const Alarm** root_alarm, const Track** root_track) const {
    for (const auto& track : dev.tracks) {
        const Track* t = track.get();
        if (!t->firing || !marks_down(*t->rule)) continue;
        *root_track = t;
        *root_alarm = nullptr;
        if (const Alarm* a = t->alarm_id ? find(*t->alarm_id) : nullptr; a && is_open(*a)) *root_alarm = a;
        return true;
    }
    if (dev.reachable == false) {
        // Unreachable with no rule of its own to debounce it: down, without a root alarm.
        bool has_rule = std::any_of(dev.rules->begin(), dev.rules->end(),
                                    [](const config::RuleConfig& r) { return r.kind == RuleKind::unreachable; });
        if (!has_rule) {
            *root_track = nullptr;
            *root_alarm = nullptr;
            return true;
        }
    }
    return false;
}

bool AlarmEngine::device_pending_down(const DeviceInfo& dev) const {
    for (const auto& t : dev.tracks)
        if (t->bad && t->bad_since && !t->firing && marks_down(*t->rule)) return true;
    return false;
}

AlarmEngine::Suppression AlarmEngine::suppression_for(std::string_view device) const {
    Suppression s;
    auto dit = devices_.find(device);
    if (dit == devices_.end()) return s;
    const SysTime now = clock_.now();
    const DeviceInfo& dev = dit->second;
    auto covers = [&](const config::MaintenanceWindow& w) {
        switch (w.scope) {
            case config::MaintenanceWindow::Scope::device: return w.target == dev.id();
            case config::MaintenanceWindow::Scope::room: return w.target == dev.room();
            case config::MaintenanceWindow::Scope::site: return w.target == dev.site();
        }
        return false;
    };
    for (const auto* list : {&config_windows_, &runtime_windows_})
        for (const auto& w : *list)
            if (covers(w.window) && window_active(w, now)) {
                s.suppressed = true;
                s.reason = "maintenance " + w.window.id + (w.window.reason.empty() ? "" : ": " + w.window.reason);
                return s;
            }

    // The top-most ancestor that is down is the root cause.
    std::string_view parent = dev.parent();
    for (int depth = 0; !parent.empty() && depth < 32; ++depth) {
        auto pit = devices_.find(parent);
        if (pit == devices_.end()) break;
        const Alarm* root_alarm = nullptr;
        const Track* root_track = nullptr;
        if (device_down(pit->second, &root_alarm, &root_track)) {
            s.suppressed = true;
            s.pending = false;
            const std::string name(pit->second.name());
            const std::string what = root_alarm ? root_alarm->text
                                     : root_track ? alarm_text(*root_track->rule,
                                                               {name, std::string(pit->second.room_name()),
                                                                root_track->metric(), root_track->row, root_track->value})
                                                  : "unreachable";
            // "root cause: switch sw-3f port 12 down" - without naming the parent twice.
            s.reason = "root cause: " + (what.rfind(name, 0) == 0 ? what : name + " " + what);
            s.root = root_alarm ? std::optional<std::int64_t>(root_alarm->id) : std::nullopt;
        } else if (!s.suppressed && device_pending_down(pit->second)) {
            s.pending = true;
        }
        parent = pit->second.parent();
    }
    return s;
}

void AlarmEngine::refresh_suppression(const std::string* only_device) {
    const SysTime now = clock_.now();
    std::vector<std::int64_t> ids;
    for (const auto& a : alarms_)
        if (is_open(a) && (!only_device || a.device == *only_device)) ids.push_back(a.id);
    std::map<std::string, Suppression> verdicts;  // per device: many alarms, one walk up the tree
    for (std::int64_t id : ids) {
        Alarm* a = alarm_ptr(id);
        if (!a) continue;
        auto v = verdicts.find(a->device);
        if (v == verdicts.end()) v = verdicts.emplace(a->device, suppression_for(a->device)).first;
        const Suppression s = v->second;
        if (s.suppressed) lifted_at_.erase(id);
        if (s.suppressed && !a->suppressed) {
            a->suppressed = true;
            a->suppression_reason = s.reason;
            a->root_alarm_id = s.root;
            next_reminder_.erase(id);
            emit(AlarmEventKind::suppressed, *a, "avmond", s.reason, false);
        } else if (s.suppressed) {
            a->suppression_reason = s.reason;  // e.g. the root moved up the tree
            a->root_alarm_id = s.root;
        } else if (a->suppressed) {
            // After a root cause recovers, only a fresh look at the child tells whether it is
            // still failing on its own; a window's end needs none (the condition was watched).
            if (a->root_alarm_id || a->suppression_reason.rfind("root cause:", 0) == 0) {
                auto [lifted, fresh] = lifted_at_.emplace(id, eval_seq_);
                const Track* t = track_of(*a);
                if (t && t->eval_seq <= lifted->second) continue;
            }
            lifted_at_.erase(id);
            // Still failing after the root cause or the window ended: it stands on its own now.
            const std::string was = a->suppression_reason;
            a->suppressed = false;
            a->suppression_reason.clear();
            a->root_alarm_id.reset();
            a->escalation_level = 0;
            set_deadlines(*a, now);
            emit(AlarmEventKind::unsuppressed, *a, "avmond", "still present after: " + was, true, 0);
        }
    }
}

// ---------------------------------------------------------------- timers

void AlarmEngine::tick() {
    run_maintenance_transitions();
    std::vector<Track*> waiting(armed_.begin(), armed_.end());
    for (Track* t : waiting)
        if (armed_.count(t)) settle(*t);
    refresh_suppression();
    run_deadlines();
    prune();
}

void AlarmEngine::run_maintenance_transitions() {
    const SysTime now = clock_.now();
    std::set<std::string> active;
    for (const auto* list : {&config_windows_, &runtime_windows_})
        for (const auto& w : *list) {
            SysTime ends{};
            if (!window_active(w, now, &ends)) continue;
            active.insert(w.window.id);
            if (!active_windows_.count(w.window.id))
                log::notice(msgid::maintenance_started,
                            "maintenance " + w.window.id + " started (" + w.window.target + ", until " + format_utc(ends) +
                                ")" + (w.window.reason.empty() ? "" : ": " + w.window.reason));
        }
    for (const auto& id : active_windows_)
        if (!active.count(id)) log::notice(msgid::maintenance_ended, "maintenance " + id + " ended");
    active_windows_ = std::move(active);
}

const config::SeverityPolicy& AlarmEngine::policy(Severity s) const {
    if (auto it = cfg_->policies.find(s); it != cfg_->policies.end()) return it->second;
    static const std::map<Severity, config::SeverityPolicy> defaults{
        {Severity::I, default_policy(Severity::I)},
        {Severity::II, default_policy(Severity::II)},
        {Severity::III, default_policy(Severity::III)},
        {Severity::IV, default_policy(Severity::IV)}};
    return defaults.at(s);
}

void AlarmEngine::set_deadlines(Alarm& a, SysTime from) {
    const auto& p = policy(a.severity);
    a.ack_deadline = p.ack_deadline ? std::optional<SysTime>(from + *p.ack_deadline) : std::nullopt;
    a.resolve_deadline = from + p.resolve_deadline;
    a.emergency_deadline = p.emergency_after ? std::optional<SysTime>(from + *p.emergency_after) : std::nullopt;
    fired_.erase(a.id);
    if (p.reminder_interval.count() > 0) next_reminder_[a.id] = from + p.reminder_interval;
    else next_reminder_.erase(a.id);
}

void AlarmEngine::run_deadlines() {
    const SysTime now = clock_.now();
    std::vector<std::int64_t> ids;
    for (const auto& a : alarms_)
        if (is_open(a) && !a.suppressed) ids.push_back(a.id);
    for (std::int64_t id : ids) {
        struct Due {
            SysTime at;
            int which;
        };
        Alarm* a = alarm_ptr(id);
        std::vector<Due> due;
        auto& fired = fired_[id];
        if (a->ack_deadline && !fired.count(0) && *a->ack_deadline <= now) {
            if (a->state == AlarmState::raised) due.push_back({*a->ack_deadline, 0});
            else fired.insert(0);  // acknowledged in time: this deadline is met
        }
        if (a->resolve_deadline && !fired.count(1) && *a->resolve_deadline <= now) due.push_back({*a->resolve_deadline, 1});
        if (a->emergency_deadline && !fired.count(2) && *a->emergency_deadline <= now)
            due.push_back({*a->emergency_deadline, 2});
        std::sort(due.begin(), due.end(), [](const Due& x, const Due& y) { return x.at < y.at; });
        for (const Due& d : due) {
            a = alarm_ptr(id);
            fired_[id].insert(d.which);
            a->escalation_level += 1;
            const auto& p = policy(a->severity);
            std::string note;
            if (d.which == 0)
                note = "not acknowledged by the ack deadline " + deadline_text(d.at) + " (" +
                       std::to_string(p.ack_deadline ? p.ack_deadline->count() / 60 : 0) + " min)";
            else if (d.which == 1)
                note = "not resolved by the resolve deadline " + deadline_text(d.at);
            else
                note = "emergency escalation: not resolved by " + deadline_text(d.at);
            emit(AlarmEventKind::escalated, *a, "avmond", note, true, a->escalation_level);
        }
        a = alarm_ptr(id);
        if (auto r = next_reminder_.find(id); r != next_reminder_.end() && r->second <= now) {
            const auto interval = policy(a->severity).reminder_interval;
            while (r->second <= now && interval.count() > 0) r->second += interval;
            if (a->state == AlarmState::raised)
                emit(AlarmEventKind::reminder, *a, "avmond", "still not acknowledged", true, a->escalation_level);
        }
    }
}

std::optional<SysTime> AlarmEngine::next_timer() const {
    const SysTime now = clock_.now();
    std::optional<SysTime> best;
    auto consider = [&](SysTime t) {
        if (t > now && (!best || t < *best)) best = t;
    };
    for (const Track* t : armed_) {
        if (t->bad && !t->firing && t->bad_since && t->bad_polls >= std::max(1, t->rule->for_polls))
            consider(*t->bad_since + t->rule->for_duration);
        if (t->firing && !t->bad && t->good_since && !t->flap.flapping()) consider(*t->good_since + t->rule->clear_for);
    }
    for (const auto& a : alarms_) {
        if (!is_open(a) || a.suppressed) continue;
        auto fit = fired_.find(a.id);
        auto fired = [&](int w) { return fit != fired_.end() && fit->second.count(w) > 0; };
        if (a.ack_deadline && !fired(0) && a.state == AlarmState::raised) consider(*a.ack_deadline);
        if (a.resolve_deadline && !fired(1)) consider(*a.resolve_deadline);
        if (a.emergency_deadline && !fired(2)) consider(*a.emergency_deadline);
        if (auto r = next_reminder_.find(a.id); r != next_reminder_.end() && a.state == AlarmState::raised)
            consider(r->second);
    }
    for (const auto* list : {&config_windows_, &runtime_windows_})
        for (const auto& w : *list)
            if (auto b = window_next_boundary(w, now)) consider(*b);
    return best;
}

// Closed alarms are kept only for re-opening; resolved ones wait for their cause and action
// (the operators' worklist) up to the recurring window.
std::chrono::seconds AlarmEngine::retention(const Alarm& a) const {
    if (a.state == AlarmState::closed) return cfg_->alarms.reopen_window;
    return std::max(cfg_->alarms.reopen_window, cfg_->alarms.recurring_window);
}

void AlarmEngine::prune() {
    const SysTime now = clock_.now();
    std::erase_if(alarms_, [&](const Alarm& a) {
        const bool gone = !is_open(a) && a.resolved_at && now - *a.resolved_at > retention(a);
        if (gone) {
            fired_.erase(a.id);
            next_reminder_.erase(a.id);
        }
        return gone;
    });
}

// ---------------------------------------------------------------- notifications

std::vector<NotificationRequest> AlarmEngine::recipients(const Alarm& a, int level_from, int level_to) const {
    std::vector<NotificationRequest> out;
    const config::EscalationChain* chain = cfg_->find_chain(policy(a.severity).chain);
    if (!chain || chain->levels.empty()) return out;
    const int last = static_cast<int>(chain->levels.size()) - 1;
    level_from = std::clamp(level_from, 0, last);
    level_to = std::clamp(level_to, 0, last);
    for (int level = level_from; level <= level_to; ++level) {
        for (const auto& entry : chain->levels[static_cast<std::size_t>(level)].notify) {
            NotificationRequest r;
            r.escalation_level = level;
            std::string person = entry;
            if (entry == "on-duty") person = roster_->on_duty(clock_.now());
            if (person.find('@') != std::string::npos) {
                r.recipient = person;
            } else if (const auto* p = cfg_->find_person(person)) {
                r.person = p->id;
                r.recipient = p->email;
            } else {
                log::warning(msgid::alarm_escalated, "escalation chain " + chain->id + ": nobody to notify for \"" +
                                                         entry + "\" (no such person or empty roster)");
                continue;
            }
            if (r.recipient.empty()) continue;
            if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.recipient == r.recipient; }))
                out.push_back(std::move(r));
        }
    }
    return out;
}

void AlarmEngine::emit(AlarmEventKind kind, Alarm& a, const std::string& actor, const std::string& note, bool notify,
                       int notify_level_from) {
    AlarmEvent e;
    e.kind = kind;
    e.time = clock_.now();
    e.actor = actor;
    e.note = note;
    e.alarm = a;
    if (notify && !a.suppressed) {
        // A resolution goes to everyone who was told about the alarm; the rest to the current level.
        const int from = kind == AlarmEventKind::resolved ? 0 : notify_level_from < 0 ? a.escalation_level : notify_level_from;
        e.notify = recipients(a, from, a.escalation_level);
    }
    journal_event(e);
    if (sink_) sink_(e);
}

// ---------------------------------------------------------------- operator actions

// alarms_ is kept sorted by id (new alarms get the highest id; restore inserts in order), so
// a lookup is a binary search: the 1 s tick looks up every open alarm, and a fleet with a
// dead building has thousands.
Alarm* AlarmEngine::alarm_ptr(std::int64_t id) { return const_cast<Alarm*>(std::as_const(*this).find(id)); }

const Alarm* AlarmEngine::find(std::int64_t id) const {
    auto it = std::lower_bound(alarms_.begin(), alarms_.end(), id,
                               [](const Alarm& a, std::int64_t want) { return a.id < want; });
    return it != alarms_.end() && it->id == id ? &*it : nullptr;
}

Alarm& AlarmEngine::insert_by_id(const Alarm& a) {
    auto it = std::upper_bound(alarms_.begin(), alarms_.end(), a.id,
                               [](std::int64_t want, const Alarm& x) { return want < x.id; });
    return *alarms_.insert(it, a);
}

const AlarmEngine::Track* AlarmEngine::track_of(const Alarm& a) const {
    auto dit = devices_.find(a.device);
    if (dit == devices_.end()) return nullptr;
    for (const auto& t : dit->second.tracks)
        if (t->alarm_id == a.id) return t.get();
    return nullptr;
}

Alarm* AlarmEngine::open_alarm_of(const Track& t) {
    if (!t.alarm_id) return nullptr;
    Alarm* a = alarm_ptr(*t.alarm_id);
    return a && is_open(*a) ? a : nullptr;
}

std::vector<const Alarm*> AlarmEngine::open_alarms() const {
    std::vector<const Alarm*> out;
    for (const auto& a : alarms_)
        if (is_open(a)) out.push_back(&a);
    return out;
}

std::string AlarmEngine::on_duty() const { return roster_->on_duty(clock_.now()); }

bool AlarmEngine::acknowledge(std::int64_t id, const std::string& actor, const std::string& note) {
    Alarm* a = alarm_ptr(id);
    if (!a || a->state != AlarmState::raised) return false;
    a->state = AlarmState::acknowledged;
    a->acked_at = clock_.now();
    a->acked_by = actor;
    next_reminder_.erase(id);
    emit(AlarmEventKind::acknowledged, *a, actor, note, false);
    return true;
}

bool AlarmEngine::resolve(std::int64_t id, const std::string& actor, const std::string& cause,
                          const std::string& action) {
    Alarm* a = alarm_ptr(id);
    if (!a || !is_open(*a)) return false;
    a->state = AlarmState::resolved;
    a->resolved_at = clock_.now();
    if (!cause.empty()) a->cause = cause;
    if (!action.empty()) a->action = action;
    next_reminder_.erase(id);
    // If the condition is still there it must be confirmed again (debounce) and then re-opens.
    for (auto& [device, dev] : devices_)
        for (auto& t : dev.tracks)
            if (t->alarm_id == id) {
                t->alarm_id.reset();
                t->firing = false;
                t->bad_since.reset();
                t->bad_polls = 0;
                update_armed(*t);
            }
    std::string note = cause.empty() ? "resolved by hand" : "cause: " + cause;
    if (!action.empty()) note += "; action: " + action;
    emit(AlarmEventKind::resolved, *a, actor, note, true, 0);
    return true;
}

bool AlarmEngine::close(std::int64_t id, const std::string& actor, const std::string& cause,
                        const std::string& action) {
    Alarm* a = alarm_ptr(id);
    if (!a || a->state == AlarmState::closed) return false;
    if (is_open(*a) && !resolve(id, actor, cause, action)) return false;
    a = alarm_ptr(id);
    a->state = AlarmState::closed;
    a->closed_at = clock_.now();
    a->cause = cause;
    a->action = action;
    emit(AlarmEventKind::closed, *a, actor, "cause: " + cause + "; action: " + action, false);
    return true;
}

bool AlarmEngine::add_note(std::int64_t id, const std::string& actor, const std::string& note) {
    Alarm* a = alarm_ptr(id);
    if (!a || note.empty()) return false;
    emit(AlarmEventKind::note, *a, actor, note, false);
    return true;
}

// ---------------------------------------------------------------- maintenance

bool AlarmEngine::add_maintenance(const config::MaintenanceWindow& w) {
    for (const auto& c : config_windows_)
        if (c.window.id == w.id) return false;
    std::erase_if(runtime_windows_, [&](const ScheduledWindow& s) { return s.window.id == w.id; });
    runtime_windows_.push_back({w, TimeZone::utc()});
    build(cfg_);  // assigns the window its site's time zone (same config: no track is dropped)
    return true;
}

bool AlarmEngine::remove_maintenance(const std::string& id) {
    const auto n = std::erase_if(runtime_windows_, [&](const ScheduledWindow& s) { return s.window.id == id; });
    return n > 0;
}

std::vector<config::MaintenanceWindow> AlarmEngine::maintenance() const {
    std::vector<config::MaintenanceWindow> out;
    for (const auto* list : {&config_windows_, &runtime_windows_})
        for (const auto& w : *list) out.push_back(w.window);
    return out;
}

std::vector<config::MaintenanceWindow> AlarmEngine::active_maintenance() const {
    std::vector<config::MaintenanceWindow> out;
    for (const auto* list : {&config_windows_, &runtime_windows_})
        for (const auto& w : *list)
            if (window_active(w, clock_.now())) out.push_back(w.window);
    return out;
}

// ---------------------------------------------------------------- restart and reload

void AlarmEngine::restore(const std::vector<Alarm>& alarms) {
    const SysTime now = clock_.now();
    for (const Alarm& stored : alarms) {
        next_id_ = std::max(next_id_, stored.id + 1);
        if (alarm_ptr(stored.id)) continue;
        // Recurring-problem history outlives restarts: every raise (re-opens included) of an
        // alarm raised inside the window counts, dated at its first raise. The re-opens came
        // later, so this only ever forgets them a little early, never counts one twice.
        if (now - stored.raised_at <= cfg_->alarms.recurring_window) {
            auto& hist = raise_history_[stored.device + '\x1f' + stored.rule_id];
            hist.insert(hist.end(), static_cast<std::size_t>(std::max(1, stored.occurrences)), stored.raised_at);
        }
        if (!is_open(stored)) {
            if (stored.resolved_at && now - *stored.resolved_at <= retention(stored)) insert_by_id(stored);
            continue;
        }
        const Alarm& a = insert_by_id(stored);

        // The condition is assumed present until a poll says otherwise.
        auto dit = devices_.find(a.device);
        if (dit != devices_.end()) {
            const std::string rule = alarm_rule(a), row = alarm_row(a);
            for (const auto& r : *dit->second.rules) {
                if (r.id != rule) continue;
                std::string metric = r.metric;
                if (!row.empty() && metric.size() >= 2) metric = metric.substr(0, metric.size() - 1) + row;
                Track& t = track_for(dit->second, r, metric, row);
                t.firing = true;
                t.bad = true;
                t.bad_since = a.raised_at;
                t.bad_polls = std::max(1, r.for_polls);
                t.value = a.value;
                t.alarm_id = a.id;
            }
        }

        // Which deadlines were acted on before the stop: the escalation level counts them,
        // in the order they fall due (an ack deadline met in time does not count).
        struct D {
            SysTime at;
            int which;
        };
        std::vector<D> ds;
        if (a.ack_deadline && (!a.acked_at || *a.acked_at > *a.ack_deadline)) ds.push_back({*a.ack_deadline, 0});
        if (a.resolve_deadline) ds.push_back({*a.resolve_deadline, 1});
        if (a.emergency_deadline) ds.push_back({*a.emergency_deadline, 2});
        std::sort(ds.begin(), ds.end(), [](const D& x, const D& y) { return x.at < y.at; });
        auto& fired = fired_[a.id];
        for (int i = 0; i < a.escalation_level && i < static_cast<int>(ds.size()); ++i) fired.insert(ds[i].which);
        if (a.ack_deadline && a.acked_at && *a.acked_at <= *a.ack_deadline) fired.insert(0);

        const auto interval = policy(a.severity).reminder_interval;
        if (interval.count() > 0 && a.state == AlarmState::raised && !a.suppressed) {
            SysTime next = a.raised_at + interval;
            if (next <= now) next += interval * ((now - next) / interval + 1);
            next_reminder_[a.id] = next;
        }
    }
}

void AlarmEngine::reconfigure(const config::Config& cfg) { reconfigure(std::make_shared<const config::Config>(cfg)); }

void AlarmEngine::reconfigure(std::shared_ptr<const config::Config> cfg) {
    const std::vector<std::int64_t> orphaned = build(std::move(cfg));
    for (std::int64_t id : orphaned) {
        Alarm* a = alarm_ptr(id);
        if (!a || !is_open(*a)) continue;
        a->state = AlarmState::resolved;
        a->resolved_at = clock_.now();
        next_reminder_.erase(id);
        emit(AlarmEventKind::resolved, *a, "avmond", "device or rule removed from the configuration", false);
    }
    refresh_suppression();
}

}  // namespace avmon::alarms
