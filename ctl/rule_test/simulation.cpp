#include "ctl/rule_test/simulation.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "config/duration.hpp"
#include "daemon/alarms/alarm_engine.hpp"

namespace avmon::ctl::rule_test {
namespace {

// Everything scheduled for one instant, applied in this order: polls, traps, actions.
struct Instant {
    std::map<std::string, PollResult> polls;  // by device
    std::vector<std::string> poll_order;      // devices in the order the scenario names them
    std::vector<TrapEvent> traps;
    std::vector<const Action*> actions;
};

void add_point(Instant& in, const InputSeries& s, const Point& p, SysTime t) {
    auto [it, fresh] = in.polls.try_emplace(s.device);
    PollResult& r = it->second;
    if (fresh) {
        r.reachable = true;
        r.time = t;
        in.poll_order.push_back(s.device);
    }
    switch (p.kind) {
        case Point::Kind::gap: break;
        case Point::Kind::up: break;
        case Point::Kind::down:
            r.reachable = false;
            r.error = "scripted: down";
            break;
        case Point::Kind::value: r.samples.push_back({s.device, s.metric, t, p.value}); break;
        case Point::Kind::unavailable:
            r.unavailable.push_back({s.metric, MetricStatus::no_such_object, "scripted: unreadable"});
            break;
    }
}

const Alarm* newest_matching(const alarms::AlarmEngine& engine, const AlarmSelector& sel) {
    const Alarm* best = nullptr;
    for (const auto& a : engine.alarms())
        if (sel.matches(a) && (!best || a.id > best->id)) best = &a;
    return best;
}

}  // namespace

Run simulate(const Scenario& sc, const Observers& observers) {
    Run run;
    std::map<SysTime, Instant> plan;
    const SysTime end = sc.start + sc.duration;
    for (const auto& s : sc.inputs) {
        if (s.kind == InputSeries::Kind::trap) {
            for (Offset at : s.at) {
                TrapEvent t;
                t.time = sc.start + at;
                t.device = s.device;
                t.event = s.event;
                t.trap_oid = "scripted";
                plan[t.time].traps.push_back(t);
            }
            continue;
        }
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            if (s.points[i].kind == Point::Kind::gap) continue;
            const SysTime t = sc.start + s.start + s.step * static_cast<std::int64_t>(i);
            if (t > end) break;
            add_point(plan[t], s, s.points[i], t);
        }
    }
    for (const auto& a : sc.actions) plan[sc.start + a.at].actions.push_back(&a);

    ManualClock clock(sc.start);
    std::map<std::int64_t, Alarm> latest;
    auto sink = [&](const AlarmEvent& e) {
        run.events.push_back(e);
        latest[e.alarm.id] = e.alarm;
        if (observers.event) observers.event(e);
    };
    auto engine = std::make_unique<alarms::AlarmEngine>(sc.config, clock, 1, sink);

    auto apply = [&](const Action& a) {
        const std::string where = sc.file + ":" + std::to_string(a.line) + ": ";
        auto target = [&]() -> const Alarm* {
            const Alarm* x = newest_matching(*engine, a.alarm);
            if (!x) run.problems.push_back(where + "no alarm matches " + a.alarm.describe() + " at +" +
                                           config::format_duration(a.at));
            return x;
        };
        bool ok = true;
        switch (a.kind) {
            case Action::Kind::ack:
                if (auto* x = target()) ok = engine->acknowledge(x->id, a.user, a.note);
                break;
            case Action::Kind::resolve:
                if (auto* x = target()) ok = engine->resolve(x->id, a.user, a.cause, a.action);
                break;
            case Action::Kind::close:
                if (auto* x = target()) ok = engine->close(x->id, a.user, a.cause, a.action);
                break;
            case Action::Kind::note:
                if (auto* x = target()) ok = engine->add_note(x->id, a.user, a.note);
                break;
            case Action::Kind::maintenance: ok = engine->add_maintenance(a.window); break;
            case Action::Kind::end_maintenance: ok = engine->remove_maintenance(a.window.id); break;
            case Action::Kind::restart: break;  // handled by the loop
        }
        if (!ok) run.problems.push_back(where + "the engine refused this action");
    };

    SysTime now = sc.start;
    std::optional<SysTime> done_until;  // the last scripted instant already applied
    engine->tick();
    while (true) {
        // The next instant: a scripted input/action or a timer the engine asked for.
        std::optional<SysTime> next;
        auto pit = done_until ? plan.upper_bound(*done_until) : plan.begin();
        if (pit != plan.end()) next = pit->first;
        if (auto timer = engine->next_timer(); timer && (!next || *timer < *next)) next = *timer;
        if (!next || *next > end) break;
        now = *next;
        clock.set(now);
        ++run.steps;
        if (auto it = plan.find(now); it != plan.end()) {
            done_until = now;
            Instant& in = it->second;
            for (const auto& dev : in.poll_order) {
                const PollResult& r = in.polls[dev];
                for (const auto& s : r.samples) run.samples.push_back(s);
                if (observers.poll) observers.poll(dev, r);
                engine->observe(dev, r);
            }
            for (const auto& t : in.traps) {
                if (observers.trap) observers.trap(t);
                engine->observe_trap(t);
            }
            for (const Action* a : in.actions) {
                if (a->kind != Action::Kind::restart) {
                    apply(*a);
                    continue;
                }
                // The daemon stops: only what the store holds survives (the alarms); inputs while
                // it is down are never seen. It starts again and restores.
                std::vector<Alarm> stored(engine->alarms().begin(), engine->alarms().end());
                const std::int64_t next_id = engine->next_alarm_id();
                engine.reset();
                now += a->down_for;
                clock.set(now);
                engine = std::make_unique<alarms::AlarmEngine>(sc.config, clock, next_id, sink);
                engine->restore(stored);
                // Inputs scheduled while down are dropped; so are later actions at this instant.
                plan.erase(plan.upper_bound(it->first), plan.lower_bound(now));
                break;
            }
        }
        engine->tick();
    }
    clock.set(end);
    engine->tick();
    for (const auto& a : engine->alarms()) latest[a.id] = a;
    for (auto& [id, a] : latest) run.final_alarms.push_back(a);
    return run;
}

}  // namespace avmon::ctl::rule_test
