// avmond: watches conference-room AV equipment. See docs/avmond.8.md.
#include <iostream>

#include "daemon/app/daemon.hpp"
#include "daemon/app/options.hpp"
#include "daemon/core/allocator.hpp"
#include "daemon/core/log.hpp"

namespace {
avmon::log::Priority parse_level(const std::string& s) {
    static const char* levels[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    for (int i = 0; i < 8; ++i)
        if (s == levels[i]) return static_cast<avmon::log::Priority>(i);
    return avmon::log::Priority::info;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace avmon::app;
    avmon::tune_allocator();  // before the first allocation worth speaking of
    std::string error, help;
    auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc), error, help);
    if (!options) {
        if (error.empty()) {
            std::cout << help;
            return exit_ok;
        }
        std::cerr << "avmond: " << error << "\n\n" << help;
        return exit_usage;
    }
    if (options->show_version) {
        std::cout << "avmond " AVMON_VERSION "\n";
        return exit_ok;
    }
    avmon::log::set_sink(avmon::log::make_default_sink());
    avmon::log::set_max_priority(parse_level(options->log_level));

    auto config = load_and_report(options->config_path, !options->check_only);
    if (options->check_only) {
        if (config) std::cout << options->config_path << ": configuration is valid\n";
        return config ? exit_ok : exit_config_error;
    }
    if (!config) {
        std::cerr << "avmond: " << options->config_path << " has errors; not starting\n";
        return exit_config_error;
    }
    Daemon daemon(std::move(*options), std::move(*config));
    return daemon.run();
}
