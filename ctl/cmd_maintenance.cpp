// avmonctl maintenance add|list|remove: operator maintenance windows (config windows are listed
// too, but changed only in the config file).
#include <cstdio>

#include "config/duration.hpp"
#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl maintenance add (--device|--room|--site) ID --start TIME (--duration D|--end TIME)\n"
    "                                --reason TEXT\n"
    "       avmonctl maintenance add (--device|--room|--site) ID --weekly DAYS --at HH:MM --duration D\n"
    "                                [--start TIME] --reason TEXT\n"
    "       avmonctl maintenance list\n"
    "       avmonctl maintenance remove WINDOW-ID\n"
    "       (each also takes --json, --socket PATH, --config FILE)\n"
    "\n"
    "TIME is YYYY-MM-DDTHH:MM[:SS]Z (UTC) or now; D is a duration such as 90m, 2h, 1h30m.\n"
    "DAYS is a comma list of weekdays (mon,tue,... or 1..7); --at is local time in the site's\n"
    "time zone. Alarms of the target are suppressed while a window is in force; a condition\n"
    "that still holds when it ends is raised then.\n";

int add(const Options& o) {
    Json req = Json::object();
    int scopes = 0;
    for (const char* s : {"device", "room", "site"})
        if (auto v = o.get(std::string("--") + s)) {
            req["scope"] = s;
            req["target"] = *v;
            ++scopes;
        }
    if (scopes != 1) return usage_error("maintenance", kUsage, "give exactly one of --device, --room, --site");
    auto reason = o.get("--reason");
    if (!reason || reason->empty()) return usage_error("maintenance", kUsage, "--reason TEXT is required");
    req["reason"] = *reason;
    if (auto d = o.get("--duration")) {
        auto dur = config::parse_duration(*d);
        if (!dur || dur->count() <= 0)
            return usage_error("maintenance", kUsage, "--duration \"" + *d + "\" is not a duration like 2h or 1h30m");
        req["duration_s"] = dur->count();
    }
    if (o.get("--duration") && o.get("--end"))
        return usage_error("maintenance", kUsage, "give --duration or --end, not both");
    for (const char* k : {"start", "end"})
        if (auto v = o.get(std::string("--") + k)) {
            SysTime t;
            if (*v != "now" && !parse_utc(*v, t))
                return usage_error("maintenance", kUsage,
                                   "--" + std::string(k) + " \"" + *v + "\" is not YYYY-MM-DDTHH:MM[:SS]Z or now");
            req[k] = *v;
        }
    if (auto days = o.get("--weekly")) {
        Json list = Json::array();
        std::size_t pos = 0;
        while (pos <= days->size()) {
            auto comma = days->find(',', pos);
            std::string day = days->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            std::optional<int> n;
            if (day.size() == 1 && day[0] >= '1' && day[0] <= '7') n = day[0] - '0';
            else n = config::parse_weekday(day);
            if (!n) return usage_error("maintenance", kUsage, "--weekly: \"" + day + "\" is not a weekday");
            list.push_back(*n);
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        req["weekdays"] = list;
        auto at = o.get("--at");
        if (!at || !config::parse_time_of_day(*at))
            return usage_error("maintenance", kUsage, "--weekly needs --at HH:MM");
        req["at"] = *at;
        if (!o.get("--duration")) return usage_error("maintenance", kUsage, "--weekly needs --duration D");
    } else {
        if (o.get("--at")) return usage_error("maintenance", kUsage, "--at is for --weekly windows");
        if (!o.get("--start")) return usage_error("maintenance", kUsage, "--start TIME (or now) is required");
        if (!o.get("--duration") && !o.get("--end"))
            return usage_error("maintenance", kUsage, "give --duration D or --end TIME");
    }
    Json res;
    if (int rc = call(o, "maintenance.add", req, res); rc != exit_ok) return rc;
    if (o.json) return print_json(res), exit_ok;
    const Json& w = res["window"];
    if (w["at"].is_null())
        std::printf("maintenance window %s added: %s %s from %s to %s\n", str(w["id"]).c_str(),
                    str(w["scope"]).c_str(), str(w["target"]).c_str(), str(w["start"]).c_str(),
                    str(w["end"]).c_str());
    else
        std::printf("maintenance window %s added: %s %s weekly at %s for %s\n", str(w["id"]).c_str(),
                    str(w["scope"]).c_str(), str(w["target"]).c_str(), str(w["at"]).c_str(),
                    config::format_duration(std::chrono::seconds(w.value("duration_s", 0LL))).c_str());
    return exit_ok;
}

int list(const Options& o) {
    Json res;
    if (int rc = call(o, "maintenance.list", Json::object(), res); rc != exit_ok) return rc;
    if (o.json) return print_json(res), exit_ok;
    if (res["windows"].empty()) return std::puts("no maintenance windows"), exit_ok;
    std::vector<std::vector<std::string>> rows;
    for (const auto& w : res["windows"]) {
        std::string when;
        if (w["at"].is_null()) {
            when = str(w["start"]) + " .. " + str(w["end"]);
        } else {
            std::string days;
            for (const auto& d : w["weekdays"]) days += (days.empty() ? "" : ",") +
                                                         std::string(config::weekday_name(d.get<int>()));
            when = days + " " + str(w["at"]) + " for " +
                   config::format_duration(std::chrono::seconds(w.value("duration_s", 0LL)));
        }
        rows.push_back({str(w["id"]), str(w["scope"]) + " " + str(w["target"]), when,
                        w.value("active", false) ? "yes" : "no", str(w["source"]), str(w["reason"])});
    }
    print_table({"ID", "TARGET", "WHEN", "ACTIVE", "SOURCE", "REASON"}, rows);
    return exit_ok;
}

int remove(const Options& o) {
    if (o.positional.size() != 2) return usage_error("maintenance", kUsage, "remove needs one WINDOW-ID");
    Json res;
    if (int rc = call(o, "maintenance.remove", {{"id", o.positional[1]}}, res); rc != exit_ok) return rc;
    if (o.json) return print_json(res), exit_ok;
    std::printf("maintenance window %s removed\n", o.positional[1].c_str());
    return exit_ok;
}

int run_maintenance(std::span<char* const> args) {
    auto o = parse_options(args, "maintenance", kUsage,
                           {"--device", "--room", "--site", "--start", "--end", "--duration", "--weekly", "--at",
                            "--reason"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (o->positional.empty()) return usage_error("maintenance", kUsage, "say add, list or remove");
    const std::string& sub = o->positional[0];
    if (sub == "add") {
        if (o->positional.size() != 1) return usage_error("maintenance", kUsage, "unexpected " + o->positional[1]);
        return add(*o);
    }
    if (sub == "list") {
        if (o->positional.size() != 1) return usage_error("maintenance", kUsage, "unexpected " + o->positional[1]);
        return list(*o);
    }
    if (sub == "remove") return remove(*o);
    return usage_error("maintenance", kUsage, "unknown maintenance command \"" + sub + "\"");
}

const CommandRegistration reg{{"maintenance", "add, list or remove maintenance windows", "add|list|remove",
                               run_maintenance}};

}  // namespace
}  // namespace avmon::ctl
