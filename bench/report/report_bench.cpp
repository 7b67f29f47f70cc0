// report_bench: fills a store with a year of a fleet (default 1,000 rooms x 5 devices): hourly
// rollups for 12 months, 5-minute rollups for the last days, facts, one alarm per device and
// month with its timeline and reachability changes; then times the monthly report of the last
// month (compute + HTML + text + CSV; the goal is < 5 s) and prints the store size per
// device-year.
//
//   report_bench [--rooms 1000] [--devices 5] [--metrics 2] [--five-min-days 7] [--rollup-days 365]
//                [--dir D] [--keep]
// With the default --rollup-days 365 the "kB per device" line is the store size per device-year.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/report/renderers.hpp"
#include "daemon/report/report_builder.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/sqlite.hpp"
#include "daemon/store/store_reader.hpp"

using namespace avmon;
using namespace avmon::store;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

struct Options {
    int rooms = 1000;
    int devices = 5;
    int metrics = 2;
    int five_min_days = 7;
    int rollup_days = 365;  // hourly rollups for the last N days (the report itself does not read them)
    std::string dir;
    bool keep = false;
};

double seconds_since(steady::time_point t) {
    return std::chrono::duration<double>(steady::now() - t).count();
}

const char* kMetrics[] = {"temperature_c", "lamp_hours", "battery_charge", "if_in_bps", "poe_main_consumption_w"};
const char* kClasses[] = {"codec", "display", "mic", "mic", "switch"};
const char* kRules[] = {"unreachable", "temp_high", "battery_low", "lamp_hours_high", "port_down"};

