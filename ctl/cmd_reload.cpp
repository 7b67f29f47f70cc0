// avmonctl reload: avmond validates its config file again and applies it only if valid.
#include <cstdio>

#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl reload [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Asks avmond to re-read its configuration. A configuration with errors is refused (the\n"
    "errors are printed with file:line and avmond keeps running the previous one); otherwise\n"
    "prints what changed. Same as systemctl reload avmond, but with the answer.\n";

int run_reload(std::span<char* const> args) {
    auto o = parse_options(args, "reload", kUsage, {});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (!o->positional.empty()) return usage_error("reload", kUsage, "unexpected argument " + o->positional[0]);
    Json res;
    if (int rc = call(*o, "reload", Json::object(), res); rc != exit_ok) return rc;
    if (o->json) return print_json(res), exit_ok;
    for (const auto& w : res["warnings"]) std::printf("warning: %s\n", str(w).c_str());
    if (res["changes"].empty()) return std::puts("configuration reloaded: no changes"), exit_ok;
    std::puts("configuration reloaded:");
    for (const auto& c : res["changes"]) std::printf("  %s\n", str(c).c_str());
    return exit_ok;
}

const CommandRegistration reg{{"reload", "reload avmond's configuration and show what changed", "", run_reload}};

}  // namespace
}  // namespace avmon::ctl
