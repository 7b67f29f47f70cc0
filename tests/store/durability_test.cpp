// Power-cut durability: a COMMIT that carries alarm events, outbox rows or updates, audit or
// maintenance windows must have synced the WAL before anyone is told it committed; a
// sample-only COMMIT must not sync at all (that is what keeps ingest cheap).
//
// A SIGKILL cannot show this (the page cache survives it), so the test watches the syncs
// themselves: it registers, as the process's default VFS, a wrapper around the real unix VFS
// that logs every xSync with the kind of file, and the commit hooks log into the same
// sequence. This is a separate executable because the default VFS is process-wide.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/store/batch_writer.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store_writer.hpp"
#include "tests/store/test_support.hpp"

using namespace avmon;
using namespace avmon::store;
using namespace avmon::store::test;
using namespace std::chrono_literals;

namespace {

// ---- the journal of what reached the disk, in order ----
enum class Step { wal_write, wal_sync, db_sync, other_sync, hook };

class Journal {
public:
    void add(Step s) {
        std::lock_guard lock(m_);
        steps_.push_back(s);
    }
    std::size_t mark() const {
        std::lock_guard lock(m_);
        return steps_.size();
    }
    std::vector<Step> since(std::size_t mark) const {
        std::lock_guard lock(m_);
        return {steps_.begin() + static_cast<std::ptrdiff_t>(mark), steps_.end()};
    }

private:
    mutable std::mutex m_;
    std::vector<Step> steps_;
};

Journal& journal() {
    static Journal j;
    return j;
}

// ---- a VFS that forwards everything to the real one and logs xSync ----
struct LoggedFile {
    sqlite3_file base;     // must come first: SQLite sees this
    Step kind;             // what a sync of this file is logged as
    sqlite3_file* real;    // the real VFS's file, allocated right after this struct
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_io_methods logged_methods{};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<LoggedFile*>(f)->real; }

int logged_close(sqlite3_file* f) {
    auto* real = real_of(f);
    return real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
}
int logged_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}
int logged_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    const int rc = real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
    if (rc == SQLITE_OK && reinterpret_cast<LoggedFile*>(f)->kind == Step::wal_sync)
        journal().add(Step::wal_write);
    return rc;
}
int logged_truncate(sqlite3_file* f, sqlite3_int64 size) {
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int logged_sync(sqlite3_file* f, int flags) {
    const int rc = real_of(f)->pMethods->xSync(real_of(f), flags);
    // Logged once the data is on disk, i.e. after the real fsync returned.
    if (rc == SQLITE_OK) journal().add(reinterpret_cast<LoggedFile*>(f)->kind);
    return rc;
}
int logged_file_size(sqlite3_file* f, sqlite3_int64* size) {
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int logged_lock(sqlite3_file* f, int lock) { return real_of(f)->pMethods->xLock(real_of(f), lock); }
int logged_unlock(sqlite3_file* f, int lock) { return real_of(f)->pMethods->xUnlock(real_of(f), lock); }
int logged_check_reserved(sqlite3_file* f, int* out) {
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int logged_file_control(sqlite3_file* f, int op, void* arg) {
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int logged_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int logged_device_characteristics(sqlite3_file* f) {
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int logged_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
int logged_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void logged_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int logged_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int logged_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
    return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
}
int logged_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

int logged_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* lf = reinterpret_cast<LoggedFile*>(f);
    lf->base.pMethods = nullptr;  // SQLite calls no xClose when xOpen fails
    lf->real = reinterpret_cast<sqlite3_file*>(lf + 1);
    lf->kind = (flags & SQLITE_OPEN_WAL)       ? Step::wal_sync
               : (flags & SQLITE_OPEN_MAIN_DB) ? Step::db_sync
                                               : Step::other_sync;
    const int rc = real_vfs->xOpen(real_vfs, name, lf->real, flags, out_flags);
    if (rc != SQLITE_OK || !lf->real->pMethods) return rc;
    // Offer exactly the calls the real file offers (shared memory and mmap included).
    static std::once_flag once;
    std::call_once(once, [&] {
        const auto* r = lf->real->pMethods;
        logged_methods = sqlite3_io_methods{
            std::min(r->iVersion, 3), logged_close, logged_read, logged_write, logged_truncate,
            logged_sync, logged_file_size, logged_lock, logged_unlock, logged_check_reserved,
            logged_file_control, logged_sector_size, logged_device_characteristics,
            logged_shm_map, logged_shm_lock, logged_shm_barrier, logged_shm_unmap, logged_fetch,
            logged_unfetch};
    });
    lf->base.pMethods = &logged_methods;
    return rc;
}

int logged_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int logged_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs->xAccess(real_vfs, name, flags, out);
}
int logged_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* logged_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void logged_dl_error(sqlite3_vfs*, int n, char* msg) { real_vfs->xDlError(real_vfs, n, msg); }
void (*logged_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
    return real_vfs->xDlSym(real_vfs, h, sym);
}
void logged_dl_close(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int logged_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int logged_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int logged_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int logged_last_error(sqlite3_vfs*, int n, char* out) {
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
int logged_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

// Registers the logging VFS as the default for every connection opened afterwards.
void install_logged_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        real_vfs = sqlite3_vfs_find(nullptr);
        REQUIRE(real_vfs != nullptr);
        REQUIRE(real_vfs->iVersion >= 2);
        static sqlite3_vfs vfs{};
        vfs.iVersion = 2;
        vfs.szOsFile = static_cast<int>(sizeof(LoggedFile)) + real_vfs->szOsFile;
        vfs.mxPathname = real_vfs->mxPathname;
        vfs.zName = "avmon-test-logged";
        vfs.xOpen = logged_open;
        vfs.xDelete = logged_delete;
        vfs.xAccess = logged_access;
        vfs.xFullPathname = logged_full_pathname;
        vfs.xDlOpen = logged_dl_open;
        vfs.xDlError = logged_dl_error;
        vfs.xDlSym = logged_dl_sym;
        vfs.xDlClose = logged_dl_close;
        vfs.xRandomness = logged_randomness;
        vfs.xSleep = logged_sleep;
        vfs.xCurrentTime = logged_current_time;
        vfs.xGetLastError = logged_last_error;
        vfs.xCurrentTimeInt64 = logged_current_time_int64;
        REQUIRE(sqlite3_vfs_register(&vfs, 1) == SQLITE_OK);
    });
    REQUIRE(std::string(sqlite3_vfs_find(nullptr)->zName) == "avmon-test-logged");
}

// ---- records ----
const SysTime t0 = utc("2026-03-02T08:00:00Z");

std::vector<Sample> samples(int round) {
    std::vector<Sample> s;
    for (int k = 0; k < 50; ++k)
        s.push_back(sample("proj-1", "m" + std::to_string(k), t0 + std::chrono::minutes(round), k + round));
    return s;
}

AlarmEvent raised(std::int64_t id) {
    AlarmEvent e;
    e.time = t0;
    e.alarm.id = id;
    e.alarm.rule_id = "lamp_hours_high";
    e.alarm.device = "proj-1";
    e.alarm.room = "r-1";
    e.alarm.severity = Severity::III;
    e.alarm.raised_at = t0;
    e.notify.push_back({"tech@example.org", "tech", 0});
    return e;
}

std::size_t count(const std::vector<Step>& steps, Step s) {
    return static_cast<std::size_t>(std::count(steps.begin(), steps.end(), s));
}

// Writes `round`'s samples alone in one transaction and returns what was synced meanwhile.
std::vector<Step> commit_samples_only(StoreWriter& writer, int round) {
    const auto mark = journal().mark();
    writer.enqueue(samples(round));
    REQUIRE(writer.flush(10s));
    return journal().since(mark);
}

}  // namespace

