#pragma once
// avmond's command line. Exit codes are part of the interface (docs/avmond.8.md).
#include <optional>
#include <string>
#include <vector>

namespace avmon::app {

enum ExitCode : int { exit_ok = 0, exit_config_error = 1, exit_usage = 2, exit_runtime = 3 };

struct Options {
    std::string config_path = "/etc/avmon/avmon.toml";
    bool check_only = false;            // --check-config FILE: validate and exit 0/1
    std::string log_level = "info";     // emerg..debug
    std::optional<double> run_for_seconds;  // --run-for: stop by itself (demo, tests)
    bool show_version = false;
};

// Parses argv; on a usage error returns nullopt and fills `error` with a message naming the option.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error, std::string& help);

}  // namespace avmon::app
