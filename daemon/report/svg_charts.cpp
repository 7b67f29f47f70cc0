#include "daemon/report/svg_charts.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/report/renderers.hpp"

namespace avmon::report {
namespace {

constexpr const char* kFont = "font-family=\"DejaVu Sans, Arial, sans-serif\"";

// Green at 100 %, through yellow, to red at or below 95 %.
std::string availability_colour(std::optional<double> a) {
    if (!a) return "#d0d0d0";
    const double t = std::clamp((*a - 0.95) / 0.05, 0.0, 1.0);
    const int red = t > 0.5 ? static_cast<int>(255 * (1 - t) * 2) : 255;
    const int green = t < 0.5 ? static_cast<int>(200 * t * 2) : 200;
    return fmt::format("#{:02x}{:02x}40", std::clamp(red, 0, 255), std::clamp(green, 0, 255));
}

}  // namespace

std::string pareto_svg(const std::vector<ParetoEntry>& pareto, std::size_t max_causes) {
    const std::size_t n = std::min(pareto.size(), max_causes);
    const int left = 90, top = 20, plot_h = 200, bar_w = 36, gap = 10, label_h = 120;
    const int width = left + static_cast<int>(std::max<std::size_t>(n, 1)) * (bar_w + gap) + 60;
    const int height = top + plot_h + label_h;
    std::string s = fmt::format(
        "<svg class=\"chart pareto\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"Pareto of alarm causes\">\n",
        width, height);
    if (n == 0)
        return s + fmt::format("<text x=\"10\" y=\"40\" {} font-size=\"13\">No alarms this month.</text></svg>\n", kFont);
    int max_count = 1;
    for (std::size_t i = 0; i < n; ++i) max_count = std::max(max_count, pareto[i].count);
    const int right = left + static_cast<int>(n) * (bar_w + gap);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n", left, top, top + plot_h);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", left, top + plot_h, right);
    s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\" text-anchor=\"end\">{}</text>\n", left - 4, top + 10,
                     kFont, max_count);
    s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\">100 %</text>\n", right + 4, top + 4, kFont);
    std::string line_points;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& e = pareto[i];
        const int x = left + gap / 2 + static_cast<int>(i) * (bar_w + gap);
        const int h = std::max(1, e.count * plot_h / max_count);
        s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#4a78b5\"><title>{} / {}: {}</title></rect>\n",
                         x, top + plot_h - h, bar_w, h, html_escape(e.rule), html_escape(e.device_class), e.count);
        s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\" text-anchor=\"middle\">{}</text>\n", x + bar_w / 2,
                         top + plot_h - h - 3, kFont, e.count);
        const int lx = x + bar_w / 2, ly = top + plot_h + 8;
        s += fmt::format("<text x=\"{0}\" y=\"{1}\" {2} font-size=\"10\" text-anchor=\"end\" "
                         "transform=\"rotate(-50 {0} {1})\">{3} ({4})</text>\n",
                         lx, ly, kFont, html_escape(e.rule), html_escape(e.device_class));
        const int cy = top + plot_h - static_cast<int>(e.cumulative * plot_h);
        line_points += fmt::format("{},{} ", lx, cy);
        s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#c0392b\"/>\n", lx, cy);
    }
    s += fmt::format("<polyline class=\"cumulative\" points=\"{}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n",
                     line_points);
    return s + "</svg>\n";
}

std::string heatmap_svg(const std::vector<RoomReport>& rooms_in, const ReportPeriod& period, std::size_t max_rooms) {
    // The rooms that need attention first; the full table is in the CSV.
    std::vector<const RoomReport*> rooms;
    for (const auto& r : rooms_in) rooms.push_back(&r);
    std::stable_sort(rooms.begin(), rooms.end(), [](const RoomReport* a, const RoomReport* b) {
        return a->availability.ratio().value_or(2) < b->availability.ratio().value_or(2);
    });
    if (rooms.size() > max_rooms) rooms.resize(max_rooms);
    std::sort(rooms.begin(), rooms.end(), [](const RoomReport* a, const RoomReport* b) { return a->id < b->id; });
    const int cell = 16, left = 150, top = 24;
    const int days = static_cast<int>(period.days.size());
    const int width = left + days * cell + 10;
    const int height = top + static_cast<int>(rooms.size()) * cell + 10;
    std::string s = fmt::format(
        "<svg class=\"chart heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"Availability per room and day\">\n",
        width, height);
    for (int d = 0; d < days; ++d)
        if (d % 2 == 0)
            s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"10\" text-anchor=\"middle\">{}</text>\n",
                             left + d * cell + cell / 2, top - 6, kFont, period.days[static_cast<std::size_t>(d)].day);
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        const auto& room = *rooms[i];
        const int y = top + static_cast<int>(i) * cell;
        s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\" text-anchor=\"end\">{}</text>\n", left - 6,
                         y + cell - 4, kFont, html_escape(room.name.empty() ? room.id : room.name));
        for (int d = 0; d < days && d < static_cast<int>(room.daily.size()); ++d) {
            const auto a = room.daily[static_cast<std::size_t>(d)];
            s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\">"
                             "<title>{} day {}: {}</title></rect>\n",
                             left + d * cell, y, cell, cell, availability_colour(a), html_escape(room.id),
                             period.days[static_cast<std::size_t>(d)].day, format_percent(a));
        }
    }
    return s + "</svg>\n";
}

std::string trend_svg(const std::vector<TrendPoint>& trend) {
    const int left = 60, top = 20, plot_w = 520, plot_h = 160, bottom = 40;
    const int width = left + plot_w + 30, height = top + plot_h + bottom;
    std::string s = fmt::format(
        "<svg class=\"chart trend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"Availability trend\">\n",
        width, height);
    // The y axis spans from the lowest value (at most 99 %) to 100 %, so small changes show.
    double low = 0.99;
    for (const auto& t : trend)
        if (t.availability) low = std::min(low, *t.availability);
    low = std::max(0.0, low - 0.002);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n", left, top, top + plot_h);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", left, top + plot_h,
                     left + plot_w);
    s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\" text-anchor=\"end\">100 %</text>\n", left - 4, top + 4,
                     kFont);
    s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"11\" text-anchor=\"end\">{:.1f} %</text>\n", left - 4,
                     top + plot_h, kFont, low * 100);
    const std::size_t n = trend.size();
    std::string points;
    for (std::size_t i = 0; i < n; ++i) {
        const int x = left + (n == 1 ? plot_w / 2 : static_cast<int>(i) * plot_w / static_cast<int>(n - 1));
        s += fmt::format("<text x=\"{}\" y=\"{}\" {} font-size=\"10\" text-anchor=\"middle\">{}</text>\n", x,
                         top + plot_h + 16, kFont, trend[i].month);
        if (!trend[i].availability) continue;
        const int y = top + plot_h - static_cast<int>((*trend[i].availability - low) / (1.0 - low) * plot_h);
        points += fmt::format("{},{} ", x, y);
        s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"><title>{}: {}</title></circle>\n", x, y,
                         trend[i].from_archive ? "#4a78b5" : "#c0392b", trend[i].month,
                         format_percent(trend[i].availability, 3));
    }
    s += fmt::format("<polyline class=\"trend-line\" points=\"{}\" fill=\"none\" stroke=\"#4a78b5\" stroke-width=\"2\"/>\n",
                     points);
    return s + "</svg>\n";
}

}  // namespace avmon::report
