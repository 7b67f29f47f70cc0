#pragma once
// The shape of avmon.toml and of profile files: which keys each table allows. The reader
// rejects any other key with this list, and known_keys() flattens it for the man-page test,
// so the documentation, the error messages and the parser cannot drift apart.
#include <string>
#include <string_view>
#include <vector>

namespace avmon::config {

struct TableSpec;

struct KeySpec {
    std::string_view name;
    const TableSpec* child = nullptr;  // a sub-table (or array of tables) with its own keys
    std::string_view doc_name = {};    // name in dotted documentation paths when not `name`
};

struct TableSpec {
    std::vector<KeySpec> keys;
    bool allows(std::string_view key) const;
    const KeySpec* find(std::string_view key) const;
    std::string allowed_list() const;  // "a, b, c" for error messages
};

namespace schema {
const TableSpec& config_root();   // avmon.toml
const TableSpec& profile_file();  // profiles/<name>.toml
const TableSpec& daemon();
const TableSpec& store();
const TableSpec& site();
const TableSpec& room();
const TableSpec& device();
const TableSpec& snmp();
const TableSpec& snmp_v3();
const TableSpec& control();
const TableSpec& serial();
const TableSpec& rule();
const TableSpec& metric();
const TableSpec& inline_profile();
const TableSpec& profile_header();
const TableSpec& severity();
const TableSpec& severity_level();
const TableSpec& chain();
const TableSpec& chain_level();
const TableSpec& person();
const TableSpec& roster();
const TableSpec& shift();
const TableSpec& roster_override();
const TableSpec& maintenance();
const TableSpec& alarms();
const TableSpec& flap();
const TableSpec& smtp();
const TableSpec& report();
const TableSpec& traps();
const TableSpec& trap_user();
const TableSpec& trap_map();
}  // namespace schema

}  // namespace avmon::config
