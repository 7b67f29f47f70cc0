#pragma once
// Small helpers shared by the config tests: load TOML text and look for a diagnostic.
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace avmon::config::test {

inline std::string fixture(const std::string& rel) { return std::string(AVMON_SOURCE_DIR) + "/tests/config/fixtures/" + rel; }

// Options that never touch the machine's profile dirs or environment.
inline LoadOptions hermetic(std::vector<std::string> profile_dirs = {}) {
    LoadOptions o;
    o.use_configured_profile_dirs = false;
    o.extra_profile_dirs = std::move(profile_dirs);
    o.getenv = [](const char*) -> const char* { return nullptr; };
    return o;
}

inline LoadResult load_text(const std::string& text, LoadOptions o = hermetic()) {
    return parse_config(text, "test.toml", o);
}

// All errors, one per line, for failure messages.
inline std::string dump(const std::vector<ConfigError>& v) {
    std::string out;
    for (const auto& e : v) out += e.to_string() + "\n";
    return out;
}

// The error at `line` whose text contains `fragment`, or nullptr.
inline const ConfigError* find_diag(const std::vector<ConfigError>& v, int line, const std::string& fragment) {
    for (const auto& e : v)
        if (e.where.line == line && e.to_string().find(fragment) != std::string::npos) return &e;
    return nullptr;
}

}  // namespace avmon::config::test
