#include "daemon/store/backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <fmt/format.h>
#include <thread>

#include "daemon/store/schema.hpp"
#include "daemon/store/sqlite.hpp"

namespace avmon::store {

BackupResult backup_database(const std::string& src_path, const std::string& dest_path,
                             int pages_per_step) {
    if (src_path == dest_path)
        throw SqliteError(0, "store: backup destination is the live database itself");
    Database src = open_for_reading(src_path);
    Database dest(dest_path, Database::Mode::read_write_create);
    dest.exec("PRAGMA busy_timeout = 5000");

    // Hold one read transaction on the source for the whole copy: every step then reads the
    // same snapshot and the writer's commits (to the WAL) never restart the backup.
    src.exec("BEGIN");
    src.query_int("SELECT count(*) FROM sqlite_schema");

    sqlite3_backup* b = sqlite3_backup_init(dest.handle(), "main", src.handle(), "main");
    if (!b) dest.fail(sqlite3_errcode(dest.handle()), "backup to " + dest_path);
    BackupResult r;
    int rc = SQLITE_OK;
    for (;;) {
        rc = sqlite3_backup_step(b, pages_per_step);
        ++r.steps;
        if (rc == SQLITE_DONE) break;
        if (rc == SQLITE_OK) continue;
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        break;
    }
    r.pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    src.exec("COMMIT");
    if (rc != SQLITE_DONE)
        throw SqliteError(rc, fmt::format("store: backup of {} to {} failed: {}", src_path, dest_path,
                                          sqlite3_errstr(rc)));
    return r;
}

}  // namespace avmon::store
