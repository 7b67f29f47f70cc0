// avmonctl resolve ID --cause TEXT --action TEXT
#include "ctl/cmd_alarm_actions.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {
constexpr std::string_view kUsage =
    "usage: avmonctl resolve ID --cause TEXT --action TEXT [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Resolves alarm ID by hand, recording what caused it and what was done.\n";
int run(std::span<char* const> args) { return run_alarm_action("resolve", kUsage, args); }
const CommandRegistration reg{{"resolve", "resolve an alarm with cause and action", "ID --cause T --action T", run}};
}  // namespace
}  // namespace avmon::ctl
