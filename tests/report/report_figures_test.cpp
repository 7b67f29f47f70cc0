// Every figure of the October report checked against values computed by hand from the
// scenario (tests/report/data/october.toml), in Europe/Berlin with its DST change.
#include <catch2/catch.hpp>

#include "daemon/report/renderers.hpp"
#include "daemon/report/report_archive.hpp"
#include "daemon/report/report_builder.hpp"
#include "tests/report/report_fixture.hpp"

using namespace avmon;
using namespace avmon::report;
using namespace std::chrono;
using report_test::october_db;
using report_test::site_config;

namespace {

SysTime utc(const char* text) {
    SysTime t{};
    REQUIRE(parse_utc(text, t));
    return t;
}

MonthlyReport october(const ReportOptions& extra = {}, const std::string& db = october_db()) {
    store::StoreReader reader(db);
    ReportOptions o = extra;
    o.config = &site_config();
    o.now = utc("2026-11-01T06:00:00Z");
    const auto zone = report_zone(o.config, o.site);
    return build_monthly_report(reader, make_period(2026, 10, zone), o);
}

const DeviceReport& device(const MonthlyReport& r, const std::string& id) {
    for (const auto& d : r.devices)
        if (d.id == id) return d;
    FAIL("no device " << id);
    throw;
}

const RoomReport& room(const MonthlyReport& r, const std::string& id) {
    for (const auto& x : r.rooms)
        if (x.id == id) return x;
    FAIL("no room " << id);
    throw;
}

// Hand numbers. October 2026 in Berlin: 1 Oct 00:00 CEST = 30 Sep 22:00 UTC to
// 1 Nov 00:00 CET = 31 Oct 23:00 UTC: 31 days + the hour the clocks went back = 745 h.
constexpr std::int64_t kMonth = 745 * 3600;
constexpr std::int64_t kMaint = 4 * 3600;  // room r1, 10 Oct 08:00-12:00 UTC

}  // namespace

TEST_CASE("report: the October period is 745 hours between local midnights", "[report]") {
    const auto r = october();
    CHECK(r.period.label() == "2026-10");
    CHECK(format_utc(r.period.from) == format_utc(utc("2026-09-30T22:00:00Z")));
    CHECK(format_utc(r.period.to) == format_utc(utc("2026-10-31T23:00:00Z")));
    REQUIRE(r.period.days.size() == 31);
    CHECK(duration_cast<seconds>(r.period.days[24].to - r.period.days[24].from).count() == 25 * 3600);
    CHECK(duration_cast<seconds>(r.period.days[0].to - r.period.days[0].from).count() == 24 * 3600);
}

TEST_CASE("report: availability with the month boundary, maintenance and DST", "[report]") {
    const auto r = october();
    REQUIRE(r.devices.size() == 3);

    // codec-1 was down 30 Sep 21:00-23:00 UTC: only the hour after 22:00 UTC is October's.
    const auto& c1 = device(r, "codec-1").availability;
    CHECK(c1.period.count() == kMonth * 1000);
    CHECK(c1.maintenance.count() == kMaint * 1000);
    CHECK(c1.downtime.count() == 3600 * 1000);
    CHECK(c1.unreachable.count() == 3600 * 1000);
    CHECK(c1.level1_alarm.count() == 3600 * 1000);
    CHECK(*c1.ratio() == Approx(1.0 - 3600.0 / (kMonth - kMaint)));

    // display-1: down 08:30-09:30 (all maintenance) and 11:30-12:20 (12:00-12:20 counts).
    const auto& d1 = device(r, "display-1").availability;
    CHECK(d1.maintenance.count() == kMaint * 1000);
    CHECK(d1.downtime.count() == 1200 * 1000);
    CHECK(*d1.ratio() == Approx(1.0 - 1200.0 / (kMonth - kMaint)));

    // codec-2: 45 min on 15 Oct and 00:30-02:30 UTC on 25 Oct, which the local clock shows as
    // 02:30 CEST -> 03:30 CET, one hour on the wall but two real hours.
    const auto& c2 = device(r, "codec-2").availability;
    CHECK(c2.maintenance.count() == 0);
    CHECK(c2.downtime.count() == (2700 + 7200) * 1000);
    CHECK(*c2.ratio() == Approx(1.0 - 9900.0 / kMonth));

    CHECK(*room(r, "r1").availability.ratio() == Approx(1.0 - 4800.0 / (2 * (kMonth - kMaint))));
    CHECK(*room(r, "r2").availability.ratio() == Approx(1.0 - 9900.0 / kMonth));
    CHECK(*r.availability.ratio() == Approx(1.0 - (3600.0 + 1200.0 + 9900.0) / (3 * kMonth - 2 * kMaint)));
}

