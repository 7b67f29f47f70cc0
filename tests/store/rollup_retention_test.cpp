#include <catch2/catch.hpp>

#include <thread>

#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

TEST_CASE("store: 5-minute and hourly rollups match hand-computed values across flushes") {
    TempDir dir;
    const auto h0 = utc("2026-11-24T06:00:00Z");
    ManualClock clock(h0 + 2h);
    StoreWriter writer(store_config(dir), clock);

    // First flush: two samples in 06:00-06:05, one in 06:05-06:10.
    writer.enqueue(std::vector<Sample>{
        sample("disp-1", "temp_c", h0 + 10s, 40),
        sample("disp-1", "temp_c", h0 + 4min, 44),
        sample("disp-1", "temp_c", h0 + 6min, 50),
        sample("disp-1", "fan_rpm", h0 + 10s, 1200),
    });
    REQUIRE(writer.flush());
    // Second flush adds to the same buckets (incremental upsert) and opens the 07:00 hour.
    writer.enqueue(std::vector<Sample>{
        sample("disp-1", "temp_c", h0 + 4min + 59s, 35),
        sample("disp-1", "temp_c", h0 + 5min, 52),
        sample("disp-1", "temp_c", h0 + 1h, 60),
        sample("disp-1", "temp_c", h0 + 1h + 59min + 59s, 61),
    });
    REQUIRE(writer.flush());
    CHECK(writer.stats().transactions == 2);

    StoreReader reader(writer.path());
    auto temp = reader.find_series("disp-1", "temp_c");
    REQUIRE(temp);
    auto five = reader.rollups(temp->id, Resolution::five_minutes, h0, h0 + 3h);
    REQUIRE(five.size() == 4);
    // 06:00 bucket: 40, 44, 35
    CHECK(five[0].bucket == h0);
    CHECK(five[0].count == 3);
    CHECK(five[0].min == 35);
    CHECK(five[0].max == 44);
    CHECK(five[0].avg() == Approx((40 + 44 + 35) / 3.0));
    // 06:05 bucket: 50, 52
    CHECK(five[1].bucket == h0 + 5min);
    CHECK(five[1].count == 2);
    CHECK(five[1].min == 50);
    CHECK(five[1].max == 52);
    CHECK(five[1].avg() == Approx(51));
    CHECK(five[2].bucket == h0 + 1h);
    CHECK(five[2].count == 1);
    CHECK(five[3].bucket == h0 + 1h + 55min);
    CHECK(five[3].max == 61);

    auto hours = reader.rollups(temp->id, Resolution::one_hour, h0, h0 + 3h);
    REQUIRE(hours.size() == 2);
    CHECK(hours[0].bucket == h0);
    CHECK(hours[0].count == 5);
    CHECK(hours[0].min == 35);
    CHECK(hours[0].max == 52);
    CHECK(hours[0].sum == Approx(40 + 44 + 50 + 35 + 52));
    CHECK(hours[1].bucket == h0 + 1h);
    CHECK(hours[1].count == 2);
    CHECK(hours[1].avg() == Approx(60.5));

    // The other series has its own buckets, untouched by temp_c.
    auto fan = reader.find_series("disp-1", "fan_rpm");
    REQUIRE(fan);
    auto fan5 = reader.rollups(fan->id, Resolution::five_minutes, h0, h0 + 3h);
    REQUIRE(fan5.size() == 1);
    CHECK(fan5[0].sum == 1200);

    // A range read returns only the asked window.
    CHECK(reader.rollups(temp->id, Resolution::five_minutes, h0 + 5min, h0 + 1h).size() == 1);
    // Raw samples come back in time order whatever the flush order was.
    auto raw = reader.samples(temp->id, h0, h0 + 10min);
    REQUIRE(raw.size() == 5);
    CHECK(raw[0].value == 40);
    CHECK(raw[1].value == 44);
    CHECK(raw[2].value == 35);
    CHECK(raw[3].value == 52);
    CHECK(raw[4].value == 50);
    auto latest = reader.latest_samples("disp-1");
    REQUIRE(latest.size() == 2);
    CHECK(latest[1].metric == "temp_c");
    CHECK(latest[1].value == 61);
    CHECK(latest[1].time == h0 + 1h + 59min + 59s);
}

