#pragma once
// The report archive (table report_archive): every generated report is kept per month, scope
// and format, plus a one-line "summary" row the next reports read for their 12-month trend.
//
// Who writes it: avmonctl runs outside the daemon and writes the archive rows itself, in one
// short write transaction on its own connection (WAL + busy_timeout: the daemon's writer only
// waits milliseconds). Code inside avmond uses StoreWriter::enqueue_report() with the same
// entries instead (archive_entries() builds them).
#include <optional>
#include <string>
#include <vector>

#include "daemon/report/monthly_report.hpp"
#include "daemon/store/records.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::report {

struct ArchivedSummary {
    std::optional<double> availability;
    int alarms = 0;
};

// "availability=0.998765\nalarms=12\n" (availability empty when not computable).
std::string summary_text(const MonthlyReport& r);
std::optional<ArchivedSummary> parse_summary(const std::string& text);
std::optional<ArchivedSummary> read_archived_summary(store::StoreReader& reader, const std::string& month,
                                                     const std::string& scope);

// The rows to archive for one rendered report: the report itself and the summary.
std::vector<store::ReportArchiveEntry> archive_entries(const MonthlyReport& r, const std::string& format,
                                                       const std::string& body);

// Writes the entries (replacing the same month/scope/format) into the store file at `path`.
// Throws store::SqliteError on failure.
void archive_directly(const std::string& path, const std::vector<store::ReportArchiveEntry>& entries);

}  // namespace avmon::report
