// store_bench: how fast StoreWriter ingests time-major samples (10,000 series x N timestamps)
// and how many bytes each raw sample costs on disk, next to a bare SQLite append loop
// (prepared INSERT, WAL, synchronous=NORMAL, 10,000 rows per transaction) in the same run.
//
//   store_bench                      1 M and 10 M rows
//   store_bench --rows 20000         one size (the ctest smoke run)
//   options: --series N (10000)  --interval-s S (60)  --dir D (a temp dir, removed)  --keep
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/sqlite.hpp"
#include "daemon/store/store_writer.hpp"

using namespace avmon;
using namespace avmon::store;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

struct Options {
    std::vector<std::int64_t> rows{1000000, 10000000};
    int series = 10000;
    int interval_s = 60;
    std::string dir;
    bool keep = false;
};

// Half the series are whole numbers (lamp hours, battery %, rpm), half carry fractions
// (temperatures, bit rates): SQLite stores the first kind in 1-4 bytes, the second in 8.
double value_of(int series, std::int64_t step) {
    if (series % 2 == 0) return static_cast<double>((series * 7 + step) % 5000);
    return 20.0 + static_cast<double>((series * 13 + step * 7) % 1000) / 37.0;
}

std::string device_of(int series) { return fmt::format("dev-{:05}", series / 10); }
std::string metric_of(int series) { return fmt::format("metric_{}", series % 10); }

// CPU seconds of the whole process (user + system): on a shared, loaded machine wall-clock
// rates mostly measure the neighbours, so both are printed.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return tv(u.ru_utime) + tv(u.ru_stime);
}

std::int64_t file_bytes(const std::string& path) {
    std::int64_t n = 0;
    for (const char* suffix : {"", "-wal"}) {
        std::error_code ec;
        auto s = fs::file_size(path + suffix, ec);
        if (!ec) n += static_cast<std::int64_t>(s);
    }
    return n;
}

std::int64_t table_bytes(Database& db, const std::string& like) {
    return db.query_int("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE '" + like + "'")
        .value_or(0);
}

struct Result {
    double seconds = 0;
    double cpu = 0;
    double rate = 0;
    double cpu_rate = 0;
    std::int64_t file = 0;
    std::int64_t raw_table = 0;
    std::int64_t stored = 0;
    std::string detail;
};

