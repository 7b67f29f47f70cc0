// avmonctl close ID [--cause TEXT --action TEXT]
#include "ctl/cmd_alarm_actions.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {
constexpr std::string_view kUsage =
    "usage: avmonctl close ID [--cause TEXT] [--action TEXT] [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Closes alarm ID with its cause and action (resolving it first if it is still open).\n";
int run(std::span<char* const> args) { return run_alarm_action("close", kUsage, args); }
const CommandRegistration reg{{"close", "close an alarm (cause and action recorded)", "ID", run}};
}  // namespace
}  // namespace avmon::ctl
