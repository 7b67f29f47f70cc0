#pragma once
// A thin RAII layer over the SQLite C API: a connection, a prepared statement and an error
// that carries SQLite's result code (so callers can tell "disk full" from "bug").
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace avmon::store {

class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }          // primary result code (SQLITE_FULL, ...)
    bool out_of_space() const;                  // SQLITE_FULL
    bool io_error() const;                      // SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_BUSY...

private:
    int code_;
};

class Database {
public:
    enum class Mode { read_write_create, read_only };
    Database() = default;
    Database(const std::string& path, Mode mode);
    ~Database();
    Database(Database&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Database& operator=(Database&& o) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    // A single integer from a one-row query (PRAGMAs, COUNT(*)); nullopt for no row / NULL.
    std::optional<std::int64_t> query_int(const std::string& sql);
    std::int64_t last_insert_rowid() const;
    int changes() const;
    sqlite3* handle() const { return db_; }
    explicit operator bool() const { return db_ != nullptr; }
    [[noreturn]] void fail(int rc, std::string_view context) const;

private:
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement() = default;
    Statement(Database& db, const std::string& sql);
    ~Statement();
    Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binding is 1-based, like SQLite. Strings are copied (SQLITE_TRANSIENT).
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind_null(int i);
    template <class T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    bool step();       // true: a row is ready; false: done. Throws SqliteError.
    void run();        // step to completion, then reset
    void reset();      // reset and clear bindings

    bool is_null(int col) const;
    std::int64_t get_int(int col) const;
    double get_double(int col) const;
    std::string get_text(int col) const;
    std::optional<std::int64_t> get_opt_int(int col) const;

private:
    Database* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless committed.
class Transaction {
public:
    explicit Transaction(Database& db, bool immediate = true);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Database& db_;
    bool open_ = true;
};

}  // namespace avmon::store
