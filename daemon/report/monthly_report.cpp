#include "daemon/report/monthly_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace avmon::report {

std::optional<double> Availability::ratio() const {
    const auto denom = counted();
    if (denom.count() <= 0) return std::nullopt;
    return 1.0 - static_cast<double>(downtime.count()) / static_cast<double>(denom.count());
}

void Availability::add(const Availability& o) {
    period += o.period;
    maintenance += o.maintenance;
    unreachable += o.unreachable;
    level1_alarm += o.level1_alarm;
    downtime += o.downtime;
}

std::optional<Millis> SeverityStats::mtta() const {
    if (acked == 0) return std::nullopt;
    return ack_time_sum / acked;
}

std::optional<Millis> SeverityStats::mttr() const {
    if (resolved == 0) return std::nullopt;
    return resolve_time_sum / resolved;
}

int DeviceReport::alarm_count() const {
    int n = 0;
    for (const auto& s : by_severity) n += s.alarms;
    return n;
}

double RoomReport::failure_rate() const {
    int n = 0;
    for (int a : alarms) n += a;
    return devices ? static_cast<double>(n) / devices : 0;
}

std::optional<double> SlaStats::ack_ratio() const {
    const int judged = ack_due - ack_pending;
    if (judged <= 0) return std::nullopt;
    return static_cast<double>(ack_met) / judged;
}

std::optional<double> SlaStats::resolve_ratio() const {
    const int judged = resolve_due - resolve_pending;
    if (judged <= 0) return std::nullopt;
    return static_cast<double>(resolve_met) / judged;
}

std::vector<const DeviceReport*> MonthlyReport::top_downtime() const {
    std::vector<const DeviceReport*> out;
    for (const auto& d : devices)
        if (d.availability.downtime.count() > 0) out.push_back(&d);
    std::sort(out.begin(), out.end(), [](const DeviceReport* a, const DeviceReport* b) {
        return a->availability.downtime != b->availability.downtime
                   ? a->availability.downtime > b->availability.downtime
                   : a->id < b->id;
    });
    if (out.size() > 10) out.resize(10);
    return out;
}

int MonthlyReport::total_alarms() const {
    int n = 0;
    for (const auto& s : by_severity) n += s.alarms;
    return n;
}

double MonthlyReport::failure_rate() const {
    return devices.empty() ? 0 : static_cast<double>(total_alarms()) / static_cast<double>(devices.size());
}

std::string format_duration_ms(Millis d) {
    const std::int64_t s = d.count() / 1000;
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h {:02}m", s / 3600, (s % 3600) / 60);
    return fmt::format("{}d {:02}h {:02}m", s / 86400, (s % 86400) / 3600, (s % 3600) / 60);
}

std::string format_percent(std::optional<double> ratio, int decimals) {
    if (!ratio) return "n/a";
    return fmt::format("{:.{}f} %", *ratio * 100.0, decimals);
}

}  // namespace avmon::report
