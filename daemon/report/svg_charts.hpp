#pragma once
// Inline SVG charts for the HTML report: no scripts, no external fonts or images, so the file
// renders the same in a browser, a mail client and headless Chromium.
#include <string>
#include <vector>

#include "daemon/report/monthly_report.hpp"

namespace avmon::report {

// Bars of alarm counts per cause, most frequent first, with the cumulative share as a line.
std::string pareto_svg(const std::vector<ParetoEntry>& pareto, std::size_t max_causes = 15);
// Rooms x days, each cell coloured by that day's availability (grey: no data / all maintenance).
std::string heatmap_svg(const std::vector<RoomReport>& rooms, const ReportPeriod& period, std::size_t max_rooms = 40);
// Availability per month, oldest first.
std::string trend_svg(const std::vector<TrendPoint>& trend);

}  // namespace avmon::report
