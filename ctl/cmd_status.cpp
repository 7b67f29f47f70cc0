// avmonctl status: avmond's health at a glance.
#include <fmt/format.h>

#include <cstdio>

#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl status [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Shows avmond's version and uptime, devices up/down per room with the last poll times,\n"
    "open alarms by severity, and the store's queue depths.\n";

std::string uptime(long long s) {
    if (s >= 86400) return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
    if (s >= 3600) return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
    return fmt::format("{}m {}s", s / 60, s % 60);
}

int run_status(std::span<char* const> args) {
    auto o = parse_options(args, "status", kUsage, {});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (!o->positional.empty()) return usage_error("status", kUsage, "unexpected argument " + o->positional[0]);
    Json s;
    if (int rc = call(*o, "status", Json::object(), s); rc != exit_ok) return rc;
    if (o->json) return print_json(s), exit_ok;

    std::printf("avmond %s, up %s (since %s)\n", str(s["version"]).c_str(),
                uptime(s.value("uptime_s", 0LL)).c_str(), str(s["started"]).c_str());
    std::printf("config   %s\nstore    %s\n", str(s["config_file"]).c_str(), str(s["store_path"]).c_str());
    if (!str(s["on_duty"]).empty()) std::printf("on duty  %s\n", str(s["on_duty"]).c_str());
    const Json& a = s["alarms"];
    const Json& sev = a["by_severity"];
    std::printf("\nalarms   %s open (%s unacknowledged): I %s, II %s, III %s, IV %s\n", str(a["open"]).c_str(),
                str(a["unacknowledged"]).c_str(), str(sev["I"]).c_str(), str(sev["II"]).c_str(),
                str(sev["III"]).c_str(), str(sev["IV"]).c_str());
    const Json& d = s["devices"];
    std::printf("devices  %s: %s up, %s down, %s not polled yet; last poll %s\n\n", str(d["total"]).c_str(),
                str(d["up"]).c_str(), str(d["down"]).c_str(), str(d["unknown"]).c_str(),
                show_time(d["last_poll"]).c_str());
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : d["rooms"])
        rows.push_back({str(r["room"]), str(r["up"]), str(r["down"]), str(r["unknown"]), show_time(r["last_poll"])});
    if (!rows.empty()) {
        print_table({"ROOM", "UP", "DOWN", "UNKNOWN", "LAST POLL"}, rows);
        std::puts("");
    }
    const Json& st = s["store"];
    std::printf("store queue: %s samples, %s records; %s samples dropped; last flush %s; %s\n",
                str(st["queued_samples"]).c_str(), str(st["queued_records"]).c_str(),
                str(st["dropped_samples"]).c_str(), show_time(st["last_flush"]).c_str(),
                st.value("healthy", true) ? "writing normally" : ("NOT WRITING: " + str(st["error"])).c_str());
    return exit_ok;
}

const CommandRegistration reg{{"status", "avmond health: uptime, devices, open alarms, store queue", "", run_status}};

}  // namespace
}  // namespace avmon::ctl
