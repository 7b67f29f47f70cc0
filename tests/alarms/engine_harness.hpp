#pragma once
// A small world for alarm-engine tests: a config built in code, a ManualClock, and every
// event the engine emits, so each test reads like a timeline.
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "daemon/alarms/alarm_engine.hpp"
#include "daemon/core/clock.hpp"

namespace avmon::alarms::testing {

inline SysTime at_utc(const char* text) {
    SysTime t{};
    parse_utc(text, t);
    return t;
}

inline config::RuleConfig rule(std::string id, config::RuleKind kind, std::string metric, double threshold,
                               Severity sev = Severity::III) {
    config::RuleConfig r;
    r.id = std::move(id);
    r.kind = kind;
    r.metric = std::move(metric);
    r.threshold = threshold;
    r.severity = sev;
    return r;
}

inline config::RuleConfig unreachable_rule(Severity sev = Severity::I) {
    auto r = rule("unreachable", config::RuleKind::unreachable, "", 0, sev);
    r.marks_down = true;
    r.text = "{device} is unreachable";
    return r;
}

// A site "hq" (Europe/Berlin), rooms "board" (boardroom) and "huddle" (huddle), people
// zhang/li/wang/lin, a three-level default chain headed by the on-duty engineer.
inline config::Config base_config() {
    config::Config c;
    c.daemon.timezone = "UTC";
    c.sites.push_back({"hq", "Headquarters", "Europe/Berlin", {}});
    c.rooms.push_back({"board", "Boardroom 3F", "hq", "boardroom", {}});
    c.rooms.push_back({"huddle", "Huddle 2", "hq", "huddle", {}});
    for (auto id : {"zhang", "li", "wang", "lin"})
        c.people.push_back({id, id, std::string(id) + "@example.com", {}});
    config::EscalationChain chain;
    chain.id = "default";
    chain.levels = {{"on-duty engineer", {"on-duty"}}, {"supervisor", {"lin"}},
                    {"manager", {"wang", "vendor-hotline@example.com"}}};
    c.chains.push_back(chain);
    c.roster.timezone = "UTC";
    c.roster.fallback = "zhang";
    config::SeverityPolicy p1;
    p1.ack_deadline = std::chrono::minutes(30);
    p1.resolve_deadline = std::chrono::hours(12);
    p1.emergency_after = std::chrono::hours(16);
    c.policies[Severity::I] = p1;
    config::SeverityPolicy p2;
    p2.resolve_deadline = std::chrono::hours(24);
    c.policies[Severity::II] = p2;
    config::SeverityPolicy p3;
    p3.resolve_deadline = std::chrono::hours(48);
    c.policies[Severity::III] = p3;
    config::SeverityPolicy p4;
    p4.resolve_deadline = std::chrono::hours(120);
    c.policies[Severity::IV] = p4;
    return c;
}

inline config::DeviceConfig& add_device(config::Config& c, std::string id, std::string room = "board",
                                        std::string parent = "") {
    config::DeviceConfig d;
    d.id = id;
    d.name = "dev " + id;
    d.room = std::move(room);
    d.parent = std::move(parent);
    c.devices.push_back(std::move(d));
    return c.devices.back();
}

struct Harness {
    ManualClock clock;
    config::Config cfg;
    std::vector<AlarmEvent> events;
    std::unique_ptr<AlarmEngine> engine;

    explicit Harness(config::Config c, SysTime start = at_utc("2026-11-02T08:00:00Z"))
        : clock(start), cfg(std::move(c)) {
        engine = std::make_unique<AlarmEngine>(cfg, clock, 1, [this](const AlarmEvent& e) { events.push_back(e); });
    }

    void poll(const std::string& device, const std::string& metric, double value) {
        PollResult r;
        r.reachable = true;
        r.time = clock.now();
        r.samples.push_back({device, metric, clock.now(), value});
        engine->observe(device, r);
        engine->tick();
    }
    void reachability(const std::string& device, bool up) {
        PollResult r;
        r.reachable = up;
        r.time = clock.now();
        engine->observe(device, r);
        engine->tick();
    }
    // Moves time forward, stopping at every timer the engine asks for, like the daemon's 1 s tick.
    void advance(std::chrono::seconds d) {
        const SysTime end = clock.now() + d;
        while (true) {
            auto next = engine->next_timer();
            if (!next || *next > end) break;
            clock.set(*next);
            engine->tick();
        }
        clock.set(end);
        engine->tick();
    }
    std::vector<AlarmEvent> of_kind(AlarmEventKind k) const {
        std::vector<AlarmEvent> out;
        for (const auto& e : events)
            if (e.kind == k) out.push_back(e);
        return out;
    }
    std::size_t count(AlarmEventKind k) const { return of_kind(k).size(); }
    std::vector<std::string> recipients(const AlarmEvent& e) const {
        std::vector<std::string> out;
        for (const auto& n : e.notify) out.push_back(n.recipient);
        return out;
    }
};

}  // namespace avmon::alarms::testing
