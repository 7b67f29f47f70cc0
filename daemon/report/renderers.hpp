#pragma once
// Turning a MonthlyReport into what people read: HTML with inline SVG charts (self-contained,
// readable as an e-mail attachment), plain text for the terminal, CSV for spreadsheets.
#include <string>

#include "daemon/report/monthly_report.hpp"

namespace avmon::report {

std::string render_text(const MonthlyReport& r);
std::string render_csv(const MonthlyReport& r);
std::string render_html(const MonthlyReport& r);

// The local time of an instant in the report's zone: "2026-10-25 02:30".
std::string local_time_text(const MonthlyReport& r, SysTime t);
std::string html_escape(std::string_view s);

}  // namespace avmon::report
