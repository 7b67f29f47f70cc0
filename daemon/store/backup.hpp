#pragma once
// `avmonctl backup`: a consistent copy of the live store through SQLite's online backup API,
// safe while the writer writes (never copy the file: the WAL holds recent commits).
#include <cstdint>
#include <string>

namespace avmon::store {

struct BackupResult {
    std::int64_t pages = 0;
    int steps = 0;
};

// Copies src_path to dest_path (created or overwritten) in chunks of `pages_per_step` pages
// inside one read snapshot of the source, so the writer keeps committing meanwhile and the
// copy is the state at the start of the backup. Throws SqliteError with a clear message.
BackupResult backup_database(const std::string& src_path, const std::string& dest_path,
                             int pages_per_step = 1024);

}  // namespace avmon::store
