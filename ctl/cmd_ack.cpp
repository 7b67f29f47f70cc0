// avmonctl ack ID [--note TEXT]
#include "ctl/cmd_alarm_actions.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {
constexpr std::string_view kUsage =
    "usage: avmonctl ack ID [--note TEXT] [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Acknowledges alarm ID as you (your Unix user is recorded): it stops escalating for a\n"
    "response and waits for resolution.\n";
int run(std::span<char* const> args) { return run_alarm_action("ack", kUsage, args); }
const CommandRegistration reg{{"ack", "acknowledge an alarm", "ID [--note TEXT]", run}};
}  // namespace
}  // namespace avmon::ctl
