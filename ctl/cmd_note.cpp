// avmonctl note ID TEXT
#include "ctl/cmd_alarm_actions.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {
constexpr std::string_view kUsage =
    "usage: avmonctl note ID TEXT... [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Adds a free-text note to alarm ID's timeline.\n";
int run(std::span<char* const> args) { return run_alarm_action("note", kUsage, args); }
const CommandRegistration reg{{"note", "add a note to an alarm's timeline", "ID TEXT", run}};
}  // namespace
}  // namespace avmon::ctl
