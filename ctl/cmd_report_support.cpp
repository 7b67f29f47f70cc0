#include "ctl/cmd_report_support.hpp"

#include <cstdio>
#include <fstream>

#include "config/loader.hpp"
#include "ctl/cmd_support.hpp"

namespace avmon::ctl {

std::optional<config::Config> load_report_config(std::string_view command, const std::string& config_path,
                                                 bool have_db, bool resolve_secrets, bool& failed) {
    failed = false;
    if (config_path.empty() && have_db) return std::nullopt;
    config::LoadOptions lo;
    lo.resolve_secrets = resolve_secrets;
    const std::string path = config_path.empty() ? std::string(default_config) : config_path;
    auto loaded = config::load_config_file(path, lo);
    if (!loaded.ok()) {
        const int n = static_cast<int>(command.size());
        for (const auto& e : loaded.errors)
            std::fprintf(stderr, "avmonctl %.*s: %s\n", n, command.data(), e.to_string().c_str());
        if (loaded.errors.empty()) std::fprintf(stderr, "avmonctl %.*s: cannot load %s\n", n, command.data(), path.c_str());
        failed = true;
        return std::nullopt;
    }
    return std::move(loaded.config);
}

bool write_report_file(std::string_view command, const std::string& output, const std::string& body) {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << body;
    if (out.flush()) return true;
    std::fprintf(stderr, "avmonctl %.*s: cannot write %s\n", static_cast<int>(command.size()), command.data(),
                 output.c_str());
    return false;
}

}  // namespace avmon::ctl