TEST_CASE("report: availability per room per local day (heat map)", "[report]") {
    const auto r = october();
    const auto& r1 = room(r, "r1");
    const auto& r2 = room(r, "r2");
    REQUIRE(r1.daily.size() == 31);
    CHECK(*r1.daily[0] == Approx(1.0 - 3600.0 / (2 * 86400)));         // 1 Oct 00:00-01:00 CEST
    CHECK(*r1.daily[9] == Approx(1.0 - 1200.0 / (2 * (86400 - kMaint))));  // 10 Oct
    CHECK(*r2.daily[14] == Approx(1.0 - 2700.0 / 86400));                // 15 Oct
    CHECK(*r2.daily[24] == Approx(1.0 - 7200.0 / 90000));                // 25 Oct has 25 hours
    CHECK(*r2.daily[30] == Approx(1.0));
    CHECK(*r1.daily[1] == Approx(1.0));
}

TEST_CASE("report: counts, MTTA, MTTR per severity and the failure rate", "[report]") {
    const auto r = october();
    // Level I raised in October and not suppressed: display-1 11:30, codec-2 15 Oct, codec-2 25 Oct.
    // (codec-1's alarm was raised in September; display-1 08:30 stayed suppressed.)
    const auto& s1 = r.by_severity[sev_index(Severity::I)];
    CHECK(s1.alarms == 3);
    CHECK(s1.acked == 1);
    CHECK(s1.mtta()->count() == 20 * 60 * 1000);  // 25 Oct: raised 00:30, acked 00:50
    CHECK(s1.resolved == 3);
    CHECK(s1.mttr()->count() == (50 * 60 + 45 * 60 + 120 * 60) * 1000 / 3);
    const auto& s2 = r.by_severity[sev_index(Severity::II)];
    CHECK(s2.alarms == 3);
    CHECK_FALSE(s2.mtta().has_value());
    CHECK(s2.mttr()->count() == 15 * 60 * 1000);
    CHECK(r.by_severity[sev_index(Severity::III)].alarms == 0);
    CHECK(r.total_alarms() == 6);
    CHECK(r.failure_rate() == Approx(2.0));
    CHECK(device(r, "display-1").alarm_count() == 4);
    CHECK(device(r, "codec-2").alarm_count() == 2);
    CHECK(device(r, "codec-1").alarm_count() == 0);
    CHECK(room(r, "r1").failure_rate() == Approx(2.0));
}

TEST_CASE("report: SLA compliance per level and the breach list", "[report]") {
    const auto r = october();
    const auto& s1 = r.sla[sev_index(Severity::I)];
    CHECK(s1.ack_due == 3);
    CHECK(s1.ack_met == 2);  // 25 Oct acked in 20 min; display-1 cleared 12:20 before its 12:30 deadline
    CHECK(s1.ack_pending == 0);
    CHECK(*s1.ack_ratio() == Approx(2.0 / 3));
    CHECK(s1.resolve_due == 3);
    CHECK(s1.resolve_met == 3);
    const auto& s2 = r.sla[sev_index(Severity::II)];
    CHECK(s2.ack_due == 0);
    CHECK_FALSE(s2.ack_ratio().has_value());
    CHECK(s2.resolve_met == 3);
    REQUIRE(r.breaches.size() == 1);
    CHECK(r.breaches[0].device == "codec-2");
    CHECK(r.breaches[0].what == "ack");
    CHECK(format_utc(r.breaches[0].deadline) == format_utc(utc("2026-10-15T10:30:00Z")));
    CHECK(format_utc(*r.breaches[0].done) == format_utc(utc("2026-10-15T10:45:00Z")));
}

TEST_CASE("report: Pareto of causes, recurring problems, top downtime", "[report]") {
    const auto r = october();
    REQUIRE(r.pareto.size() == 3);
    CHECK(r.pareto[0].rule == "temp_high");
    CHECK(r.pareto[0].device_class == "display");
    CHECK(r.pareto[0].count == 3);
    CHECK(r.pareto[0].cumulative == Approx(0.5));
    CHECK(r.pareto[1].rule == "unreachable");
    CHECK(r.pareto[1].device_class == "codec");
    CHECK(r.pareto[1].count == 2);
    CHECK(r.pareto[1].cumulative == Approx(5.0 / 6));
    CHECK(r.pareto[2].cumulative == Approx(1.0));
    REQUIRE(r.recurring.size() == 1);
    CHECK(r.recurring[0].device == "display-1");
    CHECK(r.recurring[0].rule == "temp_high");
    CHECK(r.recurring[0].count == 3);
    CHECK(r.recurring[0].flagged_by_engine);
    const auto top = r.top_downtime();
    REQUIRE(top.size() == 3);
    CHECK(top[0]->id == "codec-2");
    CHECK(top[1]->id == "codec-1");
    CHECK(top[2]->id == "display-1");
}

