// The inventory snapshot (monthly full inspection) from what the real StoreWriter stored:
// facts, latest samples (lamp/filter hours, battery, PoE draw, uptime) and last seen.
#include <catch2/catch.hpp>

#include <filesystem>

#include "daemon/report/renderers.hpp"
#include "daemon/report/report_builder.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/report/report_fixture.hpp"

using namespace avmon;
using namespace avmon::report;

TEST_CASE("report: inventory from facts and the latest samples", "[report]") {
    SysTime t0{};
    REQUIRE(parse_utc("2026-10-20T10:00:00Z", t0));
    const std::string path = report_test::scratch_dir() + "/inventory.db";
    std::filesystem::remove(path);
    {
        ManualClock clock(t0);
        config::StoreConfig sc;
        sc.path = path;
        store::StoreWriter writer(sc, clock);
        writer.enqueue_device({"proj-1", "Projector 1", "r1", "display", ""});
        writer.enqueue_device({"mic-1", "Mic 1", "r1", "mic", ""});
        writer.enqueue_device({"sw-1", "Switch 1", "r1", "switch", ""});
        auto poll = [&](const std::string& dev, SysTime t, std::vector<std::pair<std::string, double>> values,
                        std::vector<Fact> facts) {
            PollResult r;
            r.reachable = true;
            r.time = t;
            for (auto& [m, v] : values) r.samples.push_back({dev, m, t, v});
            r.facts = std::move(facts);
            writer.enqueue(r, dev);
        };
        poll("proj-1", t0, {{"lamp_hours", 1200}, {"filter_hours", 300}},
             {{"model_name", "EB-4770W"}, {"firmware", "1.02"}});
        poll("proj-1", t0 + std::chrono::hours(1), {{"lamp_hours", 1201}, {"filter_hours", 301}, {"uptime_s", 7200}}, {});
        poll("mic-1", t0, {{"battery_charge.ch1", 80}, {"battery_charge.ch2", 35}}, {{"model", "ULXD4D"}});
        poll("sw-1", t0, {{"poe_main_consumption_w.1", 42.5}, {"poe_main_consumption_w.2", 10}}, {});
        REQUIRE(writer.flush());
        writer.stop();
    }
    store::StoreReader reader(path);
    ReportOptions o;
    o.now = t0 + std::chrono::hours(24 * 14);
    const auto rep = build_monthly_report(reader, make_period(2026, 10, alarms::TimeZone::utc()), o);
    REQUIRE(rep.inventory.size() == 3);
    std::map<std::string, const InventoryRow*> by;
    for (const auto& i : rep.inventory) by[i.device] = &i;
    const auto& proj = *by.at("proj-1");
    CHECK(proj.model == "EB-4770W");
    CHECK(proj.firmware == "1.02");
    CHECK(*proj.lamp_hours == 1201);
    CHECK(*proj.filter_hours == 301);
    CHECK(*proj.uptime_s == 7200);
    REQUIRE(proj.last_seen.has_value());
    CHECK(*proj.last_seen >= t0);
    CHECK(*by.at("mic-1")->battery_pct == 35);  // the lowest channel
    CHECK(by.at("mic-1")->model == "ULXD4D");
    CHECK(*by.at("sw-1")->poe_w == Approx(52.5));
    CHECK_FALSE(by.at("sw-1")->battery_pct.has_value());
    // No alarms and no outages: every device is fully available.
    CHECK(*rep.availability.ratio() == Approx(1.0));
    const auto text = render_text(rep);
    CHECK(text.find("EB-4770W") != std::string::npos);
    CHECK(text.find("2h 00m") != std::string::npos);  // the projector's uptime
}
