// avmonctl backup FILE: a consistent copy of the live store through SQLite's online backup API.
#include <cstdio>

#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"
#include "daemon/store/backup.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl backup FILE [--store DB] [--json] [--socket PATH] [--config FILE]\n"
    "\n"
    "Copies the store into FILE (created or overwritten) with SQLite's online backup API: the\n"
    "copy is consistent even while avmond writes. The store is --store DB, else the one named\n"
    "by --config FILE, else the one avmond reports. Needs read access to the store file.\n";

int run_backup(std::span<char* const> args) {
    auto o = parse_options(args, "backup", kUsage, {"--store"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(kUsage.data(), stdout), exit_ok;
    if (o->positional.size() != 1) return usage_error("backup", kUsage, "give exactly one destination FILE");
    std::string src;
    if (auto s = o->get("--store")) {
        src = *s;
    } else {
        int rc = exit_ok;
        auto p = store_path(*o, rc);
        if (!p) return rc;
        src = *p;
    }
    const std::string& dest = o->positional[0];
    if (dest == src) return usage_error("backup", kUsage, "the backup cannot overwrite the store itself");
    try {
        auto r = store::backup_database(src, dest);
        if (o->json)
            return print_json(Json{{"source", src}, {"destination", dest}, {"pages", r.pages}, {"steps", r.steps}}),
                   exit_ok;
        std::printf("backed up %s to %s (%lld pages)\n", src.c_str(), dest.c_str(), static_cast<long long>(r.pages));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "avmonctl: backup of %s to %s failed: %s\n", src.c_str(), dest.c_str(), e.what());
        return exit_failed;
    }
    return exit_ok;
}

const CommandRegistration reg{{"backup", "consistent online backup of the store", "FILE", run_backup}};

}  // namespace
}  // namespace avmon::ctl
