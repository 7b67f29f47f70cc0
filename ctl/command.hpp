#pragma once
// avmonctl subcommands register themselves: a new `cmd_<name>.cpp` with one
// `const CommandRegistration` at namespace scope is all it takes (CMake globs cmd_*.cpp).
#include <span>
#include <string_view>
#include <vector>

namespace avmon::ctl {

// argv without the program and subcommand names; returns the process exit code.
using CommandFn = int (*)(std::span<char* const> args);

struct Command {
    std::string_view name;     // "test-rules"
    std::string_view summary;  // one line for `avmonctl --help`
    std::string_view usage;    // "FILE..." etc.
    CommandFn run;
};

std::vector<Command>& command_table();

struct CommandRegistration {
    explicit CommandRegistration(Command c) { command_table().push_back(c); }
};

}  // namespace avmon::ctl
