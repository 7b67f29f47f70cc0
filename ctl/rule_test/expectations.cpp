#include "ctl/rule_test/expectations.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "config/duration.hpp"
#include "daemon/alarms/alarm_engine.hpp"

namespace avmon::ctl::rule_test {

std::string offset_text(const Scenario& sc, SysTime t) {
    const auto d = std::chrono::duration_cast<std::chrono::seconds>(t - sc.start);
    if (d.count() < 0) return "-" + config::format_duration(-d);
    return "+" + config::format_duration(d);
}

namespace {

std::string pad(std::string s, std::size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
}

std::string when_text(const std::optional<Offset>& at, Offset tol) {
    if (!at) return "any time";
    std::string s = "+" + config::format_duration(*at);
    if (tol.count() > 0) s += " (±" + config::format_duration(tol) + ")";
    return s;
}

bool in_window(const Scenario& sc, SysTime t, const std::optional<Offset>& at, Offset tol) {
    if (!at) return true;
    const SysTime want = sc.start + *at;
    return t >= want - tol && t <= want + tol;
}

std::string place(const Scenario& sc, int line) { return sc.file + ":" + std::to_string(line) + ": "; }

std::string alarm_line(const Alarm& a) {
    std::string s = pad(a.device + "/" + a.rule_id, 28) + " alarm " + std::to_string(a.id) + " severity=" +
                    std::string(to_string(a.severity)) + " state=" + std::string(to_string(a.state)) +
                    " level=" + std::to_string(a.escalation_level) + " occurrences=" + std::to_string(a.occurrences);
    if (a.suppressed) s += " suppressed";
    if (a.flapping) s += " flapping";
    if (a.recurring) s += " recurring";
    s += " \"" + a.text + "\"";
    return s;
}

}  // namespace

std::string describe_event(const Scenario& sc, const AlarmEvent& e) {
    std::string s = pad(offset_text(sc, e.time), 10) + " " + pad(std::string(to_string(e.kind)), 13) + " " +
                    pad(e.alarm.device + "/" + e.alarm.rule_id, 28) + " alarm " + std::to_string(e.alarm.id) +
                    " level " + std::to_string(e.alarm.escalation_level);
    if (e.actor != "avmond") s += " by " + e.actor;
    if (!e.notify.empty()) {
        s += " ->";
        for (const auto& n : e.notify) s += " " + n.recipient;
    }
    if (!e.note.empty()) s += "  (" + e.note + ")";
    return s;
}

Verdict check(const Scenario& sc, const Run& run) {
    Verdict v;
    auto pass = [&] { ++v.passed; };
    auto fail = [&](std::vector<std::string> lines) {
        ++v.failed;
        for (auto& l : lines) v.report.push_back(std::move(l));
    };

    for (const auto& p : run.problems) fail({p});

    // ---- alarms as they stand at the end
    for (const auto& x : sc.expect_alarms) {
        std::string want = pad(x.alarm.describe(), 28);
        if (x.severity) want += " severity=" + std::string(to_string(*x.severity));
        if (x.state) want += " state=" + std::string(to_string(*x.state));
        if (x.escalation_level) want += " level=" + std::to_string(*x.escalation_level);
        if (x.occurrences) want += " occurrences=" + std::to_string(*x.occurrences);
        if (x.suppressed) want += *x.suppressed ? " suppressed" : " not-suppressed";
        if (x.flapping) want += *x.flapping ? " flapping" : " not-flapping";
        if (x.recurring) want += *x.recurring ? " recurring" : " not-recurring";
        if (x.text) want += " text~\"" + *x.text + "\"";
        if (x.suppression_reason) want += " reason~\"" + *x.suppression_reason + "\"";
        if (x.root_device) want += " root=" + *x.root_device;

        std::vector<const Alarm*> candidates;
        for (const auto& a : run.final_alarms)
            if (x.alarm.matches(a)) candidates.push_back(&a);
        auto fits = [&](const Alarm& a) {
            if (x.severity && a.severity != *x.severity) return false;
            if (x.state && a.state != *x.state) return false;
            if (x.escalation_level && a.escalation_level != *x.escalation_level) return false;
            if (x.occurrences && a.occurrences != *x.occurrences) return false;
            if (x.suppressed && a.suppressed != *x.suppressed) return false;
            if (x.flapping && a.flapping != *x.flapping) return false;
            if (x.recurring && a.recurring != *x.recurring) return false;
            if (x.text && a.text.find(*x.text) == std::string::npos) return false;
            if (x.suppression_reason && a.suppression_reason.find(*x.suppression_reason) == std::string::npos)
                return false;
            if (x.root_device) {
                const Alarm* root = nullptr;
                for (const auto& r : run.final_alarms)
                    if (a.root_alarm_id && r.id == *a.root_alarm_id) root = &r;
                if (!root || root->device != *x.root_device) return false;
            }
            return true;
        };
        // The newest alarm of the device/rule is the one the operator would look at.
        const Alarm* newest = candidates.empty() ? nullptr : candidates.back();
        if (newest && fits(*newest)) {
            pass();
            continue;
        }
        std::vector<std::string> lines{place(sc, x.line) + "expected alarm not found at the end of the run",
                                       "  - expected: " + want};
        if (candidates.empty()) lines.push_back("  + got:      no alarm of " + x.alarm.describe());
        for (const Alarm* a : candidates) lines.push_back("  + got:      " + alarm_line(*a));
        fail(lines);
    }

    // ---- events
    std::vector<bool> matched(run.events.size(), false);
    for (const auto& x : sc.expect_events) {
        std::string want = pad(when_text(x.at, x.tolerance), 10) + " " + pad(std::string(to_string(x.kind)), 13) + " " +
                           x.alarm.describe();
        if (x.escalation_level) want += " level " + std::to_string(*x.escalation_level);
        if (x.actor) want += " by " + *x.actor;
        if (x.note) want += " note~\"" + *x.note + "\"";
        auto same_kind = [&](const AlarmEvent& e) { return e.kind == x.kind && x.alarm.matches(e.alarm); };
        int n = 0;
        for (std::size_t i = 0; i < run.events.size(); ++i) {
            const auto& e = run.events[i];
            if (!same_kind(e) || !in_window(sc, e.time, x.at, x.tolerance)) continue;
            if (x.escalation_level && e.alarm.escalation_level != *x.escalation_level) continue;
            if (x.actor && e.actor != *x.actor) continue;
            if (x.note && e.note.find(*x.note) == std::string::npos) continue;
            matched[i] = true;
            ++n;
        }
        const bool ok = x.count ? n == *x.count : n > 0;
        if (ok) {
            pass();
            continue;
        }
        std::vector<std::string> lines{place(sc, x.line) + "expected " +
                                       (x.count ? std::to_string(*x.count) : std::string("at least 1")) + " " +
                                       std::string(to_string(x.kind)) + " event(s) of " + x.alarm.describe() + ", got " +
                                       std::to_string(n),
                                       "  - expected: " + want};
        int shown = 0;
        for (const auto& e : run.events)
            if (same_kind(e) && shown++ < 10) lines.push_back("  + got:      " + describe_event(sc, e));
        if (shown == 0) lines.push_back("  + got:      no " + std::string(to_string(x.kind)) + " event of " + x.alarm.describe());
        fail(lines);
    }
    if (sc.totals.exact_events) {
        std::vector<std::string> extra;
        for (std::size_t i = 0; i < run.events.size(); ++i)
            if (!matched[i] && run.events[i].kind != AlarmEventKind::note)
                extra.push_back("  + unexpected: " + describe_event(sc, run.events[i]));
        if (extra.empty()) pass();
        else {
            extra.insert(extra.begin(), place(sc, sc.totals.line) + "exact_events: events no [[expect.event]] accounts for");
            fail(extra);
        }
    }

    // ---- notifications
    struct Sent {
        const AlarmEvent* event;
        const NotificationRequest* n;
    };
    std::vector<Sent> sent;
    for (const auto& e : run.events)
        for (const auto& n : e.notify) sent.push_back({&e, &n});
    for (const auto& x : sc.expect_notifications) {
        std::string want = pad(when_text(x.at, x.tolerance), 10) + " " +
                           pad(x.kind ? std::string(to_string(*x.kind)) : std::string("any"), 13) + " " +
                           x.alarm.describe() + " -> " + x.to;
        if (x.escalation_level) want += " (level " + std::to_string(*x.escalation_level) + ")";
        int n = 0;
        for (const auto& s : sent) {
            if (s.n->recipient != x.to && s.n->person != x.to) continue;
            if (x.kind && s.event->kind != *x.kind) continue;
            if (!x.alarm.matches(s.event->alarm)) continue;
            if (!in_window(sc, s.event->time, x.at, x.tolerance)) continue;
            if (x.escalation_level && s.n->escalation_level != *x.escalation_level) continue;
            ++n;
        }
        const bool ok = x.count ? n == *x.count : n > 0;
        if (ok) {
            pass();
            continue;
        }
        std::vector<std::string> lines{place(sc, x.line) + "expected " +
                                       (x.count ? std::to_string(*x.count) : std::string("at least 1")) +
                                       " notification(s) to " + x.to + ", got " + std::to_string(n),
                                       "  - expected: " + want};
        int shown = 0;
        for (const auto& e : run.events)
            if (!e.notify.empty() && x.alarm.matches(e.alarm) && shown++ < 12)
                lines.push_back("  + got:      " + describe_event(sc, e));
        if (shown == 0) lines.push_back("  + got:      no notification at all for " + x.alarm.describe());
        fail(lines);
    }

    // ---- totals
    auto total = [&](const char* what, const std::optional<int>& want, int got) {
        if (!want) return;
        if (*want == got) {
            pass();
            return;
        }
        fail({place(sc, sc.totals.line) + "expect." + what + " does not match",
              "  - expected: " + std::string(what) + " = " + std::to_string(*want),
              "  + got:      " + std::string(what) + " = " + std::to_string(got)});
    };
    std::set<std::int64_t> ids, suppressed;
    for (const auto& e : run.events) {
        ids.insert(e.alarm.id);
        if (e.kind == AlarmEventKind::suppressed) suppressed.insert(e.alarm.id);
    }
    int open = 0;
    for (const auto& a : run.final_alarms)
        if (a.state == AlarmState::raised || a.state == AlarmState::acknowledged) ++open;
    total("alarms", sc.totals.alarms, static_cast<int>(ids.size()));
    total("suppressed", sc.totals.suppressed, static_cast<int>(suppressed.size()));
    total("notifications", sc.totals.notifications, static_cast<int>(sent.size()));
    total("open", sc.totals.open, open);
    return v;
}

}  // namespace avmon::ctl::rule_test
