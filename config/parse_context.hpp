#pragma once
// Internal to the loader: the state one load carries through its passes (tables -> profiles
// -> cross-references), and what each pass leaves for the next.
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/reader.hpp"

namespace avmon::config::detail {

struct SecretFileUse {
    std::filesystem::path file;
    Location where;
    std::string key;
};

struct Context {
    Diagnostics diag;
    const LoadOptions& options;
    std::filesystem::path base_dir;          // relative paths resolve against this
    std::string source_file;                 // the config file's name, for messages
    bool literal_secret_in_config = false;   // the config text itself holds a secret value
    std::optional<Location> first_literal_secret;
    std::vector<SecretFileUse> secret_files; // "file:" secrets that were read
};

// A secret value: literal, "env:NAME" or "file:path". Errors name the key, the variable or
// the file, never the value. Resolved values are registered with the log facade.
std::optional<std::string> read_secret(Context& ctx, TableReader& r, std::string_view key);
// The same for a secret that is not a table value of its own (an array element).
std::optional<std::string> resolve_secret(Context& ctx, const std::string& text, const Location& where,
                                          const std::string& key);

struct ParsedRule {
    RuleConfig rule;
    std::set<std::string> keys;  // keys written in the file (device overrides merge the rest)
    Place place;
};

struct ParsedDevice {
    Place place;
    std::vector<ParsedRule> rules;
};

struct ParsedConfig {
    Config config;
    std::vector<Place> sites, rooms, people, chains, maintenance, global_rules, inline_profiles;
    std::vector<ParsedDevice> devices;
    std::vector<std::vector<Place>> chain_levels;
    std::vector<Place> shifts, overrides;
    std::optional<Place> roster;
    std::optional<Place> severity;
    std::map<Severity, Place> severity_levels;
    std::vector<std::filesystem::path> profile_dirs;  // resolved, in search order
    std::optional<Place> profile_dirs_place;
    bool chains_given = false;
};

// Pass 1: every table of avmon.toml, types, ranges and formats (config_parser.cpp).
void parse_root(Context& ctx, const toml::table& root, ParsedConfig& out);

// Rules and profiles (profile_parser.cpp).
// partial: a device rule may leave out what it inherits from the profile rule of its id.
ParsedRule parse_rule(Diagnostics& diag, const Place& place, bool partial);
// The checks that need the whole rule (after a device override is merged).
void check_rule(Diagnostics& diag, const ParsedRule& r);
// header_spec: schema::profile_header() in a profile file, schema::inline_profile() for [[profile]].
std::optional<Profile> parse_profile_tables(Diagnostics& diag, const Place& header, const TableSpec& header_spec,
                                            const std::vector<Place>& metrics, const std::vector<Place>& rules);
// Pass 2: profile files from the configured and extra dirs, after the inline ones.
void load_profiles(Context& ctx, ParsedConfig& pc);

// Pass 3: references between tables, defaults, device rule overrides (cross_checks.cpp).
void cross_check(Context& ctx, ParsedConfig& pc);

std::optional<RuleKind> parse_rule_kind(std::string_view s);
std::string_view rule_kind_name(RuleKind k);
std::optional<DeviceClass> parse_device_class(std::string_view s);

}  // namespace avmon::config::detail
