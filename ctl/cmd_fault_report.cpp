// avmonctl fault-report ID: the draft fault report for an alarm (due within 24 h after a level
// I/II alarm is resolved): what, where, timeline, duration, cause/action, escalations, SLA.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "config/loader.hpp"
#include "ctl/command.hpp"
#include "daemon/report/fault_report.hpp"
#include "daemon/report/report_builder.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl fault-report ID [--format text|html] [-o FILE] [--db FILE] [--config FILE]\n"
    "\n"
    "Drafts the fault report of alarm ID from its stored timeline. Times are shown in the time\n"
    "zone of the alarm's site (the daemon's time zone, or UTC with --db and no --config).\n"
    "Exit status: 0 done, 1 no such alarm or the store/config could not be read, 2 usage error.\n";

int usage_error(const std::string& msg) {
    std::fprintf(stderr, "avmonctl fault-report: %s\n\n%s", msg.c_str(), kUsage.data());
    return 2;
}

int run_fault_report(std::span<char* const> args) {
    std::optional<std::string> id_text, output, db, config_path;
    std::string format = "text";
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&](std::optional<std::string>& slot) -> bool {
            if (i + 1 >= args.size()) return false;
            slot = args[++i];
            return true;
        };
        bool ok = true;
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage.data(), stdout);
            return 0;
        } else if (a == "-o" || a == "--output") ok = value(output);
        else if (a == "--db") ok = value(db);
        else if (a == "--config") ok = value(config_path);
        else if (a == "--format") {
            std::optional<std::string> f;
            ok = value(f);
            if (ok) format = *f;
        } else if (!a.empty() && a[0] == '-') return usage_error("unknown option " + std::string(a));
        else if (id_text) return usage_error("one alarm ID only");
        else id_text = std::string(a);
        if (!ok) return usage_error(std::string(a) + " needs a value");
    }
    if (!id_text) return usage_error("the alarm ID is missing");
    if (format == "txt") format = "text";
    if (format != "text" && format != "html") return usage_error("--format must be text or html");
    std::int64_t id = 0;
    try {
        std::size_t used = 0;
        id = std::stoll(*id_text, &used);
        if (used != id_text->size() || id <= 0) throw std::invalid_argument("id");
    } catch (...) {
        return usage_error("not an alarm ID: \"" + *id_text + "\"");
    }

    std::optional<config::Config> cfg;
    if (config_path || !db) {
        config::LoadOptions lo;
        lo.resolve_secrets = false;
        const std::string path = config_path.value_or("/etc/avmon/avmon.toml");
        auto loaded = config::load_config_file(path, lo);
        if (!loaded.ok()) {
            for (const auto& e : loaded.errors)
                std::fprintf(stderr, "avmonctl fault-report: %s\n", e.to_string().c_str());
            if (loaded.errors.empty()) std::fprintf(stderr, "avmonctl fault-report: cannot load %s\n", path.c_str());
            return 1;
        }
        cfg = std::move(loaded.config);
    }
    const std::string store_path = db.value_or(cfg ? cfg->store.path : std::string());
    try {
        store::StoreReader reader(store_path);
        const auto f = report::build_fault_report(reader, id, cfg ? &*cfg : nullptr, std::chrono::system_clock::now());
        if (!f) {
            std::fprintf(stderr, "avmonctl fault-report: no alarm #%lld in %s\n", static_cast<long long>(id),
                         store_path.c_str());
            return 1;
        }
        const auto zone = report::report_zone(cfg ? &*cfg : nullptr,
                                              f->site.empty() ? std::nullopt : std::optional<std::string>(f->site));
        const std::string body =
            format == "html" ? report::render_fault_html(*f, *zone) : report::render_fault_text(*f, *zone);
        if (output) {
            std::ofstream out(*output, std::ios::binary | std::ios::trunc);
            out << body;
            if (!out.flush()) {
                std::fprintf(stderr, "avmonctl fault-report: cannot write %s\n", output->c_str());
                return 1;
            }
        } else {
            std::fwrite(body.data(), 1, body.size(), stdout);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "avmonctl fault-report: %s: %s\n", store_path.c_str(), e.what());
        return 1;
    }
    return 0;
}

const CommandRegistration registration{
    {"fault-report", "draft fault report of an alarm (timeline, duration, cause, SLA)", "ID [--format text|html]",
     run_fault_report}};

}  // namespace
}  // namespace avmon::ctl
