// avmonctl check-config [FILE]: validates a configuration without a daemon and without secrets.
#include <cstdio>

#include "config/loader.hpp"
#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl check-config [FILE] [--json]\n"
    "\n"
    "Validates FILE (default: --config FILE, else /etc/avmon/avmon.toml) and its profiles and\n"
    "prints every error and warning as file:line:col: key: message. Secret references\n"
    "(env:NAME, file:PATH) are not resolved, so no privileges are needed; `avmond --check-config`\n"
    "also resolves them. Exit status 0 valid, 1 errors, 2 usage.\n";

int run_check_config(std::span<char* const> args) {
    auto o = parse_options(args, "check-config", kUsage, {});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (o->positional.size() > 1) return usage_error("check-config", kUsage, "give at most one FILE");
    const std::string file = !o->positional.empty() ? o->positional[0] : !o->config.empty() ? o->config
                                                                                             : default_config;
    config::LoadOptions lo;
    lo.resolve_secrets = false;
    auto r = config::load_config_file(file, lo);
    if (o->json) {
        Json errors = Json::array(), warnings = Json::array();
        for (const auto& e : r.errors) errors.push_back(e.to_string());
        for (const auto& w : r.warnings) warnings.push_back(w.to_string());
        Json out{{"file", file}, {"valid", r.ok()}, {"errors", errors}, {"warnings", warnings}};
        if (r.ok())
            out["summary"] = {{"devices", r.config->devices.size()}, {"rooms", r.config->rooms.size()},
                              {"sites", r.config->sites.size()}};
        print_json(out);
        return r.ok() ? exit_ok : exit_failed;
    }
    for (const auto& w : r.warnings) std::fprintf(stderr, "%s (warning)\n", w.to_string().c_str());
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %zu error(s); avmond would refuse this configuration\n", file.c_str(),
                     r.errors.size());
        return exit_failed;
    }
    std::printf("%s: valid (%zu devices in %zu rooms, %zu sites)\n", file.c_str(), r.config->devices.size(),
                r.config->rooms.size(), r.config->sites.size());
    return exit_ok;
}

const CommandRegistration reg{{"check-config", "validate a configuration file", "[FILE]", run_check_config}};

}  // namespace
}  // namespace avmon::ctl
