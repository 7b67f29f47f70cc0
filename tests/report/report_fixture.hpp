#pragma once
// The simulated October store, written once per test process by the real `avmonctl test-rules
// --db` from tests/report/data/october.toml (the alarm engine and the store writer of the product).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "config/loader.hpp"

namespace report_test {

inline std::string data_dir() { return std::string(AVMON_SOURCE_DIR) + "/tests/report/data"; }

// One scratch directory per test process, removed when the process exits.
struct ScratchDir {
    std::string path;
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "avmon-report-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

inline std::string scratch_dir() {
    static const ScratchDir dir;
    return dir.path;
}

inline int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A fresh copy of the October store (tests that archive into it get their own).
inline std::string october_db(const std::string& name = "october.db") {
    const std::string path = scratch_dir() + "/" + name;
    if (!std::filesystem::exists(path)) {
        const int rc = run(std::string(AVMONCTL) + " test-rules --db " + path + " " + data_dir() +
                           "/october.toml > " + path + ".log 2>&1");
        if (rc != 0) FAIL("avmonctl test-rules --db failed, see " << path << ".log");
    }
    return path;
}

inline const avmon::config::Config& site_config() {
    static const avmon::config::Config cfg = [] {
        avmon::config::LoadOptions lo;
        lo.resolve_secrets = false;
        auto r = avmon::config::load_config_file(data_dir() + "/site.toml", lo);
        if (!r.ok()) throw std::runtime_error("site.toml does not load: " + (r.errors.empty() ? std::string() : r.errors[0].to_string()));
        return *r.config;
    }();
    return cfg;
}

inline std::string slurp(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    std::string s;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
    return s;
}

}  // namespace report_test
