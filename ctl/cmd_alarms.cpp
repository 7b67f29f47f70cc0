// avmonctl alarms: the alarms avmond holds (or, with --since, the store's history).
#include <cstdio>

#include "ctl/cmd_alarm_rows.hpp"
#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"
#include "daemon/control/json_forms.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl alarms [--room ROOM] [--severity I|II|III|IV] [--state STATE] [--since TIME]\n"
    "                       [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Lists alarms: open ones, resolved ones not yet closed and recently closed ones, as avmond\n"
    "holds them. STATE is open (raised or acknowledged), raised, acknowledged, resolved, closed\n"
    "or all. --since TIME (YYYY-MM-DDTHH:MM[:SS]Z, UTC) reads the history from the store instead\n"
    "(every alarm raised since then; needs read access to the store file).\n";

int from_store(const Options& o) {
    store::AlarmFilter f;
    SysTime since;
    if (!parse_utc(*o.get("--since"), since))
        return usage_error("alarms", kUsage, "--since \"" + *o.get("--since") + "\" is not YYYY-MM-DDTHH:MM[:SS]Z");
    f.since = since;
    if (auto r = o.get("--room")) f.room = *r;
    if (auto s = o.get("--severity")) {
        f.severity = parse_severity(*s);
        if (!f.severity) return usage_error("alarms", kUsage, "--severity must be I, II, III or IV");
    }
    std::optional<std::string> state = o.get("--state");
    if (state && *state != "open" && *state != "all") {
        f.state = parse_alarm_state(*state);
        if (!f.state) return usage_error("alarms", kUsage, "unknown --state " + *state);
    }
    int rc = exit_ok;
    auto path = store_path(o, rc);
    if (!path) return rc;
    Json list = Json::array();
    try {
        store::StoreReader reader(*path);
        for (const auto& a : reader.alarms(f)) {
            if (state && *state == "open" && a.state != AlarmState::raised && a.state != AlarmState::acknowledged)
                continue;
            list.push_back(control::alarm_json(a));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "avmonctl: cannot read the store %s: %s\n", path->c_str(), e.what());
        return exit_failed;
    }
    if (o.json) return print_json(Json{{"alarms", list}}), exit_ok;
    print_alarm_rows(list);
    return exit_ok;
}

int run_alarms(std::span<char* const> args) {
    auto o = parse_options(args, "alarms", kUsage, {"--room", "--severity", "--state", "--since"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (!o->positional.empty()) return usage_error("alarms", kUsage, "unexpected argument " + o->positional[0]);
    if (o->get("--since")) return from_store(*o);
    Json req = Json::object();
    for (const char* k : {"room", "severity", "state"})
        if (auto v = o->get(std::string("--") + k)) req[k] = *v;
    Json res;
    if (int rc = call(*o, "alarms", req, res); rc != exit_ok) return rc;
    if (o->json) return print_json(res), exit_ok;
    print_alarm_rows(res["alarms"]);
    return exit_ok;
}

const CommandRegistration reg{{"alarms", "list alarms (filters: --room --severity --state --since)", "", run_alarms}};

}  // namespace
}  // namespace avmon::ctl