TEST_CASE("report: scope by room and by site", "[report]") {
    ReportOptions o;
    o.room = "r2";
    const auto r2 = october(o);
    REQUIRE(r2.devices.size() == 1);
    CHECK(r2.scope == "room:r2");
    CHECK(r2.total_alarms() == 2);
    CHECK(*r2.availability.ratio() == Approx(1.0 - 9900.0 / kMonth));
    ReportOptions s;
    s.site = "ber";
    CHECK(october(s).devices.size() == 3);
}

TEST_CASE("report: the trend reads earlier months from the archive", "[report]") {
    const std::string db = october_db("trend.db");
    // September archived by an earlier run (99.5 %, 4 alarms); an unreadable row is skipped.
    MonthlyReport sept;
    sept.period = make_period(2026, 9, alarms::TimeZone::load("Europe/Berlin"));
    sept.scope = "all";
    sept.generated = utc("2026-10-01T04:00:00Z");
    sept.availability.period = milliseconds(1000);
    sept.availability.downtime = milliseconds(5);
    sept.by_severity[0].alarms = 4;
    archive_directly(db, archive_entries(sept, "txt", "september"));
    archive_directly(db, {{"2026-08", "all", "summary", sept.generated, "availability=oops\n"}});

    const auto r = october({}, db);
    REQUIRE(r.trend.size() == 2);
    CHECK(r.trend[0].month == "2026-09");
    CHECK(*r.trend[0].availability == Approx(0.995));
    CHECK(r.trend[0].alarms == 4);
    CHECK(r.trend[0].from_archive);
    CHECK(r.trend[1].month == "2026-10");
    CHECK_FALSE(r.trend[1].from_archive);
}

TEST_CASE("report: avmonctl report csv carries the same figures and archives the report", "[report]") {
    const std::string db = october_db("cli.db");
    const std::string out = report_test::scratch_dir() + "/october.csv";
    REQUIRE(report_test::run(std::string(AVMONCTL) + " report --month 2026-10 --format csv --now 2026-11-01T06:00:00Z" +
                             " --config " + report_test::data_dir() + "/site.toml --db " + db + " -o " + out) == 0);
    const std::string csv = report_test::slurp(out);
    CHECK(csv.find("2026-10,summary,all,alarms,6\n") != std::string::npos);
    CHECK(csv.find("2026-10,device,codec-2,downtime_s,9900\n") != std::string::npos);
    CHECK(csv.find("2026-10,device,codec-1,maintenance_s,14400\n") != std::string::npos);
    CHECK(csv.find("2026-10,sla,I,ack_met,2\n") != std::string::npos);
    CHECK(csv.find("2026-10,severity,I,mttr_s,4300\n") != std::string::npos);
    CHECK(csv.find("2026-10,severity,I,mtta_s,1200\n") != std::string::npos);
    CHECK(csv.find("2026-10,room_day,r2,2026-10-25,0.920000\n") != std::string::npos);
    CHECK(csv.find("2026-10,pareto,temp_high/display,count,3\n") != std::string::npos);

    store::StoreReader reader(db);
    const auto archived = reader.archived_report("2026-10", "all", "csv");
    REQUIRE(archived.has_value());
    CHECK(archived->body == csv);
    const auto summary = read_archived_summary(reader, "2026-10", "all");
    REQUIRE(summary.has_value());
    CHECK(summary->alarms == 6);
    CHECK(*summary->availability == Approx(1.0 - (3600.0 + 1200.0 + 9900.0) / (3 * kMonth - 2 * kMaint)).epsilon(1e-6));
}

TEST_CASE("report: avmonctl report refuses bad arguments with a clear message", "[report]") {
    const std::string ctl = AVMONCTL;
    const std::string cfg = " --config " + report_test::data_dir() + "/site.toml --db " + october_db();
    CHECK(report_test::run(ctl + " report --month 2026-13" + cfg + " --no-archive 2>/dev/null") == 2);
    CHECK(report_test::run(ctl + " report --month 2026-10 --format pdf" + cfg + " 2>/dev/null") == 2);
    CHECK(report_test::run(ctl + " report --month 2026-10 --room nowhere" + cfg + " 2>/dev/null") == 2);
    CHECK(report_test::run(ctl + " report --month 2026-10 --no-archive --db /nonexistent/x.db >/dev/null 2>&1") == 1);
    CHECK(report_test::run(ctl + " report --month last --format text --no-archive" + cfg + " >/dev/null") == 0);
}
