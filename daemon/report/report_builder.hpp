#pragma once
// Computes a MonthlyReport from the store. Reads only: every query runs in its own short read
// transaction on the reader's read-only connection, so the daemon's writer is never blocked.
#include <optional>
#include <string>

#include "config/model.hpp"
#include "daemon/report/monthly_report.hpp"
#include "daemon/store/store_reader.hpp"

namespace avmon::report {

struct ReportOptions {
    std::optional<std::string> site;      // only rooms of this site
    std::optional<std::string> room;      // only this room
    // Rooms, sites, device names, config maintenance windows and the recurring threshold come
    // from here when given; without it the store's device table is the inventory.
    const config::Config* config = nullptr;
    // Open alarms and devices still down count until min(now, end of the month).
    SysTime now{};
};

MonthlyReport build_monthly_report(store::StoreReader& reader, const ReportPeriod& period,
                                   const ReportOptions& options);

// The scope label the archive uses: "all", "site:<id>" or "room:<id>".
std::string scope_label(const ReportOptions& options);

// The time zone reports use: the site's (when --site names one), else the daemon's.
std::shared_ptr<const alarms::TimeZone> report_zone(const config::Config* config,
                                                   const std::optional<std::string>& site);

}  // namespace avmon::report