TEST_CASE("store durability: an alarm event's COMMIT syncs the WAL before its commit hook runs, "
          "sample-only commits do not sync",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    ManualClock clock(t0 + 1h);
    StoreWriter writer(store_config(dir), clock, WriterOptions{.retention_interval = 0ms});
    commit_samples_only(writer, 0);  // creates the series, the WAL and its header

    // Steady state: samples are committed without any fsync (synchronous=NORMAL).
    for (int round = 1; round <= 3; ++round) {
        const auto steps = commit_samples_only(writer, round);
        INFO("round " << round);
        CHECK(count(steps, Step::wal_write) > 0);  // it did commit something
        CHECK(count(steps, Step::wal_sync) == 0);
        CHECK(count(steps, Step::db_sync) == 0);
    }

    // An alarm event together with samples: the WAL is on disk before anyone hears "committed".
    const auto mark = journal().mark();
    std::int64_t committed_event = 0;
    writer.enqueue(samples(4));
    writer.enqueue(raised(7), [&](std::int64_t id) {
        committed_event = id;
        journal().add(Step::hook);
    });
    REQUIRE(writer.flush(10s));
    const auto steps = journal().since(mark);
    CHECK(committed_event > 0);
    REQUIRE(count(steps, Step::hook) == 1);
    const auto hook_at = std::find(steps.begin(), steps.end(), Step::hook);
    // The commit's frames went to the WAL, then a sync, then (and only then) the hook: nothing
    // was written to the WAL after the last sync that precedes the hook.
    const auto last_write = std::find(std::make_reverse_iterator(hook_at), steps.rend(), Step::wal_write);
    const auto last_sync = std::find(std::make_reverse_iterator(hook_at), steps.rend(), Step::wal_sync);
    REQUIRE(last_write != steps.rend());
    REQUIRE(last_sync != steps.rend());
    CHECK(last_sync < last_write);  // reverse iterators: the sync is the later step

    // And back to the cheap commit for samples.
    for (int round = 5; round <= 6; ++round) {
        const auto after = commit_samples_only(writer, round);
        INFO("round " << round);
        CHECK(count(after, Step::wal_sync) == 0);
    }
    writer.stop();
}

