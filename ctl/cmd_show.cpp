// avmonctl show ID: one alarm and its timeline. The alarm's current state comes from avmond;
// the timeline is read straight from the store (read-only), so the daemon's loop never waits
// on SQLite for it.
#include <cstdio>

#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"
#include "daemon/control/json_forms.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl show ID [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Shows one alarm (severity, state, deadlines, suppression, cause and action) and its\n"
    "timeline: every event with time, actor and note. Alarms avmond no longer holds are read\n"
    "from the store (find it with --config FILE, or avmond tells where it is).\n";

void print_alarm(const Json& a) {
    std::printf("alarm %s  severity %s  %s\n", str(a["id"]).c_str(), str(a["severity"]).c_str(),
                str(a["state"]).c_str());
    std::printf("  %s / %s: %s (rule %s)\n", str(a["room"]).c_str(), str(a["device"]).c_str(),
                str(a["text"]).c_str(), str(a["rule"]).c_str());
    std::printf("  raised %s", str(a["raised_at"]).c_str());
    if (!a["acked_at"].is_null())
        std::printf(", acknowledged %s by %s", str(a["acked_at"]).c_str(), str(a["acked_by"]).c_str());
    if (!a["resolved_at"].is_null()) std::printf(", resolved %s", str(a["resolved_at"]).c_str());
    if (!a["closed_at"].is_null()) std::printf(", closed %s", str(a["closed_at"]).c_str());
    std::puts("");
    if (!a["ack_deadline"].is_null() || !a["resolve_deadline"].is_null())
        std::printf("  deadlines: ack %s, resolve %s; escalation level %s\n", show_time(a["ack_deadline"]).c_str(),
                    show_time(a["resolve_deadline"]).c_str(), str(a["escalation_level"]).c_str());
    if (a.value("suppressed", false)) std::printf("  suppressed: %s\n", str(a["suppression_reason"]).c_str());
    if (!str(a["cause"]).empty()) std::printf("  cause: %s\n", str(a["cause"]).c_str());
    if (!str(a["action"]).empty()) std::printf("  action: %s\n", str(a["action"]).c_str());
}

int run_show(std::span<char* const> args) {
    auto o = parse_options(args, "show", kUsage, {});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (o->positional.size() != 1) return usage_error("show", kUsage, "give exactly one alarm ID");
    std::int64_t id = 0;
    try {
        std::size_t used = 0;
        id = std::stoll(o->positional[0], &used);
        if (used != o->positional[0].size()) throw std::invalid_argument("id");
    } catch (const std::exception&) {
        return usage_error("show", kUsage, "alarm ID \"" + o->positional[0] + "\" is not a number");
    }

    Json alarm, res;
    std::string path;
    int rc = call(*o, "show", {{"alarm", id}}, res);
    if (rc == exit_ok) {
        alarm = res["alarm"];
        path = str(res["store_path"]);
    } else if (rc != exit_failed) {
        return rc;  // avmond unreachable: call() said why
    }
    if (path.empty()) {
        int prc = exit_ok;
        auto p = store_path(*o, prc);
        if (!p) return alarm.is_null() ? prc : exit_failed;
        path = *p;
    }
    Json timeline = Json::array();
    std::string timeline_error;
    try {
        store::StoreReader reader(path);
        if (alarm.is_null()) {
            auto stored = reader.alarm(id);
            if (!stored) {
                std::fprintf(stderr, "avmonctl: no alarm %lld in the store either\n", static_cast<long long>(id));
                return exit_failed;
            }
            alarm = control::alarm_json(*stored);
        }
        for (const auto& e : reader.alarm_events(id))
            timeline.push_back({{"time", format_utc(e.time)},
                                {"event", std::string(to_string(e.kind))},
                                {"actor", e.actor},
                                {"note", e.note},
                                {"severity", std::string(to_string(e.severity))},
                                {"state", std::string(to_string(e.state))},
                                {"escalation_level", e.escalation_level}});
    } catch (const std::exception& e) {
        if (alarm.is_null()) {
            std::fprintf(stderr, "avmonctl: cannot read the store %s: %s\n", path.c_str(), e.what());
            return exit_failed;
        }
        timeline_error = e.what();
    }
    if (!alarm.is_null() && rc == exit_failed) std::fprintf(stderr, "  (found in the store)\n");
    if (o->json) {
        Json out{{"alarm", alarm}, {"timeline", timeline}};
        if (!timeline_error.empty()) out["timeline_error"] = timeline_error;
        return print_json(out), exit_ok;
    }
    print_alarm(alarm);
    std::puts("");
    if (!timeline_error.empty()) {
        std::printf("timeline unavailable: cannot read the store %s: %s\n", path.c_str(), timeline_error.c_str());
        return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : timeline)
        rows.push_back({str(e["time"]), str(e["event"]), str(e["actor"]), str(e["state"]), str(e["note"])});
    print_table({"TIME", "EVENT", "ACTOR", "STATE", "NOTE"}, rows);
    return exit_ok;
}

const CommandRegistration reg{{"show", "one alarm and its timeline", "ID", run_show}};

}  // namespace
}  // namespace avmon::ctl
