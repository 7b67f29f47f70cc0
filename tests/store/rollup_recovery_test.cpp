// Rollup deltas live in the writer's memory until their bucket closes; only closed buckets
// (before the store_state mark) are in the tables, and readers build the open ones from raw
// samples. A crash loses the deltas; what readers see must still be exactly what the raw
// samples say, before and after the next start.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

constexpr int kSeries = 40;
constexpr int kSteps = 200;  // one sample per series per minute: 3 h 20 min

std::vector<Sample> samples_from(SysTime t0) {
    std::vector<Sample> v;
    for (int step = 0; step < kSteps; ++step)
        for (int s = 0; s < kSeries; ++s)
            v.push_back(sample("dev-" + std::to_string(s / 4), "m" + std::to_string(s % 4),
                               t0 + std::chrono::minutes(step), (s * 31 + step * 17) % 97 + 0.25 * s));
    return v;
}

std::int64_t mark_of(Database& db, const char* table) {
    return db.query_int(fmt::format("SELECT value FROM store_state WHERE key = '{}'",
                                    std::string(table) == "rollups_5m" ? "rollup_5m_complete_before"
                                                                       : "rollup_1h_complete_before"))
        .value_or(0);
}

// Rows of `table` that differ from an aggregation of the raw samples (both directions), for
// the closed buckets (before the store_state mark); a row at or after the mark is wrong too.
std::int64_t mismatches(Database& db, const char* table, std::int64_t width_ms) {
    const auto mark = mark_of(db, table);
    const auto agg = fmt::format(
        "SELECT t_ms - t_ms % {0} AS b, series_id, min(value) AS mn, max(value) AS mx, "
        "sum(value) AS sm, count(*) AS c FROM samples WHERE t_ms - t_ms % {0} < {1} GROUP BY 1, 2",
        width_ms, mark);
    const auto missing_or_wrong = db.query_int(fmt::format(
        "SELECT count(*) FROM ({}) r LEFT JOIN {} x ON x.bucket_ms = r.b AND x.series_id = r.series_id "
        "WHERE x.count IS NOT r.c OR x.min IS NOT r.mn OR x.max IS NOT r.mx OR abs(x.sum - r.sm) > 1e-6",
        agg, table));
    const auto extra = db.query_int(fmt::format(
        "SELECT count(*) FROM {} x WHERE x.bucket_ms >= {} OR NOT EXISTS (SELECT 1 FROM samples s "
        "WHERE s.series_id = x.series_id AND s.t_ms - s.t_ms % {} = x.bucket_ms)",
        table, mark, width_ms));
    return missing_or_wrong.value() + extra.value();
}

// Buckets StoreReader::rollups returns (closed ones from the table, open ones from raw
// samples) that differ from an aggregation of the raw samples, over every series.
std::int64_t reader_mismatches(const std::string& path, Resolution res) {
    const std::int64_t width = res == Resolution::five_minutes ? 300000 : 3600000;
    StoreReader reader(path);
    Database& db = reader.database();
    std::int64_t bad = 0;
    Statement ids(db, "SELECT id FROM series ORDER BY id");
    while (ids.step()) {
        const auto id = ids.get_int(0);
        const auto got = reader.rollups(id, res, from_unix_ms(0), from_unix_ms(4000000000000));
        Statement agg(db, fmt::format("SELECT t_ms - t_ms % {0}, min(value), max(value), sum(value), "
                                      "count(*) FROM samples WHERE series_id = ?1 GROUP BY 1 ORDER BY 1",
                                      width));
        agg.bind(1, id);
        std::size_t i = 0;
        for (; agg.step(); ++i) {
            if (i >= got.size()) {
                ++bad;
                continue;
            }
            const auto& g = got[i];
            if (to_unix_ms(g.bucket) != agg.get_int(0) || g.min != agg.get_double(1) ||
                g.max != agg.get_double(2) || std::abs(g.sum - agg.get_double(3)) > 1e-6 ||
                g.count != agg.get_int(4))
                ++bad;
        }
        if (got.size() > i) bad += static_cast<std::int64_t>(got.size() - i);
    }
    return bad;
}

}  // namespace