TEST_CASE("store: retention deletes raw samples and rollups past their age, in small batches") {
    TempDir dir;
    const auto now = utc("2026-11-24T07:00:00Z");
    ManualClock clock(now);
    auto cfg = store_config(dir, 1000);
    cfg.raw_retention_days = 14;
    cfg.rollup_5m_retention_days = 90;
    cfg.rollup_1h_retention_days = 730;
    StoreWriter writer(cfg, clock);

    auto burst = [&](SysTime start, int n) {
        std::vector<Sample> v;
        for (int i = 0; i < n; ++i) v.push_back(sample("sw-1", "if_in_bps." + std::to_string(i % 50), start + 10s * (i / 50), i));
        writer.enqueue(std::move(v));
        REQUIRE(writer.flush());
    };
    burst(now - 100 * 24h, 2000);  // past every raw and 5-minute limit
    burst(now - 20 * 24h, 5000);   // raw too old, rollups kept
    burst(now - 13 * 24h, 3000);   // young enough
    burst(now - 1h, 1500);

    StoreReader reader(cfg.path);
    REQUIRE(reader.sample_count() == 11500);
    const auto r = writer.run_retention_now();
    CHECK(r.raw_deleted == 7000);
    CHECK(r.transactions >= 7);  // batches of at most 1000 rows... in blocks of one flush each
    CHECK(r.complete);
    CHECK(reader.sample_count() == 4500);
    auto s = reader.find_series("sw-1", "if_in_bps.0");
    REQUIRE(s);
    CHECK(reader.samples(s->id, now - 200 * 24h, now).size() == (3000 + 1500) / 50);
    // 5-minute rollups older than 90 days went, hourly ones stay (730 days).
    CHECK(reader.rollups(s->id, Resolution::five_minutes, now - 200 * 24h, now - 90 * 24h).empty());
    CHECK_FALSE(reader.rollups(s->id, Resolution::five_minutes, now - 21 * 24h, now - 19 * 24h).empty());
    CHECK_FALSE(reader.rollups(s->id, Resolution::one_hour, now - 101 * 24h, now - 99 * 24h).empty());
    CHECK(r.rollup_5m_deleted > 0);
    CHECK(r.rollup_1h_deleted == 0);
    // Freed pages went back to the file system.
    CHECK(r.pages_freed > 0);
    CHECK(reader.database().query_int("PRAGMA freelist_count") == 0);

    // Running it again finds nothing to do.
    const auto again = writer.run_retention_now();
    CHECK(again.raw_deleted == 0);
    CHECK(again.rollup_5m_deleted == 0);
}

TEST_CASE("store: open rollup buckets appear with their raw samples, latest values within the publish interval, without flush()") {
    TempDir dir;
    const auto t0 = utc("2026-11-24T06:00:00Z");
    ManualClock clock(t0 + 1h);
    auto cfg = store_config(dir);
    cfg.flush_interval = 10ms;
    WriterOptions opts;
    opts.publish_interval = 50ms;
    StoreWriter writer(cfg, clock, opts);
    writer.enqueue(std::vector<Sample>{sample("mic-1", "battery_pct", t0 + 1min, 80),
                                       sample("mic-1", "battery_pct", t0 + 2min, 78)});
    StoreReader reader(cfg.path);
    std::vector<RollupPoint> five;
    for (int i = 0; i < 1000 && five.empty(); ++i) {
        std::this_thread::sleep_for(10ms);
        if (auto s = reader.find_series("mic-1", "battery_pct"))
            five = reader.rollups(s->id, Resolution::five_minutes, t0, t0 + 1h);
    }
    REQUIRE(five.size() == 1);
    CHECK(five[0].count == 2);
    CHECK(five[0].min == 78);
    // The bucket is open: it is not in the table, the reader built it from raw samples.
    CHECK(reader.database().query_int("SELECT count(*) FROM rollups_5m") == 0);
    std::vector<LatestSample> latest;
    for (int i = 0; i < 1000 && latest.empty(); ++i) {
        latest = reader.latest_samples("mic-1");
        if (latest.empty()) std::this_thread::sleep_for(10ms);
    }
    REQUIRE(latest.size() == 1);
    CHECK(latest[0].value == 78);
    CHECK(reader.device("mic-1")->last_seen == t0 + 2min);
}
