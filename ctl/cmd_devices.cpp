// avmonctl devices: every configured device and what its last poll saw.
#include <cstdio>

#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl devices [--room ROOM] [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Lists the devices avmond polls: room, class, address, up/down/unknown, last poll.\n";

int run_devices(std::span<char* const> args) {
    auto o = parse_options(args, "devices", kUsage, {"--room"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (!o->positional.empty()) return usage_error("devices", kUsage, "unexpected argument " + o->positional[0]);
    Json req = Json::object();
    if (auto r = o->get("--room")) req["room"] = *r;
    Json res;
    if (int rc = call(*o, "devices", req, res); rc != exit_ok) return rc;
    if (o->json) return print_json(res), exit_ok;
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : res["devices"])
        rows.push_back({str(d["id"]), str(d["room"]), str(d["class"]), str(d["address"]), str(d["state"]),
                        d.value("consecutive_failures", 0) > 0 ? str(d["consecutive_failures"]) : "",
                        show_time(d["last_poll"])});
    if (rows.empty()) return std::puts("no devices"), exit_ok;
    print_table({"DEVICE", "ROOM", "CLASS", "ADDRESS", "STATE", "FAILS", "LAST POLL"}, rows);
    return exit_ok;
}

const CommandRegistration reg{{"devices", "the polled devices and their last poll", "", run_devices}};

}  // namespace
}  // namespace avmon::ctl