TEST_CASE("store durability: outbox updates, audit and maintenance windows are synced at COMMIT, "
          "traps and device records are not",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    ManualClock clock(t0 + 1h);
    StoreWriter writer(store_config(dir), clock, WriterOptions{.retention_interval = 0ms});
    writer.enqueue(raised(1));
    REQUIRE(writer.flush(10s));
    commit_samples_only(writer, 0);

    auto synced = [&](auto enqueue) {
        const auto mark = journal().mark();
        enqueue();
        REQUIRE(writer.flush(10s));
        return count(journal().since(mark), Step::wal_sync);
    };

    CHECK(synced([&] {
              OutboxUpdate u;
              u.ids = {1};
              u.status = OutboxStatus::sent;
              u.attempts = 1;
              u.next_attempt = t0;
              u.message_id = "<1@avmon>";
              u.sent = t0;
              writer.enqueue_outbox_update(u);
          }) >= 1);
    CHECK(synced([&] {
              AuditRecord a;
              a.time = t0;
              a.actor = "alice";
              a.action = "ack";
              a.target = "1";
              writer.enqueue_audit(a);
          }) >= 1);
    CHECK(synced([&] {
              MaintenanceRecord m;
              m.id = "mw-1";
              m.target = "proj-1";
              m.start = t0;
              m.end = t0 + 1h;
              m.created_by = "alice";
              m.created = t0;
              writer.enqueue_maintenance(m);
          }) >= 1);
    // Observations the next poll repeats keep the cheap commit.
    CHECK(synced([&] {
              TrapEvent t;
              t.time = t0;
              t.source_address = "192.0.2.1";
              t.device = "proj-1";
              t.trap_oid = "1.3.6.1.6.3.1.1.5.3";
              writer.enqueue(t);
          }) == 0);
    CHECK(synced([&] { writer.enqueue_device(DeviceRecord{"proj-2", "Projector 2", "r-1", "projector", "X"}); }) == 0);
    writer.stop();
}

TEST_CASE("store durability: synchronous rises to FULL only for durable commits and a stricter "
          "level of the connection is never lowered",
          "[store][durability]") {
    install_logged_vfs();
    TempDir dir;
    {
        Database db = open_for_writing(dir.file("avmon.db"));
        BatchWriter w(db);
        Batch durable;
        durable.records.push_back(AlarmEventItem{raised(3), {}});
        w.write(durable);
        CHECK(db.query_int("PRAGMA synchronous") == 2);  // FULL
        Batch plain;
        plain.samples = samples(1);
        w.write(plain);
        CHECK(db.query_int("PRAGMA synchronous") == 1);  // NORMAL again
    }
    {
        Database db = open_for_writing(dir.file("avmon.db"));
        db.exec("PRAGMA synchronous = EXTRA");
        BatchWriter w(db);
        Batch durable;
        durable.records.push_back(AlarmEventItem{raised(4), {}});
        w.write(durable);
        CHECK(db.query_int("PRAGMA synchronous") == 3);
        Batch plain;
        plain.samples = samples(2);
        w.write(plain);
        CHECK(db.query_int("PRAGMA synchronous") == 3);
    }
}
