// avmonctl: the operator's tool. Each subcommand lives in its own cmd_<name>.cpp and
// registers itself in the command table; main only dispatches.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "ctl/command.hpp"

namespace avmon::ctl {

std::vector<Command>& command_table() {
    static std::vector<Command> table;
    return table;
}

namespace {

void print_help(std::FILE* out) {
    auto table = command_table();
    std::sort(table.begin(), table.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
    std::fprintf(out, "usage: avmonctl COMMAND [ARGS...]\n\ncommands:\n");
    for (const auto& c : table)
        std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(out, "\n`avmonctl COMMAND --help` explains one command.\n");
}

}  // namespace
}  // namespace avmon::ctl

int main(int argc, char** argv) {
    using namespace avmon::ctl;
    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    const std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_help(stdout);
        return 0;
    }
    for (const auto& c : command_table())
        if (c.name == name) return c.run(std::span<char* const>(argv + 2, static_cast<std::size_t>(argc - 2)));
    std::fprintf(stderr, "avmonctl: unknown command \"%s\"\n\n", argv[1]);
    print_help(stderr);
    return 2;
}
