#include "daemon/app/options.hpp"

#include <boost/program_options.hpp>

#include <sstream>

namespace avmon::app {

namespace po = boost::program_options;

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error, std::string& help) {
    Options o;
    std::string check;
    double run_for = 0;
    po::options_description desc("avmond — watches conference-room AV equipment\n\nOptions");
    desc.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config,c", po::value(&o.config_path)->default_value(o.config_path), "configuration file")
        ("check-config", po::value(&check), "validate FILE (with its profiles and secrets) and exit 0 if valid, 1 if not")
        ("log-level", po::value(&o.log_level)->default_value(o.log_level),
            "lowest priority logged: emerg alert crit err warning notice info debug")
        ("run-for", po::value(&run_for), "stop by itself after SECONDS (demo and tests)");
    std::ostringstream h;
    h << desc;
    help = h.str();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        error = e.what();
        return std::nullopt;
    }
    if (vm.count("help")) {
        error.clear();
        return std::nullopt;
    }
    static const char* levels[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    bool level_ok = false;
    for (auto* l : levels) level_ok = level_ok || o.log_level == l;
    if (!level_ok) {
        error = "--log-level: unknown level '" + o.log_level + "' (use emerg alert crit err warning notice info debug)";
        return std::nullopt;
    }
    if (vm.count("check-config")) {
        o.check_only = true;
        o.config_path = check;
    }
    if (vm.count("run-for")) {
        if (run_for <= 0) {
            error = "--run-for: SECONDS must be positive";
            return std::nullopt;
        }
        o.run_for_seconds = run_for;
    }
    o.show_version = vm.count("version") != 0;
    return o;
}

}  // namespace avmon::app
