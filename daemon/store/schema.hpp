#pragma once
// The store's schema as an ordered list of migrations. PRAGMA user_version is the schema
// version; each step runs in its own transaction and only ever adds (tables, columns,
// indexes, derived data) — history is never dropped.
#include <string>
#include <vector>

#include "daemon/store/sqlite.hpp"

namespace avmon::store {

struct Migration {
    int version;              // user_version after this step
    std::string description;  // for the log and for humans
    std::string sql;
};

const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings `db` to `target` (default: latest). Returns the version found before migrating.
// A database newer than this program knows is refused with a clear error.
int migrate(Database& db, int target = -1);

// The writer's connection: creates the file if needed (auto_vacuum=INCREMENTAL, WAL), sets
// synchronous=NORMAL, busy_timeout and foreign keys, and migrates to the latest schema.
Database open_for_writing(const std::string& path, int cache_mib = 2);

// A reader's connection: SQLITE_OPEN_READONLY, busy_timeout, foreign keys irrelevant.
Database open_for_reading(const std::string& path);

// Per-connection settings every writable connection needs (also used by tests and tools).
void apply_connection_pragmas(Database& db);

}  // namespace avmon::store