TEST_CASE("store: rollups lost in a crash are rebuilt from raw samples at the next start") {
    TempDir dir;
    auto cfg = store_config(dir, 400);  // raw commits every 400 samples (10 minutes of data)
    const auto t0 = utc("2026-11-24T03:00:00Z");
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            ManualClock clock(t0 + 4h);
            WriterOptions opts;
            opts.publish_interval = 24h;  // nothing published: only closed buckets are written
            StoreWriter writer(cfg, clock, opts);
            writer.enqueue(samples_from(t0));
            for (int i = 0; i < 2000 && writer.stats().samples_written < kSeries * kSteps; ++i)
                std::this_thread::sleep_for(5ms);
            _exit(writer.stats().samples_written == kSeries * kSteps ? 0 : 2);  // no flush, no stop
        } catch (...) {
            _exit(3);
        }
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    {
        Database db(cfg.path, Database::Mode::read_write_create);
        CHECK(db.query_int("SELECT count(*) FROM samples") == kSeries * kSteps);
        // The closed buckets made it with their mark, the open ones are not in the tables.
        const auto in_5m = db.query_int("SELECT sum(count) FROM rollups_5m").value_or(0);
        CHECK(in_5m > 0);
        CHECK(in_5m < kSeries * kSteps);
        CHECK(mismatches(db, "rollups_5m", 300000) == 0);
        CHECK(mismatches(db, "rollups_1h", 3600000) == 0);
    }
    // Readers see every bucket right even before the next start.
    CHECK(reader_mismatches(cfg.path, Resolution::five_minutes) == 0);
    CHECK(reader_mismatches(cfg.path, Resolution::one_hour) == 0);
    ManualClock clock(t0 + 4h);
    {
        StoreWriter writer(cfg, clock);  // rebuilds on start
        REQUIRE(writer.flush());
        Database db(cfg.path, Database::Mode::read_only);
        CHECK(mismatches(db, "rollups_5m", 300000) == 0);
        CHECK(mismatches(db, "rollups_1h", 3600000) == 0);
        // Latest values are rebuilt too.
        StoreReader reader(cfg.path);
        auto latest = reader.latest_samples("dev-0");
        REQUIRE(latest.size() == 4);
        CHECK(latest[0].time == t0 + std::chrono::minutes(kSteps - 1));

        // Writing on continues correctly from the rebuilt state, late samples included.
        std::vector<Sample> more;
        for (int s = 0; s < kSeries; ++s) {
            more.push_back(sample("dev-" + std::to_string(s / 4), "m" + std::to_string(s % 4),
                                  t0 + std::chrono::minutes(kSteps), 1000 + s));
            more.push_back(sample("dev-" + std::to_string(s / 4), "m" + std::to_string(s % 4),
                                  t0 + 30s, -5));  // hours late, into a closed bucket
        }
        writer.enqueue(std::move(more));
        REQUIRE(writer.flush());
        CHECK(mismatches(db, "rollups_5m", 300000) == 0);
        CHECK(mismatches(db, "rollups_1h", 3600000) == 0);
        CHECK(reader_mismatches(cfg.path, Resolution::five_minutes) == 0);
        CHECK(reader_mismatches(cfg.path, Resolution::one_hour) == 0);
        writer.stop();
    }
}

TEST_CASE("store: after a clean stop readers see complete rollups, and a restart does not count twice") {
    TempDir dir;
    auto cfg = store_config(dir, 400);
    const auto t0 = utc("2026-11-24T03:00:00Z");
    ManualClock clock(t0 + 4h);
    {
        StoreWriter writer(cfg, clock);
        writer.enqueue(samples_from(t0));
        writer.stop();
    }
    {
        Database db(cfg.path, Database::Mode::read_only);
        CHECK(mismatches(db, "rollups_5m", 300000) == 0);
        CHECK(mismatches(db, "rollups_1h", 3600000) == 0);
    }
    CHECK(reader_mismatches(cfg.path, Resolution::five_minutes) == 0);
    CHECK(reader_mismatches(cfg.path, Resolution::one_hour) == 0);
    {
        StoreWriter writer(cfg, clock);
        writer.stop();
    }
    Database db(cfg.path, Database::Mode::read_only);
    CHECK(mismatches(db, "rollups_5m", 300000) == 0);
    CHECK(mismatches(db, "rollups_1h", 3600000) == 0);
    CHECK(reader_mismatches(cfg.path, Resolution::five_minutes) == 0);
    CHECK(reader_mismatches(cfg.path, Resolution::one_hour) == 0);
    CHECK(db.query_int("SELECT value FROM store_state WHERE key = 'rollup_1h_complete_before'") ==
          to_unix_ms(utc("2026-11-24T06:00:00Z")));
}
