#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "daemon/store/backup.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

TEST_CASE("store: an online backup taken while the writer writes is consistent and complete") {
    TempDir dir;
    SystemClock clock;
    auto cfg = store_config(dir, 2000);
    cfg.flush_interval = 5ms;
    cfg.queue_limit = 10000000;
    StoreWriter writer(cfg, clock);
    const auto t0 = clock.now() - 24h;
    auto batch = [&](int round) {
        std::vector<Sample> v;
        for (int i = 0; i < 2000; ++i)
            v.push_back(sample("sw-" + std::to_string(i % 40), "if_in_bps." + std::to_string(i % 25),
                               t0 + std::chrono::seconds(round), i));
        return v;
    };
    for (int r = 0; r < 50; ++r) writer.enqueue(batch(r));
    REQUIRE(writer.flush());

    std::atomic<bool> stop{false};
    std::atomic<int> rounds{50};
    std::thread producer([&] {
        while (!stop) {
            writer.enqueue(batch(rounds++));
            std::this_thread::sleep_for(1ms);
        }
    });
    std::this_thread::sleep_for(50ms);
    const auto committed_before = StoreReader(cfg.path).sample_count();
    const auto result = backup_database(cfg.path, dir.file("copy.db"), 64);
    stop = true;
    producer.join();
    REQUIRE(writer.flush());

    CHECK(result.steps > 1);  // really in chunks
    StoreReader copy(dir.file("copy.db"));
    Statement check(copy.database(), "PRAGMA integrity_check");
    REQUIRE(check.step());
    CHECK(check.get_text(0) == "ok");
    const auto in_copy = copy.sample_count();
    CHECK(in_copy >= committed_before);
    CHECK(in_copy <= StoreReader(cfg.path).sample_count());
    CHECK(in_copy % 2000 == 0);  // whole flushes only: a snapshot between commits
    CHECK(copy.schema_version() == StoreReader(cfg.path).schema_version());
}

TEST_CASE("store: a backup onto the live file itself is refused") {
    TempDir dir;
    SystemClock clock;
    StoreWriter writer(store_config(dir), clock);
    CHECK_THROWS_WITH(backup_database(writer.path(), writer.path()), Catch::Contains("live database"));
}
