// avmonctl fault-report ID: the draft fault report for an alarm (due within 24 h after a level
// I/II alarm is resolved): what, where, timeline, duration, cause/action, escalations, SLA.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "ctl/cmd_report_support.hpp"
#include "ctl/cmd_support.hpp"
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

int usage_error(const std::string& msg) { return ctl::usage_error("fault-report", kUsage, msg); }

int run_fault_report(std::span<char* const> args) {
    auto parsed = parse_options(args, "fault-report", kUsage, {"-o", "--output", "--db", "--format"});
    if (!parsed) return exit_usage;
    const Options& o = *parsed;
    if (o.help) {
        std::fputs(kUsage.data(), stdout);
        return 0;
    }
    const auto output = o.get("-o") ? o.get("-o") : o.get("--output");
    const auto db = o.get("--db");
    std::string format = o.get("--format").value_or("text");
    if (o.positional.empty()) return usage_error("the alarm ID is missing");
    if (o.positional.size() > 1) return usage_error("one alarm ID only");
    const std::string& id_text = o.positional.front();
    if (format == "txt") format = "text";
    if (format != "text" && format != "html") return usage_error("--format must be text or html");
    std::int64_t id = 0;
    try {
        std::size_t used = 0;
        id = std::stoll(id_text, &used);
        if (used != id_text.size() || id <= 0) throw std::invalid_argument("id");
    } catch (...) {
        return usage_error("not an alarm ID: \"" + id_text + "\"");
    }

    bool config_failed = false;
    const auto cfg = load_report_config("fault-report", o.config, db.has_value(), false, config_failed);
    if (config_failed) return 1;
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
            if (!write_report_file("fault-report", *output, body)) return 1;
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
