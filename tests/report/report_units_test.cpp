// Unit tests of the building blocks: interval sets, periods, maintenance occurrences, the
// text renderer's figures.
#include <catch2/catch.hpp>

#include "daemon/report/intervals.hpp"
#include "daemon/report/maintenance_intervals.hpp"
#include "daemon/report/report_period.hpp"

using namespace avmon;
using namespace avmon::report;
using namespace std::chrono;

namespace {
SysTime at(std::int64_t s) { return from_unix_ms(s * 1000); }
}  // namespace

TEST_CASE("report: interval sets merge, intersect and subtract", "[report]") {
    IntervalSet a;
    a.add(at(10), at(20));
    a.add(at(15), at(30));
    a.add(at(40), at(50));
    a.add(at(60), at(60));  // empty: ignored
    CHECK(a.intervals().size() == 2);
    CHECK(a.total() == seconds(30));
    IntervalSet b;
    b.add(at(25), at(45));
    CHECK(a.intersect(b).total() == seconds(10));
    CHECK(a.subtract(b).total() == seconds(20));
    CHECK(a.intersect(at(0), at(12)).total() == seconds(2));
}

TEST_CASE("report: month parsing, last month and months before", "[report]") {
    const auto berlin = alarms::TimeZone::load("Europe/Berlin");
    SysTime now{};
    REQUIRE(parse_utc("2026-01-01T03:00:00Z", now));
    const auto last = parse_period("last", now, berlin);
    REQUIRE(last);
    CHECK(last->label() == "2025-12");
    CHECK_FALSE(parse_period("2026-1", now, berlin));
    CHECK_FALSE(parse_period("2026-00", now, berlin));
    CHECK_FALSE(parse_period("abcd-10", now, berlin));
    const auto march = make_period(2026, 3, berlin);  // spring forward: 743 h
    CHECK(duration_cast<hours>(march.to - march.from).count() == 743);
    CHECK(months_before(march, 3).label() == "2025-12");
}

TEST_CASE("report: a weekly maintenance window across the DST change keeps its local time", "[report]") {
    const auto berlin = alarms::TimeZone::load("Europe/Berlin");
    WindowSpec w;
    w.window.id = "sun";
    w.window.scope = config::MaintenanceWindow::Scope::room;
    w.window.target = "r1";
    w.window.weekdays = {7};     // Sundays
    w.window.start_minute = 60;  // 01:00 local
    w.window.duration = hours(2);
    w.zone = berlin;
    const auto oct = make_period(2026, 10, berlin);
    const auto occ = occurrences(w, oct.from, oct.to);
    REQUIRE(occ.intervals().size() == 4);  // 4, 11, 18, 25 October
    CHECK(occ.total() == hours(8));
    CHECK(format_utc(occ.intervals()[0].from).rfind("2026-10-03T23:00:00", 0) == 0);  // 01:00 CEST
    CHECK(format_utc(occ.intervals()[3].from).rfind("2026-10-24T23:00:00", 0) == 0);  // still CEST at 01:00
    CHECK(window_applies(w, "codec-1", "r1", "ber"));
    CHECK_FALSE(window_applies(w, "codec-2", "r2", "ber"));

    store::MaintenanceRecord rec;
    rec.id = "op";
    rec.scope = "device";
    rec.target = "codec-1";
    rec.start = oct.from + hours(10);
    rec.end = oct.from + hours(14);
    rec.cancelled = oct.from + hours(11);  // ended early by an operator
    const auto ws = window_from_record(rec, berlin);
    CHECK(occurrences(ws, oct.from, oct.to).total() == hours(1));
}