Result run_writer(const Options& o, std::int64_t rows, const std::string& path) {
    config::StoreConfig cfg;
    cfg.path = path;
    cfg.flush_rows = 10000;
    cfg.flush_interval = std::chrono::milliseconds(1000);
    cfg.queue_limit = 2000000;
    SystemClock clock;
    const std::int64_t steps = (rows + o.series - 1) / o.series;
    const auto t0 = clock.now() - std::chrono::seconds(o.interval_s) * (steps + 1);
    WriterOptions wo;
    wo.retention_interval = std::chrono::milliseconds(0);
    Result r;
    {
        StoreWriter writer(cfg, clock, wo);
        // Series names repeat each step; build them once so the producer costs little.
        std::vector<std::string> devices, metrics;
        for (int s = 0; s < o.series; ++s) {
            devices.push_back(device_of(s));
            metrics.push_back(metric_of(s));
        }
        const auto start = steady::now();
        const auto cpu0 = cpu_seconds();
        std::int64_t produced = 0;
        for (std::int64_t step = 0; produced < rows; ++step) {
            std::vector<Sample> batch;
            batch.reserve(static_cast<std::size_t>(o.series));
            const auto t = t0 + std::chrono::seconds(o.interval_s) * step;
            for (int s = 0; s < o.series && produced < rows; ++s, ++produced)
                batch.push_back(Sample{devices[s], metrics[s], t, value_of(s, step)});
            writer.enqueue(std::move(batch));
            // Back-pressure like a real producer would get: never let the queue overflow.
            while (writer.stats().queued_samples > 1000000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (!writer.flush(std::chrono::hours(1))) throw std::runtime_error("writer flush timed out");
        r.seconds = std::chrono::duration<double>(steady::now() - start).count();
        r.cpu = cpu_seconds() - cpu0;
        auto st = writer.stats();
        if (st.dropped_samples || st.rejected_samples || !st.healthy)
            throw std::runtime_error(fmt::format("writer dropped {} rejected {} healthy {}",
                                                 st.dropped_samples, st.rejected_samples, st.healthy));
        r.detail = fmt::format("{} transactions, last flush {:.1f} ms", st.transactions,
                               st.last_flush_duration.count() / 1000.0);
        writer.stop();
    }
    Database db(path, Database::Mode::read_write_create);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    r.stored = db.query_int("SELECT count(*) FROM samples").value_or(0);
    r.raw_table = table_bytes(db, "samples") + table_bytes(db, "sample_blocks%");
    r.file = file_bytes(path);
    const auto r5 = table_bytes(db, "rollups_5m%"), r1 = table_bytes(db, "rollups_1h%");
    r.detail += fmt::format("; rollups 5m {:.1f} B/sample, 1h {:.1f} B/sample",
                            static_cast<double>(r5) / static_cast<double>(rows),
                            static_cast<double>(r1) / static_cast<double>(rows));
    r.rate = static_cast<double>(rows) / r.seconds;
    r.cpu_rate = static_cast<double>(rows) / r.cpu;
    return r;
}

Result run_bare(const Options& o, std::int64_t rows, const std::string& path) {
    Result r;
    {
        Database db(path, Database::Mode::read_write_create);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("CREATE TABLE samples(series_id INTEGER NOT NULL, t_ms INTEGER NOT NULL, value REAL NOT NULL)");
        Statement ins(db, "INSERT INTO samples(series_id, t_ms, value) VALUES(?1, ?2, ?3)");
        const std::int64_t steps = (rows + o.series - 1) / o.series;
        const auto t0 = to_unix_ms(std::chrono::system_clock::now()) - std::int64_t{o.interval_s} * 1000 * (steps + 1);
        const auto start = steady::now();
        const auto cpu0 = cpu_seconds();
        std::int64_t produced = 0;
        while (produced < rows) {
            Transaction tx(db);
            for (int k = 0; k < 10000 && produced < rows; ++k, ++produced) {
                const auto step = produced / o.series;
                const int s = static_cast<int>(produced % o.series);
                ins.bind(1, std::int64_t{s + 1}).bind(2, t0 + step * o.interval_s * 1000).bind(3, value_of(s, step));
                ins.run();
            }
            tx.commit();
        }
        r.seconds = std::chrono::duration<double>(steady::now() - start).count();
        r.cpu = cpu_seconds() - cpu0;
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        r.stored = db.query_int("SELECT count(*) FROM samples").value_or(0);
        r.raw_table = table_bytes(db, "samples");
    }
    r.file = file_bytes(path);
    r.rate = static_cast<double>(rows) / r.seconds;
    r.cpu_rate = static_cast<double>(rows) / r.cpu;
    return r;
}

const char* verdict(bool ok) { return ok ? "met" : "MISSED"; }

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "store_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--rows") o.rows = {std::stoll(next())};
        else if (a == "--series") o.series = std::stoi(next());
        else if (a == "--interval-s") o.interval_s = std::stoi(next());
        else if (a == "--dir") o.dir = next();
        else if (a == "--keep") o.keep = true;
        else {
            std::fprintf(stderr, "usage: store_bench [--rows N] [--series N] [--interval-s S] [--dir D] [--keep]\n");
            return 2;
        }
    }
    log::set_max_priority(log::Priority::warning);  // no migration chatter in the table
    bool own_dir = false;
    if (o.dir.empty()) {
        std::string tmpl = (fs::temp_directory_path() / "store-bench-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) return 1;
        o.dir = tmpl;
        own_dir = true;
    }
    int rc = 0;
    try {
        std::printf("store_bench: %d series, one sample per series every %d s (time-major), SQLite %s\n",
                    o.series, o.interval_s, sqlite3_libversion());
        double load[3] = {0, 0, 0};
        if (getloadavg(load, 3) > 0) std::printf("load average at start: %.2f (%u CPUs)\n", load[0], std::thread::hardware_concurrency());
        std::printf("%12s | %-7s | %12s | %12s | %9s | %9s | %9s | %s\n", "rows", "run", "samples/s", "per CPU-s",
                    "file B/s", "raw B/s", "seconds", "notes");
        for (auto rows : o.rows) {
            const auto wpath = (fs::path(o.dir) / fmt::format("writer-{}.db", rows)).string();
            const auto bpath = (fs::path(o.dir) / fmt::format("bare-{}.db", rows)).string();
            auto w = run_writer(o, rows, wpath);
            auto b = run_bare(o, rows, bpath);
            auto line = [&](const char* name, const Result& r) {
                std::printf("%12lld | %-7s | %12.0f | %12.0f | %9.1f | %9.1f | %9.2f | %s\n", static_cast<long long>(rows),
                            name, r.rate, r.cpu_rate, static_cast<double>(r.file) / static_cast<double>(rows),
                            static_cast<double>(r.raw_table) / static_cast<double>(rows), r.seconds, r.detail.c_str());
            };
            line("writer", w);
            line("bare", b);
            const double ratio = w.rate / b.rate;
            const double cpu_ratio = w.cpu_rate / b.cpu_rate;
            const double raw_per = static_cast<double>(w.raw_table) / static_cast<double>(rows);
            std::printf("%12lld | ratio writer/bare %.2f wall, %.2f CPU; targets (wall): >= 200000/s %s, "
                        ">= 0.3x bare %s, <= 30 B per raw sample %s\n",
                        static_cast<long long>(rows), ratio, cpu_ratio, verdict(w.rate >= 200000),
                        verdict(ratio >= 0.3), verdict(raw_per <= 30));
            if (w.stored != rows || b.stored != rows) {
                std::fprintf(stderr, "store_bench: stored %lld (writer) / %lld (bare), expected %lld\n",
                             static_cast<long long>(w.stored), static_cast<long long>(b.stored),
                             static_cast<long long>(rows));
                rc = 1;
            }
            if (!o.keep) {
                for (auto& p : {wpath, bpath})
                    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p + suffix);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        rc = 1;
    }
    if (own_dir && !o.keep) fs::remove_all(o.dir);
    return rc;
}