void generate(Database& db, const Options& o, std::int64_t year_start_ms, std::int64_t year_end_ms) {
    const std::int64_t hour = 3600000, five = 300000;
    Transaction tx(db);
    Statement dev(db, "INSERT INTO devices(id, name, room, class, model, first_seen_ms, last_seen_ms) VALUES(?1,?1,?2,?3,?4,?5,?6)");
    Statement ser(db, "INSERT INTO series(id, device, metric, first_ms, last_ms, last_value) VALUES(?1,?2,?3,?4,?5,?6)");
    Statement fact(db, "INSERT INTO facts(device, key, value, updated_ms) VALUES(?1,?2,?3,?4)");
    std::int64_t series_id = 0;
    for (int r = 0; r < o.rooms; ++r)
        for (int d = 0; d < o.devices; ++d) {
            const std::string id = fmt::format("dev-{:04}-{}", r, d);
            dev.bind(1, id).bind(2, fmt::format("room-{:04}", r)).bind(3, kClasses[d % 5]).bind(4, "Model X")
                .bind(5, year_start_ms).bind(6, year_end_ms - 60000);
            dev.run();
            for (int m = 0; m < o.metrics; ++m) {
                ser.bind(1, ++series_id).bind(2, id).bind(3, kMetrics[m % 5]).bind(4, year_start_ms)
                    .bind(5, year_end_ms - 60000).bind(6, 40.0 + m);
                ser.run();
            }
            fact.bind(1, id).bind(2, "firmware").bind(3, "4.8.1.3").bind(4, year_end_ms - 60000);
            fact.run();
        }
    tx.commit();

    // Rollups, time-major as the writer writes them.
    auto fill = [&](const char* table, std::int64_t from, std::int64_t to, std::int64_t step, int per_bucket) {
        Statement st(db, fmt::format("INSERT INTO {}(bucket_ms, series_id, min, max, sum, count) VALUES(?1,?2,?3,?4,?5,?6)", table));
        std::int64_t n = 0;
        Transaction t(db);
        for (std::int64_t b = from; b < to; b += step)
            for (std::int64_t s = 1; s <= series_id; ++s) {
                const double v = 40.0 + static_cast<double>((b / step + s) % 17);
                st.bind(1, b).bind(2, s).bind(3, v - 1).bind(4, v + 1).bind(5, v * per_bucket).bind(6, per_bucket);
                st.run();
                ++n;
            }
        t.commit();
        return n;
    };
    const auto t1 = steady::now();
    const std::int64_t rows_1h =
        fill("rollups_1h", std::max<std::int64_t>(year_start_ms, year_end_ms - o.rollup_days * std::int64_t{86400000}), year_end_ms, hour, 60);
    std::printf("  rollups_1h: %lld rows in %.1f s\n", static_cast<long long>(rows_1h), seconds_since(t1));
    const auto t2 = steady::now();
    const std::int64_t rows_5m = fill("rollups_5m", year_end_ms - o.five_min_days * 86400000LL, year_end_ms, five, 5);
    std::printf("  rollups_5m: %lld rows (%d days) in %.1f s\n", static_cast<long long>(rows_5m), o.five_min_days,
                seconds_since(t2));

    // One alarm per device and month: every fifth one level I with a reachability outage.
    Transaction t3(db);
    Statement alarm(db,
                    "INSERT INTO alarms(id, rule_id, device, room, severity, state, text, value, raised_ms, acked_ms, "
                    "resolved_ms, closed_ms, ack_deadline_ms, resolve_deadline_ms, emergency_deadline_ms, escalation_level, "
                    "suppressed, suppression_reason, root_alarm_id, flapping, recurring, occurrences, acked_by, cause, "
                    "action, updated_ms) VALUES(?1,?2,?3,?4,?5,'resolved','bench',0,?6,?7,?8,NULL,?9,?10,NULL,0,0,'',NULL,0,0,1,"
                    "'ops','','',?8)");
    Statement event(db, "INSERT INTO alarm_events(alarm_id, t_ms, kind, actor, note, severity, state, escalation_level) "
                        "VALUES(?1,?2,?3,'avmond','',?4,?5,0)");
    Statement reach(db, "INSERT INTO reachability(device, t_ms, up, reason) VALUES(?1,?2,?3,'')");
    std::int64_t alarm_id = 0;
    const std::int64_t month = (year_end_ms - year_start_ms) / 12;
    for (int r = 0; r < o.rooms; ++r)
        for (int d = 0; d < o.devices; ++d) {
            const std::string id = fmt::format("dev-{:04}-{}", r, d);
            reach.bind(1, id).bind(2, year_start_ms).bind(3, 1);
            reach.run();
            for (int m = 0; m < 12; ++m) {
                const std::int64_t raised = year_start_ms + m * month + ((r * 7919 + d * 104729) % (month / hour - 24)) * hour;
                const bool level1 = (r + d + m) % 5 == 0;
                const char* sev = level1 ? "I" : (d % 2 ? "II" : "III");
                const std::int64_t acked = raised + (10 + (r % 40)) * 60000;
                const std::int64_t resolved = raised + (1 + (r + m) % 6) * hour;
                alarm.bind(1, ++alarm_id).bind(2, level1 ? "unreachable" : kRules[1 + d % 4]).bind(3, id)
                    .bind(4, fmt::format("room-{:04}", r)).bind(5, sev).bind(6, raised).bind(7, acked).bind(8, resolved)
                    .bind(9, level1 ? std::optional<std::int64_t>(raised + 1800000) : std::nullopt)
                    .bind(10, raised + 12 * hour);
                alarm.run();
                for (auto [t, kind, state] : {std::tuple{raised, "raised", "raised"},
                                              std::tuple{acked, "acknowledged", "acknowledged"},
                                              std::tuple{resolved, "resolved", "resolved"}}) {
                    event.bind(1, alarm_id).bind(2, t).bind(3, kind).bind(4, sev).bind(5, state);
                    event.run();
                }
                if (level1) {
                    reach.bind(1, id).bind(2, raised).bind(3, 0);
                    reach.run();
                    reach.bind(1, id).bind(2, resolved).bind(3, 1);
                    reach.run();
                }
            }
        }
    t3.commit();
    std::printf("  alarms: %lld with %lld events\n", static_cast<long long>(alarm_id), static_cast<long long>(alarm_id * 3));
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "report_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--rooms") o.rooms = std::atoi(next());
        else if (a == "--devices") o.devices = std::atoi(next());
        else if (a == "--metrics") o.metrics = std::atoi(next());
        else if (a == "--five-min-days") o.five_min_days = std::atoi(next());
        else if (a == "--rollup-days") o.rollup_days = std::atoi(next());
        else if (a == "--dir") o.dir = next();
        else if (a == "--keep") o.keep = true;
        else {
            std::fprintf(stderr, "usage: report_bench [--rooms N] [--devices N] [--metrics N] [--five-min-days D] [--rollup-days D] [--dir D] [--keep]\n");
            return 2;
        }
    }
    if (o.rooms < 1 || o.devices < 1 || o.metrics < 1 || o.metrics > 5 || o.five_min_days < 0 || o.rollup_days < 0) {
        std::fprintf(stderr, "report_bench: bad sizes\n");
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines also when redirected
    log::set_max_priority(log::Priority::warning);
    std::string dir = o.dir;
    if (dir.empty()) {
        std::string tmpl = (fs::temp_directory_path() / "avmon-report-bench-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) return 1;
        dir = tmpl;
    }
    const std::string path = dir + "/bench.db";
    fs::remove(path);
    const int devices = o.rooms * o.devices;
    // The year before 1 Nov 2026 (UTC); the report is October 2026.
    SysTime end{};
    parse_utc("2026-11-01T00:00:00Z", end);
    const std::int64_t end_ms = to_unix_ms(end), start_ms = end_ms - 365LL * 86400000;
    std::printf("report_bench: %d rooms x %d devices = %d devices, %d metrics each, one year\n", o.rooms, o.devices,
                devices, o.metrics);
    const auto tg = steady::now();
    {
        // The product's schema, then a bulk load without the journal: a year of rollups is
        // written in minutes, not in the months the daemon takes. The per-series index is
        // built after the load (one sort instead of 10^8 random inserts), with the same SQL.
        { Database schema = open_for_writing(path); }
        Database db(path, Database::Mode::read_write_create);
        db.exec("PRAGMA journal_mode = DELETE");
        db.exec("PRAGMA journal_mode = OFF");
        db.exec("PRAGMA synchronous = OFF");
        db.exec("PRAGMA cache_size = -1000000");
        db.exec("DROP INDEX rollups_1h_by_series");
        generate(db, o, start_ms, end_ms);
        const auto ti = steady::now();
        db.exec("CREATE INDEX rollups_1h_by_series ON rollups_1h(series_id, bucket_ms)");
        std::printf("  index rollups_1h_by_series built in %.1f s\n", seconds_since(ti));
        db.exec("PRAGMA journal_mode = WAL");
    }
    std::printf("  generated in %.1f s\n", seconds_since(tg));
    const auto bytes = fs::file_size(path);
    std::printf("store: %.1f MB, %.1f kB per device (1 h rollups for %d days, 5 min rollups for %d days)\n",
                bytes / 1e6, bytes / 1e3 / devices, std::min(o.rollup_days, 365), o.five_min_days);

    const auto tr = steady::now();
    report::MonthlyReport rep;
    std::size_t html = 0, text = 0, csv = 0;
    {
        StoreReader reader(path);
        report::ReportOptions ro;
        ro.now = end + std::chrono::hours(6);
        rep = report::build_monthly_report(reader, report::make_period(2026, 10, alarms::TimeZone::utc()), ro);
    }
    const double compute_s = seconds_since(tr);
    html = report::render_html(rep).size();
    text = report::render_text(rep).size();
    csv = report::render_csv(rep).size();
    const double total_s = seconds_since(tr);
    std::printf("monthly report: %zu devices, %d alarms, availability %s: compute %.2f s, with HTML (%zu kB), "
                "text (%zu kB), CSV (%zu kB) %.2f s (goal < 5 s)\n",
                rep.devices.size(), rep.total_alarms(), report::format_percent(rep.availability.ratio(), 3).c_str(),
                compute_s, html / 1024, text / 1024, csv / 1024, total_s);
    if (!o.keep && o.dir.empty()) fs::remove_all(dir);
    if (rep.devices.size() != static_cast<std::size_t>(devices) || rep.total_alarms() == 0) {
        std::fprintf(stderr, "report_bench: the report does not cover the generated fleet\n");
        return 1;
    }
    return total_s < 5.0 ? 0 : 1;
}
