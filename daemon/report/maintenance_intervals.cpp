#include "daemon/report/maintenance_intervals.hpp"

#include <algorithm>

namespace avmon::report {

WindowSpec window_from_record(const store::MaintenanceRecord& r, std::shared_ptr<const alarms::TimeZone> zone) {
    WindowSpec w;
    w.window.id = r.id;
    w.window.scope = r.scope == "room"   ? config::MaintenanceWindow::Scope::room
                     : r.scope == "site" ? config::MaintenanceWindow::Scope::site
                                         : config::MaintenanceWindow::Scope::device;
    w.window.target = r.target;
    w.window.start = r.start;
    w.window.weekdays = r.weekdays;
    w.window.start_minute = r.start_minute;
    w.window.duration = r.duration;
    if (r.start_minute < 0 && r.end)
        w.window.duration = std::chrono::duration_cast<std::chrono::seconds>(*r.end - r.start);
    w.window.reason = r.reason;
    w.zone = zone ? std::move(zone) : alarms::TimeZone::utc();
    w.cut_at = r.cancelled;
    return w;
}

IntervalSet occurrences(const WindowSpec& w, SysTime from, SysTime to) {
    IntervalSet out;
    const auto& win = w.window;
    if (win.start_minute < 0) {
        out.add(win.start, win.start + win.duration);
    } else if (w.zone && !win.weekdays.empty()) {
        // Every local day whose occurrence could reach into [from, to), started at its local time.
        const auto first = w.zone->to_local(from);
        const auto last = w.zone->to_local(to);
        const std::int64_t span_days = win.duration.count() / 86400 + 1;
        const std::int64_t d0 = alarms::days_from_civil(first.year, first.month, first.day) - span_days;
        const std::int64_t d1 = alarms::days_from_civil(last.year, last.month, last.day);
        for (std::int64_t d = d0; d <= d1; ++d) {
            if (std::find(win.weekdays.begin(), win.weekdays.end(), alarms::iso_weekday_from_days(d)) ==
                win.weekdays.end())
                continue;
            int y = 0, m = 0, day = 0;
            alarms::civil_from_days(d, y, m, day);
            const SysTime s = w.zone->from_local(y, m, day, win.start_minute);
            // A recurring window starts being in force at its creation instant.
            if (s + win.duration <= win.start) continue;
            out.add(std::max(s, win.start), s + win.duration);
        }
    }
    if (w.cut_at) {
        IntervalSet after;
        after.add(*w.cut_at, SysTime::max());
        out = out.subtract(after);
    }
    return out.intersect(from, to);
}

bool window_applies(const WindowSpec& w, const std::string& device, const std::string& room, const std::string& site) {
    switch (w.window.scope) {
        case config::MaintenanceWindow::Scope::device: return w.window.target == device;
        case config::MaintenanceWindow::Scope::room: return w.window.target == room;
        case config::MaintenanceWindow::Scope::site: return w.window.target == site;
    }
    return false;
}

}  // namespace avmon::report
