// The fault report draft of the 25 Oct codec-2 outage (acked, closed with cause and action)
// and of the 15 Oct one (escalated, ack SLA missed), from the simulated October store.
#include <catch2/catch.hpp>

#include "daemon/report/fault_report.hpp"
#include "tests/report/report_fixture.hpp"

using namespace avmon;
using namespace avmon::report;

TEST_CASE("report: fault report of a closed level I alarm", "[report]") {
    const std::string out = report_test::scratch_dir() + "/fault8.txt";
    REQUIRE(report_test::run(std::string(AVMONCTL) + " fault-report 8 --config " + report_test::data_dir() +
                             "/site.toml --db " + report_test::october_db() + " -o " + out) == 0);
    const std::string t = report_test::slurp(out);
    CHECK(t.find("FAULT REPORT (draft) for alarm #8") != std::string::npos);
    CHECK(t.find("level I (closed)") != std::string::npos);
    CHECK(t.find("device codec-2 (Codec Huddle 2) in room r2 (Huddle 2), site ber") != std::string::npos);
    // Local Berlin times: raised 02:30 CEST, resolved 03:30 CET: two real hours.
    CHECK(t.find("Raised:         2026-10-25 02:30:00") != std::string::npos);
    CHECK(t.find("Resolved:       2026-10-25 03:30:00") != std::string::npos);
    CHECK(t.find("Duration:       2h 00m") != std::string::npos);
    CHECK(t.find("Acknowledged:   2026-10-25 02:50:00 by zhang") != std::string::npos);
    CHECK(t.find("Cause:          PoE port reset by switch firmware during the DST change") != std::string::npos);
    CHECK(t.find("Action:         pinned the port to always-on") != std::string::npos);
    CHECK(t.find("Response SLA:   met") != std::string::npos);
    CHECK(t.find("Resolution SLA: met") != std::string::npos);
    CHECK(t.find("Escalations:    0") != std::string::npos);
    CHECK(t.find("Report due:     2026-10-26 03:30:00") != std::string::npos);
    CHECK(t.find("acknowledged zhang") != std::string::npos);
    CHECK(t.find("closed") != std::string::npos);
}

TEST_CASE("report: fault report of an escalated alarm that missed its ack deadline", "[report]") {
    store::StoreReader reader(report_test::october_db());
    SysTime now{};
    REQUIRE(parse_utc("2026-11-01T06:00:00Z", now));
    const auto f = build_fault_report(reader, 6, &report_test::site_config(), now);
    REQUIRE(f.has_value());
    CHECK(f->escalations == 1);
    CHECK(f->ack_sla_met == std::optional<bool>(false));
    CHECK(f->resolve_sla_met == std::optional<bool>(true));
    CHECK(f->duration->count() == 45 * 60 * 1000);
    const auto html = render_fault_html(*f, *alarms::TimeZone::load("Europe/Berlin"));
    CHECK(html.find("MISSED") != std::string::npos);
    CHECK(html.find("<td>escalated</td>") != std::string::npos);
    CHECK(html.find("not recorded yet") != std::string::npos);
    CHECK_FALSE(build_fault_report(reader, 999, nullptr, now).has_value());
    CHECK(report_test::run(std::string(AVMONCTL) + " fault-report 999 --db " + report_test::october_db() +
                           " 2>/dev/null") == 1);
    CHECK(report_test::run(std::string(AVMONCTL) + " fault-report abc --db x 2>/dev/null") == 2);
}
