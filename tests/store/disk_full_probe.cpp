// Helper for disk_full_tmpfs.sh: writes through StoreWriter into a database on a tiny tmpfs
// until the file system is really full (ENOSPC), reports, waits for "GO" on stdin (the script
// enlarges the tmpfs meanwhile), then checks that everything kept in memory gets written.
#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/store/store_reader.hpp"
#include "daemon/store/store_writer.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace std::chrono_literals;

namespace {
struct CountingSink : log::Sink {
    int disk_full = 0, recovered = 0;
    void write(const log::Entry& e) override {
        disk_full += e.message_id == msgid::store_disk_full;
        recovered += e.message_id == msgid::store_recovered;
    }
};

int fail(const std::string& why) {
    std::cout << "FAIL " << why << std::endl;
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return fail("usage: disk_full_probe DB");
    auto sink = std::make_unique<CountingSink>();
    auto* counts = sink.get();
    log::set_sink(std::move(sink));

    config::StoreConfig cfg;
    cfg.path = argv[1];
    cfg.flush_rows = 2000;
    cfg.queue_limit = 10000000;
    WriterOptions opts;
    opts.retry_delay = 50ms;
    SystemClock clock;
    StoreWriter writer(cfg, clock, opts);
    const auto t0 = clock.now() - 12h;
    std::int64_t enqueued = 0;
    for (int round = 0; writer.healthy(); ++round) {
        if (round > 2000) return fail("the file system never filled up");
        std::vector<Sample> v;
        for (int i = 0; i < 5000; ++i, ++enqueued)
            v.push_back(Sample{"sw-" + std::to_string(i % 50), "if_in_bps." + std::to_string(i % 100),
                               t0 + std::chrono::seconds(enqueued / 5000), static_cast<double>(enqueued) + 0.5});
        writer.enqueue(std::move(v));
        writer.flush(1s);
    }
    AlarmEvent e;
    e.time = clock.now();
    e.alarm.id = 1;
    e.alarm.rule_id = "unreachable";
    e.alarm.device = "sw-1";
    e.alarm.room = "r-1";
    e.alarm.raised_at = e.time;
    e.notify = {{"a@example.org", "a", 0}, {"b@example.org", "b", 0}};
    writer.enqueue(e);
    if (writer.flush(500ms)) return fail("flush succeeded on a full file system");
    const auto s = writer.stats();
    std::cout << "FULL written=" << s.samples_written << " queued=" << s.queued_samples
              << " error=" << s.last_error << std::endl;

    std::string line;
    if (!std::getline(std::cin, line) || line != "GO") return fail("no GO");
    if (!writer.flush(30s)) return fail("flush still failing after space came back: " + writer.stats().last_error);
    if (!writer.healthy()) return fail("not healthy after recovery");
    writer.stop();
    const auto after = writer.stats();

    StoreReader reader(cfg.path);
    Statement check(reader.database(), "PRAGMA integrity_check");
    if (!check.step() || check.get_text(0) != "ok") return fail("integrity_check: " + check.get_text(0));
    if (reader.sample_count() != enqueued)
        return fail("samples " + std::to_string(reader.sample_count()) + " of " + std::to_string(enqueued));
    if (reader.outbox_for_alarm(1).size() != 2) return fail("alarm event or outbox rows missing");
    if (after.dropped_samples != 0) return fail("samples were dropped");
    if (counts->disk_full != 1) return fail("disk-full logged " + std::to_string(counts->disk_full) + " times");
    if (counts->recovered != 1) return fail("recovery logged " + std::to_string(counts->recovered) + " times");
    std::cout << "OK samples=" << enqueued << " failed_flushes=" << after.failed_flushes << std::endl;
    log::set_sink(nullptr);
    return 0;
}
