// avmonctl report: the monthly health report (docs/reports.md), computed from the store on a
// read-only connection, rendered as HTML, text or CSV, archived, and optionally mailed.
#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/cmd_report_support.hpp"
#include "ctl/cmd_support.hpp"
#include "ctl/command.hpp"
#include "daemon/core/log.hpp"
#include "daemon/report/renderers.hpp"
#include "daemon/report/report_archive.hpp"
#include "daemon/report/report_builder.hpp"
#include "daemon/report/report_mail.hpp"

namespace avmon::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: avmonctl report --month YYYY-MM|last [--site S] [--room R] [--format html|text|csv]\n"
    "                       [-o FILE] [--db FILE] [--config FILE] [--mail [ADDR,...]] [--no-archive]\n"
    "\n"
    "Computes the monthly AV health report from the store (read-only) in the site's time zone\n"
    "(the daemon's time zone without --site) and prints it, or writes it to FILE.\n"
    "  --month      the month, or \"last\": the month before the current one\n"
    "  --format     html (inline SVG charts), text (default) or csv\n"
    "  --db FILE    the store file (default: store.path of the config)\n"
    "  --config     avmon.toml (default /etc/avmon/avmon.toml); rooms, sites, time zone,\n"
    "               maintenance windows and SMTP come from it. Optional with --db.\n"
    "  --mail       mail the text report with the HTML report attached to ADDR,... (default:\n"
    "               report.recipients, else smtp.fallback_recipients)\n"
    "  --no-archive do not store the report in the report archive\n"
    "  --now TIME   reference time in UTC (2026-11-01T06:00:00Z) instead of the clock (tests)\n"
    "Exit status: 0 done, 1 the store/config could not be read or the mail failed, 2 usage error.\n";

int usage_error(const std::string& msg) { return ctl::usage_error("report", kUsage, msg); }

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',' || c == ' ') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

int run_report(std::span<char* const> args) {
    auto parsed = parse_options(args, "report", kUsage,
                                {"--month", "--site", "--room", "-o", "--output", "--db", "--now", "--format"},
                                {"--no-archive"}, {"--mail"});
    if (!parsed) return exit_usage;
    const Options& o = *parsed;
    if (o.help) {
        std::fputs(kUsage.data(), stdout);
        return 0;
    }
    if (!o.positional.empty()) return usage_error("unexpected argument \"" + o.positional.front() + "\"");
    const auto month = o.get("--month"), site = o.get("--site"), room = o.get("--room"), db = o.get("--db"),
               now_text = o.get("--now");
    const auto output = o.get("-o") ? o.get("-o") : o.get("--output");
    std::string format = o.get("--format").value_or("text");
    const bool mail = o.has("--mail"), archive = !o.has("--no-archive");
    const std::vector<std::string> recipients = split_list(o.get("--mail").value_or(""));
    if (!month) return usage_error("--month is required");
    if (format == "txt") format = "text";
    if (format != "html" && format != "text" && format != "csv") return usage_error("--format must be html, text or csv");

    SysTime now = std::chrono::system_clock::now();
    if (now_text && !parse_utc(*now_text, now)) return usage_error("--now: not a UTC time: " + *now_text);

    // The config: required unless --db names the store; secrets only when mailing.
    bool config_failed = false;
    const auto cfg = load_report_config("report", o.config, db.has_value(), mail, config_failed);
    if (config_failed) return 1;
    if (site && cfg && !cfg->find_site(*site)) return usage_error("--site: no site \"" + *site + "\" in the config");
    if (room && cfg && !cfg->find_room(*room)) return usage_error("--room: no room \"" + *room + "\" in the config");
    const std::string store_path = db.value_or(cfg ? cfg->store.path : std::string());

    try {
        // A room's report runs in its site's time zone, like a site's.
        std::optional<std::string> zone_site = site;
        if (!zone_site && room && cfg)
            if (const auto* rc = cfg->find_room(*room)) zone_site = rc->site;
        const auto zone = report::report_zone(cfg ? &*cfg : nullptr, zone_site);
        const auto period = report::parse_period(*month, now, zone);
        if (!period) return usage_error("--month must be YYYY-MM or \"last\", not \"" + *month + "\"");
        report::ReportOptions ro;
        ro.site = site;
        ro.room = room;
        ro.config = cfg ? &*cfg : nullptr;
        ro.now = now;
        report::MonthlyReport rep;
        {
            store::StoreReader reader(store_path);
            rep = report::build_monthly_report(reader, *period, ro);
        }
        const std::string body = format == "html" ? report::render_html(rep)
                                 : format == "csv" ? report::render_csv(rep)
                                                   : report::render_text(rep);
        if (output) {
            if (!write_report_file("report", *output, body)) return 1;
        } else if (!mail) {
            std::fwrite(body.data(), 1, body.size(), stdout);
        }
        if (archive) {
            auto entries = report::archive_entries(rep, format == "text" ? "txt" : format, body);
            if (mail && format != "html") {
                auto html = report::archive_entries(rep, "html", report::render_html(rep));
                entries.push_back(html.front());
            }
            try {
                report::archive_directly(store_path, entries);
            } catch (const std::exception& e) {
                // A read-only store still gets its report; the archive is a convenience.
                std::fprintf(stderr, "avmonctl report: warning: not archived: %s\n", e.what());
            }
        }
        if (mail) {
            if (!cfg) return usage_error("--mail needs the config (--config) for the SMTP server");
            report::ReportMail m;
            // --mail LIST, else [report] recipients, else whoever gets mail when nobody else can be found.
            m.to = !recipients.empty()               ? recipients
                   : !cfg->report.recipients.empty() ? cfg->report.recipients
                                                     : cfg->smtp.fallback_recipients;
            if (m.to.empty())
                return usage_error("--mail: name the recipients (no report.recipients or smtp.fallback_recipients configured)");
            m.subject = fmt::format("avmon monthly AV health report {} ({}): availability {}", period->label(),
                                    rep.scope, report::format_percent(rep.availability.ratio(), 3));
            m.text_body = report::render_text(rep);
            m.html_attachment = report::render_html(rep);
            m.attachment_name = fmt::format("avmon-report-{}.html", period->label());
            std::string error;
            if (!report::send_report_mail(cfg->smtp, m, error)) {
                std::fprintf(stderr, "avmonctl report: %s\n", log::redact(error).c_str());
                return 1;
            }
            std::fprintf(stderr, "avmonctl report: %s mailed to %zu recipient(s)\n", period->label().c_str(), m.to.size());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "avmonctl report: %s: %s\n", store_path.c_str(), e.what());
        return 1;
    }
    return 0;
}

const CommandRegistration registration{
    {"report", "monthly AV health report (html, text, csv), archived, optionally mailed",
     "--month YYYY-MM|last [--format html|text|csv] [-o FILE]", run_report}};

}  // namespace
}  // namespace avmon::ctl
