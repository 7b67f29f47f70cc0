#pragma once
// Internal to the loader: typed, position-aware access to one TOML table. Every getter
// reports what is wrong (type, range, format) with file:line:col and the dotted key path
// and returns nullopt, so parsing carries on and all problems are found in one run.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace avmon::config::detail {

struct Diagnostics {
    std::vector<ConfigError> errors;
    std::vector<ConfigError> warnings;
    void error(Location where, std::string key, std::string message);
    void warning(Location where, std::string key, std::string message);
};

Location location_of(const toml::source_region& region, const std::string& fallback_file = {});

// Where a table sits in its file, and how its keys are named in messages. Cheap to copy;
// later checks (dangling references) use it to point at the exact key.
struct Place {
    const toml::table* table = nullptr;
    std::string path;       // "device[3].snmp"; empty for the root
    Location fallback;      // used when toml++ knows no position (implicit tables)

    std::string key(std::string_view k) const;  // "device[3].snmp.timeout"
    Location at() const;                        // the table itself
    Location at(std::string_view k) const;      // the value of key k, else the table
};

class TableReader {
public:
    // Reports every key of `table` that `spec` does not allow (unless report_unknown is false:
    // a second reader over a table that another reader already checked).
    TableReader(Diagnostics& diag, Place place, const TableSpec& spec, bool report_unknown = true);

    const Place& place() const { return place_; }
    bool has(std::string_view key) const;
    const toml::node* node(std::string_view key) const;

    std::optional<std::string> string(std::string_view key);
    std::optional<std::string> required_string(std::string_view key);
    // A string value whose content must never be echoed (secrets): type errors only.
    std::optional<std::string> secret_text(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<double> number(std::string_view key, double min, double max);
    std::optional<std::chrono::seconds> duration(std::string_view key, std::chrono::seconds min,
                                                 std::chrono::seconds max);
    std::optional<std::chrono::milliseconds> duration_ms(std::string_view key, std::chrono::milliseconds min,
                                                         std::chrono::milliseconds max);
    std::optional<std::vector<std::string>> strings(std::string_view key);
    std::optional<std::vector<std::int64_t>> integers(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<std::string> one_of(std::string_view key, std::initializer_list<std::string_view> choices);
    // An identifier (device, room, rule ids ...): letters, digits, '-', '_', '.', ':'.
    std::optional<std::string> identifier(std::string_view key, bool required = true);
    std::optional<std::string> path(std::string_view key, const std::filesystem::path& base_dir);

    // A sub-table (or inline table); nullptr when absent or not a table (reported).
    std::optional<Place> table(std::string_view key);
    // An array of tables ([[x]]); empty when absent; wrong types reported.
    std::vector<Place> tables(std::string_view key);

    void error(std::string_view key, std::string message);
    void warning(std::string_view key, std::string message);
    void error_here(std::string message);  // about the table as a whole
    void missing(std::string_view key);     // "missing required key"

private:
    void check_declared(std::string_view key) const;
    void type_error(std::string_view key, std::string_view expected);

    Diagnostics& diag_;
    Place place_;
    const TableSpec& spec_;
};

bool is_identifier(std::string_view s);
bool is_numeric_oid(std::string_view s);
std::string toml_type_name(const toml::node& n);

}  // namespace avmon::config::detail
