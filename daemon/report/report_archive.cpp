#include "daemon/report/report_archive.hpp"

#include <fmt/format.h>

#include <sstream>

#include "daemon/store/schema.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::report {

std::string summary_text(const MonthlyReport& r) {
    const auto a = r.availability.ratio();
    return fmt::format("availability={}\nalarms={}\n", a ? fmt::format("{:.6f}", *a) : "", r.total_alarms());
}

std::optional<ArchivedSummary> parse_summary(const std::string& text) {
    ArchivedSummary s;
    bool seen = false;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        try {
            if (key == "availability") {
                seen = true;
                if (!value.empty()) s.availability = std::stod(value);
            } else if (key == "alarms") {
                s.alarms = std::stoi(value);
            }
        } catch (...) {
            return std::nullopt;  // a damaged row is left out of the trend, not trusted
        }
    }
    if (!seen) return std::nullopt;
    return s;
}

std::optional<ArchivedSummary> read_archived_summary(store::StoreReader& reader, const std::string& month,
                                                     const std::string& scope) {
    const auto e = reader.archived_report(month, scope, "summary");
    if (!e) return std::nullopt;
    return parse_summary(e->body);
}

std::vector<store::ReportArchiveEntry> archive_entries(const MonthlyReport& r, const std::string& format,
                                                       const std::string& body) {
    return {{r.period.label(), r.scope, format, r.generated, body},
            {r.period.label(), r.scope, "summary", r.generated, summary_text(r)}};
}

void archive_directly(const std::string& path, const std::vector<store::ReportArchiveEntry>& entries) {
    store::Database db(path, store::Database::Mode::read_write_create);
    db.exec("PRAGMA busy_timeout = 5000");
    if (db.query_int("PRAGMA user_version").value_or(0) < 2)
        throw store::SqliteError(0, fmt::format("{}: not an avmon store with a report archive", path));
    store::Transaction tx(db);
    store::Statement st(db,
                        "INSERT OR REPLACE INTO report_archive(month, scope, format, generated_ms, body) "
                        "VALUES(?1, ?2, ?3, ?4, ?5)");
    for (const auto& e : entries) {
        st.bind(1, e.month).bind(2, e.scope).bind(3, e.format).bind(4, to_unix_ms(e.generated)).bind(5, e.body);
        st.run();
    }
    tx.commit();
}

}  // namespace avmon::report
